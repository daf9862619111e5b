// What every family screen shares: the reference, children and plan, the two things to
// record, and the tabs (timeline, charts, photos, concerns); while a manager is in by
// break-glass, a banner saying so and when it ends.
import { families } from '../api.js';
import { Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { BreakGlassBanner } from '../screens/BreakGlass.jsx';
import { useSession } from '../session.js';
import { OfflineFamily } from '../visit/OfflineFamilies.jsx';
import { age, formatDate, label, PLAN_CATEGORIES } from '../words.js';

export const TABS = [
  { key: 'timeline', path: '', label: 'Timeline' },
  { key: 'charts', path: '/charts', label: 'Charts' },
  { key: 'photos', path: '/photos', label: 'Photos' },
  { key: 'concerns', path: '/concerns', label: 'Concerns' },
];

// Screens of a family that are not tabs (reached from the family's summary).
const PAGES = {
  viewed: { label: 'Who has viewed this family' },
  agreement: { label: 'Agreed baseline' },
  details: { label: 'Details and core group' },
};
// Who may read "who has viewed" (the API says the same).
const RUN_THE_CORE_GROUP = new Set(['lead_social_worker', 'manager']);

export function FamilyFrame({ familyId, tab, children }) {
  const family = useLoad((signal) => families.get(familyId, { signal }), [familyId]);
  const current = TABS.find((item) => item.key === tab) ?? PAGES[tab];
  if (family.error?.offline) return <OfflineFamily familyId={familyId} />;
  return (
    <Loaded state={family} what="Loading the family">
      {(detail) => (
        <>
          <ScreenTitle>Family {detail.reference}</ScreenTitle>
          {detail.access_basis === 'break_glass' && <BreakGlassBanner until={detail.break_glass_until} />}
          {detail.status === 'closed' && (
            <p class="message" role="status">This family's record was closed on {formatDate(detail.closed_at)}: {detail.closed_reason}</p>
          )}
          <FamilySummary family={detail} />
          {detail.status !== 'closed' && <div class="actions actions-pair">
            <a class="button" href={`/families/${familyId}/visits/new`}>Record a visit</a>
            <a class="button button-secondary" href={`/families/${familyId}/events/new`}>
              Record information
            </a>
          </div>}
          <nav class="tabs" aria-label="Family">
            {TABS.map((item) => (
              <a key={item.key} class="tab" href={`/families/${familyId}${item.path}`}
                 aria-current={item.key === tab ? 'page' : undefined}>{item.label}</a>
            ))}
          </nav>
          <section class="tab-panel" aria-labelledby="tab-heading">
            <h2 id="tab-heading">{current.label}</h2>
            {children(detail, family.reload)}
          </section>
        </>
      )}
    </Loaded>
  );
}

function FamilySummary({ family }) {
  const lead = family.core_group.find((member) => member.is_lead);
  const { user } = useSession();
  return (
    <dl class="facts facts-flow">
      <div><dt>Children</dt><dd>{family.children.map((child) => `${child.initials} (${age(child.date_of_birth)})`).join(', ')}</dd></div>
      <div><dt>Plan</dt><dd>{label(PLAN_CATEGORIES, family.plan.category)}, since {formatDate(family.plan.started_on)}</dd></div>
      {lead && <div><dt>Lead social worker</dt><dd>{lead.name}</dd></div>}
      <div><dt>Record</dt><dd><a href={`/families/${family.id}/details`}>Details and core group</a></dd></div>
      <div><dt>Agreement</dt><dd><a href={`/families/${family.id}/agreement`}>Agreed baseline</a></dd></div>
      <div><dt>For meetings</dt><dd><a href={`/families/${family.id}/exports`}>Summaries to download</a></dd></div>
      {RUN_THE_CORE_GROUP.has(user?.role) && (
        <div><dt>Record of access</dt><dd><a href={`/families/${family.id}/viewed`}>Who has viewed this family</a></dd></div>
      )}
    </dl>
  );
}
