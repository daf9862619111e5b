"""The daily digest: each member's inbox entries not yet mailed, counted per family (or, where
the partnership's mail is secure, each family's picture and changed concerns), in one email.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from flask import current_app
from sqlalchemy import select, update

from homelog.accounts.models import User
from homelog.accounts.services import actor_of
from homelog.alerts.models import InboxEntry, OutboxMessage
from homelog.alerts.services import NO_DETAIL, email_enabled, family_link, inbox_link, queue_email
from homelog.audit.services import record
from homelog.engine.concerns_service import family_concerns
from homelog.engine.steps.news import merged_news
from homelog.extensions import db
from homelog.families.models import CoreGroupMember, Family


def digest_recipients(now: dt.datetime) -> list[int]:
    """Users with flags not yet mailed to them (oldest entry first, so none starves)."""
    return list(db.session.execute(
        select(InboxEntry.user_id)
        .where(InboxEntry.digested_at.is_(None), InboxEntry.created_at <= now)
        .group_by(InboxEntry.user_id)
        .order_by(InboxEntry.user_id)
    ).scalars())


_CHANGE_WORDS = (("new", "new concern", "new concerns"), ("back", "back", "back"),
                 ("worse", "worse", "worse"),
                 ("resolved", "resolved", "resolved"), ("better", "better", "better"),
                 ("flag", "new flag", "new flags"))


def _changes_in_words(changes: Counter[str]) -> str:
    """'2 new concerns, 1 worse' (counts only: the email carries no detail)."""
    return ", ".join(f"{changes[change]} {one if changes[change] == 1 else many}"
                     for change, one, many in _CHANGE_WORDS if changes[change])


def _digest_body(counts: dict[tuple[int, str], Counter[str]]) -> str:
    lines = ["What has changed for families whose core group you are in, since your last "
             "digest:", ""]
    for (family_id, _), changes in sorted(counts.items()):
        lines.append(f"  {_changes_in_words(changes)}:")
        lines.append(f"    {family_link(family_id)}")
    lines += ["", f"Your inbox in Homelog: {inbox_link()}", "", NO_DETAIL]
    return "\n".join(lines) + "\n"


_CHANGE_HEADINGS = {"new": "New", "back": "Back", "worse": "Worse", "better": "Better",
                    "resolved": "Resolved"}


def _picture_body(news: dict[tuple[int, str], list[dict[str, str]]]) -> str:
    """The digest for a partnership whose mail is secure: each family's picture as it
    stands now, then what changed, each concern with its sentence."""
    lines = ["What has changed for families whose core group you are in, since your last "
             "digest.", ""]
    for (family_id, reference), items in sorted(news.items(), key=lambda item: item[0][1]):
        lines += [f"Family {reference}", ""]
        lines += [f"  {sentence}" for sentence in family_concerns(family_id)["picture"]]
        lines.append("")
        said = [item for item in items if item["change"] in _CHANGE_HEADINGS]
        for item in merged_news([], said):
            lines.append(f"  - {_CHANGE_HEADINGS[item['change']]}: {item['sentence']}")
        flags = sum(item["change"] == "flag" for item in items)
        if flags:
            lines.append(f"  - {flags} urgent flag{'s' if flags > 1 else ''} (already sent "
                         "to you on its own)")
        lines += ["", f"  {family_link(family_id)}", ""]
    lines.append(f"Your inbox in Homelog: {inbox_link()}")
    return "\n".join(lines) + "\n"


def _pictures_in_mail() -> bool:
    return current_app.config.get("HOMELOG_MAIL_DETAIL") == "picture"


def send_digest(user_id: int, day: dt.date, now: dt.datetime) -> bool:
    """Queue one digest email telling what changed for the user's families; True if one was
    queued. It gives, per family, what changed in counts and a link, naming none; where the
    partnership's mail is secure (HOMELOG_MAIL_DETAIL=picture), each family's picture and
    the changed concerns' sentences, an audited disclosure.

    At most one digest per user per day (the outbox key says so); entries are marked as
    mailed in the same transaction, so a rerun neither repeats nor loses any.
    """
    rows = db.session.execute(
        select(InboxEntry.id, InboxEntry.news, Family.id, Family.reference)
        .join(Family, Family.id == InboxEntry.family_id)
        .where(InboxEntry.user_id == user_id, InboxEntry.digested_at.is_(None),
               InboxEntry.created_at <= now)
        .order_by(InboxEntry.created_at, InboxEntry.id)
    ).all()
    user = db.session.get(User, user_id)
    if not rows or user is None:
        return False
    key = f"digest:{user_id}:{day.isoformat()}"
    mailing = email_enabled() and user.active
    if mailing and db.session.execute(select(OutboxMessage.id).where(
            OutboxMessage.dedupe_key == key)).first():
        return False  # today's digest went already: these wait for tomorrow's
    news: dict[tuple[int, str], list[dict[str, str]]] = defaultdict(list)
    for _, items, family_id, reference in rows:
        news[(family_id, reference)] += items or [{"change": "flag"}]
    queued = mailing and _queue_digest(key, user, news, now)
    db.session.execute(
        update(InboxEntry).where(InboxEntry.id.in_([row[0] for row in rows]))
        .values(digested_at=now)
    )
    return queued


def _queue_digest(key: str, user: User,
                  news: dict[tuple[int, str], list[dict[str, str]]], now: dt.datetime) -> bool:
    if _pictures_in_mail():
        # Only families the user is still in the core group of are described.
        theirs = set(db.session.execute(select(CoreGroupMember.family_id).where(
            CoreGroupMember.user_id == user.id,
            CoreGroupMember.family_id.in_([family_id for family_id, _ in news]))).scalars())
        news = {family: items for family, items in news.items() if family[0] in theirs}
        if not news:
            return False
        for family_id, _ in news:
            record(actor_of(user), "family.digest_mailed", basis="core_group_member",
                   family_id=family_id, detail={"to": user.email})
        body = _picture_body(news)
    else:
        body = _digest_body({family: Counter(item["change"] for item in items)
                             for family, items in news.items()})
    families = len(news)
    subject = f"Homelog: news for {families} of your famil{'ies' if families != 1 else 'y'}"
    queue_email(key, user.id, user.email, "digest", subject, body, now)
    return True


