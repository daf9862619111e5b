"""The app pointed at a real SMTP server (aiosmtpd) on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alerts.smtp import SmtpServer, free_port


@pytest.fixture
def mail_settings(app, monkeypatch):
    """Point the app at a loopback SMTP port (no server yet); returns the port."""
    port = free_port()
    for name, value in {"HOMELOG_SMTP_HOST": "127.0.0.1", "HOMELOG_SMTP_PORT": port,
                        "HOMELOG_SMTP_STARTTLS": False, "HOMELOG_SMTP_TIMEOUT_SECONDS": 5,
                        "HOMELOG_MAIL_FROM": "alerts@homelog.test",
                        "HOMELOG_BASE_URL": "https://homelog.test"}.items():
        monkeypatch.setitem(app.config, name, value)
    return port


@pytest.fixture
def smtp(mail_settings) -> Iterator[SmtpServer]:
    """A running SMTP server that the app sends to."""
    server = SmtpServer(mail_settings)
    server.start()
    yield server
    server.stop()
