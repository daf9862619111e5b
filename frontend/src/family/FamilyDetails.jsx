// A family's details and core group: what is recorded about the family, and (for its lead
// and the managers in its core group) changing the details, closing or reopening the
// record, and changing the core group. Every change goes on the family's timeline.
import { useState } from 'preact/hooks';
import { families } from '../api.js';
import { ErrorMessage } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import { age, formatDate, formatDateTime, label, PLAN_CATEGORIES } from '../words.js';
import { CoreGroup } from './CoreGroup.jsx';
import { FamilyFields, familyBody, familyValues } from './FamilyFields.jsx';
import { FamilyFrame } from './FamilyFrame.jsx';

export function FamilyDetailsScreen({ params }) {
  return (
    <FamilyFrame familyId={params.familyId} tab="details">
      {(family, reload) => <FamilyDetails family={family} reload={reload} />}
    </FamilyFrame>
  );
}

function FamilyDetails({ family, reload }) {
  const [editing, setEditing] = useState(false);
  const closed = family.status === 'closed';
  return (
    <>
      {editing
        ? <EditDetails family={family} done={(changed) => { setEditing(false); if (changed) reload(); }} />
        : <Details family={family} />}
      {family.may_manage && !editing && !closed && (
        <div class="actions">
          <button type="button" class="button button-secondary" onClick={() => setEditing(true)}>
            Change details
          </button>
        </div>
      )}
      {family.may_manage && !editing && <CloseOrReopen family={family} reload={reload} />}
      <CoreGroup family={family} reload={reload} />
    </>
  );
}

function Details({ family }) {
  return (
    <dl class="facts">
      <div><dt>Reference</dt><dd>{family.reference}</dd></div>
      <div><dt>Address</dt><dd>{family.address || 'Not recorded'}</dd></div>
      <div><dt>Children</dt><dd>
        <ul class="plain-list">
          {family.children.map((child) => (
            <li key={child.id}>{child.initials}, born {formatDate(child.date_of_birth)} ({age(child.date_of_birth)})</li>
          ))}
        </ul>
      </dd></div>
      <div><dt>Plan</dt><dd>Child protection plan: {label(PLAN_CATEGORIES, family.plan.category).toLowerCase()}, since {formatDate(family.plan.started_on)}</dd></div>
      <div><dt>Opened on</dt><dd>{formatDate(family.opened_on)}</dd></div>
      <div><dt>Record</dt><dd>{family.status === 'closed'
        ? `Closed on ${formatDateTime(family.closed_at)}: ${family.closed_reason}`
        : 'Open'}</dd></div>
    </dl>
  );
}

function EditDetails({ family, done }) {
  const [values, setValues] = useState(() => familyValues(family));
  const [reason, setReason] = useState('');
  const { onSubmit, busy, error } = useSubmit(async () => {
    await families.update(family.id, { ...familyBody(values), reason });
    done(true);
  });
  return (
    <form class="form" onSubmit={onSubmit} aria-label="Change the family's details">
      <FamilyFields values={values} setValues={setValues} fields={error?.fields} />
      <label class="field">
        <span class="field-label">Why (optional)</span>
        <span class="field-hint">Shown on the timeline with the change.</span>
        <textarea value={reason} maxLength={1000} rows={2}
                  onInput={(event) => setReason(event.currentTarget.value)} />
      </label>
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>{busy ? 'Saving…' : 'Save the changes'}</button>
        <button type="button" class="button button-secondary" onClick={() => done(false)}>Cancel</button>
      </div>
    </form>
  );
}

function CloseOrReopen({ family, reload }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const closing = family.status !== 'closed';
  const { onSubmit, busy, error } = useSubmit(async () => {
    await (closing ? families.close : families.reopen)(family.id, reason);
    setAsking(false);
    setReason('');
    reload();
  });
  const what = closing ? 'Close this family\'s record' : 'Reopen this family\'s record';
  if (!asking) {
    return (
      <div class="actions">
        <button type="button" class={closing ? 'button button-danger' : 'button'}
                onClick={() => setAsking(true)}>{what}</button>
      </div>
    );
  }
  return (
    <form class="form message" onSubmit={onSubmit} aria-label={what}>
      <p>{closing
        ? 'Closing takes the family out of everyone\'s list of families and stops Homelog looking for concerns. The core group can still read the record, and it can be reopened.'
        : 'Reopening puts the family back in the core group\'s lists, and Homelog looks for concerns again.'}</p>
      <label class="field">
        <span class="field-label">{closing ? 'Why is the record being closed?' : 'Why is the record being reopened?'}</span>
        <textarea required minLength={3} maxLength={1000} rows={3} value={reason}
                  onInput={(event) => setReason(event.currentTarget.value)} />
      </label>
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="submit" class={closing ? 'button button-danger' : 'button'}
                disabled={busy || reason.trim().length < 3}>
          {closing ? 'Close the record' : 'Reopen the record'}
        </button>
        <button type="button" class="button button-secondary" onClick={() => setAsking(false)}>Cancel</button>
      </div>
    </form>
  );
}
