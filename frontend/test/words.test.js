import { describe, expect, it } from 'vitest';
import {
  age, concernScores, days, EVENT_KINDS, formatDate, formatDateTime, label, PRESENT, SCORE_BANDS,
  scoreBand, scoreBandKey, setTimeZone,
} from '../src/words.js';
import { settings } from './settings.fixture.js';

describe('label', () => {
  it('gives the words for a known key', () => {
    expect(label(EVENT_KINDS, 'gp_information')).toBe('Information from the GP');
    expect(label(PRESENT, 'father_or_partner')).toBe('Father or partner');
  });

  it('falls back to the key with spaces for an unknown key', () => {
    expect(label(EVENT_KINDS, 'new_kind_of_thing')).toBe('new kind of thing');
  });
});

describe('days', () => {
  it.each([
    [null, 'never'], [undefined, 'never'], [0, 'today'], [1, '1 day ago'], [12, '12 days ago'],
  ])('%s days is "%s"', (count, words) => {
    expect(days(count)).toBe(words);
  });
});

describe('age', () => {
  const today = new Date('2026-06-15T12:00:00Z');
  it.each([
    ['2026-07-01', 'not yet born'],
    ['2026-06-01', '0 months'],
    ['2026-05-15', '1 month'],
    ['2026-05-16', '0 months'],
    ['2025-06-15', '12 months'],
    ['2024-06-16', '23 months'],
    ['2024-06-15', '2 years'],
    ['2019-01-01', '7 years'],
  ])('born %s is %s', (born, words) => {
    expect(age(born, today, 'Europe/London')).toBe(words);
  });

  it('counts on the partnership’s today, not the phone’s', () => {
    const late = new Date('2026-06-14T22:30:00Z'); // 23:30 in London, 15 June in Auckland
    expect(age('2026-05-15', late, 'Europe/London')).toBe('0 months');
    expect(age('2026-05-15', late, 'Pacific/Auckland')).toBe('1 month');
  });
});

describe('scoreBand', () => {
  const at4 = settings().scale;
  const at3 = settings({ concernMin: 3 }).scale;
  const at5 = settings({ concernMin: 5 }).scale;

  it.each([
    [1, 'Good enough'], [2, 'Good enough'], [3, 'Borderline'], [4, 'Concern'], [5, 'Concern'],
  ])('at concern level 4, %i is %s', (score, words) => {
    expect(scoreBand(score, at4)).toBe(words);
  });

  it('follows the partnership’s concern level', () => {
    expect([1, 2, 3, 4, 5].map((score) => scoreBandKey(score, at3)))
      .toEqual(['good_enough', 'good_enough', 'concern', 'concern', 'concern']);
    expect([1, 2, 3, 4, 5].map((score) => scoreBandKey(score, at5)))
      .toEqual(['good_enough', 'good_enough', 'borderline', 'borderline', 'concern']);
  });

  it('is good enough up to the family’s agreed level', () => {
    expect(scoreBand(3, at4, 3)).toBe('Good enough');
    expect(scoreBand(4, at4, 3)).toBe('Concern');
    expect(scoreBand(2, at4, 1)).toBe('Borderline');
  });

  it('says "Not seen" for no score', () => {
    expect(scoreBand(null, at4)).toBe('Not seen');
    expect(scoreBand(undefined, at4)).toBe('Not seen');
  });

  it('names every band the server sends', () => {
    for (const band of settings({ concernMin: 4 }).scale.bands) {
      expect(SCORE_BANDS[band.key]).toBe(band.label);
    }
  });
});

describe('concernScores', () => {
  it.each([[3, '3 to 5'], [4, '4 or 5'], [5, '5']])('at concern level %i: "%s"', (level, words) => {
    expect(concernScores(settings({ concernMin: level }).scale)).toBe(words);
  });
});

describe('formatDate and formatDateTime', () => {
  it('show an instant on the partnership’s clock', () => {
    const instant = '2026-06-30T23:30:00Z';
    expect(formatDateTime(instant, 'Europe/London')).toBe('1 Jul 2026, 00:30');
    expect(formatDateTime(instant, 'Pacific/Auckland')).toBe('1 Jul 2026, 11:30');
    expect(formatDateTime(instant, 'America/New_York')).toBe('30 Jun 2026, 19:30');
    expect(formatDate(instant, 'Europe/London')).toBe('1 Jul 2026');
    expect(formatDate(instant, 'America/New_York')).toBe('30 Jun 2026');
  });

  it('show a calendar date as that day in every zone', () => {
    for (const zone of ['Europe/London', 'Pacific/Auckland', 'America/Los_Angeles']) {
      expect(formatDate('2026-03-01', zone)).toBe('1 Mar 2026');
    }
  });

  it('use the zone the partnership’s settings put in force', () => {
    try {
      setTimeZone('Pacific/Auckland');
      expect(formatDateTime('2026-06-30T23:30:00Z')).toBe('1 Jul 2026, 11:30');
      setTimeZone('America/New_York');
      expect(formatDateTime('2026-06-30T23:30:00Z')).toBe('30 Jun 2026, 19:30');
      expect(age('2026-05-01', new Date('2026-06-01T02:00:00Z'))).toBe('0 months');
    } finally {
      setTimeZone(null);
    }
  });

  it('show nothing for no value', () => {
    expect(formatDate(null, 'Europe/London')).toBe('');
    expect(formatDateTime('', 'Europe/London')).toBe('');
  });
});
