from homelog.accounts.models import Role
from tests.support.api_client import PASSWORD


def test_sign_in_returns_user_and_csrf_and_sets_a_strict_cookie(client, factory):
    user = factory.user()
    response = client.sign_in(user.email)
    assert response.status_code == 201
    assert response.json["user"]["id"] == user.id
    assert len(response.json["csrf_token"]) >= 32
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("homelog_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in cookie
    session = client.get("/api/v1/session")
    assert session.status_code == 200
    assert session.json["csrf_token"] == response.json["csrf_token"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, factory):
    user = factory.user()
    wrong = client.sign_in(user.email, "not the password at all")
    unknown = client.sign_in("nobody@test.homelog.test", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_sign_out_ends_the_session_on_the_server(client, factory):
    user = factory.user()
    client.sign_in(user.email)
    cookie = client.http.get_cookie("homelog_session").value
    assert client.delete("/api/v1/session").status_code == 204
    # Replaying the old cookie must not work: the session ended on the server.
    client.http.set_cookie("homelog_session", cookie)
    assert client.get("/api/v1/session").status_code == 401


def test_disabling_a_user_ends_their_sessions_at_once(make_client, factory):
    admin = factory.user(Role.ADMINISTRATOR)
    user = factory.user()
    practitioner = make_client()
    practitioner.sign_in(user.email)
    assert practitioner.get("/api/v1/session").status_code == 200
    administrator = make_client()
    administrator.sign_in(admin.email)
    response = administrator.patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert response.status_code == 200
    assert response.json["active"] is False
    assert practitioner.get("/api/v1/session").status_code == 401
    assert make_client().sign_in(user.email).status_code == 401


def test_state_changes_need_the_csrf_token(client, factory):
    user = factory.user()
    client.sign_in(user.email)
    client.csrf = None
    response = client.delete("/api/v1/session")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "csrf_failed"
    client.csrf = "wrong"
    assert client.delete("/api/v1/session").status_code == 403
    assert client.get("/api/v1/session").status_code == 200


def test_idle_session_times_out(app, client, factory):
    user = factory.user()
    client.sign_in(user.email)
    previous = app.config["HOMELOG_SESSION_IDLE_MINUTES"]
    app.config["HOMELOG_SESSION_IDLE_MINUTES"] = -1
    try:
        assert client.get("/api/v1/session").status_code == 401
    finally:
        app.config["HOMELOG_SESSION_IDLE_MINUTES"] = previous
    assert client.get("/api/v1/session").status_code == 401  # ended, not merely paused


def test_passwords_are_stored_as_argon2id(app, factory):
    from homelog.accounts.models import User
    from homelog.extensions import db

    ref = factory.user()
    with app.app_context():
        assert db.session.get(User, ref.id).password_hash.startswith("$argon2id$")


def test_weak_passwords_are_refused_with_the_field_named(client, factory):
    client.sign_in(factory.user().email)
    for password in ("short", "password123", "Password1!", "Summer2026"):
        response = client.post("/api/v1/session/password",
                               json={"current_password": PASSWORD, "new_password": password})
        assert response.status_code == 422
        assert "new_password" in response.json["error"]["fields"]
