// The visit form: one step per screen (the visit, each domain, concerns, notes, review), big
// targets for one thumb, progress always shown, every change kept on the phone at once
// (useVisitDraft). Sending always goes through the outbox (with or without signal).
import { useMemo } from 'preact/hooks';
import { FamilyLine, Progress } from './parts.jsx';
import { stepKeys } from './rules.js';
import { ConcernsStep } from './steps/ConcernsStep.jsx';
import { DomainStep } from './steps/DomainStep.jsx';
import { NotesStep } from './steps/NotesStep.jsx';
import { ReviewStep } from './steps/ReviewStep.jsx';
import { VisitStep } from './steps/VisitStep.jsx';
import { useVisitDraft } from './useVisitDraft.js';

/**
 * `initial` is the draft to start from, `save(draft)` keeps it, `onDone(outcome)` is
 * called once the visit is in the outbox ('sent', 'waiting' or 'signed-out').
 * A refusal from the server (`refusal`) is shown on the review step. `settings` are the
 * partnership's (GET /app-settings): its scale, limits and time zone.
 */
export function VisitForm({ user, family, rubric, settings, initial, save, onDone, onDiscard,
  refusal = null }) {
  const visit = useVisitDraft({ user, family, rubric, settings, initial, save, onDone, refusal });
  const { draft, change, photos } = visit;
  const steps = useMemo(() => stepKeys(rubric), [rubric]);
  const step = Math.min(draft.step ?? 0, steps.length - 1);
  const goTo = (index) => {
    change({ step: index });
    window.scrollTo(0, 0);
  };

  const key = steps[step];
  const domainIndex = rubric.domains.findIndex((domain) => domain.key === key);
  const shared = { draft, rubric, settings, change };
  return (
    <div class="visit-form">
      <FamilyLine family={family} />
      <Progress step={step} steps={steps} rubric={rubric} />
      <div class="visit-step">
        {key === 'visit' && <VisitStep {...shared} />}
        {domainIndex >= 0 && (
          <DomainStep {...shared} domain={rubric.domains[domainIndex]} index={domainIndex}
                      agreed={family.agreed_levels?.[key]}
                      photos={photos.filter((photo) => photo.domainKey === key)}
                      addPhoto={visit.addPhoto} dropPhoto={visit.dropPhoto} />
        )}
        {key === 'concerns' && <ConcernsStep {...shared} />}
        {key === 'notes' && <NotesStep {...shared} />}
        {key === 'review' && (
          <ReviewStep {...shared} photos={photos} goTo={goTo} problem={visit.problem}
                      sending={visit.sending} send={visit.send} onDiscard={onDiscard} />
        )}
      </div>
      <nav class="step-nav" aria-label="Steps">
        <button type="button" class="button button-secondary" disabled={step === 0}
                onClick={() => goTo(step - 1)}>Back</button>
        {step < steps.length - 1 && (
          <button type="button" class="button" onClick={() => goTo(step + 1)}>Next</button>
        )}
      </nav>
    </div>
  );
}
