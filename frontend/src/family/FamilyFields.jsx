// The fields of a family's record, shared by "Open a family" and "Change details":
// reference, address, children (initials and date of birth), plan and its start date,
// and the date the family was opened. Problems from the API show beside each field.
import { PLAN_CATEGORIES } from '../words.js';

/** The form's starting values, from a family's record (or empty for a new family). */
export function familyValues(family = null) {
  return {
    reference: family?.reference ?? '',
    address: family?.address ?? '',
    children: family?.children.map((child) => ({ ...child })) ?? [{ initials: '', date_of_birth: '' }],
    category: family?.plan.category ?? 'neglect',
    started_on: family?.plan.started_on ?? '',
    opened_on: family?.opened_on ?? '',
  };
}

/** The values as the API takes them. */
export function familyBody(values) {
  return {
    reference: values.reference.trim(),
    address: values.address,
    children: values.children.map((child) => ({
      ...(child.id ? { id: child.id } : {}),
      initials: child.initials.trim(),
      date_of_birth: child.date_of_birth,
    })),
    plan: { category: values.category, started_on: values.started_on },
    opened_on: values.opened_on,
  };
}

function problem(fields, ...names) {
  const found = names.map((name) => fields?.[name]).find(Boolean);
  if (!found) return null;
  const words = [];
  const walk = (value) => {
    if (typeof value === 'string') words.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(found);
  return <span class="field-problem">{words.join(' ')}</span>;
}

function TextField({ label, value, onInput, hint, type = 'text', fieldProblem, ...rest }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {hint && <span class="field-hint">{hint}</span>}
      <input type={type} value={value} onInput={(event) => onInput(event.currentTarget.value)} {...rest} />
      {fieldProblem}
    </label>
  );
}

export function FamilyFields({ values, setValues, fields }) {
  const set = (name) => (value) => setValues({ ...values, [name]: value });
  const setChild = (index, name, value) => setValues({
    ...values,
    children: values.children.map((child, at) => (at === index ? { ...child, [name]: value } : child)),
  });
  const addChild = () => setValues({ ...values, children: [...values.children, { initials: '', date_of_birth: '' }] });
  const removeChild = (index) => setValues({
    ...values, children: values.children.filter((_, at) => at !== index),
  });
  return (
    <>
      <TextField label="Reference" value={values.reference} onInput={set('reference')} required
                 maxLength={40} autocomplete="off" hint="Your local authority's case reference: letters, digits, - and /."
                 fieldProblem={problem(fields, 'reference')} />
      <label class="field">
        <span class="field-label">Address</span>
        <textarea value={values.address} maxLength={500} rows={3}
                  onInput={(event) => set('address')(event.currentTarget.value)} />
        {problem(fields, 'address')}
      </label>
      <fieldset class="field">
        <legend class="field-label">Children</legend>
        <span class="field-hint">Initials only, and each child's date of birth.</span>
        {values.children.map((child, index) => (
          <div class="child-row" key={child.id ?? `new-${index}`}>
            <TextField label={`Child ${index + 1}: initials`} value={child.initials} required maxLength={8}
                       autocomplete="off" onInput={(value) => setChild(index, 'initials', value)}
                       fieldProblem={problem(fields?.children, String(index))} />
            <TextField label={`Child ${index + 1}: date of birth`} type="date" value={child.date_of_birth}
                       required onInput={(value) => setChild(index, 'date_of_birth', value)}
                       fieldProblem={problem(fields, `children.${index}.date_of_birth`)} />
            {!child.id && values.children.length > 1 && (
              <button type="button" class="button button-quiet" onClick={() => removeChild(index)}>
                Remove child {index + 1}
              </button>
            )}
          </div>
        ))}
        {problem(fields, 'children')}
        <button type="button" class="button button-secondary" onClick={addChild}>Add a child</button>
      </fieldset>
      <label class="field">
        <span class="field-label" id="plan-label">Plan</span>
        <select aria-labelledby="plan-label" value={values.category} onChange={(event) => set('category')(event.currentTarget.value)}>
          {Object.entries(PLAN_CATEGORIES).map(([key, words]) => (
            <option key={key} value={key}>Child protection plan: {words.toLowerCase()}</option>
          ))}
        </select>
        {problem(fields, 'plan')}
      </label>
      <TextField label="Plan start date" type="date" value={values.started_on} required
                 onInput={set('started_on')} fieldProblem={problem(fields, 'plan.started_on')} />
      <TextField label="Opened on" type="date" value={values.opened_on} required
                 hint="The day Homelog's record starts (may be in the past)."
                 onInput={set('opened_on')} fieldProblem={problem(fields, 'opened_on')} />
    </>
  );
}
