"""Put news in front of the core group: inbox entries and queued emails (the daily digest
is digest.py; escalation to managers, escalation.py).

An engine run's changes reach each member as one inbox entry per family (what concerns
are new, worse, better or resolved: engine/steps/news.py), mailed in the daily digest; an
immediate concern reaches each of them at once, on its own entry and email.

Emails name no family and say nothing about one beyond a link (email is not a secure
channel): which family, and what the flag is about, is read in Homelog after signing in. A
partnership whose mail is secure end to end may put each family's picture and changed
concerns in the daily digest (HOMELOG_MAIL_DETAIL=picture, which needs checked TLS).
Everything here flushes; the request or the job loop commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import bindparam, insert, select

from homelog.accounts.models import User
from homelog.accounts.services import actor_of
from homelog.accounts.signals import AccountEmail, account_email_wanted
from homelog.alerts.models import InboxEntry, OutboxMessage
from homelog.audit.services import record, record_each
from homelog.core.errors import not_found
from homelog.core.inserts import insert_missing
from homelog.core.time import local_date, local_zone, start_of_day
from homelog.engine.models import Flag
from homelog.engine.signals import OpenedFlag, concerns_changed, flags_opened
from homelog.engine.steps.analysis import Severity
from homelog.engine.steps.news import NewsItem, merged_news
from homelog.extensions import db
from homelog.families.models import CoreGroupMember, Family

log = logging.getLogger(__name__)

# Emails name no family (not even its reference) unless the partnership's mail is secure.
NO_DETAIL = ("This email names no family and holds no details on purpose: email is not a "
             "secure channel.")
HIGH_SEVERITIES = (Severity.HIGH.value, Severity.IMMEDIATE.value)
ENTRY_KINDS = ("news", "opened", "reopened", "escalated", "escalated_glass", "break_glass")


def email_enabled() -> bool:
    """Whether an SMTP server is configured (otherwise alerts go to the inbox only)."""
    return bool(current_app.config["HOMELOG_SMTP_HOST"])


def family_link(family_id: int) -> str:
    """Where a family's flags are read in Homelog (no family detail in the URL)."""
    return f"{current_app.config['HOMELOG_BASE_URL'].rstrip('/')}/families/{family_id}/flags"


def inbox_link() -> str:
    return f"{current_app.config['HOMELOG_BASE_URL'].rstrip('/')}/inbox"


def queue_email(dedupe_key: str, user_id: int, to: str, kind: str, subject: str, body: str,
                 now: dt.datetime) -> None:
    insert_missing(OutboxMessage.__table__, [{
        "dedupe_key": dedupe_key, "user_id": user_id, "to_address": to, "kind": kind,
        "subject": subject, "body": body, "created_at": now, "send_after": now,
        "status": "pending", "attempts": 0,
    }], ("dedupe_key",))


# --- a flag opens: tell the core group -------------------------------------------------------

_MEMBERS = (
    select(User.id, User.email)
    .join(CoreGroupMember, CoreGroupMember.user_id == User.id)
    .where(CoreGroupMember.family_id == bindparam("family_id"), User.active.is_(True))
    .order_by(User.id)
)


def _immediate_email(family_id: int) -> tuple[str, str]:
    subject = "Homelog: an urgent flag for one of your families"
    body = (
        "An urgent flag has been raised for one of the families whose core group you are "
        "in.\n\n"
        f"Please sign in to Homelog to see it and record your response:\n"
        f"{family_link(family_id)}\n\n"
        f"{NO_DETAIL}\n"
    )
    return subject, body


# Built once (not per opened flag). A plain executemany, not a multi-row INSERT ...
# RETURNING: the ids are not needed, psycopg sends the rows in one pipeline, and a
# statement with thousands of placeholders costs more to prepare on the client than the
# rows cost to insert (400 entries: 56 -> 39 ms; 6,000: 1.6 -> 0.7 s on PostgreSQL).
INSERT_ENTRIES = insert(InboxEntry.__table__)


def _group(family_id: int,
           members: dict[int, list[tuple[int, str]]] | None) -> list[tuple[int, str]]:
    group = (members or {}).get(family_id)
    if group is None:
        group = [tuple(row) for row in db.session.execute(_MEMBERS, {"family_id": family_id})]
    return group


def announce_flags(flags: list[OpenedFlag], now: dt.datetime,
                   members: dict[int, list[tuple[int, str]]] | None = None) -> int:
    """Give each active core-group member an inbox entry, and an email at once, for each
    newly opened immediate concern. Other flags reach them as news (`announce_news`).

    `members` (family id -> (user id, email) of its active core group) saves reading them
    when the caller has. Returns how many entries were made.
    """
    mailing = email_enabled()
    entries: list[dict[str, Any]] = []
    urgent_flags = [flag for flag in flags if flag.severity == Severity.IMMEDIATE.value]
    for family_id in dict.fromkeys(flag.family_id for flag in urgent_flags):
        group = _group(family_id, members)
        urgent = [flag for flag in urgent_flags if flag.family_id == family_id]
        # Mailed at once (or no email at all): no digest needed.
        entries += [{"user_id": user_id, "family_id": family_id, "flag_id": flag.id,
                     "kind": "reopened" if flag.previous_id else "opened",
                     "created_at": now, "digested_at": now}
                    for flag in urgent for user_id, _ in group]
        if mailing:
            subject, body = _immediate_email(family_id)
            for flag in urgent:
                for user_id, email in group:
                    queue_email(f"flag:{flag.id}:user:{user_id}", user_id, email,
                                 "immediate", subject, body, now)
    if entries:  # the flags are new, so their entries are too: a plain insert
        db.session.execute(INSERT_ENTRIES, entries)
    return len(entries)


def _on_flags_opened(app: Flask, flags: list[OpenedFlag], now: dt.datetime,
                     members: dict[int, list[tuple[int, str]]] | None = None,
                     **_: Any) -> None:
    announce_flags(flags, now, members)


def announce_news(news: dict[int, list[NewsItem]], now: dt.datetime,
                  members: dict[int, list[tuple[int, str]]] | None = None) -> int:
    """Give each active core-group member one inbox entry per family whose concerns an
    engine run changed, saying what changed; mailed in the next daily digest.

    At most one such entry per family per day per person: news for a family whose entry of
    today is still unread (and not yet mailed) joins that entry, the latest word on each
    concern replacing the earlier one. Returns how many entries were made or added to.
    """
    mailing = email_enabled()
    todays = _todays_news(list(news), now, mailing)
    fresh: list[dict[str, Any]] = []
    told = 0
    for family_id, items in news.items():
        said = [item.as_dict() for item in items]
        for user_id, _ in _group(family_id, members):
            entry = todays.get((user_id, family_id))
            if entry is None:
                fresh.append({"user_id": user_id, "family_id": family_id, "flag_id": None,
                              "kind": "news", "news": said, "created_at": now,
                              "digested_at": None if mailing else now})
            else:
                entry.news, entry.created_at = merged_news(entry.news or [], said), now
            told += 1
    if fresh:
        db.session.execute(INSERT_ENTRIES, fresh)
    db.session.flush()
    return told


def _todays_news(family_ids: list[int], now: dt.datetime,
                 mailing: bool) -> dict[tuple[int, int], InboxEntry]:
    """Today's unread news entries of these families (not yet mailed, when email is on)."""
    query = select(InboxEntry).where(
        InboxEntry.family_id.in_(family_ids), InboxEntry.kind == "news",
        InboxEntry.read_at.is_(None),
        InboxEntry.created_at >= start_of_day(local_date(now), local_zone()))
    if mailing:
        query = query.where(InboxEntry.digested_at.is_(None))
    return {(entry.user_id, entry.family_id): entry
            for entry in db.session.execute(query).scalars()}


def _on_concerns_changed(app: Flask, news: dict[int, list[NewsItem]], now: dt.datetime,
                         members: dict[int, list[tuple[int, str]]] | None = None,
                         **_: Any) -> None:
    announce_news(news, now, members)


# --- the inbox -------------------------------------------------------------------------------

@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    family: dict[str, Any]
    flag: dict[str, Any] | None       # the flag of an immediate concern or an escalation
    news: list[dict[str, str]] | None  # what a run changed in the family's concerns


_INBOX = (
    select(InboxEntry, Family.reference, Flag.kind, Flag.severity, Flag.state)
    .join(Family, Family.id == InboxEntry.family_id)
    .outerjoin(Flag, Flag.id == InboxEntry.flag_id)
)


def _item(row: Any) -> InboxItem:
    entry, reference, kind, severity, state = row
    flag = None if entry.flag_id is None else {
        "id": entry.flag_id, "kind": kind, "severity": severity, "state": state}
    return InboxItem(entry.id, entry.kind, entry.created_at, entry.read_at,
                     {"id": entry.family_id, "reference": reference}, flag, entry.news)


def inbox(user: User, unread_only: bool, limit: int) -> list[InboxItem]:
    """The user's inbox, newest first; the listing is audited on each family it named."""
    query = _INBOX.where(InboxEntry.user_id == user.id)
    if unread_only:
        query = query.where(InboxEntry.read_at.is_(None))
    rows = db.session.execute(
        query.order_by(InboxEntry.created_at.desc(), InboxEntry.id.desc()).limit(limit)).all()
    items = [_item(row) for row in rows]
    if items:
        record_each(actor_of(user), "inbox.view", [item.family["id"] for item in items],
                    basis="own_inbox")
    else:  # an empty inbox showed no family, but it was looked at
        record(actor_of(user), "inbox.view", basis="own_inbox")
    return items


def mark_read(user: User, entry_id: int, now: dt.datetime) -> InboxItem:
    """Mark one of the user's own inbox entries read (404 for anyone else's)."""
    row = db.session.execute(
        _INBOX.where(InboxEntry.id == entry_id, InboxEntry.user_id == user.id)).first()
    if row is None:
        raise not_found("No such inbox entry.")
    entry = row[0]
    if entry.read_at is None:
        entry.read_at = now
        db.session.flush()
    return _item(row)


def queue_account_email(email: AccountEmail, now: dt.datetime) -> None:
    """Queue an email about a person's own account (a link to set their password): sent
    by the outbox like every alert, once (its dedupe key)."""
    queue_email(email.dedupe_key, email.user_id, email.to, "account", email.subject,
                 email.body, now)


def _on_account_email_wanted(app: Flask, email: AccountEmail, now: dt.datetime,
                             **_: Any) -> None:
    queue_account_email(email, now)


def init_alerts(app: Flask) -> None:
    """Listen for flags the engine opens, and say at start-up whether email is on."""
    flags_opened.connect(_on_flags_opened, sender=app, weak=False)
    concerns_changed.connect(_on_concerns_changed, sender=app, weak=False)
    account_email_wanted.connect(_on_account_email_wanted, sender=app, weak=False)
    config = app.config
    if config["HOMELOG_SMTP_HOST"]:
        log.info("Email alerts on: sending through %s:%s as %s.", config["HOMELOG_SMTP_HOST"],
                 config["HOMELOG_SMTP_PORT"], config["HOMELOG_MAIL_FROM"])
    else:
        log.warning("Email alerts OFF: HOMELOG_SMTP_HOST is not set, so flags reach the core "
                    "group through the in-app inbox only.")
