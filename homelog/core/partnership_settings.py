"""The partnership's own values for its settings, stored by name (defaults are in code).

One store for every setting an administrator may change: the concern level of the scoring
scale (rubric/scale.py), the engine's thresholds and schedules and how long records are
kept (engine/parameters.py). A name with no row follows its default, so a partnership that
changed nothing follows the defaults as they evolve. It lives in core because the scale,
which visits validation reads, sits below the engine that lists the other settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from homelog.core.db import JSONType, UTCDateTime
from homelog.extensions import db


class PartnershipSetting(db.Model):
    """A partnership's value for one setting (the table keeps its first name, from when
    the engine's parameters were its only settings)."""

    __tablename__ = "engine_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


def stored_values() -> dict[str, Any]:
    """Every setting the partnership has set, by name."""
    return dict(db.session.execute(
        select(PartnershipSetting.name, PartnershipSetting.value)).all())


def stored_value(name: str) -> Any | None:
    """The partnership's value for one setting, or None where it follows the default."""
    return db.session.execute(
        select(PartnershipSetting.value).where(PartnershipSetting.name == name)).scalar()


def store(name: str, value: Any, now: dt.datetime, by_id: int | None) -> None:
    """Set one setting's value (flushes; the request or job boundary commits)."""
    row = db.session.get(PartnershipSetting, name)
    if row is None:
        db.session.add(PartnershipSetting(name=name, value=value, updated_at=now,
                                          updated_by_id=by_id))
    elif row.value != value:
        row.value, row.updated_at, row.updated_by_id = value, now, by_id
    db.session.flush()
