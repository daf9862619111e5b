from homelog.accounts.models import Profession, Role


def test_security_headers_on_every_response(client):
    for url in ("/api/v1/health", "/api/v1/openapi.json", "/api/v1/families", "/nowhere"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "max-age" in response.headers["Strict-Transport-Security"]


def test_api_responses_are_not_cached(client):
    assert client.get("/api/v1/families").headers["Cache-Control"] == "no-store"


def test_errors_are_json_in_one_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert set(response.json["error"]) >= {"code", "message"}
    wrong_method = client.http.put("/api/v1/health")
    assert wrong_method.status_code == 405
    assert "error" in wrong_method.json


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/session", "post"), ("/api/v1/rubric", "get"), ("/api/v1/families", "post"),
        ("/api/v1/families/{family_id}/agreement", "put"),
        ("/api/v1/families/{family_id}/visits", "post"),
        ("/api/v1/visits/{visit_id}/amendments", "post"),
        ("/api/v1/families/{family_id}/events", "post"),
        ("/api/v1/families/{family_id}/timeline", "get"),
    ]:
        assert method in paths[path], (path, method)
    visit_post = paths["/api/v1/families/{family_id}/visits"]["post"]
    assert {"201", "200", "422"} <= set(visit_post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in visit_post["parameters"])


def test_production_refuses_to_start_without_a_secret(monkeypatch, tmp_path):
    import pytest

    from homelog import create_app
    from homelog.config import ConfigError

    monkeypatch.delenv("HOMELOG_SECRET_KEY", raising=False)
    monkeypatch.setenv("HOMELOG_ENV", "production")
    with pytest.raises(ConfigError, match="HOMELOG_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


def test_unknown_query_parameters_are_refused_by_name(client, factory, make_client):
    """From the OpenAPI document, so new routes are covered: every GET that reads query
    parameters refuses one it does not know (a typo), rather than answering as if it
    had not been sent."""
    member = factory.user()
    family = factory.family(members=(member,))
    client.sign_in(member.email)
    administrator = make_client()  # for the routes only administrators may read
    administrator.sign_in(factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR).email)
    spec = client.get("/api/v1/openapi.json").json
    checked = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or not any(p["in"] == "query" for p in get.get("parameters", [])):
            continue
        url = path.replace("{family_id}", str(family.id)).replace("{photo_id}", "1")
        assert "{" not in url, f"no value for a path parameter of {path}"
        refused = client.get(url, query_string={"pgae": "2"})
        if refused.status_code == 403:
            refused = administrator.get(url, query_string={"pgae": "2"})
        assert refused.status_code == 422, (path, refused.status_code, refused.json)
        assert list(refused.json["error"]["fields"]) == ["pgae"], path
        checked.append(path)
    assert len(checked) >= 9  # users, timeline, photo, photos, flags, inbox, three exports
