// The rules of a visit as the API states them (homelog/visits/services.py check_visit), so
// the form can say what is missing before anything is sent. The server checks again.

export const NOT_SEEN = 'not_seen';
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Now, as a datetime-local value (local time, to the minute). */
export function localNow(now = new Date()) {
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

/** A new visit for `familyId`, scored with `rubric`; `key` is its idempotency key. */
export function newDraft(userId, familyId, rubric, key) {
  return {
    userId, familyId: Number(familyId), key, rubricVersion: rubric.version, step: 0,
    startedAt: new Date().toISOString(), visitedAt: localNow(), announced: null,
    present: [], roomsSeen: [], photosAgreed: null, scores: {}, concerns: [], notes: '',
    childPresentation: '',
  };
}

/** The domains scored 4 or 5 (they, and any immediate concern, need a note). */
export function worryingDomains(draft, rubric) {
  return rubric.domains.filter((domain) => {
    const score = draft.scores[domain.key];
    return typeof score === 'number' && score >= rubric.scale.concern_min;
  });
}

export function needsNote(draft, rubric) {
  return worryingDomains(draft, rubric).length > 0 || draft.concerns.length > 0;
}

/**
 * What stops the visit being sent, as { step, message } in the form's order (step is the
 * index of the step to fix it on). An empty list means it can be sent.
 */
export function problems(draft, rubric, photoCount) {
  const found = [];
  const steps = stepKeys(rubric);
  const at = (key) => steps.indexOf(key);
  if (!draft.visitedAt) found.push({ step: 0, message: 'Say when the visit was.' });
  else if (new Date(draft.visitedAt).getTime() > Date.now() + CLOCK_SKEW_MS) {
    found.push({ step: 0, message: 'The visit cannot be in the future.' });
  }
  if (draft.announced === null) {
    found.push({ step: 0, message: 'Say whether the visit was announced or unannounced.' });
  }
  if (photoCount > 0 && draft.photosAgreed !== true) {
    found.push({ step: 0, message: 'Photos need the parent’s or carer’s agreement: '
      + 'record their agreement, or remove the photos.' });
  }
  for (const domain of rubric.domains) {
    if (draft.scores[domain.key] === undefined) {
      found.push({ step: at(domain.key), message: `${domain.name}: choose a level, or “Not seen”.` });
    }
  }
  if (needsNote(draft, rubric) && !draft.notes.trim()) {
    found.push({ step: at('notes'), message: 'Add a note explaining the scores of 4 or 5 '
      + 'and any immediate concern.' });
  }
  return found;
}

/** Every step's key, in order: the visit, each domain, concerns, notes, review. */
export function stepKeys(rubric) {
  return ['visit', ...rubric.domains.map((domain) => domain.key), 'concerns', 'notes', 'review'];
}

/** The visit as the API takes it. A local time without an offset is the partnership's. */
export function visitBody(draft, rubric) {
  const scores = {};
  for (const domain of rubric.domains) {
    const score = draft.scores[domain.key];
    scores[domain.key] = typeof score === 'number' ? score : null;
  }
  return {
    visited_at: new Date(draft.visitedAt).toISOString(),
    announced: draft.announced === true,
    present: draft.present,
    rooms_seen: draft.roomsSeen,
    scores,
    concerns: draft.concerns,
    notes: draft.notes,
    child_presentation: draft.childPresentation,
    rubric_version: rubric.version,
  };
}
