// My families: the families whose core group I am in.
import { get } from '../api.js';
import { Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { age, label, PLAN_CATEGORIES } from '../words.js';

export function Families() {
  const families = useLoad((signal) => get('/families', { signal }), []);
  return (
    <>
      <ScreenTitle>My families</ScreenTitle>
      <Loaded state={families} what="Loading your families">
        {(list) => list.length === 0
          ? <p>You are not in any family's core group yet.</p>
          : <ul class="cards">{list.map((family) => <FamilyCard key={family.id} family={family} />)}</ul>}
      </Loaded>
    </>
  );
}

function FamilyCard({ family }) {
  return (
    <li class="card">
      <a href={`/families/${family.id}`} class="card-link">
        <span class="card-title">{family.reference}</span>
        <span class="card-line">
          {family.children.map((child) => `${child.initials} (${age(child.date_of_birth)})`).join(', ')}
        </span>
        <span class="card-line">Plan: {label(PLAN_CATEGORIES, family.plan.category)}</span>
      </a>
    </li>
  );
}
