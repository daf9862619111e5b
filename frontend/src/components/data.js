// Loading data for a screen: the answer, or the error to show, and a way to load again.
import { useCallback, useEffect, useState } from 'preact/hooks';

/**
 * Runs `load(signal)` when `deps` change. Returns { data, error, loading, reload }.
 * An answer that arrives after the screen moved on is ignored.
 */
export function useLoad(load, deps) {
  const [result, setResult] = useState({ data: null, error: null, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setResult((previous) => ({ ...previous, error: null, loading: true }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setResult({ data, error: null, loading: false }),
      (error) => {
        if (!controller.signal.aborted) setResult({ data: null, error, loading: false });
      },
    );
    return () => controller.abort();
  }, [...deps, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { ...result, reload };
}
