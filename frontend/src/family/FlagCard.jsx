// The family's flags: what the engine noticed, why, the visits behind it, and the core
// group's response (lead social workers and managers record it).
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { ErrorMessage, Loaded } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { FLAG_KINDS, FLAG_STATES, formatDate, formatDateTime, label, SEVERITY } from '../words.js';
import { FamilyFrame } from './FamilyFrame.jsx';

const MAY_RESPOND = new Set(['lead_social_worker', 'manager']);

export function FlagsScreen({ params, user }) {
  return (
    <FamilyFrame familyId={params.familyId} tab="flags">
      {() => <Flags familyId={params.familyId} user={user} />}
    </FamilyFrame>
  );
}

function Flags({ familyId, user }) {
  const flags = useLoad((signal) => get(`/families/${familyId}/flags`, { signal }), [familyId]);
  return (
    <Loaded state={flags} what="Loading the flags">
      {(list) => {
        if (list.length === 0) return <p>No flags for this family.</p>;
        const groups = ['open', 'acknowledged', 'closed']
          .map((state) => [state, list.filter((flag) => flag.state === state)])
          .filter(([, items]) => items.length > 0);
        return groups.map(([state, items]) => (
          <section key={state} aria-labelledby={`flags-${state}`}>
            <h3 id={`flags-${state}`}>{label(FLAG_STATES, state)} ({items.length})</h3>
            <ul class="cards">
              {items.map((flag) => (
                <FlagCard key={flag.id} flag={flag} mayRespond={MAY_RESPOND.has(user.role)}
                          onChanged={flags.reload} />
              ))}
            </ul>
          </section>
        ));
      }}
    </Loaded>
  );
}

function FlagCard({ flag, mayRespond, onChanged }) {
  const urgent = flag.severity === 'immediate' || flag.severity === 'high';
  return (
    <li class={urgent && flag.state !== 'closed' ? 'card card-urgent' : 'card'}>
      <article class="card-body" aria-labelledby={`flag-${flag.id}`}>
        <h4 id={`flag-${flag.id}`} class="flag-title">{label(FLAG_KINDS, flag.kind)}</h4>
        <p class="byline">
          {label(SEVERITY, flag.severity)} · since {formatDate(flag.became_true_at)}
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
