"""The inbox reads as news: one entry per family per engine run that changed its concerns,
saying what changed; an immediate concern still reaches each member at once, on its own."""

from __future__ import annotations

import datetime as dt

from tests.engine.support import analyse, at_days_ago


def _entries(client, family_id: int) -> list[dict]:
    response = client.get("/api/v1/inbox")
    assert response.status_code == 200, response.json
    return [entry for entry in response.json if entry["family"]["id"] == family_id]


def test_a_run_is_one_entry_per_family_and_an_immediate_concern_its_own(
        app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    for days, kitchen in ((20, 2), (16, 4), (12, 2), (8, 4), (4, 2), (2, 5)):
        factory.visit(family.id, practitioner.id, at_days_ago(days), {"kitchen": kitchen})
    factory.visit(family.id, practitioner.id, at_days_ago(1), {"kitchen": 5},
                  concerns=("no_food",))
    client = make_client()
    client.sign_in(practitioner.email)
    (immediate,) = _entries(client, family.id)  # raised with the visit, before any run
    assert immediate["kind"] == "opened" and immediate["flag"]["severity"] == "immediate"
    assert immediate["news"] is None

    analyse(app, [family.id])
    entries = _entries(client, family.id)
    news = [entry for entry in entries if entry["kind"] == "news"]
    assert len(entries) == 2 and len(news) == 1  # many flags opened, one entry
    (entry,) = news
    assert entry["flag"] is None and entry["read_at"] is None
    kitchen = [item for item in entry["news"] if item["title"] == "Kitchen and food hygiene"]
    assert [item["change"] for item in kitchen] == ["new"]
    assert kitchen[0]["severity"] == "high"
    assert kitchen[0]["sentence"].startswith("Kitchen and food hygiene: worse than the agreed")
    concerns = client.get(f"/api/v1/families/{family.id}/concerns").json["concerns"]
    assert kitchen[0]["sentence"] in {concern["sentence"] for concern in concerns}

    analyse(app, [family.id])  # nothing changed: nothing to tell
    assert len(_entries(client, family.id)) == 2

    # More news the same day joins the unread entry: one entry per family per day.
    factory.visit(family.id, practitioner.id, at_days_ago(0), {"kitchen": 5, "floors": 5})
    analyse(app, [family.id])
    entries = _entries(client, family.id)
    assert len(entries) == 2 and entries[0]["kind"] == "news"  # newest first
    changes = {item["title"]: item["change"] for item in entries[0]["news"]}
    assert changes.get("Floors, clutter and access") == "new", changes
    assert changes.get("Kitchen and food hygiene") == "new", changes  # still new today

    # Once read, the next change is an entry of its own.
    assert client.post(f"/api/v1/inbox/{entries[0]['id']}/read").status_code == 200
    factory.visit(family.id, practitioner.id, at_days_ago(0), {"bathroom": 5})
    analyse(app, [family.id])
    entries = _entries(client, family.id)
    assert len(entries) == 3 and entries[0]["read_at"] is None
    assert "Bathroom and toilet" in {item["title"] for item in entries[0]["news"]}


def test_a_concern_answered_that_comes_back_is_news_only_if_it_is_worse(
        app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = make_client()
    lead.sign_in(family.lead.email)
    client = make_client()
    client.sign_in(practitioner.email)

    def visit_and_run(days: int, kitchen: int) -> list[dict]:
        at = at_days_ago(days)
        factory.visit(family.id, practitioner.id, at, {"kitchen": kitchen})
        analyse(app, [family.id], as_of=at + dt.timedelta(hours=1),
                now=at + dt.timedelta(hours=1))  # each run on its own day
        return [entry for entry in _entries(client, family.id) if entry["kind"] == "news"]

    def kitchen_news(entry: dict) -> list[str]:
        return [item["change"] for item in entry["news"]
                if item["title"] == "Kitchen and food hygiene"]

    news = visit_and_run(30, 4)
    assert kitchen_news(news[0]) == ["new"]
    concerns = lead.get(f"/api/v1/families/{family.id}/concerns").json["concerns"]
    (kitchen,) = [c for c in concerns if c["key"] == "domain:kitchen"]
    answered = lead.post(f"/api/v1/families/{family.id}/concerns/acknowledge", json={
        "flag_ids": kitchen["flag_ids"], "response": "Deep clean arranged with the family."})
    assert answered.status_code == 200, answered.json
    assert kitchen_news(visit_and_run(20, 2)[0]) == ["resolved"]

    # Back at a 4, as when the core group answered it: still on the family's page, no news.
    before = len(visit_and_run(5, 4))
    assert before == 2
    concerns = client.get(f"/api/v1/families/{family.id}/concerns").json["concerns"]
    (back,) = [concern for concern in concerns if concern["key"] == "domain:kitchen"]
    assert back["occurrence"] == 2  # the same concern, come back once

    # Better again, which makes three crossings of the line: improvements not lasting is
    # something the core group was not told of when they answered, so the concern is back.
    news = visit_and_run(2, 2)
    assert kitchen_news(news[0]) == ["back"]
    (item,) = [item for item in news[0]["news"] if item["change"] == "back"]
    assert "improvements have not lasted" in item["sentence"]
    # And worse still the next day: news again.
    assert kitchen_news(visit_and_run(1, 5)[0]) == ["worse"]
