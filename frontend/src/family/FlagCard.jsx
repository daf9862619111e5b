// One flag: what the engine noticed, why, the visits behind it, and the core group's
// response (lead social workers and managers record it). Shown inside its concern, and in
// the list of closed flags.
import { Fragment } from 'preact';
import { useId, useState } from 'preact/hooks';
import { flags } from '../api.js';
import { ErrorMessage } from '../components/common.jsx';
import { FLAG_KINDS, FLAG_STATES, formatDate, formatDateTime, label, SEVERITY } from '../words.js';

/** Who may record the core group's response to a flag. */
export const MAY_RESPOND = new Set(['lead_social_worker', 'manager']);

/**
 * A flag as a card (an <li> for a list of cards). `level` is its heading's level, one
 * below the heading of the list it is in; the heading takes focus when an address points
 * at the flag (#flag-<id>, as the inbox links to it).
 */
export function FlagCard({ flag, mayRespond, onChanged, level = 4 }) {
  const Title = `h${level}`;
  const urgent = flag.severity === 'immediate' || flag.severity === 'high';
  return (
    <li class={urgent && flag.state !== 'closed' ? 'card card-urgent' : 'card'}>
      <article class="card-body" aria-labelledby={`flag-${flag.id}`}>
        <Title id={`flag-${flag.id}`} class="flag-title" tabIndex={-1}>{label(FLAG_KINDS, flag.kind)}</Title>
        <p class="byline">
          {label(SEVERITY, flag.severity)} · {label(FLAG_STATES, flag.state)} · since {formatDate(flag.became_true_at)}
          {flag.safe_sleep && ' · safe sleep'}
          {flag.occurrence > 1 && ` · back for the ${ordinal(flag.occurrence)} time`}
        </p>
        <p>{flag.explanation}</p>
        {flag.evidence_visit_ids.length > 0 && (
          <p>
            Evidence:{' '}
            {flag.evidence_visit_ids.map((id, index) => (
              <Fragment key={id}>
                {index > 0 && ', '}
                <a href={`/visits/${id}`}>visit {index + 1} of {flag.evidence_visit_ids.length}</a>
              </Fragment>
            ))}
          </p>
        )}
        {flag.acknowledgement && (
          <p class="response">
            <strong>Response</strong> ({flag.acknowledgement.by.name}, {formatDateTime(flag.acknowledgement.at)}):{' '}
            {flag.acknowledgement.response}
          </p>
        )}
        {flag.closure && (
          <p class="byline">
            Closed {formatDate(flag.closure.at)}{flag.closure.reason === 'no_longer_true' ? ': no longer true' : flag.closure.by ? ` by ${flag.closure.by.name}` : ''}
          </p>
        )}
        {flag.state !== 'closed' && mayRespond && <Respond flag={flag} onChanged={onChanged} />}
      </article>
    </li>
  );
}

function ordinal(number) {
  return { 2: 'second', 3: 'third' }[number] ?? `${number}th`;
}

function Respond({ flag, onChanged }) {
  return (
    <ResponseForm
      closeOnly={flag.state === 'acknowledged'}
      send={(response, close) => flags.respond(flag.id, { response, close })}
      onDone={onChanged}
      closeLabel={flag.safe_sleep ? 'Close the flag as well (a safe-sleep flag closes only this way)'
        : 'Close the flag as well'}
      submitLabel="Record the response" closeSubmitLabel="Close the flag" />
  );
}

/**
 * The core group's response, as a form: what was decided, and whether to close as well (or,
 * with `closeOnly`, once a response is recorded, why it can be closed). One flag's form and a
 * whole concern's are this one.
 *
 * `send(response, close)` records it (a promise); `onDone(close)` follows its success, when
 * the form is emptied again. `explain(problem)` may put a refusal in other words (and act on
 * it); what it returns is shown. The button reads `submitLabel`, `closingLabel` with the
 * checkbox ticked, `closeSubmitLabel` when only closing is left. `hint` says more under the
 * response box, `closeHint` under the checkbox; `textRef` reaches the box (to give it focus).
 */
export function ResponseForm({ send, onDone, explain = (problem) => problem, closeOnly = false,
                               closeLabel, closeHint, hint, submitLabel, closingLabel,
                               closeSubmitLabel, textRef }) {
  const [response, setResponse] = useState('');
  const [close, setClose] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const closing = closeOnly || close;
  const onSubmit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await send(response, closing);
    } catch (problem) {
      setError(explain(problem));
      setBusy(false);
      return;
    }
    setResponse('');
    setClose(false);
    setBusy(false);
    onDone(closing);
  };
  return (
    <form class="form respond" onSubmit={onSubmit}>
      <div class="field">
        <label class="field-label" for={`${id}-text`}>
          {closeOnly ? 'Why it can be closed' : 'What the core group decided'}
        </label>
        {hint && <p id={`${id}-hint`} class="field-hint">{hint}</p>}
        <textarea id={`${id}-text`} ref={textRef} required value={response}
                  aria-describedby={hint ? `${id}-hint` : undefined}
                  onInput={(event) => setResponse(event.currentTarget.value)} />
      </div>
      {!closeOnly && (
        <div class="field">
          <label class="check">
            <input type="checkbox" checked={close}
                   aria-describedby={closeHint ? `${id}-close` : undefined}
                   onChange={(event) => setClose(event.currentTarget.checked)} />
            <span>{closeLabel}</span>
          </label>
          {closeHint && <p id={`${id}-close`} class="field-hint check-hint">{closeHint}</p>}
        </div>
      )}
      <ErrorMessage error={error} />
      <button type="submit" class="button" disabled={busy || !response.trim()}>
        {closeOnly ? closeSubmitLabel : close ? closingLabel ?? submitLabel : submitLabel}
      </button>
    </form>
  );
}
