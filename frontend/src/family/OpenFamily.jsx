// Open a family: a lead social worker or a manager starts a family's record. The one who
// opens it joins its core group (as its lead, if a lead social worker); the next screen is
// the family's details and core group, to add the others.
import { useState } from 'preact/hooks';
import { families } from '../api.js';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import { navigate } from '../router.js';
import { FamilyFields, familyBody, familyValues } from './FamilyFields.jsx';

export function OpenFamily({ user }) {
  const [values, setValues] = useState(() => familyValues());
  const { onSubmit, busy, error } = useSubmit(async () => {
    const family = await families.open(familyBody(values));
    navigate(`/families/${family.id}/details`);
  });

  if (!['lead_social_worker', 'manager'].includes(user?.role)) {
    return (
      <>
        <ScreenTitle>Open a family</ScreenTitle>
        <p>Only a lead social worker or a manager can open a family's record.</p>
      </>
    );
  }

  return (
    <>
      <ScreenTitle>Open a family</ScreenTitle>
      <p>You will join the family's core group{user.role === 'lead_social_worker' ? ' as its lead' : ''}.
        Add the rest of the core group on the next screen.</p>
      <form class="form" onSubmit={onSubmit}>
        <FamilyFields values={values} setValues={setValues} fields={error?.fields} />
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>{busy ? 'Opening…' : 'Open the family'}</button>
          <a class="button button-secondary" href="/">Cancel</a>
        </div>
      </form>
    </>
  );
}
