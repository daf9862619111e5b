"""Sign-in throttling: per account and address, and per address, without lockout DoS."""

from __future__ import annotations

import datetime as dt
import itertools

from flask import request
from sqlalchemy import func, insert, select, update

from homelog.accounts.models import SignInFailure
from homelog.extensions import db
from tests.support import clock
from tests.support.api_client import ApiClient

_addresses = (f"198.51.100.{n}" for n in itertools.count(1))  # documentation range


def _from_new_address(app) -> ApiClient:
    return ApiClient(app, address=next(_addresses))


def test_wrong_passwords_slow_that_account_from_that_address_only(app, factory):
    config = app.config
    limit = config["HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT"]
    user = factory.user()
    guesser = _from_new_address(app)
    for _ in range(limit):
        assert guesser.sign_in(user.email, "wrong password!").status_code == 401
    # Now even the right password is refused there, with how long to wait; no hashing done.
    refused = guesser.sign_in(user.email)
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_attempts"
    assert "wait 15 minutes" in refused.json["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= config["HOMELOG_SIGN_IN_WINDOW_MINUTES"] * 60
    # The owner elsewhere is not locked out by someone guessing from another address, and
    # the guesser's address may still sign in to other accounts.
    owner = _from_new_address(app)
    assert owner.sign_in(user.email).status_code == 201
    other = factory.user()
    assert guesser.sign_in(other.email).status_code == 201
    # Throttled attempts are not counted, so the block ends with its window.
    with app.app_context():
        counted = db.session.execute(select(func.count()).select_from(SignInFailure).where(
            SignInFailure.account == user.email.lower())).scalar()
    assert counted == limit


def test_the_block_ends_when_the_failures_leave_the_window(app, factory):
    limit = app.config["HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT"]
    user = factory.user()
    guesser = _from_new_address(app)
    for _ in range(limit):
        guesser.sign_in(user.email.upper(), "wrong password!")  # the email as typed counts
    assert guesser.sign_in(user.email).status_code == 429
    with app.app_context():  # as if the window had passed
        db.session.execute(update(SignInFailure)
                           .where(SignInFailure.account == user.email.lower())
                           .values(at=clock.now() - dt.timedelta(minutes=16)))
        db.session.commit()
    assert guesser.sign_in(user.email).status_code == 201


def test_failures_are_kept_a_day_at_most(app, factory):
    """The table does not grow without end: each new failure clears those over a day old."""
    old = {"at": clock.now() - dt.timedelta(days=2), "account": "old@x.test",
           "address": "192.0.2.1"}
    with app.app_context():
        db.session.execute(insert(SignInFailure).values(**old))
        db.session.commit()
    _from_new_address(app).sign_in("someone@x.test", "wrong password!")
    with app.app_context():
        left = db.session.execute(select(func.count()).select_from(SignInFailure).where(
            SignInFailure.account == "old@x.test")).scalar()
    assert left == 0


def test_a_right_password_clears_that_accounts_mistakes(app, factory):
    limit = app.config["HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT"]
    user = factory.user()
    person = _from_new_address(app)
    for _ in range(limit - 1):
        assert person.sign_in(user.email, "mistyped password").status_code == 401
    assert person.sign_in(user.email).status_code == 201
    for _ in range(limit - 1):  # a fresh allowance after signing in
        assert person.sign_in(user.email, "mistyped password").status_code == 401
    assert person.sign_in(user.email).status_code == 201


def test_an_address_trying_many_accounts_is_slowed_whatever_the_account(app, factory):
    limit = app.config["HOMELOG_SIGN_IN_FAILURES_PER_ADDRESS"]
    sprayer = _from_new_address(app)
    for n in range(limit):  # one guess each at many accounts, most of which do not exist
        assert sprayer.sign_in(f"nobody{n}@sprayed.homelog.test", "Winter2026!").status_code == 401
    user = factory.user()
    assert sprayer.sign_in(user.email).status_code == 429
    assert _from_new_address(app).sign_in(user.email).status_code == 201


def test_the_address_is_the_clients_behind_a_trusted_proxy(database_url, tmp_path):
    from homelog import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "HOMELOG_MEDIA_DIR": str(tmp_path), "HOMELOG_TRUSTED_PROXIES": 1})
    seen = []

    def address_seen() -> str:
        seen.append(request.remote_addr)
        return ""

    app.add_url_rule("/address-seen", "address_seen", address_seen)
    app.test_client().get("/address-seen", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen == ["203.0.113.7"]
    with app.app_context():
        db.engine.dispose()
