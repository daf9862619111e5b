"""The scheduler killed in the middle of its work, then run again: every alert once, every
email once, through a real SMTP server (aiosmtpd) that counts what it receives.

Complements tests/engine/test_processes.py (an engine run killed halfway ends as one
uninterrupted run; two schedulers run each job once), whose helpers it uses:

1. `flask analyse` is killed after its first batch of families (its emails are queued);
2. the scheduler starts: its engine job carries on with the rest while its outbox job
   sends; the mail server holds the second message (it has the whole message and has not
   answered) and the scheduler is killed (SIGKILL) right then, so the server drops it;
3. the scheduler is started again, 16 minutes later (a pinned clock): it sends everything
   still waiting, and gives up on the message whose sender died mid-send: "uncertain",
   never sent again, because the sender cannot know whether the server took it (see
   alerts/mail.py). Its recipient still has the alert in the inbox.

Afterwards every family is analysed, no flag or inbox entry is there twice, every email
marked sent was received exactly once (by its Message-ID) and the one left uncertain not
at all, and one more engine run over every family changes nothing and queues nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from homelog.accounts.models import Role, User
from homelog.engine import parameters
from homelog.engine.cli import PAUSE_ENV
from homelog.extensions import db
from tests.alerts.smtp import Mailbox, free_port
from tests.engine.processes import fill, migrated_app, run_flask, wait_for_line
from tests.factories import Factory, unique
from tests.support import clock
from tests.support.databases import databases

FAMILIES = 8
HOLD_AT = 2  # the mail server holds the second message it receives


@dataclass
class HoldingMailbox(Mailbox):
    """A mailbox that, at its `hold_at`-th message, waits to be released before answering."""

    hold_at: int = HOLD_AT
    received: int = 0
    held_id: int | None = None  # the outbox id of the message held
    held: threading.Event = field(default_factory=threading.Event)
    dropped: threading.Event = field(default_factory=threading.Event)  # the sender went away

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        if self.received == self.hold_at:
            self.held_id = _outbox_id(message_from_bytes(envelope.content))
            self.held.set()
            try:
                await asyncio.sleep(3600)  # until the connection is lost (which cancels this)
            except asyncio.CancelledError:
                self.dropped.set()
                raise
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def mail_server() -> Iterator[tuple[int, HoldingMailbox]]:
    mailbox, port = HoldingMailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, mailbox
    controller.stop()


@pytest.fixture(params=databases())
def database(request: pytest.FixtureRequest, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'scheduler.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(
            unique("killed_scheduler").replace("-", "_").lower())
    app = migrated_app(url, monkeypatch)
    fill(app, monkeypatch, families=FAMILIES)
    administrator = Factory(app).user(Role.ADMINISTRATOR)
    with app.app_context():  # deliver every 10 s (the least), not every minute
        parameters.change(db.session.get_one(User, administrator.id),
                          {"outbox_interval_seconds": 10}, clock.now())
        db.session.commit()
        db.engine.dispose()
    return url


def _rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


def _outbox(url: str) -> list[tuple]:
    return _rows(url, "SELECT id, status FROM outbox_message ORDER BY id")


def _jobs_done(url: str) -> Counter[str]:
    """How many runs of each job have finished (escalation and digest deliver email too)."""
    return Counter(name for (name,) in _rows(url, "SELECT name FROM job_run "
                                                  "WHERE outcome = 'done'"))


def _analysed(url: str) -> int:
    return _rows(url, "SELECT count(*) FROM engine_family_state "
                      "WHERE analysed_version >= 0")[0][0]


def _outbox_id(message: Message) -> int:
    """The outbox row a message was sent from (its Message-ID says)."""
    return int(str(message["Message-ID"]).split("homelog-outbox-")[1].split("@")[0])


def _message_ids(mailbox: HoldingMailbox) -> Counter[int]:
    return Counter(_outbox_id(message) for message in mailbox.messages)


def test_a_scheduler_killed_mid_run_and_run_again_alerts_and_emails_each_thing_once(
        database: str, mail_server: tuple[int, HoldingMailbox], tmp_path: Path,
        repo_root: Path) -> None:
    port, mailbox = mail_server
    # (and the scheduler checkpoints this database's audit chain in a file of its own)
    smtp = {"HOMELOG_SMTP_PORT": str(port),
            "HOMELOG_AUDIT_CHECKPOINTS": str(tmp_path / "audit-checkpoints.jsonl")}

    # 1. The engine killed after its first batch of three families.
    first = run_flask(repo_root, database, "analyse",
                   **{PAUSE_ENV: "3", "HOMELOG_ENGINE_BATCH_FAMILIES": "3", **smtp})
    wait_for_line(first, "PAUSED after 3 families", timeout=120)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert _analysed(database) == 3
    queued_by_the_killed_run = len(_outbox(database))
    assert queued_by_the_killed_run >= HOLD_AT

    # 2. The scheduler finishes the engine's work and sends, until killed mid-send.
    log = tmp_path / "scheduler-1.log"
    scheduler = run_flask(repo_root, database, "scheduler", log=log, **smtp)
    try:
        assert mailbox.held.wait(timeout=90), log.read_text()
    finally:
        scheduler.send_signal(signal.SIGKILL)
        scheduler.wait(timeout=30)
    assert mailbox.dropped.wait(timeout=30)  # the connection went with the process
    assert len(mailbox.messages) == HOLD_AT - 1
    # Claimed by the killed sender, never marked sent: the held message and, if another
    # job was delivering beside it (escalation delivers too), the one it was sending,
    # which the server may or may not have taken.
    unconfirmed = {message_id for message_id, status in _outbox(database)
                   if status == "sending"}
    assert mailbox.held_id in unconfirmed

    # 3. Started again later: everything left is done, nothing twice.
    done_before = _jobs_done(database)
    later = clock.now() + dt.timedelta(minutes=16)
    log = tmp_path / "scheduler-2.log"
    scheduler = run_flask(repo_root, database, "scheduler", log=log,
                       **{clock.PINNED_ENV: later.isoformat(), **smtp})
    try:
        deadline = time.monotonic() + 90
        while True:  # polling for the scheduler to finish its work
            done = _jobs_done(database) - done_before
            analysed = _analysed(database)  # before the outbox: a batch queues emails
            outbox = _outbox(database)
            if (done["escalation"] and done["outbox"] and analysed == FAMILIES
                    and all(status in ("sent", "uncertain") for _, status in outbox)):
                break
            assert time.monotonic() < deadline, (outbox, log.read_text()[-4000:])
            assert scheduler.poll() is None, log.read_text()
            time.sleep(0.2)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=30)

    outbox = _outbox(database)
    sent = {message_id for message_id, status in outbox if status == "sent"}
    uncertain = {message_id for message_id, status in outbox if status == "uncertain"}
    assert sent | uncertain == {message_id for message_id, _ in outbox}, outbox
    assert uncertain == unconfirmed  # given up on, not sent again
    received = _message_ids(mailbox)
    assert set(received.values()) == {1}, received  # no email twice
    assert sent <= set(received)  # every email marked sent arrived
    assert set(received) - sent <= unconfirmed - {mailbox.held_id}  # arrived unconfirmed
    assert mailbox.held_id not in received  # the one email lost, of all those queued
    assert len(outbox) > queued_by_the_killed_run  # the rerun queued the other families'
    # The email given up on: its recipient has the alerts in the inbox all the same.
    assert _rows(database, "SELECT count(*) FROM inbox_entry e JOIN outbox_message m "
                           f"ON m.user_id = e.user_id WHERE m.id = {mailbox.held_id}")[0][0]

    # No alert twice: one open flag per family and rule, one inbox entry per flag and person.
    assert not _rows(database, "SELECT family_id, key FROM flag WHERE state = 'open' "
                               "GROUP BY family_id, key HAVING count(*) > 1")
    assert not _rows(database, "SELECT user_id, flag_id, kind FROM inbox_entry "
                               "WHERE flag_id IS NOT NULL "
                               "GROUP BY user_id, flag_id, kind HAVING count(*) > 1")
    flags = _rows(database, "SELECT count(*) FROM flag")[0][0]
    assert flags > 0

    # And one more run over every family changes nothing and queues nothing.
    again = run_flask(repo_root, database, "analyse", "--all", **smtp)
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output
    assert "0 flags opened, 0 raised again, 0 closed, 0 updated" in output, output
    assert _rows(database, "SELECT count(*) FROM flag")[0][0] == flags
    assert len(_outbox(database)) == len(outbox)
