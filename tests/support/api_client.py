"""A test client that signs in like the app does and sends the CSRF token on changes."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

PASSWORD = "correct horse battery staple"


class ApiClient:
    def __init__(self, app: Flask, address: str | None = None) -> None:
        self.app = app
        self.http = app.test_client()
        if address is not None:  # the network address requests come from (REMOTE_ADDR)
            self.http.environ_base["REMOTE_ADDR"] = address
        self.csrf: str | None = None
        self.user: Any = None  # who signed in, where a factory made the client (a UserRef)

    def sign_in(self, email: str, password: str = PASSWORD) -> TestResponse:
        response = self.http.post("/api/v1/session", json={"email": email, "password": password})
        if response.status_code == 201:
            self.csrf = response.json["csrf_token"]
        return response

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        merged.update(headers or {})
        return merged

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.http.get(url, **kwargs)

    def post(self, url: str, json: Any = None, headers: dict[str, str] | None = None,
             **kwargs: Any) -> TestResponse:
        return self.http.post(url, json=json, headers=self._headers(headers), **kwargs)

    def put(self, url: str, json: Any = None, headers: dict[str, str] | None = None,
            **kwargs: Any) -> TestResponse:
        return self.http.put(url, json=json, headers=self._headers(headers), **kwargs)

    def patch(self, url: str, json: Any = None, headers: dict[str, str] | None = None,
              **kwargs: Any) -> TestResponse:
        return self.http.patch(url, json=json, headers=self._headers(headers), **kwargs)

    def delete(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any
               ) -> TestResponse:
        return self.http.delete(url, headers=self._headers(headers), **kwargs)

    def submit_visit(self, family_id: int, body: dict[str, Any], key: str | None = None
                     ) -> TestResponse:
        return self.post(f"/api/v1/families/{family_id}/visits", json=body,
                         headers={"Idempotency-Key": key or str(uuid.uuid4())})
