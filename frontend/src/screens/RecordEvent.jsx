// Record information that is not a visit (a police call-out, a message from the GP), dated
// and attributed, for the family's timeline. Its time is the partnership's wall time.
import { useRef, useState } from 'preact/hooks';
import { families, newIdempotencyKey } from '../api.js';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import { ZoneHint } from '../components/ZoneHint.jsx';
import { navigate } from '../router.js';
import { useSettings } from '../settings.js';
import { wallTime, wallTimeToInstant } from '../time.js';
import { EVENT_KINDS } from '../words.js';

export function RecordEvent({ params }) {
  const { settings } = useSettings();
  const zone = settings.time_zone;
  const [kind, setKind] = useState('');
  const [occurredAt, setOccurredAt] = useState(() => wallTime(new Date(), zone));
  const [summary, setSummary] = useState('');
  const [source, setSource] = useState('');
  // One key for this piece of information: a retry after a lost answer is not a duplicate.
  const key = useRef(newIdempotencyKey());
  const { onSubmit, busy, error } = useSubmit(async () => {
    // The time entered is the partnership's wall time, whatever the phone's own zone.
    const occurred = wallTimeToInstant(occurredAt, zone);
    await families.recordEvent(params.familyId,
      { kind, occurred_at: occurred ? occurred.toISOString() : occurredAt, summary, source },
      key.current);
    navigate(`/families/${params.familyId}`);
  });
  const { limits } = settings;

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
          <ZoneHint zone={zone} />
          <input type="datetime-local" required value={occurredAt} max={wallTime(new Date(), zone)}
                 onInput={(event) => setOccurredAt(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">What happened</span>
          <textarea required maxLength={limits.summary_max} value={summary}
                    onInput={(event) => setSummary(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Where it came from (optional)</span>
          <span class="field-hint">For example: the GP surgery, a neighbour, the police log.</span>
          <input type="text" maxLength={limits.source_max} value={source}
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
