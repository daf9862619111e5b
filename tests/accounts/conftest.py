"""The real SMTP server of the alerts tests, for emailed password links."""

from tests.alerts.conftest import mail_settings, smtp  # noqa: F401 (fixtures)
