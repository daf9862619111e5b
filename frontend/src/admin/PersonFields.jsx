// The fields that describe a person's work (role, profession, agency, manager), shared by
// inviting someone and changing their details. Problems are shown under the field named.
import { agencies as agenciesApi, people as peopleApi } from '../api.js';
import { useLoad } from '../components/data.js';
import { AGENCY_KINDS, PROFESSIONS, ROLE_HINTS, ROLES } from './words.js';

/** The agencies, and the people who can be someone's manager, for the choices below. */
export async function loadChoices(signal) {
  const [agencies, people] = await Promise.all([
    agenciesApi.list({ signal }), peopleApi.list({ active: 'true' }, { signal })]);
  return { agencies, managers: people.filter((person) => person.role === 'manager') };
}

export function useChoices() {
  return useLoad(loadChoices, []);
}

export function FieldProblem({ error, name }) {
  const problems = error?.fields?.[name];
  if (!problems) return null;
  return <span class="field-hint field-problem" id={`${name}-problem`} role="alert">
    {[].concat(problems).join(' ')}</span>;
}

function Choice({ name, label, value, onValue, options, error, hint, optional, disabled }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {hint && <span class="field-hint">{hint}</span>}
      <select name={name} value={value ?? ''} required={!optional} disabled={disabled}
              aria-invalid={error?.fields?.[name] ? 'true' : undefined}
              onChange={(event) => onValue(event.currentTarget.value)}>
        {optional ? <option value="">{optional}</option> : <option value="" disabled>Choose…</option>}
        {options.map(([key, words]) => <option key={key} value={key}>{words}</option>)}
      </select>
      <FieldProblem error={error} name={name} />
    </label>
  );
}

/**
 * `values` holds role, profession, agency_id and manager_id (as strings from the selects);
 * `onChange(name, value)` sets one. `selfId` leaves the person out of their own managers;
 * `lockRole` shows the role without letting it change (nobody changes their own).
 */
export function PersonFields({ values, onChange, choices, error, selfId, lockRole }) {
  const agencies = choices.agencies.map((agency) => [String(agency.id),
    `${agency.name} (${AGENCY_KINDS[agency.kind] ?? agency.kind})`]);
  const managers = choices.managers.filter((person) => person.id !== selfId)
    .map((person) => [String(person.id), `${person.name}, ${person.agency.name}`]);
  return (
    <>
      <Choice name="role" label="Role in Homelog" value={values.role} error={error} disabled={lockRole}
              hint={values.role ? ROLE_HINTS[values.role] : 'What they may do in Homelog.'}
              options={Object.entries(ROLES)} onValue={(value) => onChange('role', value)} />
      <Choice name="profession" label="Profession" value={values.profession} error={error}
              hint="Shown beside everything they record."
              options={Object.entries(PROFESSIONS)}
              onValue={(value) => onChange('profession', value)} />
      <Choice name="agency_id" label="Agency" value={values.agency_id} error={error}
              options={agencies} onValue={(value) => onChange('agency_id', value)} />
      <Choice name="manager_id" label="Manager" value={values.manager_id} error={error}
              optional="No manager" options={managers}
              hint="Serious flags they leave unanswered are passed to their manager."
              onValue={(value) => onChange('manager_id', value)} />
    </>
  );
}

/** The body for the API: ids as numbers, no manager as null. */
export function personBody(values) {
  return {
    role: values.role,
    profession: values.profession,
    agency_id: Number(values.agency_id),
    manager_id: values.manager_id ? Number(values.manager_id) : null,
  };
}
