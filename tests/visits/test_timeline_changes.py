"""The timeline's third kind of item: changes to the family's record, core group and
agreement, merged with visits and events by time, page by page."""

import datetime as dt

import time_machine

from tests.factories import DOMAINS
from tests.support import clock


def _record_day(factory, lead, family, start, day):
    """Travelled to `day` days after `start`: the lead signed in again, and a visit at 12:00
    and an event at 13:00 of the day before (hours after `start`), recorded now."""
    lead.sign_in(lead.email)
    base = start + dt.timedelta(days=day - 1)
    factory.visit(family.id, family.lead.id, base + dt.timedelta(hours=12))
    factory.event(family.id, family.lead.id, base + dt.timedelta(hours=13),
                  summary=f"GP letter {day}", source="GP")


def test_changes_and_agreement_revisions_page_with_visits_and_events(make_client, factory):
    member = factory.user()
    start = clock.now()
    family = factory.family(members=(member,))  # opened, and two joined: three changes
    lead = make_client()
    lead.email = family.lead.email
    url = f"/api/v1/families/{family.id}"
    with time_machine.travel(start + dt.timedelta(days=1), tick=True):
        _record_day(factory, lead, family, start, 1)
        assert lead.patch(url, json={"address": "3 Mill Lane"}).status_code == 200
    with time_machine.travel(start + dt.timedelta(days=2), tick=True):
        _record_day(factory, lead, family, start, 2)
        agreed = lead.put(f"{url}/agreement", json={
            "agreed_on": clock.today().isoformat(), "levels": dict.fromkeys(DOMAINS, 2),
            "note": "Agreed at the core group meeting"})
        assert agreed.status_code in (200, 201), agreed.json
        pages, page = [], 1
        while True:
            answer = lead.get(f"{url}/timeline", query_string={"per_page": 2, "page": page}).json
            pages.append(answer["items"])
            if not answer["has_more"]:
                break
            page += 1
        everything = lead.get(f"{url}/timeline", query_string={"per_page": 100}).json["items"]
    items = [item for chunk in pages for item in chunk]
    assert items == everything  # the pages, joined, are the whole timeline
    assert [len(chunk) for chunk in pages] == [2, 2, 2, 2, 1]
    kinds = [item.get("kind") if item["type"] == "change" else item["type"] for item in items]
    assert kinds == ["agreement_revised", "event", "visit", "details_changed",
                     "event", "visit", "member_joined", "member_joined", "opened"]
    revision = items[0]
    assert revision["summary"].startswith("Agreement recorded: ")
    assert "Note: Agreed at the core group meeting" in revision["lines"]
    assert revision["author"]["id"] == family.lead.id
    assert items[3]["lines"] == ["Address: 1 Test Street, now 3 Mill Lane"]
    assert items[3]["summary"].startswith("Family details changed by ")


def test_a_change_made_later_comes_first_whatever_the_kind(make_client, factory):
    family = factory.family()
    lead = make_client()
    lead.sign_in(family.lead.email)
    with time_machine.travel(clock.now() + dt.timedelta(minutes=5), tick=True):
        lead.sign_in(family.lead.email)
        factory.visit(family.id, family.lead.id, clock.now())
        items = lead.get(f"/api/v1/families/{family.id}/timeline").json["items"]
    assert [item["type"] for item in items] == ["visit", "change", "change"]
    assert [item["kind"] for item in items[1:]] == ["member_joined", "opened"]
