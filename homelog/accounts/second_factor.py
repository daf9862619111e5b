"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238) after the password.

* Setting up: a new secret is shown as a QR code and as text; it counts once the person
  has typed a first code from their app. Ten recovery codes are then shown, once.
* Codes are six digits for a 30-second time step; one step either side is accepted (a
  phone's clock a little out). Each code works once: the last step taken is stored, and
  a code for that step or an earlier one is refused, so a code seen over a shoulder or
  in a log cannot be replayed.
* Recovery codes (for a lost phone) are random, stored as SHA-256 hashes (they are
  long and random, so a slow hash adds nothing), and each works once.
* An administrator can reset it (accounts/services.py): the person sets it up again.

Whether every sign-in needs it is HOMELOG_REQUIRE_SECOND_FACTOR (on in production); an
account that has set it up always needs its code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, insert, select, update

from homelog.accounts.models import RecoveryCode, SecondFactor, User
from homelog.core.errors import ApiError, invalid
from homelog.core.time import utcnow
from homelog.extensions import db

ISSUER = "Homelog"
RECOVERY_CODE_COUNT = 10
_DRIFT_STEPS = 1  # steps either side of now whose code is accepted
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_GROUPS, _RECOVERY_GROUP_LENGTH = 3, 4  # xxxx-xxxx-xxxx: about 59 bits
_TOTP_CODE = re.compile(r"[0-9]{6}")


def required() -> bool:
    """Whether every sign-in needs a second factor (HOMELOG_REQUIRE_SECOND_FACTOR)."""
    return bool(current_app.config["HOMELOG_REQUIRE_SECOND_FACTOR"])


def _factor(user_id: int) -> SecondFactor | None:
    return db.session.get(SecondFactor, user_id)


def is_enrolled(user_id: int) -> bool:
    """Whether the user has set up (and confirmed) an authenticator app."""
    factor = _factor(user_id)
    return factor is not None and factor.confirmed_at is not None


@dataclass(frozen=True)
class Enrolment:
    """What the person needs to add Homelog to their authenticator app."""

    secret: str
    uri: str  # otpauth://, what the QR code holds
    qr_svg: str  # the QR code, as an SVG data: URI for an <img>


def start_enrolment(user: User) -> Enrolment:
    """Make a new secret for the user to confirm with a first code (409 if already set up).

    Starting again before confirming replaces the secret: only the latest one counts.
    """
    factor = _factor(user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise ApiError(409, "second_factor_enrolled",
                       "Two-step sign-in is already set up. If you have lost your phone, sign "
                       "in with a recovery code or ask an administrator to reset it.")
    secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
    if factor is None:
        db.session.add(SecondFactor(user_id=user.id, secret=secret, created_at=utcnow()))
    else:
        factor.secret, factor.created_at, factor.last_time_step = secret, utcnow(), None
    db.session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    return Enrolment(secret, uri, qr.svg_data_uri(scale=5, border=4, title="QR code"))


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Check the first code from the app; the second factor then counts. Returns the ten
    recovery codes, the only time they are shown (422 naming `code` if it is wrong)."""
    factor = _factor(user.id)
    if factor is None or factor.confirmed_at is not None:
        raise ApiError(409, "no_enrolment_started",
                       "Start setting up two-step sign-in first.")
    step = _matching_step(factor.secret, code, utcnow())
    if step is None:
        raise invalid({"code": ["That code did not match. Check the time on your phone and "
                                "enter the code your app shows now."]},
                      "The code did not match.")
    factor.confirmed_at = utcnow()
    factor.last_time_step = step
    db.session.flush()
    return _new_recovery_codes(user.id)


def spend_code(user_id: int, code: str) -> str | None:
    """Use a code at sign-in: "totp" or "recovery_code" for the kind that worked, or None.

    Each code works once, even if two requests bring it at the same moment: the step (or
    the recovery code) is taken by a conditional UPDATE that only one of them can win.
    """
    factor = _factor(user_id)
    if factor is None or factor.confirmed_at is None:
        return None
    typed = re.sub(r"[\s-]", "", code)
    if _TOTP_CODE.fullmatch(typed):
        return "totp" if _spend_step(factor, typed) else None
    return "recovery_code" if _spend_recovery_code(user_id, typed.lower()) else None


def _spend_step(factor: SecondFactor, code: str) -> bool:
    step = _matching_step(factor.secret, code, utcnow())
    if step is None:
        return False
    taken = db.session.execute(
        update(SecondFactor)
        .where(SecondFactor.user_id == factor.user_id,
               SecondFactor.last_time_step.is_(None) | (SecondFactor.last_time_step < step))
        .values(last_time_step=step)
        .execution_options(synchronize_session=False))
    return taken.rowcount == 1


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step (now, or one either side) whose code this is, if any."""
    typed = re.sub(r"\s", "", code).encode()  # bytes: compare_digest refuses non-ASCII str
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    matched = None
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), typed):
            matched = step
    return matched


def current_code(user_id: int) -> str | None:
    """The code the user's app shows now (for trying the demo), or None if not set up."""
    factor = _factor(user_id)
    if factor is None:
        return None
    return pyotp.TOTP(factor.secret).at(utcnow())


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_recovery_code() -> str:
    groups = ("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
              for _ in range(_RECOVERY_GROUPS))
    return "-".join(groups)


def _new_recovery_codes(user_id: int) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    now = utcnow()
    db.session.execute(insert(RecoveryCode), [
        {"user_id": user_id, "code_hash": _hash_recovery_code(code.replace("-", "")),
         "created_at": now} for code in codes])
    return codes


def _spend_recovery_code(user_id: int, code: str) -> bool:
    taken = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None),
               RecoveryCode.code_hash == _hash_recovery_code(code))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False))
    return taken.rowcount == 1


def recovery_codes_left(user_id: int) -> int:
    """How many of the user's recovery codes are still unused."""
    return db.session.execute(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).scalar_one()


def forget(user_id: int) -> bool:
    """Remove the user's second factor and recovery codes; whether there was one."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    removed = db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
    return removed.rowcount > 0
