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

/**
 * A list read a page at a time, newest first, by cursor: `load(before, signal)` answers
 * { entries, next_before, ... }. Changing `deps` (a filter) starts again from the newest.
 * Returns { entries, page (the last answer), next, error, loading, more, retry }.
 */
export function usePages(load, deps) {
  const [before, setBefore] = useState(null);
  const [entries, setEntries] = useState([]);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  useEffect(() => {
    setEntries([]);
    setBefore(null);
  }, deps);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    load(before, controller.signal).then((answer) => {
      if (controller.signal.aborted) return;
      setEntries((previous) => (before === null ? answer.entries : [...previous, ...answer.entries]));
      setPage(answer);
      setLoading(false);
    }, (problem) => {
      if (controller.signal.aborted) return;
      setError(problem);
      setLoading(false);
    });
    return () => controller.abort();
  }, [...deps, before, round]);
  const next = page?.next_before ?? null;
  return {
    entries, page, next, error, loading,
    more: () => setBefore(next),
    retry: () => setRound((value) => value + 1),
  };
}
