"""Email through a real SMTP server: what is sent, when, and that nothing is sent twice.

Time is passed in (`now`), never slept: escalation after 24 hours is tested in no time.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update

from homelog import create_app
from homelog.accounts.models import Profession, Role, User
from homelog.alerts import digest, escalation, jobs
from homelog.alerts.mail import deliver_due
from homelog.alerts.models import InboxEntry, OutboxMessage
from homelog.alerts.services import NO_DETAIL
from homelog.engine.models import Flag
from homelog.extensions import db
from tests.alerts.smtp import SmtpServer
from tests.engine.support import analyse, at_days_ago, flags_of
from tests.support import clock


def _text(message) -> str:
    return message.get_content().replace("\r\n", "\n")  # SMTP sends CRLF line ends


def _deliver(app, now: dt.datetime | None = None):
    with app.app_context():
        report = deliver_due(now or clock.now(), "test")
        db.session.remove()
        return report


def _outbox(app, *user_ids: int) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage).where(
            OutboxMessage.user_id.in_(user_ids)).order_by(OutboxMessage.id)).scalars().all()
        db.session.expunge_all()
        return list(rows)


def _email_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get_one(User, user_id).email


def test_an_immediate_concern_is_emailed_at_once_naming_no_family(app, factory, smtp):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(0), concerns=["no_food"],
                  notes="No food or formula anywhere in the flat; mother tearful.")
    queued = _outbox(app, practitioner.id, family.lead.id)
    assert [message.kind for message in queued] == ["immediate", "immediate"]

    report = _deliver(app)
    assert report.sent >= 2
    addresses = (_email_of(app, practitioner.id), _email_of(app, family.lead.id))
    received = smtp.mailbox.to(*addresses)
    assert sorted(message["To"] for message in received) == sorted(addresses)
    for message in received:
        assert message["Subject"] == "Homelog: an urgent flag for one of your families"
        assert message["From"] == "alerts@homelog.test"
        assert _text(message) == (
            "An urgent flag has been raised for one of the families whose core group you are "
            "in.\n\n"
            "Please sign in to Homelog to see it and record your response:\n"
            f"https://homelog.test/families/{family.id}/flags\n\n"
            f"{NO_DETAIL}\n"
        )
        assert family.reference not in message.as_string()
        assert message["Message-ID"].startswith("<homelog-outbox-")

    # Delivered once: another pass sends nothing more, and the inbox needs no digest.
    _deliver(app)
    assert len(smtp.mailbox.to(*addresses)) == 2
    with app.app_context():
        assert digest.digest_recipients(clock.now()).count(practitioner.id) == 0


def test_the_daily_digest_tells_each_user_what_changed_once(app, factory, smtp):
    # The digest's "same day" needs a day to itself: the test runs from 09:00 local time.
    with clock.later_today_at(9):
        _the_daily_digest_tells_each_user_what_changed_once(app, factory, smtp)


def _the_daily_digest_tells_each_user_what_changed_once(app, factory, smtp):
    practitioner = factory.user()
    first = factory.family(members=(practitioner,))
    second = factory.family(members=(practitioner,))
    for family in (first, second):
        factory.visit(family.id, practitioner.id, at_days_ago(3), {"kitchen": 5})
    now = clock.now()
    analyse(app, [first.id, second.id], now=now)
    news = {family.id: _news(app, practitioner.id, family.id) for family in (first, second)}
    for family in (first, second):  # one entry per family for the run, however many flags
        (items,) = news[family.id]
        assert items and {item["change"] for item in items} == {"new"}
        assert len(flags_of(app, family.id)) >= len(items)

    with app.app_context():
        jobs.digest(now + dt.timedelta(minutes=1))
    address = _email_of(app, practitioner.id)
    (digest,) = smtp.mailbox.to(address)
    assert digest["Subject"] == "Homelog: news for 2 of your families"
    body = _text(digest)
    for family in (first, second):
        count = len(news[family.id][0])
        assert (f"  {count} new concern{'s' if count > 1 else ''}:\n"
                f"    https://homelog.test/families/{family.id}/flags\n") in body
        assert family.reference not in digest.as_string()
    assert "Kitchen" not in body and "Test Street" not in body
    assert body.endswith(f"{NO_DETAIL}\n")

    # The same day again: nothing new, nothing sent. A new flag waits for the next digest.
    with app.app_context():
        jobs.digest(now + dt.timedelta(minutes=2))
    assert len(smtp.mailbox.to(address)) == 1
    factory.visit(first.id, practitioner.id, at_days_ago(0, hour=8), {"bathroom": 5})
    analyse(app, [first.id], now=now + dt.timedelta(minutes=3))
    with app.app_context():
        jobs.digest(now + dt.timedelta(minutes=4))
    assert len(smtp.mailbox.to(address)) == 1
    with app.app_context():
        jobs.digest(now + dt.timedelta(days=1))
    later = smtp.mailbox.to(address)[1]
    assert f"/families/{first.id}/flags" in _text(later)
    assert f"/families/{second.id}/flags" not in _text(later)


def _lead_with_manager(app, factory):
    manager = factory.user(Role.MANAGER, Profession.TEAM_MANAGER)
    lead = factory.lead(manager.agency_id)
    with app.app_context():
        db.session.execute(update(User).where(User.id == lead.id).values(manager_id=manager.id))
        db.session.commit()
    return lead, manager


def test_an_unacknowledged_high_flag_goes_to_the_leads_manager_after_the_delay(
        app, factory, smtp, make_client):
    lead, manager = _lead_with_manager(app, factory)
    practitioner = factory.user()
    family = factory.family(lead, (practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(2), {"kitchen": 5})
    raised = clock.now()
    analyse(app, [family.id], now=raised)
    high = [flag for flag in flags_of(app, family.id) if flag["severity"] == "high"]
    assert high
    flag_id = high[0]["id"]
    acknowledged_id = high[1]["id"] if len(high) > 1 else None
    if acknowledged_id:
        client = make_client()
        client.sign_in(lead.email)
        assert client.post(f"/api/v1/flags/{acknowledged_id}/acknowledge",
                           json={"response": "Discussed with the family."}).status_code == 200

    delay = dt.timedelta(hours=24)  # the documented default
    with app.app_context():
        assert flag_id not in escalation.flags_to_escalate(raised + delay - dt.timedelta(minutes=1))
        due = escalation.flags_to_escalate(raised + delay + dt.timedelta(minutes=1))
        assert flag_id in due and acknowledged_id not in due
        assert escalation.escalate(flag_id, raised + delay) == [manager.id]
        db.session.commit()
        assert escalation.escalate(flag_id, raised + delay) == []  # once only
        db.session.commit()
        flag = db.session.get_one(Flag, flag_id)
        assert flag.escalated_to_id == manager.id
        entry = db.session.execute(select(InboxEntry).where(
            InboxEntry.user_id == manager.id, InboxEntry.flag_id == flag_id)).scalar_one()
        assert entry.kind == "escalated_glass"  # outside the core group: by break-glass
    _deliver(app, raised + delay)
    (email,) = smtp.mailbox.to(_email_of(app, manager.id))
    assert email["Subject"] == "Homelog: an unacknowledged flag passed to you"
    assert _text(email) == (
        "A high-severity flag has not been acknowledged for 24 hours. It has been passed to "
        "you as the lead social worker's manager.\n\n"
        "You are not in the family's core group. Your Homelog inbox names the family and "
        "takes you to open it by break-glass:\nhttps://homelog.test/inbox"
        f"\n\n{NO_DETAIL}\n"
    )


def test_the_escalation_delay_is_a_partnership_parameter(app, factory, make_client):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client = make_client()
    client.sign_in(admin.email)
    try:
        assert client.put("/api/v1/engine/parameters",
                          json={"escalation_delay_hours": 4}).status_code == 200
        with app.app_context():
            assert escalation.escalation_delay() == dt.timedelta(hours=4)
    finally:
        client.put("/api/v1/engine/parameters", json={"escalation_delay_hours": 24})


def test_an_unreachable_mail_server_leaves_the_email_to_retry(app, factory, mail_settings):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(0), concerns=["no_food"])
    now = clock.now()
    report = _deliver(app, now)  # nothing listens on the port
    assert report.sent == 0 and report.failed >= 1
    mine = _outbox(app, practitioner.id)
    assert [(row.status, row.attempts) for row in mine] == [("pending", 1)]
    assert mine[0].send_after > now and "refused" in (mine[0].last_error or "").lower()

    server = SmtpServer(mail_settings)
    server.start()
    try:
        _deliver(app, now)  # not yet: it waits for its retry time
        assert server.mailbox.to(_email_of(app, practitioner.id)) == []
        _deliver(app, mine[0].send_after)
        assert len(server.mailbox.to(_email_of(app, practitioner.id))) == 1
    finally:
        server.stop()
    assert [row.status for row in _outbox(app, practitioner.id)] == ["sent"]


def test_an_email_claimed_by_a_sender_that_died_is_not_sent_again(app, factory, smtp):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(0), concerns=["no_food"])
    now = clock.now()
    with app.app_context():  # as if a sender claimed it, then was killed mid-send
        db.session.execute(update(OutboxMessage).where(
            OutboxMessage.user_id == practitioner.id).values(
            status="sending", claimed_at=now, claimed_by="dead-host:1:x"))
        db.session.commit()
    _deliver(app, now + dt.timedelta(minutes=5))
    assert [row.status for row in _outbox(app, practitioner.id)] == ["sending"]
    _deliver(app, now + dt.timedelta(minutes=20))
    assert [row.status for row in _outbox(app, practitioner.id)] == ["uncertain"]
    assert smtp.mailbox.to(_email_of(app, practitioner.id)) == []


def test_without_a_mail_server_alerts_go_to_the_inbox_and_start_up_says_so(
        app, factory, caplog, make_client):
    with caplog.at_level(logging.WARNING, logger="homelog.alerts.services"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "HOMELOG_SMTP_HOST": ""})
    assert "Email alerts OFF" in caplog.text and "inbox only" in caplog.text

    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(0), concerns=["no_food"])
    assert _outbox(app, practitioner.id, family.lead.id) == []
    client = make_client()
    client.sign_in(practitioner.email)
    inbox = client.get("/api/v1/inbox?unread=true")
    assert inbox.status_code == 200
    mine = [entry for entry in inbox.json if entry["family"]["id"] == family.id]
    assert [(entry["kind"], entry["flag"]["kind"], entry["flag"]["severity"])
            for entry in mine] == [("opened", "immediate_concern", "immediate")]
    assert mine[0]["family"]["reference"] == family.reference
    read = client.post(f"/api/v1/inbox/{mine[0]['id']}/read")
    assert read.status_code == 200 and read.json["read_at"]
    unread = client.get("/api/v1/inbox?unread=true").json
    assert mine[0]["id"] not in [entry["id"] for entry in unread]
    assert client.get("/api/v1/inbox?unread=yes").status_code == 422
    other = make_client()
    other.sign_in(family.lead.email)
    assert other.post(f"/api/v1/inbox/{mine[0]['id']}/read").status_code == 404


def _news(app, user_id: int, family_id: int) -> list[list[dict]]:
    """The news entries of a user about a family, oldest first."""
    with app.app_context():
        return list(db.session.execute(
            select(InboxEntry.news).where(InboxEntry.user_id == user_id,
                                          InboxEntry.family_id == family_id,
                                          InboxEntry.kind == "news")
            .order_by(InboxEntry.id)).scalars())
