"""Send queued emails through SMTP, each at most once.

A message is claimed (status "sending", committed) before the mail server is contacted
and marked "sent" (committed) once the server has accepted it. If the server refuses or
cannot be reached, the claim is released and the message is retried later with a
growing delay. If the process dies between the server accepting a message and the
"sent" commit, the message stays "sending"; after CLAIM_TIMEOUT it is marked
"uncertain" and NOT retried: a rare missing email (the inbox still has the flag) is
preferred to sending the same alert twice. Each message carries a Message-ID derived
from its outbox id, so even then a copy is recognisable.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from flask import current_app
from sqlalchemy import case, select, update

from homelog.alerts.models import OutboxMessage
from homelog.extensions import db

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 8
_BATCH = 100
#: Emails about a person's own account carry a one-time link that sets their password: once
#: the sender is done with one (sent, given up, or uncertain) its body is not kept, so the
#: database never holds a working link longer than it takes to send it.
SECRET_KINDS = ("account",)
SECRET_REMOVED = "(This email held a one-time link; it is not kept once the email is sent.)"


def _body_kept() -> Any:
    """The body an outbox row keeps once the sender is done with it."""
    return case((OutboxMessage.kind.in_(SECRET_KINDS), SECRET_REMOVED),
                else_=OutboxMessage.body)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    uncertain: int = 0


def _message(row: OutboxMessage) -> EmailMessage:
    config = current_app.config
    sender = config["HOMELOG_MAIL_FROM"]
    domain = sender.rpartition("@")[2] or "homelog.invalid"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = f"<homelog-outbox-{row.id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)
    return message


class _Connection:
    """One SMTP connection for a batch, opened on first use."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        self.smtp.send_message(message)

    @staticmethod
    def _open() -> smtplib.SMTP:
        config = current_app.config
        smtp = smtplib.SMTP(config["HOMELOG_SMTP_HOST"], config["HOMELOG_SMTP_PORT"],
                            timeout=config["HOMELOG_SMTP_TIMEOUT_SECONDS"])
        if config["HOMELOG_SMTP_STARTTLS"]:
            # The server's certificate and name are checked: an unchecked STARTTLS can be
            # intercepted, and a refused one leaves the message to retry (ssl.SSLError).
            smtp.starttls(context=ssl.create_default_context(
                cafile=config["HOMELOG_SMTP_CA_FILE"] or None))
        if config["HOMELOG_SMTP_USER"]:
            smtp.login(config["HOMELOG_SMTP_USER"], config["HOMELOG_SMTP_PASSWORD"])
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _give_up_on_stale_claims(now: dt.datetime) -> int:
    result: Any = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - CLAIM_TIMEOUT)
        .values(status="uncertain", body=_body_kept(),
                last_error="The sender stopped after claiming this message; it may or may "
                           "not have been sent, so it is not sent again.")
    )
    db.session.commit()
    if result.rowcount:
        log.warning("%s outbox message(s) marked uncertain (sender stopped mid-send)",
                    result.rowcount)
    return int(result.rowcount or 0)


def _claim(message_id: int, runner: str, now: dt.datetime) -> bool:
    result: Any = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
        .values(status="sending", claimed_at=now, claimed_by=runner,
                attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def _retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** attempts, 240))


def deliver_due(now: dt.datetime, runner: str) -> DeliveryReport:
    """Send every pending email whose time has come; commits per message (a job boundary)."""
    report = DeliveryReport()
    if not current_app.config["HOMELOG_SMTP_HOST"]:
        return report
    report.uncertain = _give_up_on_stale_claims(now)
    ids = db.session.execute(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.send_after <= now)
        .order_by(OutboxMessage.id).limit(_BATCH)
    ).scalars().all()
    db.session.commit()
    connection = _Connection()
    try:
        for message_id in ids:
            if not _claim(message_id, runner, now):
                continue  # another sender has it
            row = db.session.get_one(OutboxMessage, message_id)
            try:
                connection.send(_message(row))
            except (smtplib.SMTPException, OSError) as error:
                connection.close()
                _release(row, now, error)
                report.failed += 1
                continue
            row.status, row.sent_at, row.last_error = "sent", now, None
            _forget_secret(row)
            db.session.commit()
            report.sent += 1
    finally:
        connection.close()
    return report


def _forget_secret(row: OutboxMessage) -> None:
    if row.kind in SECRET_KINDS:
        row.body = SECRET_REMOVED


def _release(row: OutboxMessage, now: dt.datetime, error: Exception) -> None:
    final = row.attempts >= MAX_ATTEMPTS
    row.status = "failed" if final else "pending"
    row.claimed_at = None
    row.claimed_by = None
    row.send_after = now + _retry_delay(row.attempts)
    row.last_error = f"{type(error).__name__}: {error}"[:500]
    if final:
        _forget_secret(row)
    db.session.commit()
    log.warning("email %s not sent (attempt %s%s): %s", row.id, row.attempts,
                ", giving up" if final else "", type(error).__name__)
