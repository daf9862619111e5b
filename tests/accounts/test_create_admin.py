"""The first administrator, from an empty database, by the one documented command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from tests.support.apps import dispose, new_app

STRONG = "violet kettle under the stairs"


def test_the_first_administrator_is_made_from_an_empty_database_and_signs_in(
        app: Flask, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    empty = new_app(app, request, tmp_path)
    empty.config["HOMELOG_SMTP_HOST"] = ""  # no mail: the link is printed to hand over
    try:
        runner = empty.test_cli_runner()
        made = runner.invoke(args=["users", "create-admin"],
                             input="first.admin@example.org\nFirst administrator\n"
                                   "Children's services\n")
        assert made.exit_code == 0, made.output
        [token] = re.findall(r"set-password#token=([\w-]+)", made.output)
        client = empty.test_client()
        refused = client.post("/api/v1/session", json={"email": "first.admin@example.org",
                                                       "password": STRONG})
        assert refused.status_code == 401  # no password until the link sets one
        assert client.post("/api/v1/password-reset/complete",
                           json={"token": token, "password": STRONG}).status_code == 204
        signed_in = client.post("/api/v1/session", json={"email": "first.admin@example.org",
                                                         "password": STRONG})
        assert signed_in.status_code == 201, signed_in.json
        assert signed_in.json["user"]["role"] == "administrator"
        assert signed_in.json["user"]["agency"]["name"] == "Children's services"
        again = runner.invoke(args=["users", "create-admin", "--email", "second@example.org",
                                    "--name", "Second", "--agency", "Children's services"])
        assert again.exit_code != 0 and "exists already" in again.output
    finally:
        dispose(empty)
