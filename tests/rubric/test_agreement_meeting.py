"""The agreed baseline: who may set it and read it, who was at the meeting, its history."""

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from homelog.accounts.models import Profession, Role
from homelog.extensions import db
from tests.exports.conftest import pdf_text
from tests.factories import DOMAINS
from tests.support import clock

ATTENDEES = ["Mother", "Father", "Test health visitor, Health visitor, Agency"]


def _url(family_id: int) -> str:
    return f"/api/v1/families/{family_id}/agreement"


def _body(**overrides):
    body = {"agreed_on": clock.today().isoformat(), "levels": dict.fromkeys(DOMAINS, 2),
            "attendees": ATTENDEES, "note": "Core group meeting at the family home"}
    return {**body, **overrides}


def test_the_lead_records_who_was_there_and_everyone_in_the_core_group_reads_it(
        client, make_client, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client.sign_in(family.lead.email)
    assert client.get(_url(family.id)).json["may_revise"] is True
    saved = client.put(_url(family.id), json=_body(attendees=["  Mother ", *ATTENDEES[1:]]))
    assert saved.status_code == 200, saved.json
    assert saved.json["current"]["attendees"] == ATTENDEES  # trimmed
    assert saved.json["current"]["recorded_by"] == "Test lead_social_worker"

    reader = make_client()
    reader.sign_in(practitioner.email)
    seen = reader.get(_url(family.id))
    assert seen.status_code == 200
    assert seen.json["may_revise"] is False
    assert seen.json["current"]["attendees"] == ATTENDEES
    refused = reader.put(_url(family.id), json=_body())
    assert refused.status_code == 403
    assert len(reader.get(_url(family.id)).json["history"]) == 1


def test_a_manager_in_the_core_group_may_set_it(client, factory):
    manager = factory.user(Role.MANAGER, Profession.SOCIAL_WORKER)
    family = factory.family(members=(manager,))
    client.sign_in(manager.email)
    assert client.get(_url(family.id)).json["may_revise"] is True
    assert client.put(_url(family.id), json=_body()).status_code == 200


def test_outsiders_get_404_whatever_their_role(client, factory):
    family = factory.family()
    outsider = factory.lead()
    client.sign_in(outsider.email)
    assert client.get(_url(family.id)).status_code == 404
    assert client.put(_url(family.id), json=_body()).status_code == 404


def test_each_revision_is_kept_with_what_it_changed(client, factory):
    family = factory.family()
    client.sign_in(family.lead.email)
    earlier = (clock.today() - dt.timedelta(days=30)).isoformat()
    client.put(_url(family.id), json=_body(agreed_on=earlier,
                                           levels={**dict.fromkeys(DOMAINS, 2), "sleep": 1}))
    second = client.put(_url(family.id), json=_body(
        levels={**dict.fromkeys(DOMAINS, 2), "sleep": 1, "kitchen": 3},
        attendees=["Mother"], shared_with_parents_on=clock.today().isoformat()))
    body = second.json
    assert [revision["revision"] for revision in body["history"]] == [2, 1]
    newest, first = body["history"]
    assert newest["changes"] == [{"domain_key": "kitchen",
                                  "domain_name": "Kitchen and food hygiene",
                                  "before": 2, "after": 3}]
    assert [change["domain_key"] for change in first["changes"]] == ["sleep"]  # from the default
    assert first["attendees"] == ATTENDEES and newest["attendees"] == ["Mother"]
    assert first["agreed_on"] == earlier
    assert newest["shared_with_parents_on"] == clock.today().isoformat()
    assert first["shared_with_parents_on"] is None


def test_without_attendees_an_older_client_still_records_it(client, factory):
    family = factory.family()
    client.sign_in(family.lead.email)
    body = _body()
    del body["attendees"]
    saved = client.put(_url(family.id), json=body)
    assert saved.status_code == 200
    assert saved.json["current"]["attendees"] == []


@pytest.mark.parametrize(("change", "field"), [
    ({"agreed_on": "next week"}, "agreed_on"),
    ({"attendees": ["Mother", ""]}, "attendees"),
    ({"attendees": ["Mother", "Mother "]}, "attendees"),
    ({"attendees": ["x" * 201]}, "attendees"),
    ({"attendees": "Mother"}, "attendees"),
    ({"levels": {**dict.fromkeys(DOMAINS, 2), "kitchen": 0}}, "levels"),
    ({"shared_with_parents_on": "2020-01-01"}, "shared_with_parents_on"),
    ({"who": ["Mother"]}, "who"),
])
def test_bad_input_names_the_field(client, factory, change, field):
    family = factory.family()
    client.sign_in(family.lead.email)
    refused = client.put(_url(family.id), json=_body(**change))
    assert refused.status_code == 422, refused.json
    assert field in refused.json["error"]["fields"]
    assert client.get(_url(family.id)).json["is_default"] is True


def test_dates_cannot_be_in_the_partnerships_future(client, factory):
    family = factory.family()
    client.sign_in(family.lead.email)
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    late = client.put(_url(family.id), json=_body(agreed_on=tomorrow))
    assert list(late.json["error"]["fields"]) == ["agreed_on"]
    shared = client.put(_url(family.id), json=_body(shared_with_parents_on=tomorrow))
    assert list(shared.json["error"]["fields"]) == ["shared_with_parents_on"]


def test_who_was_there_cannot_be_rewritten_in_the_database(app, client, factory):
    family = factory.family()
    client.sign_in(family.lead.email)
    client.put(_url(family.id), json=_body())
    with app.app_context():
        with pytest.raises(DBAPIError):
            db.session.execute(text("UPDATE agreement_revision SET attendees = '[]' "
                                    "WHERE family_id = :id"), {"id": family.id})
            db.session.flush()
        db.session.rollback()


def test_the_parents_copy_says_who_was_there(client, factory):
    family = factory.family()
    client.sign_in(family.lead.email)
    client.put(_url(family.id), json=_body(attendees=["Mother", "Grandmother (maternal)"]))
    pdf = client.get(f"/api/v1/families/{family.id}/agreement.pdf")
    assert pdf.status_code == 200
    words = " ".join(pdf_text(pdf.data).split())
    assert "These people were there when we agreed it:" in words
    assert "- Mother" in words and "- Grandmother (maternal)" in words
