"""Fast dump schemas (the timeline, a visit, flags) give exactly what marshmallow's own dump
of the same schema gives, and refuse a field they could dump differently."""

from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import Schema, fields

from homelog.core.schemas import FastOutSchema
from homelog.engine.schemas import FlagOutSchema
from homelog.visits.schemas import TimelineOutSchema, VisitOutSchema

AT = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)
PERSON = {"id": 7, "name": "Test practitioner", "profession": "midwife",
          "profession_label": "Midwife", "not_shown": "secret"}
VISIT = {
    "type": "amendment", "id": 3, "at": AT, "recorded_at": AT + dt.timedelta(minutes=5),
    "agency": {"id": 2, "name": "Test agency", "not_shown": 1}, "author": PERSON,
    "announced": False, "present": ["mother"], "rooms_seen": ["kitchen"],
    "scores": {"kitchen": 3, "sleep": None}, "concerns": [], "notes": "Notes.",
    "child_presentation": "", "rubric_version": 1, "supersedes_id": 2,
    "amendment_reason": "A typing slip.", "superseded_by_id": None, "password": "no",
}
EVENT = {"type": "event", "id": 4, "at": AT, "recorded_at": AT, "agency": None,
         "author": PERSON, "kind": "other", "summary": "A letter.", "source": ""}
CHANGE = {"type": "change", "id": 5, "at": AT, "recorded_at": AT, "kind": "member_joined",
          "summary": "Joined.", "lines": ["a", "b"], "reason": "", "member": PERSON}

FLAG = {
    "id": 1, "family_id": 9, "kind": "below_agreed", "severity": "high", "state": "closed",
    "domains": [{"key": "kitchen", "name": "Kitchen", "extra": 1}], "evidence_visit_ids": [3],
    "agency_ids": [], "became_true_at": AT, "raised_at": AT, "explanation": "Worse.",
    "safe_sleep": False, "occurrence": 2, "previous_id": None, "escalated_at": None,
    "acknowledgement": {"by": {"id": 7, "name": "A lead"}, "at": AT, "response": "Seen."},
    "closure": {"at": AT, "reason": "closed_by_person", "by": None, "note": None},
    "key": "below_agreed:kitchen:concern",
}


def _marshmallows(schema: Schema, obj: object) -> object:
    return Schema.dump(schema, obj)  # marshmallow's own dump, field by field


@pytest.mark.parametrize(("schema", "obj"), [
    (TimelineOutSchema(), {"items": [VISIT, EVENT, CHANGE], "page": 1, "per_page": 20,
                           "has_more": False, "extra": True}),
    (VisitOutSchema(), {**VISIT, "family_id": 9, "visited_at": AT}),
    (VisitOutSchema(many=True), [{**VISIT, "family_id": 9}]),
    (FlagOutSchema(many=True), [FLAG, {**FLAG, "acknowledgement": None, "closure": None}]),
])
def test_a_fast_dump_is_marshmallows_dump(schema: FastOutSchema, obj: object) -> None:
    fast = schema.dump(obj)
    assert fast == _marshmallows(schema, obj)
    assert "secret" not in repr(fast) and "password" not in repr(fast)


def test_times_already_sent_as_text_go_out_as_they_are() -> None:
    dumped = VisitOutSchema().dump({"visited_at": "2026-03-29T00:30:00+00:00", "id": 1})
    assert dumped == {"id": 1, "visited_at": "2026-03-29T00:30:00+00:00"}


def test_an_object_is_read_by_its_attributes() -> None:
    class Agency:
        id, name, hidden = 2, "Test agency", "x"

    assert VisitOutSchema().dump({"agency": Agency()}) == {"agency": {"id": 2,
                                                                      "name": "Test agency"}}


def test_a_field_a_fast_dump_could_get_wrong_is_refused() -> None:
    class Computed(FastOutSchema):
        total = fields.Method("_total")

        def _total(self, obj: object) -> int:
            return 1

    with pytest.raises(TypeError, match="total: a Method field"):
        Computed().dump({})
