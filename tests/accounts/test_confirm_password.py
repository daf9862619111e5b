"""Confirming the password inside a session (for exports), and what wrong guesses cost."""

from __future__ import annotations

from homelog.accounts.reauth import MAX_CONFIRM_FAILURES
from tests.support.api_client import PASSWORD

CONFIRM = "/api/v1/session/confirm"


def test_wrong_passwords_are_refused_by_name_until_too_many_end_the_session(client, factory):
    client.sign_in(factory.user().email)
    for _ in range(MAX_CONFIRM_FAILURES - 1):
        wrong = client.post(CONFIRM, json={"password": "a guess"})
        assert wrong.status_code == 422
        assert list(wrong.json["error"]["fields"]) == ["password"]
    assert client.post(CONFIRM, json={"password": PASSWORD}).status_code == 200
    # The right password starts the count again...
    for _ in range(MAX_CONFIRM_FAILURES - 1):
        assert client.post(CONFIRM, json={"password": "a guess"}).status_code == 422
    assert client.get("/api/v1/session").status_code == 200
    # ...and too many wrong ones in a row end the session.
    ended = client.post(CONFIRM, json={"password": "another guess"})
    assert ended.status_code == 401 and ended.json["error"]["code"] == "signed_out"
    assert client.get("/api/v1/session").status_code == 401
    # Not even the right password brings that session back.
    assert client.post(CONFIRM, json={"password": PASSWORD}).status_code == 401
