"""Two-step sign-in: setting it up, codes used once, recovery codes, throttling, resets."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from homelog.accounts.models import Profession, Role, SignInFailure
from homelog.config import load_config
from homelog.extensions import db
from tests.accounts.second_factor_support import (
    STEP,
    audit_entries,
    client_from_new_address,
    code,
    enrol,
    sign_in_with,
    step_start,
)
from tests.support.clock import frozen_at

SESSION = "/api/v1/session"


def _enrolled_user(app, factory):
    """A user with two-step sign-in set up at the start of a step: (user, secret, codes, t0)."""
    user = factory.user()
    t0 = step_start()
    with frozen_at(t0):
        client = client_from_new_address(app)
        assert client.sign_in(user.email).status_code == 201
        secret, recovery = enrol(client)
    return user, secret, recovery, t0


def test_setting_up_shows_a_qr_code_and_takes_a_first_code(app, factory):
    user = factory.user()
    client = client_from_new_address(app)
    with frozen_at(step_start()):
        client.sign_in(user.email)
        assert client.get(SESSION).json["second_factor"] == {"enrolled": False,
                                                             "enrol_first": False}
        started = client.post("/api/v1/session/second-factor")
        assert started.status_code == 201
        assert started.json["qr_svg"].startswith("data:image/svg+xml")
        assert started.json["uri"].startswith("otpauth://totp/Homelog:")
        secret = started.json["secret"]
        wrong = client.post("/api/v1/session/second-factor/confirm", json={"code": "000000"
                            if code(secret) != "000000" else "111111"})
        assert wrong.status_code == 422 and list(wrong.json["error"]["fields"]) == ["code"]
        confirmed = client.post("/api/v1/session/second-factor/confirm",
                                json={"code": code(secret)})
        assert confirmed.status_code == 200
        recovery = confirmed.json["recovery_codes"]
        assert len(recovery) == 10 and len(set(recovery)) == 10
        assert client.get(SESSION).json["second_factor"]["enrolled"] is True
        # Once set up, it cannot be replaced from a session (a stolen one, say).
        again = client.post("/api/v1/session/second-factor")
        assert again.status_code == 409 and again.json["error"]["code"] == "second_factor_enrolled"
    assert audit_entries(app, "user.second_factor_enrolled", user.id)


def test_any_text_as_a_code_is_refused_plainly(app, factory):
    user, _, _, t0 = _enrolled_user(app, factory)
    with frozen_at(t0 + STEP):
        for typed in ("é12345", "١٢٣٤٥٦", "12 34 56", "----", "x" * 16):
            refused = sign_in_with(client_from_new_address(app), user.email, typed)
            assert refused.status_code == 401, typed
    other = factory.user()
    client = client_from_new_address(app)
    client.sign_in(other.email)
    assert client.post("/api/v1/session/second-factor").status_code == 201
    for typed in ("é12345", "١٢٣٤٥٦"):
        refused = client.post("/api/v1/session/second-factor/confirm", json={"code": typed})
        assert refused.status_code == 422, typed


def test_an_account_with_a_second_factor_needs_its_code_whatever_the_setting(app, factory):
    assert app.config["HOMELOG_REQUIRE_SECOND_FACTOR"] is False
    user, secret, _, t0 = _enrolled_user(app, factory)
    client = client_from_new_address(app)
    with frozen_at(t0 + STEP):
        asked = sign_in_with(client, user.email, None)
        assert asked.status_code == 401
        assert asked.json["error"]["code"] == "second_factor_required"
        # Asking for the code is not a failure: nothing is counted against the account.
        with app.app_context():
            assert db.session.execute(select(func.count()).select_from(SignInFailure).where(
                SignInFailure.account == user.email)).scalar() == 0
        signed_in = sign_in_with(client, user.email, code(secret))
        assert signed_in.status_code == 201
        assert signed_in.json["second_factor"] == {"enrolled": True, "enrol_first": False}
    # A wrong password with a right code is still a wrong password.
    with frozen_at(t0 + 2 * STEP):
        wrong = sign_in_with(client_from_new_address(app), user.email, code(secret),
                             password="not the password")
        assert wrong.json["error"]["code"] == "sign_in_failed"


def test_a_replayed_code_is_refused(app, factory):
    user, secret, _, t0 = _enrolled_user(app, factory)
    with frozen_at(t0 + STEP):
        seen = code(secret)
        assert sign_in_with(client_from_new_address(app), user.email, seen).status_code == 201
        # The same code, in its own window, from someone who saw it: refused.
        replayed = sign_in_with(client_from_new_address(app), user.email, seen)
        assert replayed.status_code == 401
        assert replayed.json["error"]["code"] == "second_factor_failed"
    # Twenty seconds on the code is still the one on screen (and inside the accepted
    # drift), and still refused; an older code, still inside the drift, too.
    with frozen_at(t0 + STEP + STEP * 2 / 3):
        assert sign_in_with(client_from_new_address(app), user.email, seen).status_code == 401
        older = code(secret, t0)
        assert sign_in_with(client_from_new_address(app), user.email, older).status_code == 401
    # The next code works.
    with frozen_at(t0 + 2 * STEP):
        assert sign_in_with(client_from_new_address(app), user.email,
                            code(secret)).status_code == 201


def test_the_code_used_to_set_it_up_cannot_sign_in(app, factory):
    user, secret, _, t0 = _enrolled_user(app, factory)
    with frozen_at(t0):
        replayed = sign_in_with(client_from_new_address(app), user.email, code(secret))
        assert replayed.status_code == 401


def _wrong(secret: str) -> str:
    right = code(secret)
    return next(guess for guess in ("123456", "654321", "111111") if guess != right
                and guess not in (code(secret, step_start() - STEP),
                                  code(secret, step_start() + STEP)))


def test_wrong_codes_are_refused_counted_and_audited(app, factory):
    user, secret, _, t0 = _enrolled_user(app, factory)
    limit = app.config["HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT"]
    attacker = client_from_new_address(app)  # knows the password, not the phone
    with frozen_at(t0 + STEP):
        guess = _wrong(secret)
        for _ in range(limit):
            refused = sign_in_with(attacker, user.email, guess)
            assert refused.status_code == 401
            assert refused.json["error"]["code"] == "second_factor_failed"
        throttled = sign_in_with(attacker, user.email, code(secret))
        assert throttled.status_code == 429  # even the right code, from there
        with app.app_context():
            counted = db.session.execute(select(func.count()).select_from(SignInFailure).where(
                SignInFailure.account == user.email)).scalar()
        assert counted == limit
        # The real user, signing in from elsewhere, is not locked out.
        owner = client_from_new_address(app)
        assert sign_in_with(owner, user.email, code(secret)).status_code == 201
        assert owner.get("/api/v1/families").status_code == 200
    failures = audit_entries(app, "session.second_factor_failed", user.id)
    assert len(failures) == limit
    assert failures[0].detail["address"].startswith("203.0.113.")
    assert guess not in json.dumps([entry.detail for entry in failures])


def test_a_recovery_code_works_once(app, factory):
    user, _, recovery, t0 = _enrolled_user(app, factory)
    with frozen_at(t0 + STEP):
        # As someone might type it off paper: capitals, spaces instead of dashes.
        typed = recovery[3].upper().replace("-", " ")
        assert sign_in_with(client_from_new_address(app), user.email, typed).status_code == 201
        again = sign_in_with(client_from_new_address(app), user.email, recovery[3])
        assert again.status_code == 401 and again.json["error"]["code"] == "second_factor_failed"
        # The others still work, once each.
        assert sign_in_with(client_from_new_address(app), user.email,
                            recovery[4]).status_code == 201
    started = [entry for entry in audit_entries(app, "session.start", user.id)
               if entry.detail and entry.detail.get("second_factor") == "recovery_code"]
    assert [entry.detail["recovery_codes_left"] for entry in started] == [9, 8]


def test_an_administrator_resets_it_audited_and_the_user_sets_it_up_again(app, factory):
    user, secret, _, t0 = _enrolled_user(app, factory)
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    practitioner = factory.user()
    url = f"/api/v1/users/{user.id}/second-factor"
    with frozen_at(t0 + STEP):
        signed_in = client_from_new_address(app)
        assert sign_in_with(signed_in, user.email, code(secret)).status_code == 201
        colleague = client_from_new_address(app)
        colleague.sign_in(practitioner.email)
        assert colleague.delete(url).status_code == 403
        administrator = client_from_new_address(app)
        administrator.sign_in(admin.email)
        assert administrator.delete(url).status_code == 204
        assert signed_in.get(SESSION).status_code == 401  # their sessions have ended
    resets = audit_entries(app, "user.second_factor_reset")
    assert [(entry.user_id, entry.target_id) for entry in resets][-1] == (admin.id, user.id)
    # Where a second factor is required, the next sign-in is to set it up again.
    with frozen_at(t0 + 2 * STEP), pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "HOMELOG_REQUIRE_SECOND_FACTOR", True)
        client = client_from_new_address(app)
        again = sign_in_with(client, user.email, None)
        assert again.status_code == 201
        assert again.json["second_factor"] == {"enrolled": False, "enrol_first": True}


def test_production_requires_a_second_factor_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("HOMELOG_SECRET_KEY", "a-secret")
    monkeypatch.delenv("HOMELOG_REQUIRE_SECOND_FACTOR", raising=False)
    monkeypatch.setenv("HOMELOG_ENV", "production")
    assert load_config(str(tmp_path))["HOMELOG_REQUIRE_SECOND_FACTOR"] is True
    monkeypatch.setenv("HOMELOG_ENV", "development")
    assert load_config(str(tmp_path))["HOMELOG_REQUIRE_SECOND_FACTOR"] is False
    monkeypatch.setenv("HOMELOG_REQUIRE_SECOND_FACTOR", "true")
    assert load_config(str(tmp_path))["HOMELOG_REQUIRE_SECOND_FACTOR"] is True


def test_where_required_a_new_account_can_only_set_it_up(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "HOMELOG_REQUIRE_SECOND_FACTOR", True)
    user = factory.user()
    client = client_from_new_address(app)
    t0 = step_start()
    with frozen_at(t0):
        started = sign_in_with(client, user.email, None)
        assert started.status_code == 201
        assert started.json["second_factor"] == {"enrolled": False, "enrol_first": True}
        refused = client.get("/api/v1/families")
        assert refused.status_code == 403
        assert refused.json["error"]["code"] == "second_factor_enrolment_required"
        assert client.post("/api/v1/session/confirm",
                           json={"password": "correct horse battery staple"}).status_code == 403
        assert client.get(SESSION).json["second_factor"]["enrol_first"] is True
        assert client.get("/api/v1/openapi.json").status_code == 200  # public stays public
        secret, _ = enrol(client)
        # Set up with a code just now: the session may do everything.
        assert client.get("/api/v1/families").status_code == 200
        assert client.get(SESSION).json["second_factor"] == {"enrolled": True,
                                                             "enrol_first": False}
    with frozen_at(t0 + STEP):
        later = client_from_new_address(app)
        assert sign_in_with(later, user.email, None).status_code == 401
        assert sign_in_with(later, user.email, code(secret)).status_code == 201


def test_the_demo_command_prints_the_current_code(app, factory, monkeypatch):
    user, secret, _, t0 = _enrolled_user(app, factory)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "code", user.email])
    assert refused.exit_code != 0 and "HOMELOG_ENV=development" in refused.output
    monkeypatch.setitem(app.config, "HOMELOG_ENV", "development")
    with frozen_at(t0 + STEP):
        printed = runner.invoke(args=["users", "code", user.email])
        assert printed.exit_code == 0, printed.output
        assert printed.output.strip() == code(secret)
    other = factory.user()
    assert "has not set up" in runner.invoke(args=["users", "code", other.email]).output


def test_the_reset_command_is_audited(app, factory):
    user, _, _, _ = _enrolled_user(app, factory)
    result = app.test_cli_runner().invoke(args=["users", "reset-second-factor", user.email])
    assert result.exit_code == 0, result.output
    entry = audit_entries(app, "user.second_factor_reset")[-1]
    assert (entry.user_id, entry.target_id, entry.basis) == (None, user.id, "administrator")
    assert sign_in_with(client_from_new_address(app), user.email, None).status_code == 201
