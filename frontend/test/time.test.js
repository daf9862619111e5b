import { describe, expect, it } from 'vitest';
import { wallDate, wallTime, wallTimeToInstant, zoneOffset } from '../src/time.js';

const iso = (text, zone) => wallTimeToInstant(text, zone)?.toISOString() ?? null;

describe('wallTime', () => {
  it('is the partnership’s clock at an instant, to the minute', () => {
    expect(wallTime('2026-12-05T08:30:59Z', 'Europe/London')).toBe('2026-12-05T08:30');
    expect(wallTime('2026-07-01T23:30:00Z', 'Europe/London')).toBe('2026-07-02T00:30');
    expect(wallTime('2026-12-05T08:30:00Z', 'Pacific/Auckland')).toBe('2026-12-05T21:30');
    expect(wallDate('2026-12-31T23:59:00Z', 'Pacific/Auckland')).toBe('2027-01-01');
  });
});

describe('zoneOffset', () => {
  it('is the zone’s distance ahead of UTC at that instant', () => {
    expect(zoneOffset(Date.parse('2026-12-05T12:00:00Z'), 'Europe/London')).toBe(0);
    expect(zoneOffset(Date.parse('2026-07-01T12:00:00Z'), 'Europe/London')).toBe(3600_000);
    expect(zoneOffset(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(-4 * 3600_000);
  });
});

describe('wallTimeToInstant', () => {
  it('reads a wall time in winter and in summer', () => {
    expect(iso('2026-12-05T14:30', 'Europe/London')).toBe('2026-12-05T14:30:00.000Z');
    expect(iso('2026-07-01T14:30', 'Europe/London')).toBe('2026-07-01T13:30:00.000Z');
    expect(iso('2026-07-01T14:30', 'Pacific/Auckland')).toBe('2026-07-01T02:30:00.000Z');
  });

  it('reads the hours either side of the spring change', () => {
    // London goes from 01:00 GMT to 02:00 BST on 28 March 2027.
    expect(iso('2027-03-28T00:59', 'Europe/London')).toBe('2027-03-28T00:59:00.000Z');
    expect(iso('2027-03-28T02:00', 'Europe/London')).toBe('2027-03-28T01:00:00.000Z');
  });

  it('reads a time the clocks skip with the offset before the change, as the server does', () => {
    // 01:30 never happens that night: it is 02:30 summer time (01:30 UTC).
    expect(iso('2027-03-28T01:30', 'Europe/London')).toBe('2027-03-28T01:30:00.000Z');
  });

  it('reads a time that happens twice in autumn as the first of the two', () => {
    // London goes back from 02:00 BST to 01:00 GMT on 31 October 2027: 01:30 happens twice.
    expect(iso('2027-10-31T01:30', 'Europe/London')).toBe('2027-10-31T00:30:00.000Z');
    expect(iso('2027-10-31T02:30', 'Europe/London')).toBe('2027-10-31T02:30:00.000Z');
    expect(iso('2027-10-31T00:30', 'Europe/London')).toBe('2027-10-30T23:30:00.000Z');
  });

  it('handles a zone south of the equator changing the other way', () => {
    // Auckland goes forward 02:00 → 03:00 on 26 September 2027 and back 03:00 → 02:00 on 4 April 2027.
    expect(iso('2027-09-26T02:30', 'Pacific/Auckland')).toBe('2027-09-25T14:30:00.000Z');
    expect(iso('2027-04-04T02:30', 'Pacific/Auckland')).toBe('2027-04-03T13:30:00.000Z');
  });

  it('goes back to the same wall time', () => {
    for (const text of ['2028-02-29T10:00', '2026-12-31T23:59', '2027-06-15T00:00']) {
      for (const zone of ['Europe/London', 'Pacific/Auckland', 'America/New_York', 'Asia/Kolkata']) {
        expect(wallTime(wallTimeToInstant(text, zone), zone)).toBe(text);
      }
    }
  });

  it('takes seconds, and refuses what is not a wall time', () => {
    expect(iso('2026-12-05T14:30:15', 'Europe/London')).toBe('2026-12-05T14:30:15.000Z');
    expect(iso('', 'Europe/London')).toBeNull();
    expect(iso(undefined, 'Europe/London')).toBeNull();
    expect(iso('5 Dec 2026 14:30', 'Europe/London')).toBeNull();
  });
});
