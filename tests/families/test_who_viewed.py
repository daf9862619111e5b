"""The "who has viewed this family" report: every access, a page at a time, by person."""

from homelog.accounts.models import Profession, Role
from homelog.audit.services import Actor, record
from homelog.extensions import db


def _many_views(app, family_id, user_id, agency_id, count):
    with app.app_context():
        for _ in range(count):
            record(Actor(user_id, agency_id), "timeline.view", basis="core_group_member",
                   family_id=family_id, target_type="family", target_id=family_id)
        db.session.commit()


def test_the_report_pages_past_500_entries_and_filters_by_person(app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    _many_views(app, family.id, practitioner.id, practitioner.agency_id, 520)
    lead = make_client()
    lead.sign_in(family.lead.email)
    url = f"/api/v1/families/{family.id}/who-viewed"

    seen, before = [], None
    while True:
        page = lead.get(url, query_string={"limit": 200, **({"before": before} if before
                                                             else {})}).json
        seen += page["entries"]
        before = page["next_before"]
        if before is None:
            break
    ids = [entry["id"] for entry in seen]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert sum(entry["person"]["id"] == practitioner.id for entry in seen) == 520
    assert {entry["what"] for entry in seen} >= {"Opened the timeline",
                                                 "Added the family to Homelog"}

    theirs = lead.get(url, query_string={"person": practitioner.id, "limit": 200}).json
    assert {entry["person"]["id"] for entry in theirs["entries"]} == {practitioner.id}
    assert theirs["next_before"] is not None
    first = theirs["entries"][0]
    assert first["person"]["agency"]["id"] == practitioner.agency_id
    assert first["basis_words"] == "Core group"
    people = {person["id"] for person in theirs["people"]}
    assert {practitioner.id, family.lead.id} <= people

    log = lead.get(f"/api/v1/families/{family.id}/access-log",
                   query_string={"before": ids[499], "person": practitioner.id}).json
    assert log and all(entry["id"] < ids[499] for entry in log)
    assert {entry["user_id"] for entry in log} == {practitioner.id}


def test_exports_are_named_in_plain_words(app, factory, make_client):
    family = factory.family()
    with app.app_context():
        record(Actor(family.lead.id, family.lead.agency_id), "family.export",
               basis="core_group_lead", family_id=family.id, target_type="family",
               target_id=family.id, detail={"export": "summary", "format": "pdf"})
        db.session.commit()
    lead = make_client()
    lead.sign_in(family.lead.email)
    entries = lead.get(f"/api/v1/families/{family.id}/who-viewed").json["entries"]
    assert "Exported the summary PDF" in [entry["what"] for entry in entries]


def test_only_the_lead_and_managers_with_access_see_the_report(factory, make_client):
    practitioner = factory.user()
    manager = factory.user(Role.MANAGER, Profession.TEAM_MANAGER)
    family = factory.family(members=(practitioner, manager))
    outsider = factory.user(Role.MANAGER, Profession.TEAM_MANAGER)
    url = f"/api/v1/families/{family.id}/who-viewed"
    expected = {practitioner: 403, manager: 200, family.lead: 200, outsider: 404}
    for user, status in expected.items():
        client = make_client()
        client.sign_in(user.email)
        assert client.get(url).status_code == status
    bad = make_client()
    bad.sign_in(family.lead.email)
    for query in ({"limit": 0}, {"limit": 201}, {"before": 0}, {"person": "x"}, {"other": 1}):
        assert bad.get(url, query_string=query).status_code == 422, query
