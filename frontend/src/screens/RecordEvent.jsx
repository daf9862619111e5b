// Record information that is not a visit (a police call-out, a message from the GP), dated
// and attributed, for the family's timeline.
import { useRef, useState } from 'preact/hooks';
import { families, newIdempotencyKey } from '../api.js';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { navigate } from '../router.js';
import { EVENT_KINDS } from '../words.js';

/** Now, as the value of a datetime-local field (local time, to the minute). */
function localNow() {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

export function RecordEvent({ params }) {
  const [kind, setKind] = useState('');
  const [occurredAt, setOccurredAt] = useState(localNow);
  const [summary, setSummary] = useState('');
  const [source, setSource] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // One key for this piece of information: a retry after a lost answer is not a duplicate.
  const key = useRef(newIdempotencyKey());

  const onSubmit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // A time without an offset is the partnership's local time (the API's rule).
      await families.recordEvent(params.familyId,
        { kind, occurred_at: occurredAt, summary, source }, key.current);
      navigate(`/families/${params.familyId}`);
    } catch (problem) {
      setError(problem);
      setBusy(false);
    }
  };

  return (
    <>
      <ScreenTitle>Record information</ScreenTitle>
      <p>For something that is not a visit: a police call-out, a message from the GP, a hospital contact.</p>
      <form class="form" onSubmit={onSubmit}>
        <label class="field">
          <span class="field-label">What kind of information</span>
          <select required value={kind} onChange={(event) => setKind(event.currentTarget.value)}>
            <option value="" disabled>Choose one</option>
            {Object.entries(EVENT_KINDS).map(([value, text]) => <option key={value} value={value}>{text}</option>)}
          </select>
        </label>
        <label class="field">
          <span class="field-label">When it happened</span>
          <input type="datetime-local" required value={occurredAt} max={localNow()}
                 onInput={(event) => setOccurredAt(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">What happened</span>
          <textarea required maxLength={5000} value={summary}
                    onInput={(event) => setSummary(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Where it came from (optional)</span>
          <span class="field-hint">For example: the GP surgery, a neighbour, the police log.</span>
          <input type="text" maxLength={200} value={source}
                 onInput={(event) => setSource(event.currentTarget.value)} />
        </label>
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" class="button" disabled={busy || !kind || !summary.trim()}>
            {busy ? 'Saving…' : 'Save to the timeline'}
          </button>
          <a class="button button-secondary" href={`/families/${params.familyId}`}>Cancel</a>
        </div>
      </form>
    </>
  );
}
