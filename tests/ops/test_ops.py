"""Readiness, metrics and logs: what an operator's tools read."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from homelog.config import ConfigError, load_config
from homelog.ops.logs import JsonFormatter
from tests.support.apps import dispose, new_app

_STORE = "homelog_photo_store"


def test_ready_when_the_database_schema_and_store_are(app: Flask) -> None:
    answer = app.test_client().get("/api/v1/ready")
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "ready"
    assert {name: check["ok"] for name, check in answer.json["checks"].items()} == {
        "database": True, "schema": True, "photo_store": True}


def test_not_ready_while_a_migration_is_pending(app: Flask, request: pytest.FixtureRequest,
                                                tmp_path: Path) -> None:
    behind = new_app(app, request, tmp_path, migrated=False)
    try:
        with behind.app_context():
            upgrade(revision="0014")
        answer = behind.test_client().get("/api/v1/ready")
        assert answer.status_code == 503
        assert answer.json["checks"]["database"]["ok"] is True
        schema = answer.json["checks"]["schema"]
        assert schema["ok"] is False and "0014" in schema["detail"] \
            and "db upgrade" in schema["detail"]
    finally:
        dispose(behind)


def test_not_ready_when_photos_cannot_be_stored(app: Flask, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the photo folder should be")
    saved = app.config["HOMELOG_MEDIA_DIR"]
    app.config["HOMELOG_MEDIA_DIR"] = str(blocked)
    app.extensions.pop(_STORE, None)
    try:
        answer = app.test_client().get("/api/v1/ready")
    finally:
        app.config["HOMELOG_MEDIA_DIR"] = saved
        app.extensions.pop(_STORE, None)
    assert answer.status_code == 503
    assert answer.json["status"] == "not_ready"
    assert answer.json["checks"]["photo_store"]["ok"] is False


def test_metrics_are_served_to_loopback_and_allowed_networks_only(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 404
    app.config["HOMELOG_METRICS_ALLOW"] = ["10.1.2.0/24"]
    try:
        assert client.get("/metrics",
                          environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        assert client.get("/metrics",
                          environ_base={"REMOTE_ADDR": "10.1.3.3"}).status_code == 404
    finally:
        app.config["HOMELOG_METRICS_ALLOW"] = []


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name) and all(f'{key}="{value}"' in line
                                         for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_failed_submissions_and_open_flags(app: Flask, factory,
                                                                   make_client) -> None:
    family = factory.family()
    lead = make_client()
    lead.sign_in(family.lead.email)
    route = "/api/v1/families/<id:family_id>/visits"
    before = app.test_client().get("/metrics").get_data(as_text=True)
    refused = lead.post(f"/api/v1/families/{family.id}/visits", json={"scores": "nonsense"},
                        headers={"Idempotency-Key": "a6a1c2d4-0000-4000-8000-000000000001"})
    assert refused.status_code == 422
    after = app.test_client().get("/metrics").get_data(as_text=True)
    assert _sample(after, "homelog_sync_failures_total", route=route, status="422") \
        == _sample(before, "homelog_sync_failures_total", route=route, status="422") + 1
    assert _sample(after, "homelog_request_seconds_count", method="POST", route=route,
                   status="422") >= 1
    assert "# TYPE homelog_open_flags gauge" in after
    assert "# TYPE homelog_engine_last_run_seconds gauge" in after
    assert family.reference not in after and f"/families/{family.id}/" not in after


def test_logs_are_json_lines_with_the_request_id_and_no_family(app: Flask, factory,
                                                               make_client) -> None:
    family = factory.family()
    lead = make_client()
    lead.sign_in(family.lead.email)
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonFormatter())
    requests_log = logging.getLogger("homelog.requests")
    requests_log.addHandler(handler)
    level = requests_log.level
    requests_log.setLevel(logging.INFO)
    try:
        answer = lead.get(f"/api/v1/families/{family.id}",
                          headers={"X-Request-Id": "proxy-given-0001"})
        unnamed = lead.get(f"/api/v1/families/{family.id}", headers={"X-Request-Id": "x"})
    finally:
        requests_log.removeHandler(handler)
        requests_log.setLevel(level)
    assert answer.headers["X-Request-Id"] == "proxy-given-0001"
    assert unnamed.headers["X-Request-Id"] != "x" and len(unnamed.headers["X-Request-Id"]) == 32
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == ["proxy-given-0001",
                                                      unnamed.headers["X-Request-Id"]]
    first = lines[0]
    assert first["route"] == "/api/v1/families/<id:family_id>" and first["status"] == 200
    assert first["level"] == "info" and first["ms"] >= 0
    assert family.reference not in written.getvalue()
    assert f"/families/{family.id}" not in written.getvalue()


@pytest.mark.parametrize(("name", "value", "complaint"), [
    ("HOMELOG_LOG_FORMAT", "xml", "HOMELOG_LOG_FORMAT"),
    ("HOMELOG_METRICS_ALLOW", "10.0.0.0/24, somewhere", "somewhere"),
])
def test_bad_operations_settings_are_refused(monkeypatch, tmp_path, name, value, complaint):
    monkeypatch.setenv("HOMELOG_ENV", "development")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=complaint):
        load_config(str(tmp_path))


def test_production_logs_json_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("HOMELOG_ENV", "development")
    monkeypatch.delenv("HOMELOG_LOG_FORMAT", raising=False)
    assert load_config(str(tmp_path))["HOMELOG_LOG_FORMAT"] == "text"
    monkeypatch.setenv("HOMELOG_ENV", "production")
    monkeypatch.setenv("HOMELOG_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("HOMELOG_AUDIT_KEY", "a" * 40)
    assert load_config(str(tmp_path))["HOMELOG_LOG_FORMAT"] == "json"
