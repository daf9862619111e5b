"""Failed sign-ins, wrong codes and wrong password confirmations are audit entries, kept
although the request that saw them fails, and never holding the password or the code."""

from __future__ import annotations

import json

from homelog.accounts.reauth import MAX_CONFIRM_FAILURES
from tests.accounts.second_factor_support import (
    audit_entries,
    client_from_new_address,
    sign_in_with,
)

GUESS = "Summer-guess-2026"


def _details(entries) -> str:
    return json.dumps([entry.detail for entry in entries])


def test_a_wrong_password_is_audited_without_the_password(app, factory):
    user = factory.user()
    client = client_from_new_address(app)
    assert sign_in_with(client, user.email, None, password=GUESS).status_code == 401
    [entry] = audit_entries(app, "session.sign_in_failed", user.id)
    assert (entry.agency_id, entry.basis) == (user.agency_id, "credentials")
    assert entry.detail["reason"] == "wrong_password"
    assert entry.detail["address"].startswith("203.0.113.")
    assert GUESS not in _details([entry])


def test_an_unknown_account_and_a_disabled_one_are_audited_too(app, factory):
    disabled = factory.user(active=False)
    client = client_from_new_address(app)
    sign_in_with(client, "Nobody-Here@Test.Homelog.test", None, password=GUESS)
    sign_in_with(client, disabled.email, None)
    unknown = [entry for entry in audit_entries(app, "session.sign_in_failed")
               if entry.user_id is None]
    assert unknown[-1].detail["account"] == "nobody-here@test.homelog.test"
    [refused] = audit_entries(app, "session.sign_in_failed", disabled.id)
    assert refused.detail["reason"] == "account_disabled"
    assert GUESS not in _details(unknown)
    # A password typed into the email field is not kept.
    sign_in_with(client, GUESS, None, password=GUESS)
    last = [entry for entry in audit_entries(app, "session.sign_in_failed")
            if entry.user_id is None][-1]
    assert last.detail["account"] is None
    assert GUESS.lower() not in _details([last]).lower()


def test_wrong_password_confirmations_are_audited(app, factory):
    user = factory.user()
    client = client_from_new_address(app)
    client.sign_in(user.email)
    for _ in range(MAX_CONFIRM_FAILURES):
        client.post("/api/v1/session/confirm", json={"password": GUESS})
    entries = audit_entries(app, "session.confirm_failed", user.id)
    assert [entry.detail["failures"] for entry in entries] == list(
        range(1, MAX_CONFIRM_FAILURES + 1))
    assert [entry.detail["session_ended"] for entry in entries][-2:] == [False, True]
    assert GUESS not in _details(entries)


def test_the_chain_still_verifies_with_kept_entries(app, factory):
    from homelog.audit.verify import verify_chain

    user = factory.user()
    sign_in_with(client_from_new_address(app), user.email, None, password=GUESS)
    with app.app_context():
        assert verify_chain().intact
