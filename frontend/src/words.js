// The words the app shows for values the API sends as keys: practitioners' words, never
// field names. Domain, room and concern names come from the rubric itself. Plain JavaScript
// (no JSX, nothing of the browser's at import), so Node can load it too.
import { wallDate } from './time.js';

export const PRESENT = {
  mother: 'Mother',
  father_or_partner: 'Father or partner',
  other_adult: 'Other adults',
  children_seen: 'Children seen',
};

export const EVENT_KINDS = {
  police_callout: 'Police call-out',
  gp_information: 'Information from the GP',
  hospital_contact: 'Hospital contact',
  school_information: 'Information from school or nursery',
  housing_information: 'Housing information',
  other: 'Other information',
};

export const FLAG_KINDS = {
  below_agreed: 'Worse than agreed',
  swing: 'Sudden change',
  not_sustained: 'Improvement not sustained',
  agencies_disagree: 'Agencies disagree',
  announced_gap: 'Unannounced visits worse',
  worsening_trend: 'Getting worse',
  immediate_concern: 'Immediate concern',
  no_recent_visit: 'No recent visit',
  no_recent_unannounced: 'No recent unannounced visit',
  agency_not_visited: 'Agency has not visited',
  room_never_seen: 'Room never seen',
  father_never_seen: 'Father or partner never seen',
  borderline: 'Borderline score',
  sustained_improvement: 'Improvement sustained',
  early_announced_gap: 'Early sign: unannounced visit worse',
  first_visit_contradicts: 'Early sign: a first visit differs',
};

export const SEVERITY = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  immediate: 'Immediate',
};

export const FLAG_STATES = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  closed: 'Closed',
};

export const PLAN_CATEGORIES = {
  neglect: 'Neglect',
  physical_abuse: 'Physical abuse',
  emotional_abuse: 'Emotional abuse',
  sexual_abuse: 'Sexual abuse',
  multiple: 'More than one category',
};

/** The scale's bands, as the API names them (GET /app-settings "scale"). */
export const SCORE_BANDS = {
  good_enough: 'Good enough',
  borderline: 'Borderline',
  concern: 'Concern',
};

/**
 * Which band a score is in on the partnership's `scale` (GET /app-settings): good enough up
 * to the family's agreed level (the scale's good-enough level where none is given), a
 * concern from the partnership's concern level, borderline between the two.
 */
export function scoreBandKey(score, scale, agreed = scale.good_enough_max) {
  if (score <= agreed) return 'good_enough';
  return score >= scale.concern_min ? 'concern' : 'borderline';
}

/** A score in words (see scoreBandKey); no score is "Not seen". */
export function scoreBand(score, scale, agreed = scale.good_enough_max) {
  if (score === null || score === undefined) return 'Not seen';
  return SCORE_BANDS[scoreBandKey(score, scale, agreed)];
}

/** The scores that are a concern, as a sentence says them: "4 or 5", "3 to 5", "5". */
export function concernScores(scale) {
  const { concern_min: lowest, highest } = scale;
  if (lowest >= highest) return String(highest);
  return lowest === highest - 1 ? `${lowest} or ${highest}` : `${lowest} to ${highest}`;
}

export function label(table, key) {
  return table[key] ?? String(key).replaceAll('_', ' ');
}

// Dates and times are shown in the partnership's time zone, set once its settings are read
// (settings.js); until then, and in Node, in the zone the code runs in.
let timeZone;
const formats = new Map();

/** The zone every date and time is shown in: the partnership's (an IANA name). */
export function setTimeZone(zone) {
  timeZone = zone || undefined;
}

export function shownTimeZone() {
  return timeZone;
}

function format(kind, zone) {
  const key = `${kind} ${zone}`;
  if (!formats.has(key)) {
    const parts = kind === 'date' ? { day: 'numeric', month: 'short', year: 'numeric' }
      : { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };
    formats.set(key, new Intl.DateTimeFormat('en-GB', { ...parts, timeZone: zone }));
  }
  return formats.get(key);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * "5 Dec 2026". A calendar date ("2026-12-05": a birthday, an agreement's date) is that
 * day wherever it is read; an instant is the day it was in the partnership's zone.
 */
export function formatDate(value, zone = timeZone) {
  if (!value) return '';
  if (typeof value === 'string' && DATE_ONLY.test(value)) {
    return format('date', 'UTC').format(new Date(`${value}T00:00:00Z`));
  }
  return format('date', zone).format(new Date(value));
}

/** "5 Dec 2026, 14:30" in the partnership's zone. */
export function formatDateTime(value, zone = timeZone) {
  return value ? format('dateTime', zone).format(new Date(value)) : '';
}

/** "today", "1 day", "12 days"; a missing figure is "never". */
export function days(count) {
  if (count === null || count === undefined) return 'never';
  if (count === 0) return 'today';
  return count === 1 ? '1 day ago' : `${count} days ago`;
}

/** A child's age from the date of birth ("2025-06-15"): "3 months", "2 years", on the
 * partnership's today (`today`: a Date, now by default). */
export function age(dateOfBirth, today = new Date(), zone = timeZone) {
  const [bornYear, bornMonth, bornDay] = dateOfBirth.slice(0, 10).split('-').map(Number);
  const [year, month, day] = wallDate(today, zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone)
    .split('-').map(Number);
  let months = (year - bornYear) * 12 + month - bornMonth;
  if (day < bornDay) months -= 1;
  if (months < 0) return 'not yet born';
  if (months < 24) return months === 1 ? '1 month' : `${months} months`;
  return `${Math.floor(months / 12)} years`;
}
