import { describe, expect, it } from 'vitest';
import { age, days, EVENT_KINDS, label, PRESENT } from '../src/words.js';

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
  const today = new Date(2026, 5, 15); // 15 June 2026
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
    expect(age(born, today)).toBe(words);
  });
});
