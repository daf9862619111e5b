"""Flags: raised inside the request for immediate concerns, acknowledged with a response,
reopened as linked occurrences, and safe-sleep flags that never close by themselves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from homelog.accounts.models import Profession, Role
from homelog.alerts.models import InboxEntry
from homelog.engine import services
from homelog.engine.models import FamilyEngineState
from homelog.engine.state import due_family_ids
from homelog.engine.steps import analysis
from homelog.extensions import db
from tests.engine.support import analyse, at_days_ago, flags_of
from tests.factories import visit_body
from tests.support import clock


def _concern_flags(flags: list[dict]) -> list[dict]:
    return [flag for flag in flags if flag["kind"] == "immediate_concern"]


def test_an_immediate_concern_raises_its_flag_within_the_request(app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client = make_client()
    client.sign_in(practitioner.email)

    response = client.submit_visit(family.id, visit_body(
        concerns=["no_food"], notes="No food or formula in the flat."))

    assert response.status_code == 201, response.json
    visit_id = response.json["id"]
    listed = client.get(f"/api/v1/families/{family.id}/flags?state=open")
    assert listed.status_code == 200
    (flag,) = [flag for flag in listed.json if flag["kind"] == "immediate_concern"]
    assert flag["severity"] == "immediate" and flag["state"] == "open"
    assert flag["evidence_visit_ids"] == [visit_id]
    assert "No food or formula" in flag["explanation"]
    assert flag["safe_sleep"] is False
    with app.app_context():
        # No engine run happened: the request did it, and left the family for the next run.
        state = db.session.get_one(FamilyEngineState, family.id)
        assert state.analysed_version == -1 and state.version == 1
        told = db.session.execute(select(InboxEntry.user_id).where(
            InboxEntry.flag_id == flag["id"])).scalars().all()
        assert sorted(told) == sorted([practitioner.id, family.lead.id])


def test_a_visit_is_kept_when_its_flag_cannot_be_raised(app, factory, make_client,
                                                        monkeypatch):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client = make_client()
    client.sign_in(practitioner.email)

    def broken(*_args, **_kwargs):
        raise RuntimeError("analysis broke")

    monkeypatch.setattr(analysis, "analyse", broken)
    response = client.submit_visit(family.id, visit_body(
        concerns=["no_food"], notes="No food in the flat."))
    assert response.status_code == 201, response.json
    assert _concern_flags(flags_of(app, family.id)) == []
    monkeypatch.undo()

    analyse(app, [family.id])  # the next run raises it
    (flag,) = _concern_flags(flags_of(app, family.id))
    assert flag["evidence_visit_ids"] == [response.json["id"]]


def test_acknowledging_records_who_when_and_what_was_decided(app, factory, make_client):
    practitioner = factory.user()
    outsider = factory.lead()
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(1), concerns=["no_food"])
    (flag,) = _concern_flags(flags_of(app, family.id))
    url = f"/api/v1/flags/{flag['id']}/acknowledge"
    lead, member, stranger = make_client(), make_client(), make_client()
    lead.sign_in(family.lead.email)
    member.sign_in(practitioner.email)
    stranger.sign_in(outsider.email)

    assert stranger.post(url, json={"response": "x"}).status_code == 404
    assert member.post(url, json={"response": "Seen it"}).status_code == 403
    assert lead.post(url, json={"response": "   "}).status_code == 422
    answer = lead.post(url, json={"response": "Food bank referral made today; "
                                              "visit again tomorrow."})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["state"] == "acknowledged"
    assert body["acknowledgement"]["by"]["id"] == family.lead.id
    assert body["acknowledgement"]["response"].startswith("Food bank referral")
    at = dt.datetime.fromisoformat(body["acknowledgement"]["at"])
    assert abs(at - clock.now()) < dt.timedelta(minutes=1)

    again = lead.post(url, json={"response": "Again"})
    assert again.status_code == 409 and again.json["error"]["code"] == "flag_acknowledged"
    acknowledged = lead.get(f"/api/v1/families/{family.id}/flags?state=acknowledged").json
    assert [item["id"] for item in acknowledged] == [flag["id"]]
    assert lead.get(f"/api/v1/families/{family.id}/flags?state=nonsense").status_code == 422

    closed = lead.post(url, json={"response": "Food in the cupboards at today's visit.",
                                  "close": True})
    assert closed.status_code == 200
    assert closed.json["state"] == "closed"
    assert closed.json["closure"]["reason"] == "closed_by_person"
    assert closed.json["closure"]["by"]["id"] == family.lead.id
    assert closed.json["acknowledgement"]["response"].startswith("Food bank referral")
    assert lead.post(url, json={"response": "x", "close": True}).status_code == 409
    analyse(app, [family.id])  # the engine does not reopen what a person closed
    assert [f["state"] for f in _concern_flags(flags_of(app, family.id))] == ["closed"]


def test_safe_sleep_flags_never_close_by_themselves(app, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    sofa = factory.visit(family.id, practitioner.id, at_days_ago(3),
                         concerns=["unsafe_sleep"], notes="Baby asleep on the sofa with father.")
    food = factory.visit(family.id, practitioner.id, at_days_ago(2),
                         concerns=["no_food"], notes="Fridge empty.")
    flags = {flag["evidence_visit_ids"][0]: flag for flag in _concern_flags(
        flags_of(app, family.id))}
    assert flags[sofa]["safe_sleep"] is True and flags[food]["safe_sleep"] is False

    # Both concerns are amended away: only the one that is not about safe sleep closes.
    factory.amendment(sofa, practitioner.id, "Ticked the wrong box.", concerns=[])
    factory.amendment(food, practitioner.id, "Ticked the wrong box.", concerns=[])
    analyse(app, [family.id])
    analyse(app, [family.id], now=clock.now() + dt.timedelta(days=30),
            as_of=clock.now() + dt.timedelta(days=30))
    states = {flag["id"]: flag["state"] for flag in flags_of(app, family.id)}
    assert states[flags[sofa]["id"]] == "open"
    assert states[flags[food]["id"]] == "closed"


def test_an_amended_visit_keeps_its_flag_and_alerts_no_one_twice(app, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    visit = factory.visit(family.id, practitioner.id, at_days_ago(2), concerns=["no_food"],
                          notes="Fridge empty")
    (before,) = _concern_flags(flags_of(app, family.id))
    amendment = factory.amendment(visit, practitioner.id, "Spelling.", notes="Fridge empty.")
    analyse(app, [family.id])

    (after,) = _concern_flags(flags_of(app, family.id))
    assert after["id"] == before["id"] and after["state"] == "open"
    assert after["evidence_visit_ids"] == [amendment]
    assert after["key"].endswith(f":{amendment}")
    with app.app_context():
        entries = db.session.execute(select(InboxEntry).where(
            InboxEntry.flag_id == after["id"])).scalars().all()
        assert len(entries) == 2  # the lead and the practitioner, once each


def test_a_flag_true_again_after_closing_is_a_new_occurrence_linked_to_the_old(app, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))

    def below_agreed() -> list[dict]:
        return [flag for flag in flags_of(app, family.id)
                if flag["kind"] == "below_agreed" and flag["domains"] == ["kitchen"]]

    first_at = at_days_ago(30)
    factory.visit(family.id, practitioner.id, first_at, {"kitchen": 4})
    analyse(app, [family.id], as_of=first_at + dt.timedelta(hours=1),
            now=first_at + dt.timedelta(hours=1))  # each run on its own day
    (first,) = below_agreed()
    assert first["state"] == "open" and first["occurrence"] == 1

    better_at = at_days_ago(20)
    factory.visit(family.id, practitioner.id, better_at, {"kitchen": 1})
    analyse(app, [family.id], as_of=better_at + dt.timedelta(hours=1),
            now=better_at + dt.timedelta(hours=1))  # each run on its own day
    (closed,) = below_agreed()
    assert closed["state"] == "closed" and closed["close_reason"] == "no_longer_true"
    assert closed["closed_at"] == better_at + dt.timedelta(hours=1)

    worse_at = at_days_ago(10)
    factory.visit(family.id, practitioner.id, worse_at, {"kitchen": 5})
    analyse(app, [family.id], as_of=worse_at + dt.timedelta(hours=1),
            now=worse_at + dt.timedelta(hours=1))  # each run on its own day
    old, new = below_agreed()
    assert old["id"] == first["id"] and old["state"] == "closed"
    assert new["state"] == "open" and new["previous_id"] == first["id"]
    assert new["occurrence"] == 2 and new["key"] == first["key"]
    assert new["became_true_at"] == worse_at
    # The core group heard of each run's change once, as news about the kitchen concern.
    with app.app_context():
        told = db.session.execute(select(InboxEntry).where(
            InboxEntry.family_id == family.id, InboxEntry.user_id == practitioner.id)
            .order_by(InboxEntry.id)).scalars().all()
        assert [(entry.kind, entry.flag_id) for entry in told] == [("news", None)] * 3
        kitchen = [[item for item in entry.news if item["title"] == "Kitchen and food hygiene"]
                   for entry in told]
        assert [[item["change"] for item in items] for items in kitchen] == [
            ["new"], ["resolved"], ["new"]]
        assert kitchen[1][0]["sentence"].startswith("No longer found: Kitchen and food hygiene")


def test_only_the_core_group_sees_flags(factory, make_client):
    practitioner = factory.user()
    manager_elsewhere = factory.user(Role.MANAGER, Profession.TEAM_MANAGER,
                                     agency_id=practitioner.agency_id)
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(1), concerns=["no_food"])
    client = make_client()
    client.sign_in(manager_elsewhere.email)
    assert client.get(f"/api/v1/families/{family.id}/flags").status_code == 404
    assert client.get(f"/api/v1/families/{family.id}/trends").status_code == 404
    assert make_client().get(f"/api/v1/families/{family.id}/flags").status_code == 401


def test_runs_are_idempotent_and_incremental(app, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    other = factory.family(members=(practitioner,))
    for days, kitchen in ((12, 2), (9, 5), (6, 1), (3, 4)):
        factory.visit(family.id, practitioner.id, at_days_ago(days), {"kitchen": kitchen})
    first = analyse(app, [family.id, other.id])
    assert first.analysed == 2 and first.opened > 0
    flags, inbox = flags_of(app, family.id), _inbox(app, family.id)

    again = analyse(app, [family.id, other.id])
    assert (again.opened, again.reopened, again.closed, again.updated) == (0, 0, 0, 0)
    assert flags_of(app, family.id) == flags
    assert _inbox(app, family.id) == inbox

    with app.app_context():
        due = due_family_ids(clock.now())
        assert family.id not in due and other.id not in due
    factory.visit(other.id, practitioner.id, at_days_ago(1))
    with app.app_context():
        due = due_family_ids(clock.now())
        assert other.id in due and family.id not in due


def test_a_visit_recorded_while_a_batch_is_analysed_leaves_its_family_for_the_next_run(
        app, factory, monkeypatch):
    practitioner = factory.user()
    families = [factory.family(members=(practitioner,)) for _ in range(3)]
    for family in families:
        for days, kitchen in ((12, 2), (9, 5)):
            factory.visit(family.id, practitioner.id, at_days_ago(days), {"kitchen": kitchen})
    late = families[1]
    prepare = services.prepare

    def prepare_then_record(facts, *args, **kwargs):
        # The batch has been read; a visit comes in before it is written.
        if facts.family_id == late.id:
            factory.visit(late.id, practitioner.id, at_days_ago(1), {"kitchen": 1})
        return prepare(facts, *args, **kwargs)

    monkeypatch.setattr(services, "prepare", prepare_then_record)
    report = analyse(app, [family.id for family in families])
    monkeypatch.undo()

    # The batch is written in one transaction, without the family analysed from stale facts.
    assert (report.analysed, report.skipped) == (2, 1)
    assert report.messages == [f"Family {late.id} skipped: {services.RECORDED_MEANWHILE}."]
    assert flags_of(app, late.id) == []
    assert flags_of(app, families[0].id) and flags_of(app, families[2].id)
    with app.app_context():
        due = due_family_ids(clock.now())
        assert late.id in due
        assert families[0].id not in due and families[2].id not in due

    again = analyse(app, [late.id])
    assert (again.analysed, again.skipped) == (1, 0) and again.opened > 0
    with app.app_context():
        state = db.session.get_one(FamilyEngineState, late.id)
        assert state.analysed_version == state.version == 3


def _inbox(app, family_id: int) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            select(InboxEntry.user_id, InboxEntry.flag_id, InboxEntry.kind)
            .where(InboxEntry.family_id == family_id).order_by(InboxEntry.id)).all()
