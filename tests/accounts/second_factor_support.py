"""Helpers for the two-step sign-in tests: codes as an authenticator app makes them."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pyotp
from flask import Flask
from sqlalchemy import select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from tests.support import clock
from tests.support.api_client import PASSWORD, ApiClient

STEP = dt.timedelta(seconds=30)
_addresses = (f"203.0.113.{n}" for n in itertools.count(1))  # documentation range


def client_from_new_address(app: Flask) -> ApiClient:
    """A client at a network address no other test signs in from."""
    return ApiClient(app, address=next(_addresses))


def step_start() -> dt.datetime:
    """Two seconds into the current 30-second step: codes stay the same for a while."""
    now = clock.now()
    return dt.datetime.fromtimestamp(now.timestamp() // 30 * 30 + 2, dt.UTC)


def code(secret: str, at: dt.datetime | None = None) -> str:
    """The code the app shows at `at` (now by default)."""
    return pyotp.TOTP(secret).at(at or clock.now())


def enrol(client: ApiClient) -> tuple[str, list[str]]:
    """Set up two-step sign-in for the signed-in client: (the secret, the recovery codes)."""
    started = client.post("/api/v1/session/second-factor")
    assert started.status_code == 201, started.json
    secret = started.json["secret"]
    confirmed = client.post("/api/v1/session/second-factor/confirm",
                            json={"code": code(secret)})
    assert confirmed.status_code == 200, confirmed.json
    return secret, confirmed.json["recovery_codes"]


def sign_in_with(client: ApiClient, email: str, otp: str | None, password: str = PASSWORD
                 ) -> Any:
    body = {"email": email, "password": password}
    if otp is not None:
        body["otp"] = otp
    response = client.http.post("/api/v1/session", json=body)
    if response.status_code == 201:
        client.csrf = response.json["csrf_token"]
    return response


def audit_entries(app: Flask, action: str, user_id: int | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        if user_id is not None:
            query = query.where(AuditEntry.user_id == user_id)
        entries = list(db.session.execute(query).scalars())
        db.session.expunge_all()
        return entries
