// The rules of a visit as the API states them (homelog/visits/services.py check_visit), so
// the form can say what is missing before anything is sent. The server checks again. The
// scale, the limits and the time zone are the partnership's (`settings`, GET /app-settings):
// the visit's time is a wall time in the partnership's zone, whatever the phone's own.
import { wallTime, wallTimeToInstant } from '../time.js';
import { concernScores } from '../words.js';

export const NOT_SEEN = 'not_seen';

/** Now in the partnership's zone, as a datetime-local value (to the minute). */
export function wallTimeNow(settings, now = new Date()) {
  return wallTime(now, settings.time_zone);
}

/** A new visit for `familyId`, scored with `rubric`; `key` is its idempotency key. */
export function newDraft(userId, familyId, rubric, key, settings) {
  return {
    userId, familyId: Number(familyId), key, rubricVersion: rubric.version, step: 0,
    startedAt: new Date().toISOString(), visitedAt: wallTimeNow(settings), announced: null,
    present: [], roomsSeen: [], photosAgreed: null, scores: {}, concerns: [], notes: '',
    childPresentation: '',
  };
}

/** The domains scored at the partnership's concern level or worse (they need a note). */
export function worryingDomains(draft, rubric, settings) {
  return rubric.domains.filter((domain) => {
    const score = draft.scores[domain.key];
    return typeof score === 'number' && score >= settings.scale.concern_min;
  });
}

/** Whether the visit needs a note: a score of concern, or an immediate concern. */
export function needsNote(draft, rubric, settings) {
  return worryingDomains(draft, rubric, settings).length > 0 || draft.concerns.length > 0;
}

/** The instant the visit was (a Date), or null when no time is given. */
export function visitedInstant(draft, settings) {
  return wallTimeToInstant(draft.visitedAt, settings.time_zone);
}

/**
 * What stops the visit being sent, as { step, message } in the form's order (step is the
 * index of the step to fix it on). An empty list means it can be sent.
 */
export function problems(draft, rubric, photoCount, settings, now = Date.now()) {
  const found = [];
  const steps = stepKeys(rubric);
  const at = (key) => steps.indexOf(key);
  const visited = visitedInstant(draft, settings);
  if (!visited) found.push({ step: 0, message: 'Say when the visit was.' });
  else if (visited.getTime() > now + settings.limits.clock_skew_seconds * 1000) {
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
  if (needsNote(draft, rubric, settings) && !draft.notes.trim()) {
    found.push({ step: at('notes'), message: 'Add a note explaining the scores of '
      + `${concernScores(settings.scale)} and any immediate concern.` });
  }
  return found;
}

/** Every step's key, in order: the visit, each domain, concerns, notes, review. */
export function stepKeys(rubric) {
  return ['visit', ...rubric.domains.map((domain) => domain.key), 'concerns', 'notes', 'review'];
}

/** The visit as the API takes it: its time as an instant, from the partnership's wall time. */
export function visitBody(draft, rubric, settings) {
  const scores = {};
  for (const domain of rubric.domains) {
    const score = draft.scores[domain.key];
    scores[domain.key] = typeof score === 'number' ? score : null;
  }
  return {
    visited_at: visitedInstant(draft, settings).toISOString(),
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
