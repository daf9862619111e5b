"""News the engine sends upward (alerts listens), so the engine never imports alerts."""

from blinker import Namespace

engine_signals = Namespace()

#: sent with (sender=app, flag=Flag, now=datetime) inside the transaction that opened the flag
#: (a new flag, or a new occurrence of one that had closed: flag.previous_id is then set)
flag_opened = engine_signals.signal("flag-opened")
