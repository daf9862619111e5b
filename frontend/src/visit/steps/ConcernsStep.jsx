// The immediate concerns: anything ticked raises a flag the same day.
import { Choice, toggle } from '../parts.jsx';

export function ConcernsStep({ draft, rubric, change }) {
  return (
    <fieldset class="choices">
      <legend class="field-label">Tick anything you saw. Any one raises a flag today.</legend>
      {rubric.concerns.map((concern) => (
        <Choice key={concern.key} type="checkbox" name="concerns"
                checked={draft.concerns.includes(concern.key)} hint={concern.description}
                onChange={() => change({ concerns: toggle(draft.concerns, concern.key) })}>
          {concern.label}
        </Choice>
      ))}
    </fieldset>
  );
}
