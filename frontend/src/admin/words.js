// Words for the administration screens: roles and professions as people say them.

export const ROLES = {
  practitioner: 'Practitioner',
  lead_social_worker: 'Lead social worker',
  manager: 'Manager',
  administrator: 'Administrator',
};

export const ROLE_HINTS = {
  practitioner: 'Records visits and events for the families whose core group they are in.',
  lead_social_worker: 'Also opens families, keeps their core group and agreement, and answers flags.',
  manager: 'Also sees flags passed on by their team, and can open a family in an emergency.',
  administrator: 'Manages people, agencies and settings. Sees no family unless in its core group.',
};

export const PROFESSIONS = {
  health_visitor: 'Health visitor',
  midwife: 'Midwife',
  social_worker: 'Social worker',
  social_work_assistant: 'Social work assistant',
  family_support_worker: 'Family support worker',
  police_officer: 'Police officer',
  housing_officer: 'Housing officer',
  gp: 'GP',
  school_nurse: 'School nurse',
  team_manager: 'Team manager',
  system_administrator: 'System administrator',
};

export const AGENCY_KINDS = {
  children_services: "Children's services",
  health: 'Health',
  police: 'Police',
  housing: 'Housing',
  education: 'Education',
  other: 'Other',
};

/** "Never", or the date and time of the last sign-in. */
export function lastSignIn(value, formatDateTime) {
  return value ? `Last signed in ${formatDateTime(value)}` : 'Has never signed in';
}
