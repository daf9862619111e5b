"""Signals carry news upward between features without importing upward."""

from blinker import Namespace

homelog_signals = Namespace()

#: sent with (sender=app, visit=Visit) once a visit or amendment is flushed
visit_recorded = homelog_signals.signal("visit-recorded")
#: sent with (sender=app, event=Event) once an event is flushed
event_recorded = homelog_signals.signal("event-recorded")
#: sent with (sender=app, family=Family) when a family's agreement is revised
agreement_revised = homelog_signals.signal("agreement-revised")
