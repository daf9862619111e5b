// Small pieces every screen uses: headings that take focus, loading and error messages.
import { useEffect, useRef } from 'preact/hooks';

/**
 * The screen's main heading. It takes focus when the screen opens, so a screen reader
 * announces the new screen and the keyboard starts from the top of it.
 */
export function ScreenTitle({ children }) {
  const ref = useRef(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
    document.title = `${ref.current?.textContent ?? ''} · Homelog`;
  }, [children]);
  return <h1 ref={ref} tabIndex={-1} class="screen-title">{children}</h1>;
}

export function Loading({ what = 'Loading' }) {
  return <p class="loading" role="status">{what}…</p>;
}

/** An error from the API in words, with a way to try again where that makes sense. */
export function ErrorMessage({ error, retry }) {
  if (!error) return null;
  return (
    <div class="message message-error" role="alert">
      <p>{error.message}</p>
      {error.fields && <FieldProblems fields={error.fields} />}
      {retry && <button type="button" class="button button-secondary" onClick={retry}>Try again</button>}
    </div>
  );
}

function FieldProblems({ fields }) {
  const problems = [];
  const walk = (value) => {
    if (typeof value === 'string') problems.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(fields);
  return <ul>{problems.map((problem) => <li key={problem}>{problem}</li>)}</ul>;
}

/** Shows what `useLoad` gives: loading, an error with "Try again", or the content. */
export function Loaded({ state, what, children }) {
  if (state.error) return <ErrorMessage error={state.error} retry={state.reload} />;
  if (state.loading && !state.data) return <Loading what={what} />;
  return children(state.data);
}
