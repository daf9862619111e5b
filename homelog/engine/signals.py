"""News the engine sends upward (alerts listens), so the engine never imports alerts."""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

engine_signals = Namespace()


@dataclass(frozen=True)
class OpenedFlag:
    """A flag just opened: new, or a new occurrence of one that had closed (previous_id)."""

    id: int
    family_id: int
    severity: str
    previous_id: int | None


#: sent with (sender=app, flags=list[OpenedFlag], now=datetime, members=dict | None) inside
#: the transaction that opened them: all the flags one reconciliation opened (a request's
#: family, or a run's whole batch of families), together; `members`, when the run has read
#: it already, maps each family id to its active core group as (user id, email) pairs
flags_opened = engine_signals.signal("flags-opened")

#: sent with (sender=app, news=dict[int, list[NewsItem]], now=datetime, members=dict | None)
#: inside the transaction of an engine run's batch: for each family whose concerns changed,
#: what changed (engine/steps/news.py), to be told to its core group as one entry per family
concerns_changed = engine_signals.signal("concerns-changed")
