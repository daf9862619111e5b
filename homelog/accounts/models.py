from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Boolean, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homelog.core.db import UTCDateTime
from homelog.extensions import db


class Role(enum.StrEnum):
    """What a user may do in Homelog (not their profession)."""

    PRACTITIONER = "practitioner"
    LEAD_SOCIAL_WORKER = "lead_social_worker"
    MANAGER = "manager"
    ADMINISTRATOR = "administrator"


class Profession(enum.StrEnum):
    """The practitioner's job, shown beside everything they record."""

    HEALTH_VISITOR = "health_visitor"
    MIDWIFE = "midwife"
    SOCIAL_WORKER = "social_worker"
    SOCIAL_WORK_ASSISTANT = "social_work_assistant"
    FAMILY_SUPPORT_WORKER = "family_support_worker"
    POLICE_OFFICER = "police_officer"
    HOUSING_OFFICER = "housing_officer"
    GP = "gp"
    SCHOOL_NURSE = "school_nurse"
    TEAM_MANAGER = "team_manager"
    SYSTEM_ADMINISTRATOR = "system_administrator"


PROFESSION_LABELS = {
    Profession.HEALTH_VISITOR: "Health visitor",
    Profession.MIDWIFE: "Midwife",
    Profession.SOCIAL_WORKER: "Social worker",
    Profession.SOCIAL_WORK_ASSISTANT: "Social work assistant",
    Profession.FAMILY_SUPPORT_WORKER: "Family support worker",
    Profession.POLICE_OFFICER: "Police officer",
    Profession.HOUSING_OFFICER: "Housing officer",
    Profession.GP: "GP",
    Profession.SCHOOL_NURSE: "School nurse",
    Profession.TEAM_MANAGER: "Team manager",
    Profession.SYSTEM_ADMINISTRATOR: "System administrator",
}


def _values(enum_class: type[enum.Enum]) -> list[str]:
    """Store enum values (what the API shows), not Python member names."""
    return [member.value for member in enum_class]


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=32, values_callable=_values)
    )
    profession: Mapped[Profession] = mapped_column(
        Enum(Profession, native_enum=False, length=32, values_callable=_values)
    )
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # When a session last opened for them: administrators see it beside each person.
    last_signed_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship()

    # Flask-Login's protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    @property
    def profession_label(self) -> str:
        return PROFESSION_LABELS[self.profession]

    @property
    def password_set(self) -> bool:
        """Whether they have chosen a password (a new account has none until its link is
        used: see accounts/services.py, NO_PASSWORD_PREFIX)."""
        return not self.password_hash.startswith("!")


class UserSession(db.Model):
    """A signed-in session, held on the server so that sign-out and disabling end it at once."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The last time the password was confirmed inside this session (see accounts/reauth.py).
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Wrong passwords given to confirm it since the last right one; a few end the session.
    confirm_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # Opened by someone who must set up two-step sign-in before doing anything else.
    enrol_first: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class SignInFailure(db.Model):
    """A sign-in refused for a wrong email or password: what sign-in throttling counts.

    Kept briefly (see accounts/throttle.py); the email is stored as typed (lower-cased),
    whether or not an account has it, so that guessing is counted the same either way.
    """

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    account: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_sign_in_failure_account_address_at", "account", "address", "at"),
        Index("ix_sign_in_failure_address_at", "address", "at"),
    )


class SecondFactor(db.Model):
    """A user's authenticator app (TOTP): set up when confirmed with a first code.

    The last time step a code was taken at is kept, so each code works once: a code
    seen again (or an older one still inside the window) is refused.
    """

    __tablename__ = "second_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))  # base32, as authenticator apps take it
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_time_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(db.Model):
    """One of the ten codes to sign in with when the phone is lost; each works once."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))  # SHA-256: the codes are random
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PasswordLink(db.Model):
    """A one-time link to set a password: emailed for a forgotten password ("reset"), or
    to a new account that has none yet ("welcome").

    Only a hash of the token is kept. A link ends when used, when a newer link for the same
    user is made, or at `expires_at`; `ended_at` and `end_reason` say which.
    """

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256: random token
    purpose: Mapped[str] = mapped_column(String(16))  # reset, welcome
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))  # used, superseded
