"""News families send upward (alerts listens), so families never import alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from blinker import Namespace

families_signals = Namespace()


@dataclass(frozen=True)
class BreakGlassOpening:
    """A manager has just opened a family outside their core groups, saying why."""

    family_id: int
    manager_id: int
    manager: str  # name, profession and agency, as the lead is to read it
    reason: str
    until: dt.datetime


#: sent with (sender=app, opening=BreakGlassOpening, now=datetime) inside the request that
#: granted it: the family's lead is to be told at once
break_glass_opened = families_signals.signal("break-glass-opened")
