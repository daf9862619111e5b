"""The digest for a partnership whose mail is secure (HOMELOG_MAIL_DETAIL=picture): each
family's picture and changed concerns, sent only over TLS with the certificate checked.

A real SMTP server (aiosmtpd) that insists on STARTTLS, with certificates from a test
certificate authority (trustme).
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator

import pytest
import trustme
from sqlalchemy import delete, select

from homelog.alerts import jobs
from homelog.alerts.mail import deliver_due
from homelog.alerts.models import OutboxMessage
from homelog.audit.models import AuditEntry
from homelog.config import ConfigError, load_config
from homelog.engine.concerns_service import family_concerns
from homelog.extensions import db
from homelog.families.models import CoreGroupMember
from tests.alerts.smtp import SmtpServer
from tests.engine.support import analyse, at_days_ago
from tests.support import clock


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_smtp(app, mail_settings, authority, tmp_path, monkeypatch) -> Iterator[SmtpServer]:
    """A server holding a certificate for 127.0.0.1 that the app is told to trust."""
    certificate = authority.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    authority_file = tmp_path / "authority.pem"
    authority.cert_pem.write_to_path(str(authority_file))
    for name, value in {"HOMELOG_SMTP_STARTTLS": True, "HOMELOG_SMTP_CA_FILE": str(authority_file),
                        "HOMELOG_MAIL_DETAIL": "picture"}.items():
        monkeypatch.setitem(app.config, name, value)
    server = SmtpServer(mail_settings, tls=context)
    server.start()
    yield server
    server.stop()


def _text(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def _two_families_with_news(app, factory):
    practitioner = factory.user()
    first = factory.family(members=(practitioner,))
    second = factory.family(members=(practitioner,))
    factory.visit(first.id, practitioner.id, at_days_ago(3), {"kitchen": 5})
    factory.visit(second.id, practitioner.id, at_days_ago(3), {"bathroom": 5})
    return practitioner, first, second


def test_a_secure_partnership_gets_each_familys_picture_and_changes_in_the_digest(
        app, factory, tls_smtp):
    with clock.later_today_at(9):  # the digest's day to itself
        practitioner, first, second = _two_families_with_news(app, factory)
        now = clock.now()
        analyse(app, [first.id, second.id], now=now)
        with app.app_context():
            jobs.digest(now + dt.timedelta(minutes=1))
            pictures = {family.id: family_concerns(family.id) for family in (first, second)}
        (digest,) = tls_smtp.mailbox.to(practitioner.email)

    body = _text(digest)
    assert digest["Subject"] == "Homelog: news for 2 of your families"
    for family in (first, second):
        said = pictures[family.id]
        assert said["picture"], "a family with a concern has a picture"
        heading = body.index(f"Family {family.reference}\n")
        for sentence in said["picture"]:
            assert f"\n  {sentence}\n" in body[heading:]
        for concern in said["concerns"]:
            assert f"  - New: {concern['sentence']}\n" in body[heading:]
        assert f"https://homelog.test/families/{family.id}/flags" in body
    assert "Kitchen" in body and "Bathroom" in body
    assert "not a secure channel" not in body
    with app.app_context():  # each family's description by email is on its record
        mailed = db.session.execute(select(AuditEntry.family_id).where(
            AuditEntry.action == "family.digest_mailed",
            AuditEntry.user_id == practitioner.id)).scalars().all()
    assert sorted(mailed) == sorted([first.id, second.id])


def test_someone_no_longer_in_the_core_group_is_not_told_about_the_family(
        app, factory, tls_smtp):
    with clock.later_today_at(9):
        practitioner, first, second = _two_families_with_news(app, factory)
        now = clock.now()
        analyse(app, [first.id, second.id], now=now)
        with app.app_context():
            db.session.execute(delete(CoreGroupMember).where(
                CoreGroupMember.family_id == second.id,
                CoreGroupMember.user_id == practitioner.id))
            db.session.commit()
            jobs.digest(now + dt.timedelta(minutes=1))
        (digest,) = tls_smtp.mailbox.to(practitioner.email)
    body = _text(digest)
    assert digest["Subject"] == "Homelog: news for 1 of your family"
    assert f"Family {first.reference}" in body and second.reference not in body
    assert "Bathroom" not in body


def test_a_mail_server_whose_certificate_is_not_trusted_gets_nothing(
        app, factory, mail_settings, monkeypatch):
    stranger = trustme.CA()  # the app trusts the system's authorities only
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    stranger.issue_cert("127.0.0.1").configure_cert(context)
    monkeypatch.setitem(app.config, "HOMELOG_SMTP_STARTTLS", True)
    server = SmtpServer(mail_settings, tls=context)
    server.start()
    try:
        practitioner = factory.user()
        family = factory.family(members=(practitioner,))
        factory.visit(family.id, practitioner.id, at_days_ago(0), concerns=["no_food"])
        with app.app_context():
            report = deliver_due(clock.now(), "test")
            rows = db.session.execute(select(OutboxMessage).where(
                OutboxMessage.user_id == practitioner.id)).scalars().all()
            assert [(row.status, row.attempts) for row in rows] == [("pending", 1)]
            assert "CERTIFICATE_VERIFY_FAILED" in (rows[0].last_error or "")
        assert report.sent == 0 and report.failed >= 1
        assert server.mailbox.messages == []
    finally:
        server.stop()


@pytest.mark.parametrize(("settings", "complaint"), [
    ({"HOMELOG_MAIL_DETAIL": "picture", "HOMELOG_SMTP_STARTTLS": "0"},
     "HOMELOG_MAIL_DETAIL=picture puts what is known about families in email"),
    ({"HOMELOG_MAIL_DETAIL": "everything"}, "HOMELOG_MAIL_DETAIL must be 'none' or 'picture'"),
])
def test_detail_in_email_needs_a_checked_secure_channel(monkeypatch, tmp_path, settings,
                                                       complaint):
    monkeypatch.setenv("HOMELOG_ENV", "development")
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=complaint):
        load_config(str(tmp_path))


def test_by_default_email_carries_no_detail(monkeypatch, tmp_path):
    monkeypatch.setenv("HOMELOG_ENV", "development")
    monkeypatch.delenv("HOMELOG_MAIL_DETAIL", raising=False)
    config = load_config(str(tmp_path))
    assert config["HOMELOG_MAIL_DETAIL"] == "none" and config["HOMELOG_SMTP_STARTTLS"] is True
