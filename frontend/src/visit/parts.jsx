// Small pieces the visit form's steps share: the family line, the progress heading, a
// thumb-sized choice.
import { useEffect, useRef } from 'preact/hooks';

/** The list with `value` added, or taken out when it is there. */
export function toggle(list, value) {
  return list.includes(value) ? list.filter((item) => item !== value) : [...list, value];
}

/** A radio button or checkbox as a large target, its words beside it. */
export function Choice({ name, checked, onChange, children, type = 'radio', hint }) {
  return (
    <label class={`choice${checked ? ' choice-on' : ''}`}>
      <input type={type} name={name} checked={checked} onChange={onChange} />
      <span class="choice-text">{children}{hint && <span class="choice-hint">{hint}</span>}</span>
    </label>
  );
}

function ages(family) {
  const months = (count) => {
    if (count < 0) return 'not yet born';
    if (count < 24) return count === 1 ? '1 month' : `${count} months`;
    return `${Math.floor(count / 12)} years`;
  };
  return family.children.map((child) => `${child.initials} (${months(child.age_months)})`).join(', ');
}

export function FamilyLine({ family }) {
  return (
    <p class="visit-family">
      <strong>Family {family.reference}</strong>
      <span>Children: {ages(family)}</span>
    </p>
  );
}

function stepName(key, rubric) {
  if (key === 'visit') return 'The visit';
  if (key === 'concerns') return 'Immediate concerns';
  if (key === 'notes') return 'Notes';
  if (key === 'review') return 'Check and send';
  return rubric.domains.find((domain) => domain.key === key)?.name ?? key;
}

/** "Step 3 of 9" and the step's name; takes focus on every step, for screen readers. */
export function Progress({ step, steps, rubric }) {
  const heading = useRef(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, [step]);
  return (
    <div class="visit-progress">
      <h2 ref={heading} tabIndex={-1} class="visit-step-title">
        <span class="visit-step-count">Step {step + 1} of {steps.length}</span>
        {stepName(steps[step], rubric)}
      </h2>
      <progress max={steps.length} value={step + 1}
                aria-label={`Step ${step + 1} of ${steps.length}`} />
    </div>
  );
}
