"""`flask --app homelog analyse --as-of DATE`: a history replayed day by day ends with the
same flags as analysing it at once, because flags are dated by the visits that raised them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from homelog.accounts.models import Profession, Role
from homelog.core.time import local_date
from tests.engine.support import at_days_ago, flags_of
from tests.factories import Factory
from tests.support import clock

# (days ago, author, scores, announced, concerns): a kitchen that swings, agencies that
# disagree, a concern, and a spell below the agreed level that ends and comes back.
HISTORY: list[tuple[int, str, dict[str, int], bool, tuple[str, ...]]] = [
    (60, "hv", {"kitchen": 2}, True, ()),
    (55, "sw", {"kitchen": 2, "floors": 2}, False, ()),
    (50, "hv", {"kitchen": 5}, False, ()),
    (49, "sw", {"kitchen": 2}, True, ()),
    (40, "hv", {"kitchen": 1}, True, ()),
    (30, "sw", {"kitchen": 4, "floors": 4}, False, ()),
    (29, "hv", {}, True, ("no_food",)),
    (20, "sw", {"kitchen": 2}, False, ()),
    (10, "hv", {"kitchen": 2}, False, ()),
]


def _record(factory: Factory, family_id: int, authors: dict[str, int]) -> list[int]:
    return [factory.visit(family_id, authors[who], at_days_ago(days), scores,
                          announced=announced, concerns=concerns)
            for days, who, scores, announced, concerns in HISTORY]


def _normalised(flag: dict[str, Any], visits: list[int]) -> tuple:
    """The flag with its visit ids replaced by their place in the history."""
    place = {visit_id: index for index, visit_id in enumerate(visits)}
    key = flag["key"]
    if flag["kind"] != "agency_not_visited":  # that key names an agency, not visits
        key = re.sub(r"\d+", lambda match: f"v{place.get(int(match.group()), match.group())}",
                     key)
    return (flag["kind"], flag["severity"], key,
            tuple(place[visit_id] for visit_id in flag["evidence_visit_ids"]),
            flag["became_true_at"], flag["explanation"], flag["safe_sleep"],
            tuple(flag["agency_ids"]), tuple(flag["domains"]), flag["state"])


def _analyse(runner, family_id: int, as_of: dt.date) -> str:
    result = runner.invoke(args=["analyse", "--family", str(family_id),
                                 "--as-of", as_of.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_replaying_day_by_day_ends_with_the_flags_of_analysing_at_once(app, factory):
    health_visitor = factory.user()
    social_worker = factory.user(Role.PRACTITIONER, Profession.SOCIAL_WORKER)
    authors = {"hv": health_visitor.id, "sw": social_worker.id}
    lead = factory.lead()
    replayed = factory.family(lead, (health_visitor, social_worker))
    at_once = factory.family(lead, (health_visitor, social_worker))
    replayed_visits = _record(factory, replayed.id, authors)
    at_once_visits = _record(factory, at_once.id, authors)
    runner = app.test_cli_runner()

    with app.app_context():
        days = sorted({local_date(at_days_ago(days)) for days, *_ in HISTORY})
    for day in days:
        _analyse(runner, replayed.id, day)
    output = _analyse(runner, at_once.id, days[-1])
    assert "Analysed 1 of 1 families" in output

    replay = [_normalised(flag, replayed_visits) for flag in flags_of(app, replayed.id)]
    once = [_normalised(flag, at_once_visits) for flag in flags_of(app, at_once.id)]
    current = sorted(flag for flag in replay if flag[-1] != "closed")
    assert current == sorted(once), "the replay ends with other flags than one run"
    assert all(flag[-1] == "open" for flag in once)
    kinds = {flag[0] for flag in once}
    assert {"swing", "agencies_disagree", "immediate_concern"} <= kinds

    # What only a replay can know: a spell below the agreed level that ended (closed) and
    # came back (a new occurrence, linked), dated by the visits, not by the runs.
    below = [flag for flag in flags_of(app, replayed.id)
             if flag["kind"] == "below_agreed" and flag["domains"] == ["kitchen"]]
    assert [flag["state"] for flag in below] == ["closed", "closed"]
    assert below[1]["previous_id"] == below[0]["id"]
    assert [flag["became_true_at"] for flag in below] == [at_days_ago(50), at_days_ago(30)]

    # Replays go forward in time only.
    backwards = _analyse(runner, replayed.id, days[0])
    assert "skipped" in backwards and "already analysed as of" in backwards
    assert [_normalised(flag, replayed_visits) for flag in flags_of(app, replayed.id)] == replay


def test_the_cli_refuses_dates_it_cannot_read(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["analyse", "--as-of", "last tuesday"])
    assert result.exit_code != 0 and "Use a date (2026-07-10)" in result.output
    future = (clock.today() + dt.timedelta(days=10)).isoformat()
    result = runner.invoke(args=["analyse", "--as-of", future])
    assert result.exit_code != 0 and "future" in result.output
