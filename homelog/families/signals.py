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


@dataclass(frozen=True)
class SharedReference:
    """A new family was opened with the reference of an earlier one its creator cannot open."""

    family_id: int      # the earlier family, whose lead is to be told
    new_family_id: int
    creator_id: int
    creator: str        # name, profession and agency, as the lead is to read it


#: sent with (sender=app, sharing=SharedReference, now=datetime) inside the request that
#: opened the new family: the earlier family's lead is to be told at once
reference_shared = families_signals.signal("reference-shared")
