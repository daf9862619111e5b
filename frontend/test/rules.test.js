import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  NOT_SEEN, needsNote, newDraft, problems, stepKeys, visitBody, worryingDomains,
} from '../src/visit/rules.js';
import { rubric } from './rubric.fixture.js';

const NOW = new Date('2026-06-15T10:00:00Z');

/** A draft that can be sent, with `fields` changed. */
function ready(fields = {}) {
  return { ...newDraft(7, '12', rubric, 'key-1'), visitedAt: '2026-06-14T09:30', announced: false,
    scores: { kitchen: 2, sleeping: NOT_SEEN }, ...fields };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

describe('newDraft', () => {
  it('starts an unanswered visit for the family with the rubric version', () => {
    const draft = newDraft(7, '12', rubric, 'key-1');
    expect(draft).toMatchObject({ userId: 7, familyId: 12, key: 'key-1', rubricVersion: 3,
      step: 0, announced: null, present: [], roomsSeen: [], scores: {}, concerns: [], notes: '' });
  });
});

describe('stepKeys', () => {
  it('is the visit, each domain in order, concerns, notes and review', () => {
    expect(stepKeys(rubric)).toEqual(['visit', 'kitchen', 'sleeping', 'concerns', 'notes', 'review']);
  });
});

describe('problems', () => {
  it('finds nothing in a complete visit', () => {
    expect(problems(ready(), rubric, 0)).toEqual([]);
  });

  it('asks when the visit was', () => {
    expect(problems(ready({ visitedAt: '' }), rubric, 0))
      .toEqual([{ step: 0, message: 'Say when the visit was.' }]);
  });

  it('asks whether the visit was announced', () => {
    expect(problems(ready({ announced: null }), rubric, 0))
      .toEqual([{ step: 0, message: 'Say whether the visit was announced or unannounced.' }]);
  });

  it('needs the parent’s agreement for photos, and only when there are photos', () => {
    expect(problems(ready({ photosAgreed: false }), rubric, 0)).toEqual([]);
    const found = problems(ready({ photosAgreed: false }), rubric, 2);
    expect(found).toHaveLength(1);
    expect(found[0].step).toBe(0);
    expect(found[0].message).toMatch(/agreement/);
    expect(problems(ready({ photosAgreed: true }), rubric, 2)).toEqual([]);
  });

  it('asks for every domain not answered, on its own step', () => {
    expect(problems(ready({ scores: { sleeping: 1 } }), rubric, 0))
      .toEqual([{ step: 1, message: 'Kitchen: choose a level, or “Not seen”.' }]);
  });

  it('accepts "Not seen" as an answer', () => {
    expect(problems(ready({ scores: { kitchen: NOT_SEEN, sleeping: NOT_SEEN } }), rubric, 0))
      .toEqual([]);
  });

  it('needs a note for an immediate concern, on the notes step', () => {
    const found = problems(ready({ concerns: ['no_food'] }), rubric, 0);
    expect(found).toHaveLength(1);
    expect(found[0].step).toBe(4);
    expect(problems(ready({ concerns: ['no_food'], notes: 'No food at all.' }), rubric, 0))
      .toEqual([]);
  });

  it('does not take blank space as a note', () => {
    expect(problems(ready({ concerns: ['no_food'], notes: '  \n ' }), rubric, 0)).toHaveLength(1);
  });

  it('lists problems in the form’s order', () => {
    const found = problems(ready({ visitedAt: '', scores: {}, concerns: ['no_food'] }), rubric, 0);
    expect(found.map((item) => item.step)).toEqual([0, 1, 2, 4]);
  });
});

describe('worryingDomains and needsNote', () => {
  it('names the domains scored at the concern level or worse', () => {
    const draft = ready({ scores: { kitchen: 4, sleeping: 3 } });
    expect(worryingDomains(draft, rubric).map((domain) => domain.key)).toEqual(['kitchen']);
    expect(needsNote(draft, rubric)).toBe(true);
  });

  it('needs no note below the concern level, nor for "Not seen"', () => {
    expect(needsNote(ready({ scores: { kitchen: 3, sleeping: NOT_SEEN } }), rubric)).toBe(false);
  });
});

describe('visitBody', () => {
  it('sends every domain, "Not seen" as null, with the rubric version', () => {
    const body = visitBody(ready({ present: ['mother'], roomsSeen: ['kitchen'], notes: 'n' }), rubric);
    expect(body).toMatchObject({ announced: false, present: ['mother'], rooms_seen: ['kitchen'],
      scores: { kitchen: 2, sleeping: null }, concerns: [], notes: 'n', child_presentation: '',
      rubric_version: 3 });
  });
});
