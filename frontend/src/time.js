// Times people enter and read are the partnership's wall-clock times (settings.time_zone),
// whatever time zone the phone itself is set to. A datetime-local field holds a wall time
// ("2027-03-28T01:30", no zone); these functions turn an instant into the partnership's
// wall time and back. Plain Intl, so they run in Node as in the browser.

const partsFormats = new Map();

function partsFormat(zone) {
  if (!partsFormats.has(zone)) {
    partsFormats.set(zone, new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    }));
  }
  return partsFormats.get(zone);
}

/** The wall clock in `zone` at `instant` (ms): { year, month, day, hour, minute, second }. */
function wallParts(instant, zone) {
  const parts = {};
  for (const { type, value } of partsFormat(zone).formatToParts(instant)) {
    if (type !== 'literal') parts[type] = Number(value);
  }
  return parts;
}

/** How far `zone`'s wall clock is ahead of UTC at `instant` (ms), e.g. 3600000 in a British summer. */
export function zoneOffset(instant, zone) {
  const seconds = Math.floor(instant / 1000) * 1000;
  const p = wallParts(seconds, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - seconds;
}

const pad = (number, width = 2) => String(number).padStart(width, '0');

/** The wall time in `zone` of `instant` (a Date, ms or ISO string), to the minute: "2027-03-28T02:30". */
export function wallTime(instant, zone) {
  const p = wallParts(new Date(instant).getTime(), zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The date in `zone` of `instant`: "2027-03-28". */
export function wallDate(instant, zone) {
  return wallTime(instant, zone).slice(0, 10);
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The instant (a Date) a wall time in `zone` stands for, as the server reads a time without
 * an offset: a time the clocks skip in spring counts with the offset before the change
 * (01:30 on the day London goes forward is 02:30 summer time), and a time that happens twice
 * in autumn is the first of the two. Null for text that is not a wall time.
 */
export function wallTimeToInstant(text, zone) {
  const found = WALL_TIME.exec(text ?? '');
  if (!found) return null;
  const [year, month, day, hour, minute, second] = found.slice(1).map((part) => Number(part ?? 0));
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const before = zoneOffset(asUtc - DAY_MS, zone);
  const after = zoneOffset(asUtc + DAY_MS, zone);
  // The candidates: this wall time under the offset in force before and after any change
  // that day; a candidate is real when the zone's clock reads the wall time at it.
  const real = [asUtc - before, asUtc - after]
    .filter((instant) => instant + zoneOffset(instant, zone) === asUtc);
  return new Date(real.length > 0 ? Math.min(...real) : asUtc - before);
}

/** Whether the phone itself is set to another time zone than `zone`. */
export function phoneInAnotherZone(zone) {
  return Intl.DateTimeFormat().resolvedOptions().timeZone !== zone;
}
