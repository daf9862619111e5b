// The words the app shows for values the API sends as keys: practitioners' words, never
// field names. Domain, room and concern names come from the rubric itself.

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

/** A score in words: 1-2 good enough, 3 borderline, 4-5 concern (the rubric's scale). */
export function scoreBand(score, goodEnoughMax = 2) {
  if (score === null || score === undefined) return 'Not seen';
  if (score <= goodEnoughMax) return 'Good enough';
  if (score === goodEnoughMax + 1) return 'Borderline';
  return 'Concern';
}

export function label(table, key) {
  return table[key] ?? String(key).replaceAll('_', ' ');
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
});

export function formatDate(value) {
  return value ? dateFormat.format(new Date(value)) : '';
}

export function formatDateTime(value) {
  return value ? dateTimeFormat.format(new Date(value)) : '';
}

/** "today", "1 day", "12 days"; a missing figure is "never". */
export function days(count) {
  if (count === null || count === undefined) return 'never';
  if (count === 0) return 'today';
  return count === 1 ? '1 day ago' : `${count} days ago`;
}

/** A child's age from the date of birth: "3 months", "2 years". */
export function age(dateOfBirth, today = new Date()) {
  const born = new Date(dateOfBirth);
  let months = (today.getFullYear() - born.getFullYear()) * 12 + today.getMonth() - born.getMonth();
  if (today.getDate() < born.getDate()) months -= 1;
  if (months < 0) return 'not yet born';
  if (months < 24) return months === 1 ? '1 month' : `${months} months`;
  return `${Math.floor(months / 12)} years`;
}
