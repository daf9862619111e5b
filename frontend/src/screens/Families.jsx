// My families: the families whose core group I am in, with what needs attention first;
// the closed ones on request; "Open a family" for lead social workers and managers.
import { useState } from 'preact/hooks';
import { families } from '../api.js';
import { Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { OfflineFamilies } from '../visit/OfflineFamilies.jsx';
import { age, days, formatDate, label, PLAN_CATEGORIES, SEVERITY } from '../words.js';

export function Families({ user }) {
  const caseload = useLoad((signal) => families.caseload({ signal }), []);
  return (
    <>
      <ScreenTitle>My families</ScreenTitle>
      {(user?.role === 'lead_social_worker' || user?.role === 'manager') && (
        <div class="actions"><a class="button" href="/families/new">Open a family</a></div>
      )}
      {user?.role === 'manager' && (
        <p><a href="/break-glass">Open a family you are not in</a></p>
      )}
      {user?.role === 'administrator' && (
        <p><a href="/admin">Administration: people, agencies, settings and the account log</a></p>
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
      {!caseload.error?.offline && <ClosedFamilies />}
    </>
  );
}

// Families whose record is closed: out of the list above, still readable, on request.
function ClosedFamilies() {
  const [shown, setShown] = useState(false);
  if (!shown) {
    return (
      <div class="actions">
        <button type="button" class="button button-secondary" onClick={() => setShown(true)}>
          Show closed families
        </button>
      </div>
    );
  }
  return (
    <section aria-labelledby="closed-heading">
      <h2 id="closed-heading">Closed families</h2>
      <ClosedList />
    </section>
  );
}

function ClosedList() {
  const closed = useLoad((signal) => families.list({ status: 'closed' }, { signal }), []);
  return (
    <Loaded state={closed} what="Loading closed families">
      {(list) => (list.length === 0 ? <p>No closed families.</p> : (
        <ul class="cards cards-wide">
          {list.map((family) => (
            <li class="card" key={family.id}>
              <a href={`/families/${family.id}`} class="card-link">
                <span class="card-title">{family.reference}</span>
                <span class="card-line">Closed on {formatDate(family.closed_at)}: {family.closed_reason}</span>
              </a>
            </li>
          ))}
        </ul>
      ))}
    </Loaded>
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
