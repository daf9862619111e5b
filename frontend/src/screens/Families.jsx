// My families: the families whose core group I am in, with what needs attention first.
import { get } from '../api.js';
import { Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { OfflineFamilies } from '../visit/OfflineFamilies.jsx';
import { age, days, label, PLAN_CATEGORIES, SEVERITY } from '../words.js';

export function Families({ user }) {
  const caseload = useLoad((signal) => get('/caseload', { signal }), []);
  return (
    <>
      <ScreenTitle>My families</ScreenTitle>
      {user?.role === 'manager' && (
        <p><a href="/break-glass">Open a family you are not in</a></p>
      )}
      {user?.role === 'administrator' && (
        <p><a href="/account-log">Account log: sign-ins, refusals and changes</a></p>
      )}
      {caseload.error?.offline ? <OfflineFamilies /> : (
      <Loaded state={caseload} what="Loading your families">
        {(entries) => entries.length === 0
          ? <p>You are not in any family's core group yet.</p>
          : (
            <ul class="cards cards-wide">
              {entries.map((entry) => <FamilyCard key={entry.family.id} entry={entry} />)}
            </ul>
          )}
      </Loaded>
      )}
    </>
  );
}

function FamilyCard({ entry }) {
  const { family } = entry;
  const children = family.children
    .map((child) => `${child.initials} (${age(child.date_of_birth)})`).join(', ');
  return (
    <li class="card">
      <a href={`/families/${family.id}`} class="card-link">
        <span class="card-title">{family.reference}</span>
        <span class="card-line">Children: {children}</span>
        <span class="card-line">Plan: {label(PLAN_CATEGORIES, family.plan.category)}</span>
        <span class="figures">
          <OpenFlags count={entry.open_flags} severity={entry.most_severe_open_flag} />
          <span class="figure">Last visit: {days(entry.days_since_last_visit)}</span>
          <span class="figure">Last unannounced: {days(entry.days_since_last_unannounced)}</span>
        </span>
      </a>
    </li>
  );
}

function OpenFlags({ count, severity }) {
  if (!count) return <span class="figure">No open flags</span>;
  const alarming = severity === 'immediate' || severity === 'high';
  return (
    <span class={alarming ? 'figure figure-alert' : 'figure'}>
      {count === 1 ? '1 open flag' : `${count} open flags`}
      {severity ? ` (most serious: ${label(SEVERITY, severity).toLowerCase()})` : ''}
    </span>
  );
}
