"""News accounts send upward (alerts listens), so accounts never import alerts."""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

accounts_signals = Namespace()


@dataclass(frozen=True)
class AccountEmail:
    """An email about a person's own account (never about a family) to queue at once."""

    dedupe_key: str
    user_id: int
    to: str
    subject: str
    body: str


#: sent with (sender=app, email=AccountEmail, now=datetime) inside the request that made it
account_email_wanted = accounts_signals.signal("account-email-wanted")
