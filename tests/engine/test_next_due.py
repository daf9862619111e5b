"""The engine's own next-due time agrees with the analysis's (without building the history)."""

from __future__ import annotations

import datetime as dt

from homelog.engine import analysis, services
from homelog.engine.facts import family_facts
from homelog.engine.parameters import analysis_parameters
from tests.engine.support import add_visit, at_days_ago


def test_next_due_is_the_analysis_own_next_due(app, factory):
    practitioner = factory.user()
    police = factory.user()
    family = factory.family(members=(practitioner, police))
    add_visit(app, family.id, practitioner.id, at_days_ago(20), announced=False)
    add_visit(app, family.id, practitioner.id, at_days_ago(3), announced=True)
    far = dt.timedelta(days=1000)
    with app.app_context():
        facts = family_facts(family.id)
        params = analysis_parameters()
        for days_ago in (25, 10, 2, 0):
            as_of = at_days_ago(days_ago, hour=12)
            theirs = analysis.next_due(facts, params, as_of)
            ours = services.next_due(facts, params, far, as_of)
            if theirs is not None and theirs > as_of:
                assert ours == theirs, (days_ago, ours, theirs)
            else:
                assert ours > as_of
        # Never later than a day: the recheck catches what sends no news.
        assert services.next_due(facts, params, dt.timedelta(days=1), at_days_ago(0)) <= (
            at_days_ago(0) + dt.timedelta(days=1))
