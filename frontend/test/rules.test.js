import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  NOT_SEEN, needsNote, newDraft, problems, stepKeys, visitBody, worryingDomains,
} from '../src/visit/rules.js';
import { rubric } from './rubric.fixture.js';
import { settings } from './settings.fixture.js';

const NOW = new Date('2026-06-15T10:00:00Z'); // 11:00 in London (summer time)
const LONDON = settings();

/** A draft that can be sent, with `fields` changed. */
function ready(fields = {}) {
  return { ...newDraft(7, '12', rubric, 'key-1', LONDON), visitedAt: '2026-06-14T09:30', announced: false,
    scores: { kitchen: 2, sleeping: NOT_SEEN }, ...fields };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

describe('newDraft', () => {
  it('starts an unanswered visit for the family with the rubric version', () => {
    const draft = newDraft(7, '12', rubric, 'key-1', LONDON);
    expect(draft).toMatchObject({ userId: 7, familyId: 12, key: 'key-1', rubricVersion: 3,
      step: 0, announced: null, present: [], roomsSeen: [], scores: {}, concerns: [], notes: '' });
  });

  it('starts at now on the partnership’s clock, whatever the phone’s zone', () => {
    expect(newDraft(7, 12, rubric, 'k', LONDON).visitedAt).toBe('2026-06-15T11:00');
    expect(newDraft(7, 12, rubric, 'k', settings({ zone: 'Pacific/Auckland' })).visitedAt)
      .toBe('2026-06-15T22:00');
  });
});

describe('stepKeys', () => {
  it('is the visit, each domain in order, concerns, notes and review', () => {
    expect(stepKeys(rubric)).toEqual(['visit', 'kitchen', 'sleeping', 'concerns', 'notes', 'review']);
  });
});

describe('problems', () => {
  it('finds nothing in a complete visit', () => {
    expect(problems(ready(), rubric, 0, LONDON)).toEqual([]);
  });

  it('asks when the visit was', () => {
    expect(problems(ready({ visitedAt: '' }), rubric, 0, LONDON))
      .toEqual([{ step: 0, message: 'Say when the visit was.' }]);
  });

  it('takes a time up to the server’s allowance ahead of its clock, and no later', () => {
    // 11:05 in London is 10:05 UTC: five minutes ahead, the allowance.
    expect(problems(ready({ visitedAt: '2026-06-15T11:05' }), rubric, 0, LONDON)).toEqual([]);
    expect(problems(ready({ visitedAt: '2026-06-15T11:06' }), rubric, 0, LONDON))
      .toEqual([{ step: 0, message: 'The visit cannot be in the future.' }]);
    // The allowance is the server's, not a copy.
    expect(problems(ready({ visitedAt: '2026-06-15T11:05' }), rubric, 0, settings({ skew: 60 })))
      .toEqual([{ step: 0, message: 'The visit cannot be in the future.' }]);
  });

  it('reads the visit’s time on the partnership’s clock', () => {
    // 21:30 in Auckland is 09:30 UTC, in the past; 21:30 in London is in the future.
    const auckland = settings({ zone: 'Pacific/Auckland' });
    expect(problems(ready({ visitedAt: '2026-06-15T21:30' }), rubric, 0, auckland)).toEqual([]);
    expect(problems(ready({ visitedAt: '2026-06-15T21:30' }), rubric, 0, LONDON)).toHaveLength(1);
  });

  it('asks whether the visit was announced', () => {
    expect(problems(ready({ announced: null }), rubric, 0, LONDON))
      .toEqual([{ step: 0, message: 'Say whether the visit was announced or unannounced.' }]);
  });

  it('needs the parent’s agreement for photos, and only when there are photos', () => {
    expect(problems(ready({ photosAgreed: false }), rubric, 0, LONDON)).toEqual([]);
    const found = problems(ready({ photosAgreed: false }), rubric, 2, LONDON);
    expect(found).toHaveLength(1);
    expect(found[0].step).toBe(0);
    expect(found[0].message).toMatch(/agreement/);
    expect(problems(ready({ photosAgreed: true }), rubric, 2, LONDON)).toEqual([]);
  });

  it('asks for every domain not answered, on its own step', () => {
    expect(problems(ready({ scores: { sleeping: 1 } }), rubric, 0, LONDON))
      .toEqual([{ step: 1, message: 'Kitchen: choose a level, or “Not seen”.' }]);
  });

  it('accepts "Not seen" as an answer', () => {
    expect(problems(ready({ scores: { kitchen: NOT_SEEN, sleeping: NOT_SEEN } }), rubric, 0, LONDON))
      .toEqual([]);
  });

  it('asks for the note a score of concern needs, in the partnership’s words', () => {
    expect(problems(ready({ scores: { kitchen: 4, sleeping: 1 } }), rubric, 0, LONDON))
      .toEqual([{ step: 4, message: 'Add a note explaining the scores of 4 or 5 and any immediate concern.' }]);
    expect(problems(ready({ scores: { kitchen: 3, sleeping: 1 } }), rubric, 0, LONDON)).toEqual([]);
    expect(problems(ready({ scores: { kitchen: 3, sleeping: 1 } }), rubric, 0, settings({ concernMin: 3 })))
      .toEqual([{ step: 4, message: 'Add a note explaining the scores of 3 to 5 and any immediate concern.' }]);
  });

  it('needs a note for an immediate concern, on the notes step', () => {
    const found = problems(ready({ concerns: ['no_food'] }), rubric, 0, LONDON);
    expect(found).toHaveLength(1);
    expect(found[0].step).toBe(4);
    expect(problems(ready({ concerns: ['no_food'], notes: 'No food at all.' }), rubric, 0, LONDON))
      .toEqual([]);
  });

  it('does not take blank space as a note', () => {
    expect(problems(ready({ concerns: ['no_food'], notes: '  \n ' }), rubric, 0, LONDON)).toHaveLength(1);
  });

  it('lists problems in the form’s order', () => {
    const found = problems(ready({ visitedAt: '', scores: {}, concerns: ['no_food'] }), rubric, 0, LONDON);
    expect(found.map((item) => item.step)).toEqual([0, 1, 2, 4]);
  });
});

describe('worryingDomains and needsNote', () => {
  it('names the domains scored at the concern level or worse', () => {
    const draft = ready({ scores: { kitchen: 4, sleeping: 3 } });
    expect(worryingDomains(draft, rubric, LONDON).map((domain) => domain.key)).toEqual(['kitchen']);
    expect(needsNote(draft, rubric, LONDON)).toBe(true);
  });

  it('follows the partnership’s concern level', () => {
    const draft = ready({ scores: { kitchen: 3, sleeping: 4 } });
    expect(worryingDomains(draft, rubric, settings({ concernMin: 3 })).map((d) => d.key))
      .toEqual(['kitchen', 'sleeping']);
    expect(worryingDomains(draft, rubric, settings({ concernMin: 5 }))).toEqual([]);
    expect(needsNote(draft, rubric, settings({ concernMin: 5 }))).toBe(false);
  });

  it('needs no note below the concern level, nor for "Not seen"', () => {
    expect(needsNote(ready({ scores: { kitchen: 3, sleeping: NOT_SEEN } }), rubric, LONDON)).toBe(false);
  });
});

describe('visitBody', () => {
  it('sends every domain, "Not seen" as null, with the rubric version', () => {
    const body = visitBody(ready({ present: ['mother'], roomsSeen: ['kitchen'], notes: 'n' }), rubric, LONDON);
    expect(body).toMatchObject({ visited_at: '2026-06-14T08:30:00.000Z', announced: false, present: ['mother'], rooms_seen: ['kitchen'],
      scores: { kitchen: 2, sleeping: null }, concerns: [], notes: 'n', child_presentation: '',
      rubric_version: 3 });
  });

  it('sends the instant the partnership’s wall time stands for', () => {
    const draft = ready({ visitedAt: '2026-06-15T09:30' });
    expect(visitBody(draft, rubric, settings({ zone: 'Pacific/Auckland' })).visited_at)
      .toBe('2026-06-14T21:30:00.000Z');
    expect(visitBody(draft, rubric, settings({ zone: 'America/New_York' })).visited_at)
      .toBe('2026-06-15T13:30:00.000Z');
  });
});
