"""One time zone rule for the times people enter: a visit's time and an event's time are
read alike, in the partnership's zone when they carry no offset, as the instant they name
when they do, and refused alike when too far ahead of the server's clock."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import visit_body
from tests.support import clock


@pytest.fixture
def family_and_client(client, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,),
                            opened_on=clock.today() - dt.timedelta(days=800))
    assert client.sign_in(practitioner.email).status_code == 201
    return family, client


def _record_both(client, family_id: int, when: str) -> tuple[str, str]:
    visit = client.submit_visit(family_id, visit_body(visited_at=when))
    event = client.post(f"/api/v1/families/{family_id}/events", json={
        "occurred_at": when, "kind": "gp_information", "summary": "Letter from the GP."})
    assert (visit.status_code, event.status_code) == (201, 201), (visit.json, event.json)
    return visit.json["visited_at"], event.json["occurred_at"]


def test_a_time_without_an_offset_is_partnership_time_for_visits_and_events(family_and_client):
    family, client = family_and_client
    assert client.get("/api/v1/app-settings").json["time_zone"] == clock.ZONE.key
    year = clock.today().year - 1
    # 1 July is in British Summer Time (UTC+1); 5 January is not.
    summer = _record_both(client, family.id, f"{year}-07-01T10:30:00")
    winter = _record_both(client, family.id, f"{year}-01-05T10:30:00")
    assert [dt.datetime.fromisoformat(at) for at in summer] == [
        dt.datetime(year, 7, 1, 9, 30, tzinfo=dt.UTC)] * 2
    assert [dt.datetime.fromisoformat(at) for at in winter] == [
        dt.datetime(year, 1, 5, 10, 30, tzinfo=dt.UTC)] * 2


def test_a_time_with_an_offset_is_the_instant_it_names_for_visits_and_events(
        family_and_client):
    family, client = family_and_client
    year = clock.today().year - 1
    # A phone set to another zone that sends its own offset still names one instant.
    both = _record_both(client, family.id, f"{year}-07-01T12:30:00+03:00")
    assert [dt.datetime.fromisoformat(at) for at in both] == [
        dt.datetime(year, 7, 1, 9, 30, tzinfo=dt.UTC)] * 2


def test_visits_and_events_too_far_ahead_are_refused_alike(family_and_client):
    family, client = family_and_client
    skew = client.get("/api/v1/app-settings").json["limits"]["clock_skew_seconds"]
    now = clock.now().replace(microsecond=0)
    # Two hours ahead: never inside the hour the clocks repeat in autumn, when a local time
    # without an offset could name either of two instants.
    ahead = (now + dt.timedelta(seconds=skew, hours=2)).astimezone(clock.ZONE)
    with clock.frozen_at(now):
        for when in (ahead.isoformat(), ahead.replace(tzinfo=None).isoformat()):
            visit = client.submit_visit(family.id, visit_body(visited_at=when))
            event = client.post(f"/api/v1/families/{family.id}/events", json={
                "occurred_at": when, "kind": "other", "summary": "Later."})
            assert (visit.status_code, event.status_code) == (422, 422)
            said = (visit.json["error"]["fields"]["visited_at"],
                    event.json["error"]["fields"]["occurred_at"])
            assert said[0] == said[1], said  # the same words for both
            local_now = now.astimezone(clock.ZONE)
            assert f"it is now {local_now:%H:%M} on {local_now.date().isoformat()} here" \
                in said[0][0]
