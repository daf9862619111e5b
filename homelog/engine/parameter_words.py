"""The engine settings in an administrator's words: a short name for each parameter and
the group it is shown in (what each one does is its description, in parameters.py).

Every parameter of parameters.CATALOGUE must have a name here; parameters.py checks it
when it loads, so a new threshold cannot reach the settings screen unnamed.
"""

from __future__ import annotations

GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Scores", (
        ("concern_level", "A concern from this score"),
    )),
    ("Swings", (
        ("swing_window_days", "Visits at most this far apart"),
        ("swing_min_levels", "Levels moved"),
    )),
    ("Improvement not sustained", (
        ("crossings_window_days", "Crossings of the good-enough line counted over"),
        ("crossings_min", "Crossings that mean not sustained"),
        ("sustained_min_visits", "Good-enough visits in a row for a lasting improvement"),
        ("sustained_min_days", "Spread over at least"),
    )),
    ("Agencies disagree", (
        ("disagreement_window_hours", "Visits compared when this close"),
        ("disagreement_min_levels", "Levels apart that count as disagreeing"),
    )),
    ("Announced and unannounced visits", (
        ("announced_gap_window_days", "Compared over"),
        ("announced_gap_min_levels", "Unannounced visits worse on average by"),
        ("announced_gap_min_visits", "Visits of each kind needed"),
        ("announced_gap_min_scores", "Scores of each kind needed in an area"),
    )),
    ("Worsening trend", (
        ("trend_min_weeks", "Shortest stretch read"),
        ("trend_max_weeks", "Longest stretch read"),
        ("trend_slope_per_week", "Worsening faster than"),
        ("trend_median_days", "Each point is the middle score over"),
        ("trend_min_points", "Weekly points needed"),
    )),
    ("Gaps in visiting", (
        ("no_visit_days", "No visit at all for"),
        ("no_unannounced_days", "No unannounced visit for"),
        ("agency_silent_days", "A core-group agency not visiting for"),
        ("rooms_min_visits", "Rooms never seen: judged after"),
        ("father_min_visits", "Father or partner never seen: judged after"),
    )),
    ("Early signs", (
        ("early_sign_min_levels", "This far from the other visits"),
        ("early_sign_min_visits", "Visits to compare with"),
        ("early_sign_window_days", "An agency's first visit compared over"),
    )),
    ("When Homelog runs", (
        ("engine_interval_minutes", "Look for anything new every"),
        ("recheck_hours", "Look at every family again at least every"),
        ("digest_hour", "Send the daily digest at"),
        ("escalation_delay_hours", "Pass a serious flag to the manager when not "
                                   "acknowledged after"),
        ("escalation_check_minutes", "Look for flags to pass on every"),
        ("outbox_interval_seconds", "Send waiting emails every"),
    )),
    ("How long records are kept", (
        ("retention_visit_years", "Visits"),
        ("retention_photo_years", "Photos"),
        ("retention_event_years", "Events"),
        ("retention_flag_years", "Closed flags"),
        ("retention_audit_years", "Audit entries"),
        ("retention_message_days", "Inbox entries and sent emails"),
    )),
)

LABELS: dict[str, str] = {name: label for _, names in GROUPS for name, label in names}
GROUP_OF: dict[str, str] = {name: group for group, names in GROUPS for name, _ in names}
