// One flag: what the engine noticed, why, the visits behind it, and the core group's
// response (lead social workers and managers record it). Shown inside its concern, and in
// the list of closed flags.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { post } from '../api.js';
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
  const [response, setResponse] = useState('');
  const [close, setClose] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const acknowledged = flag.state === 'acknowledged';
  const onSubmit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post(`/flags/${flag.id}/acknowledge`, { response, close: acknowledged || close });
      onChanged();
    } catch (problem) {
      setError(problem);
      setBusy(false);
    }
  };
  return (
    <form class="form respond" onSubmit={onSubmit}>
      <label class="field">
        <span class="field-label">{acknowledged ? 'Why it can be closed' : 'What the core group decided'}</span>
        <textarea required value={response} onInput={(event) => setResponse(event.currentTarget.value)} />
      </label>
      {!acknowledged && (
        <label class="check">
          <input type="checkbox" checked={close} onChange={(event) => setClose(event.currentTarget.checked)} />
          <span>Close the flag as well{flag.safe_sleep ? ' (a safe-sleep flag closes only this way)' : ''}</span>
        </label>
      )}
      <ErrorMessage error={error} />
      <button type="submit" class="button" disabled={busy || !response.trim()}>
        {acknowledged ? 'Close the flag' : 'Record the response'}
      </button>
    </form>
  );
}
