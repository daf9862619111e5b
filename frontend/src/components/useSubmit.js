// What every form does on submit: stop the page from reloading, say it is busy (so a second
// tap does nothing), run the work, and keep the error to show when the server refuses.
import { useRef, useState } from 'preact/hooks';

/**
 * `work(event)` does the submitting (resolves when done, rejects with an ApiError to show).
 * Returns { onSubmit, busy, error, setError }: onSubmit goes on the <form> (or a button).
 */
export function useSubmit(work) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const running = useRef(false);
  const onSubmit = async (event) => {
    event?.preventDefault();
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await work(event);
    } catch (problem) {
      setError(problem);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  return { onSubmit, busy, error, setError };
}
