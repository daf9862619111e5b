"""Passwords: the breached list, changing your own, a forgotten one by an emailed link, and
a new account's first one. Real SMTP (aiosmtpd); time frozen, never slept."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import select

from homelog.accounts import passwords
from homelog.accounts.models import Profession, Role, User
from homelog.alerts.mail import deliver_due
from homelog.audit.models import AuditEntry
from homelog.extensions import db
from tests.support import clock
from tests.support.api_client import PASSWORD, ApiClient

CHANGE = "/api/v1/session/password"
FORGOT = "/api/v1/password-reset"
SET = "/api/v1/password-reset/complete"
STRONG = "violet kettle under the stairs"


def _deliver(app) -> None:
    with app.app_context():
        deliver_due(clock.now(), "test")
        db.session.remove()


def _links(smtp_server, address: str) -> list[str]:
    found = []
    for message in smtp_server.mailbox.to(address):
        found += re.findall(r"https://homelog\.test/set-password#token=([\w-]+)",
                            message.get_content())
    return found


def _actions(app, user_id: int) -> list[tuple[str, dict | None]]:
    with app.app_context():
        rows = db.session.execute(select(AuditEntry.action, AuditEntry.detail).where(
            (AuditEntry.user_id == user_id) | ((AuditEntry.target_type == "user")
                                               & (AuditEntry.target_id == user_id)))
            .order_by(AuditEntry.id)).all()
        return [(action, detail) for action, detail in rows]


# --- the breached list -----------------------------------------------------------------------

def test_the_list_is_a_real_one():
    assert len(passwords.common_passwords()) >= 100_000


@pytest.mark.parametrize("password", [
    "Password1!", "Summer2026", "iloveyou2", "qwertyuiop", "letmein!", "Sunshine123",
    "FOOTBALL", "trustno1"])
def test_breached_passwords_are_refused(password):
    assert passwords.is_common(password)
    assert passwords.COMMON_MESSAGE in passwords.policy_problems(password)


@pytest.mark.parametrize("password", [
    PASSWORD, STRONG, "Tangerine-Otter-Marble 42", "my 3 cats hate mondays"])
def test_strong_passphrases_are_accepted(password):
    assert passwords.policy_problems(password, "someone@test.homelog.test") == []


def test_a_check_is_well_under_a_millisecond_once_loaded():
    passwords.common_passwords()
    started = time.perf_counter()
    for number in range(2000):
        passwords.is_common(f"Some words of mine {number}!")
    assert (time.perf_counter() - started) / 2000 < 0.001


# --- changing your own password --------------------------------------------------------------

def test_changing_your_password_needs_the_current_one(client, factory):
    user = factory.user()
    client.sign_in(user.email)
    wrong = client.post(CHANGE, json={"current_password": "a guess", "new_password": STRONG})
    assert wrong.status_code == 422
    assert list(wrong.json["error"]["fields"]) == ["current_password"]
    weak = client.post(CHANGE, json={"current_password": PASSWORD,
                                     "new_password": "Summer2026"})
    assert weak.status_code == 422
    assert list(weak.json["error"]["fields"]) == ["new_password"]
    assert "criminals try first" in weak.json["error"]["fields"]["new_password"][0]


def test_changing_your_password_ends_your_other_sessions_and_is_audited(app, make_client,
                                                                        factory):
    user = factory.user()
    here, elsewhere = make_client(), make_client()
    here.sign_in(user.email)
    elsewhere.sign_in(user.email)
    changed = here.post(CHANGE, json={"current_password": PASSWORD, "new_password": STRONG})
    assert changed.status_code == 204
    assert here.get("/api/v1/session").status_code == 200
    assert elsewhere.get("/api/v1/session").status_code == 401
    assert make_client().sign_in(user.email).status_code == 401
    assert make_client().sign_in(user.email, STRONG).status_code == 201
    entries = _actions(app, user.id)
    assert "user.password_changed" in [action for action, _ in entries]
    assert not any(STRONG in str(detail) or PASSWORD in str(detail) for _, detail in entries)


# --- a forgotten password --------------------------------------------------------------------

def test_the_answer_is_the_same_for_an_unknown_email(client, factory, smtp):
    user = factory.user()
    known = client.post(FORGOT, json={"email": user.email})
    unknown = client.post(FORGOT, json={"email": "nobody.here@test.homelog.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json and known.json["email_enabled"] is True


def test_without_mail_the_app_is_told_to_ask_an_administrator(client, factory):
    answer = client.post(FORGOT, json={"email": factory.user().email})
    assert answer.status_code == 202
    assert answer.json["email_enabled"] is False
    assert "administrator" in answer.json["message"]


def test_a_reset_link_works_once_and_ends_every_session(app, client, make_client, factory,
                                                        smtp):
    user = factory.user()
    signed_in = make_client()
    signed_in.sign_in(user.email)
    assert client.post(FORGOT, json={"email": user.email.upper()}).status_code == 202
    _deliver(app)
    (message,) = smtp.mailbox.to(user.email)
    assert "family" not in message["Subject"].lower()
    (token,) = _links(smtp, user.email)
    weak = client.post(SET, json={"token": token, "password": "Password1!"})
    assert weak.status_code == 422 and list(weak.json["error"]["fields"]) == ["password"]
    assert client.post(SET, json={"token": token, "password": STRONG}).status_code == 204
    again = client.post(SET, json={"token": token, "password": STRONG + " again"})
    assert again.status_code == 422 and again.json["error"]["code"] == "link_not_valid"
    assert list(again.json["error"]["fields"]) == ["token"]
    assert signed_in.get("/api/v1/session").status_code == 401
    assert make_client().sign_in(user.email, STRONG).status_code == 201
    actions = [action for action, _ in _actions(app, user.id)]
    assert "user.password_reset_requested" in actions and "user.password_set" in actions


def test_a_reset_link_expires_after_an_hour(app, client, factory, smtp):
    user = factory.user()
    start = clock.now()
    with clock.frozen_at(start):
        client.post(FORGOT, json={"email": user.email})
        _deliver(app)
    (token,) = _links(smtp, user.email)
    with clock.frozen_at(start + dt.timedelta(minutes=61)):
        late = client.post(SET, json={"token": token, "password": STRONG})
    assert late.status_code == 422 and late.json["error"]["code"] == "link_not_valid"


def test_the_outbox_keeps_no_working_link_once_the_email_is_sent(app, client, factory, smtp):
    from homelog.alerts.models import OutboxMessage

    user = factory.user()
    client.post(FORGOT, json={"email": user.email})
    with app.app_context():
        (pending,) = db.session.execute(select(OutboxMessage.body).where(
            OutboxMessage.user_id == user.id, OutboxMessage.kind == "account")).scalars()
    assert "token=" in pending  # queued to send: it must hold the link until then
    _deliver(app)
    (token,) = _links(smtp, user.email)
    with app.app_context():
        (kept,) = db.session.execute(select(OutboxMessage.body).where(
            OutboxMessage.user_id == user.id, OutboxMessage.kind == "account")).scalars()
    assert token not in kept and "token=" not in kept
    assert client.post(SET, json={"token": token, "password": STRONG}).status_code == 204


def test_link_lifetimes_are_read_from_the_environment_and_checked(monkeypatch, tmp_path):
    from homelog.config import ConfigError, load_config

    monkeypatch.setenv("HOMELOG_ENV", "development")
    monkeypatch.setenv("HOMELOG_RESET_LINK_MINUTES", "15")
    monkeypatch.setenv("HOMELOG_WELCOME_LINK_DAYS", "3")
    config = load_config(str(tmp_path))
    assert (config["HOMELOG_RESET_LINK_MINUTES"], config["HOMELOG_WELCOME_LINK_DAYS"]) == (15, 3)
    for name, value in (("HOMELOG_RESET_LINK_MINUTES", "0"), ("HOMELOG_WELCOME_LINK_DAYS", "90")):
        with monkeypatch.context() as bad:
            bad.setenv(name, value)
            with pytest.raises(ConfigError, match=name):
                load_config(str(tmp_path))


def test_a_shorter_reset_link_setting_is_obeyed(app, client, factory, smtp):
    user = factory.user()
    start = clock.now()
    app.config["HOMELOG_RESET_LINK_MINUTES"] = 15
    try:
        with clock.frozen_at(start):
            client.post(FORGOT, json={"email": user.email})
            _deliver(app)
        (token,) = _links(smtp, user.email)
        with clock.frozen_at(start + dt.timedelta(minutes=16)):
            late = client.post(SET, json={"token": token, "password": STRONG})
    finally:
        app.config["HOMELOG_RESET_LINK_MINUTES"] = 60
    assert late.status_code == 422 and late.json["error"]["code"] == "link_not_valid"


def test_a_newer_link_ends_the_older_one(app, client, factory, smtp):
    user = factory.user()
    client.post(FORGOT, json={"email": user.email})
    client.post(FORGOT, json={"email": user.email})
    _deliver(app)
    older, newer = _links(smtp, user.email)
    assert client.post(SET, json={"token": older, "password": STRONG}).status_code == 422
    assert client.post(SET, json={"token": newer, "password": STRONG}).status_code == 204


def test_asking_again_and_again_is_throttled(app, factory, smtp):
    user = factory.user()
    client = ApiClient(app, address="203.0.113.50")  # its own address: others stay unslowed
    answers = [client.post(FORGOT, json={"email": user.email}).status_code
               for _ in range(app.config["HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT"] + 1)]
    assert answers[-1] == 429
    _deliver(app)
    assert len(smtp.mailbox.to(user.email)) <= 3  # and no more than three emails an hour


# --- administrators never set or see a working password --------------------------------------

def _new_user_body(agency_id: int) -> dict:
    return {"email": f"new.{time.monotonic_ns()}@test.homelog.test", "name": "New Person",
            "agency_id": agency_id, "role": "practitioner", "profession": "midwife"}


def test_an_administrator_cannot_give_a_password(client, factory):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client.sign_in(admin.email)
    body = {**_new_user_body(admin.agency_id), "password": PASSWORD}
    assert client.post("/api/v1/users", json=body).status_code == 422


def test_a_new_account_has_no_password_until_its_owner_sets_one(app, client, make_client,
                                                                 factory, smtp):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client.sign_in(admin.email)
    body = _new_user_body(admin.agency_id)
    created = client.post("/api/v1/users", json=body)
    assert created.status_code == 201
    assert created.json["password_link_emailed"] is True
    assert created.json["password_link"] is None
    with app.app_context():
        stored = db.session.get(User, created.json["id"]).password_hash
    assert not stored.startswith("$argon2")
    for guess in ("", PASSWORD, stored):
        assert make_client().sign_in(body["email"], guess or "x").status_code == 401
    _deliver(app)
    (token,) = _links(smtp, body["email"])
    assert client.post(SET, json={"token": token, "password": STRONG}).status_code == 204
    assert make_client().sign_in(body["email"], STRONG).status_code == 201
    actions = [action for action, _ in _actions(app, created.json["id"])]
    assert "user.create" in actions and "user.password_set" in actions


def test_without_mail_the_administrator_gets_a_link_to_hand_over(app, client, make_client,
                                                                 factory):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client.sign_in(admin.email)
    body = _new_user_body(admin.agency_id)
    start = clock.now()
    with clock.frozen_at(start):
        created = client.post("/api/v1/users", json=body)
    assert created.status_code == 201 and created.json["password_link_emailed"] is False
    token = created.json["password_link"].split("#token=")[1]
    with clock.frozen_at(start + dt.timedelta(days=7, minutes=1)):
        late = make_client().post(SET, json={"token": token, "password": STRONG})
        assert late.status_code == 422
    # A new link from the administrator, which works within the week.
    sent = client.post(f"/api/v1/users/{created.json['id']}/password-link")
    assert sent.status_code == 201 and sent.json["emailed"] is False
    token = sent.json["link"].split("#token=")[1]
    assert make_client().post(SET, json={"token": token, "password": STRONG}).status_code == 204
    assert make_client().sign_in(body["email"], STRONG).status_code == 201


def test_asking_for_links_does_not_use_up_sign_ins(app, factory):
    user = factory.user()
    client = ApiClient(app, address="203.0.113.51")
    for _ in range(app.config["HOMELOG_SIGN_IN_FAILURES_PER_ADDRESS"] + 1):
        client.post(FORGOT, json={"email": f"n{time.monotonic_ns()}@test.homelog.test"})
    assert client.post(FORGOT, json={"email": user.email}).status_code == 429
    assert ApiClient(app, address="203.0.113.51").sign_in(user.email).status_code == 201
