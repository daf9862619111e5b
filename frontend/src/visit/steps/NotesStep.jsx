// The notes (needed to explain a score of concern or an immediate concern) and how the
// children presented, each as long as the server accepts.
import { concernScores } from '../../words.js';
import { needsNote, worryingDomains } from '../rules.js';

export function NotesStep({ draft, rubric, settings, change }) {
  const required = needsNote(draft, rubric, settings);
  const worrying = worryingDomains(draft, rubric, settings).map((domain) => domain.name);
  const { limits } = settings;
  return (
    <>
      <label class="field">
        <span class="field-label">Notes{required ? ' (needed)' : ' (optional)'}</span>
        {required && (
          <span class="field-hint">
            Explain {worrying.length > 0
              ? `the scores of ${concernScores(settings.scale)} (${worrying.join(', ')})` : ''}
            {worrying.length > 0 && draft.concerns.length > 0 ? ' and ' : ''}
            {draft.concerns.length > 0 ? 'the immediate concerns' : ''}.
          </span>
        )}
        <textarea value={draft.notes} maxLength={limits.notes_max} required={required}
                  onInput={(event) => change({ notes: event.currentTarget.value })} />
      </label>
      <label class="field">
        <span class="field-label">How the children presented (optional)</span>
        <textarea value={draft.childPresentation} maxLength={limits.child_presentation_max}
                  onInput={(event) => change({ childPresentation: event.currentTarget.value })} />
      </label>
    </>
  );
}
