"""On the demo partnership, the engine finds what the three families were made to show, and
the core group gets it in the inbox and by email.

Independent of the shared fixtures, like tests/demo: each database gets its own app, the
demo is loaded with `flask demo load` and analysed with `flask analyse`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from homelog import create_app
from homelog.accounts.models import User
from homelog.alerts import jobs as alert_jobs
from homelog.alerts.models import InboxEntry
from homelog.demo.partnership import STABLE_FAMILY, SWINGING_FAMILY, WORSENING_FAMILY
from homelog.engine.models import Flag
from homelog.extensions import db
from homelog.families.models import Family
from tests.alerts.smtp import SmtpServer, free_port
from tests.support import clock
from tests.support.databases import databases
from tests.support.postgres import start_postgres

LEAD_EMAIL = "lead.social.worker@demo.homelog.test"


@dataclass
class Demo:
    app: Flask
    smtp: SmtpServer
    output: str


@pytest.fixture(scope="module", params=databases())
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Demo]:
    server = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo-engine') / 'demo.sqlite3'}"
    else:
        server = start_postgres()
        url = server.create_database("homelog_demo_engine")
    smtp = SmtpServer(free_port())
    smtp.start()
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("HOMELOG_ENV", "development")
            env.setenv("HOMELOG_SECRET_KEY", "demo-engine-tests-secret-key")
            env.setenv("HOMELOG_DATABASE_URL", url)
            env.setenv("HOMELOG_SMTP_HOST", "127.0.0.1")
            env.setenv("HOMELOG_SMTP_PORT", str(smtp.port))
            env.setenv("HOMELOG_SMTP_STARTTLS", "0")
            app = create_app({"TESTING": True})
        with app.app_context():
            upgrade()
        runner = app.test_cli_runner()
        loaded = runner.invoke(args=["demo", "load"])
        assert loaded.exit_code == 0, loaded.output
        analysed = runner.invoke(args=["analyse"])
        assert analysed.exit_code == 0, analysed.output
        yield Demo(app, smtp, analysed.output)
        with app.app_context():
            db.engine.dispose()
    finally:
        smtp.stop()
        if server is not None:
            server.stop()


def _flags(demo: Demo, reference: str) -> list[Flag]:
    with demo.app.app_context():
        flags = db.session.execute(
            select(Flag).join(Family, Family.id == Flag.family_id)
            .where(Family.reference == reference).order_by(Flag.id)).scalars().all()
        db.session.expunge_all()
        return list(flags)


def test_the_swinging_family_shows_swings_disagreement_and_disguised_compliance(demo):
    flags = _flags(demo, SWINGING_FAMILY.reference)
    kinds = Counter(flag.kind for flag in flags)
    assert {"swing", "agencies_disagree", "announced_gap", "not_sustained",
            "immediate_concern", "father_never_seen"} <= set(kinds), kinds
    (sleep,) = [flag for flag in flags if flag.kind == "immediate_concern"]
    assert sleep.safe_sleep and sleep.severity == "immediate"
    assert "Unsafe sleep" in sleep.explanation
    (gap,) = [flag for flag in flags if flag.kind == "announced_gap"]
    assert gap.severity == "high" and "unannounced visits scored on average" in gap.explanation
    swing = next(flag for flag in flags if flag.kind == "swing")
    assert " went " in swing.explanation and len(swing.evidence_visit_ids) == 2
    assert all(flag.state == "open" for flag in flags)


def test_the_worsening_family_shows_the_trend_and_the_lapse_below_the_agreement(demo):
    flags = _flags(demo, WORSENING_FAMILY.reference)
    kinds = {flag.kind for flag in flags}
    assert {"worsening_trend", "below_agreed", "immediate_concern"} <= kinds, kinds
    kitchen = [flag for flag in flags if flag.kind == "worsening_trend"
               and flag.domains == ["kitchen"]]
    assert kitchen and "getting worse" in kitchen[0].explanation
    assert any(flag.severity == "high" for flag in flags if flag.kind == "below_agreed")
    (rot,) = [flag for flag in flags if flag.kind == "immediate_concern"]
    assert not rot.safe_sleep and "Faeces or rotting food" in rot.explanation


def test_the_stable_family_has_no_flag(demo):
    flags = _flags(demo, STABLE_FAMILY.reference)
    assert flags == [], [f.explanation for f in flags]


def test_the_core_group_gets_the_flags_in_the_inbox_and_by_email(demo):
    with demo.app.app_context():
        lead = db.session.execute(select(User).where(User.email == LEAD_EMAIL)).scalar_one()
        told = set(db.session.execute(
            select(Family.reference).join(InboxEntry, InboxEntry.family_id == Family.id)
            .where(InboxEntry.user_id == lead.id)).scalars())
        assert {SWINGING_FAMILY.reference, WORSENING_FAMILY.reference} <= told
        alert_jobs.digest(clock.now())
        ids = dict(db.session.execute(select(Family.reference, Family.id).where(
            Family.reference.in_([SWINGING_FAMILY.reference, WORSENING_FAMILY.reference]))).all())
    links = {reference: f"/families/{family_id}/flags" for reference, family_id in ids.items()}
    mail = demo.smtp.mailbox.to(LEAD_EMAIL)
    urgent = [message for message in mail
              if message["Subject"] == "Homelog: an urgent flag for one of your families"]
    assert sorted(link for message in urgent for link in links.values()
                  if link in message.get_content()) == sorted(links.values())
    (digest,) = [message for message in mail if "news for" in message["Subject"]]
    body = digest.get_content()
    assert all(link in body for link in links.values())
    for message in mail:  # emails name no family, and hold nothing about one
        for words in (SWINGING_FAMILY.reference, WORSENING_FAMILY.reference, "Unsafe sleep",
                      "Kitchen", "Example Street", "A.B."):
            assert words not in message.as_string()


def test_running_the_engine_again_changes_nothing(demo):
    again = demo.app.test_cli_runner().invoke(args=["analyse", "--all"])
    assert again.exit_code == 0, again.output
    assert "0 flags opened, 0 raised again, 0 closed, 0 updated" in again.output
