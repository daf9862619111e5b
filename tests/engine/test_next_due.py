"""The engine run looks at a family again when the analysis says a gap comes true."""

from __future__ import annotations

import datetime as dt

from homelog.engine import services, state
from homelog.engine.facts import family_facts
from homelog.engine.parameters import analysis_parameters
from homelog.engine.steps import analysis
from tests.engine.support import at_days_ago


def test_the_run_looks_again_at_the_analysis_own_next_due(app, factory):
    practitioner = factory.user()
    police = factory.user()
    family = factory.family(members=(practitioner, police))
    factory.visit(family.id, practitioner.id, at_days_ago(20), announced=False)
    factory.visit(family.id, practitioner.id, at_days_ago(3), announced=True)
    far = dt.timedelta(days=1000)

    def looks_again(as_of: dt.datetime, recheck: dt.timedelta) -> dt.datetime:
        return services.prepare(facts, state.EngineState(), {}, None, params, recheck,
                                as_of).due

    with app.app_context():
        facts = family_facts(family.id)
        params = analysis_parameters()
        for days_ago in (25, 10, 2, 0):
            as_of = at_days_ago(days_ago, hour=12)
            theirs = analysis.next_due(facts, params, as_of)
            ours = looks_again(as_of, far)
            if theirs is not None and theirs > as_of:
                assert ours == theirs, (days_ago, ours, theirs)
            else:
                assert ours > as_of
        # Never later than a day: the recheck catches what sends no news.
        assert looks_again(at_days_ago(0), dt.timedelta(days=1)) <= (
            at_days_ago(0) + dt.timedelta(days=1))
