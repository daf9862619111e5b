// My families with no signal: only what the offline kit holds (reference, children's
// initials and ages), enough to start recording a visit.
import { useEffect, useState } from 'preact/hooks';
import { ScreenTitle } from '../components/common.jsx';
import { keptKit } from '../offline/kit.js';
import { useSession } from '../session.js';
import { formatDateTime } from '../words.js';

function ageWords(months) {
  if (months < 0) return 'not yet born';
  if (months < 24) return months === 1 ? '1 month' : `${months} months`;
  return `${Math.floor(months / 12)} years`;
}

/** What this phone keeps for the signed-in user: undefined while reading, null if nothing. */
function useKeptKit() {
  const { user } = useSession();
  const [kit, setKit] = useState(undefined);
  useEffect(() => {
    keptKit(user).then(setKit, () => setKit(null));
  }, [user?.id]);
  return kit;
}

export function OfflineFamilies() {
  const kit = useKeptKit();
  if (kit === undefined) return null;
  if (!kit) {
    return (
      <p class="message message-error" role="alert">
        No signal, and nothing kept on this phone yet to record a visit with. Open Homelog once
        with signal after signing in.
      </p>
    );
  }
  return (
    <>
      <p class="message" role="status">
        No signal: these are your families as this phone last saw them
        ({formatDateTime(kit.savedAt)}). You can record a visit; it is sent when there is signal.
      </p>
      <ul class="cards cards-wide">
        {kit.families.map((family) => (
          <li key={family.id} class="card">
            <div class="card-body">
              <span class="card-title-plain">{family.reference}</span>
              <span class="card-line">
                Children: {family.children.map((c) => `${c.initials} (${ageWords(c.age_months)})`).join(', ')}
              </span>
              <a class="button" href={`/families/${family.id}/visits/new`}>
                Record a visit<span class="visually-hidden"> to family {family.reference}</span>
              </a>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A family's page with no signal: its records stay on the server; a visit can be recorded. */
export function OfflineFamily({ familyId }) {
  const kit = useKeptKit();
  if (kit === undefined) return null;
  const family = kit?.families.find((item) => item.id === Number(familyId));
  return (
    <>
      <ScreenTitle>{family ? `Family ${family.reference}` : 'No signal'}</ScreenTitle>
      <p class="message" role="status">
        No signal: a family's timeline, charts, photos and concerns are not kept on this phone.
        {family ? ' You can still record a visit; it is sent when there is signal.' : ''}
      </p>
      <div class="actions">
        {family && <a class="button" href={`/families/${family.id}/visits/new`}>Record a visit</a>}
        <a class="button button-secondary" href="/">My families</a>
      </div>
    </>
  );
}
