"""Settings from environment variables, with safe embedded defaults.

HOMELOG_ENV=production (the default) refuses to start without an explicit
HOMELOG_SECRET_KEY and sends cookies only over HTTPS. HOMELOG_ENV=development
(what `make run` uses) keeps a generated key in the instance folder and allows
plain-HTTP cookies on loopback.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

MAIL_DETAILS = ("none", "picture")
PHOTO_STORES = ("local", "s3")
LOG_FORMATS = ("json", "text")


class ConfigError(RuntimeError):
    """The configuration cannot be used safely."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw is None else int(raw)


def _development_secret(instance_path: Path, name: str = "secret_key") -> str:
    key_file = instance_path / name
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _audit_key(env: str, instance: Path) -> str:
    """The key the audit chain's entries are sealed with: kept outside the database, so
    someone who can change the database cannot rewrite the chain unseen."""
    key = os.environ.get("HOMELOG_AUDIT_KEY", "")
    if key:
        if len(key) < 32:
            raise ConfigError("HOMELOG_AUDIT_KEY must be at least 32 characters")
        return key
    if env == "production":
        raise ConfigError("HOMELOG_AUDIT_KEY must be set in production (at least 32 "
                          "characters, kept apart from the database and its backups)")
    return _development_secret(instance, "audit_key")


def _operations(env: str) -> dict[str, Any]:
    """How Homelog reports on itself: the log format, and who may read its metrics."""
    log_format = os.environ.get(
        "HOMELOG_LOG_FORMAT", "json" if env == "production" else "text").strip().lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError("HOMELOG_LOG_FORMAT must be 'json' or 'text'")
    allowed = [entry.strip() for entry in os.environ.get("HOMELOG_METRICS_ALLOW", "").split(",")
               if entry.strip()]
    for entry in allowed:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as error:
            raise ConfigError(f"HOMELOG_METRICS_ALLOW: {entry!r} is not an address or a "
                              "network (e.g. 10.0.0.5 or 10.0.0.0/24)") from error
    return {"HOMELOG_LOG_FORMAT": log_format, "HOMELOG_METRICS_ALLOW": allowed}


def load_config(instance_path: str) -> dict[str, Any]:
    """Read the environment into a Flask config mapping."""
    instance = Path(instance_path)
    env = os.environ.get("HOMELOG_ENV", "production").strip().lower()
    if env not in {"production", "development"}:
        raise ConfigError("HOMELOG_ENV must be 'production' or 'development'")
    _check_ranges()
    return {
        "HOMELOG_ENV": env,
        **_operations(env),
        "SECRET_KEY": _secret_key(env, instance),
        "HOMELOG_AUDIT_KEY": _audit_key(env, instance),
        **_storage(instance),
        "HOMELOG_TIMEZONE": os.environ.get("HOMELOG_TIMEZONE", "Europe/London"),
        **_mail(),
        **_signing_in(env),
        **_limits(),
        "API_TITLE": "Homelog",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_SORT_KEYS": False,
    }


def _secret_key(env: str, instance: Path) -> str:
    secret = os.environ.get("HOMELOG_SECRET_KEY")
    if secret:
        return secret
    if env == "production":
        raise ConfigError(
            "HOMELOG_SECRET_KEY must be set in production "
            "(or set HOMELOG_ENV=development on a developer machine)"
        )
    return _development_secret(instance)


def _check_ranges() -> None:
    if not 1 <= _int("HOMELOG_ENGINE_BATCH_FAMILIES", 250) <= 2000:
        # a batch's statements stay within SQLite's limits
        raise ConfigError("HOMELOG_ENGINE_BATCH_FAMILIES must be between 1 and 2000")
    if not 1 <= _int("HOMELOG_BREAK_GLASS_HOURS", 4) <= 24:
        raise ConfigError("HOMELOG_BREAK_GLASS_HOURS must be between 1 and 24")
    if not 5 <= _int("HOMELOG_RESET_LINK_MINUTES", 60) <= 24 * 60:
        raise ConfigError("HOMELOG_RESET_LINK_MINUTES must be between 5 and 1440")
    if not 1 <= _int("HOMELOG_WELCOME_LINK_DAYS", 7) <= 30:
        raise ConfigError("HOMELOG_WELCOME_LINK_DAYS must be between 1 and 30")


def _storage(instance: Path) -> dict[str, Any]:
    photo_store = os.environ.get("HOMELOG_PHOTO_STORE", "local").strip().lower()
    if photo_store not in PHOTO_STORES:
        raise ConfigError("HOMELOG_PHOTO_STORE must be 'local' or 's3'")
    if photo_store == "s3" and not os.environ.get("HOMELOG_S3_BUCKET", "").strip():
        raise ConfigError("HOMELOG_S3_BUCKET must name the bucket when HOMELOG_PHOTO_STORE=s3")
    database_url = os.environ.get(
        "HOMELOG_DATABASE_URL", f"sqlite:///{instance / 'homelog.sqlite3'}"
    )
    return {
        # Where the audit chain's head is written down, outside the database (append-only).
        "HOMELOG_AUDIT_CHECKPOINTS": os.environ.get(
            "HOMELOG_AUDIT_CHECKPOINTS", str(instance / "audit-checkpoints.jsonl")),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # PostgreSQL: the role the app connects as, which owns nothing; `db upgrade`, run
        # as the owner, grants it what it needs (core/roles.py).
        "HOMELOG_DATABASE_APP_ROLE": os.environ.get("HOMELOG_DATABASE_APP_ROLE", ""),
        "HOMELOG_MEDIA_DIR": os.environ.get("HOMELOG_MEDIA_DIR", str(instance / "media")),
        # Where photo files live: the local folder HOMELOG_MEDIA_DIR/photos, or a private
        # bucket of an S3-compatible store (credentials from boto3's usual chain).
        "HOMELOG_PHOTO_STORE": photo_store,
        "HOMELOG_S3_BUCKET": os.environ.get("HOMELOG_S3_BUCKET", "").strip(),
        "HOMELOG_S3_ENDPOINT_URL": os.environ.get("HOMELOG_S3_ENDPOINT_URL", "").strip(),
        "HOMELOG_S3_REGION": os.environ.get("HOMELOG_S3_REGION", "").strip(),
        "HOMELOG_S3_PREFIX": os.environ.get("HOMELOG_S3_PREFIX", "photos/"),
        # SQLite: how long a request waits for another's write lock before a 503 (Retry-After).
        "HOMELOG_SQLITE_BUSY_TIMEOUT_MS": _int("HOMELOG_SQLITE_BUSY_TIMEOUT_MS", 15000),
    }


def _mail() -> dict[str, Any]:
    mail_detail = os.environ.get("HOMELOG_MAIL_DETAIL", "none").strip().lower()
    if mail_detail not in MAIL_DETAILS:
        raise ConfigError("HOMELOG_MAIL_DETAIL must be 'none' or 'picture'")
    starttls = _bool("HOMELOG_SMTP_STARTTLS", True)
    if mail_detail == "picture" and not starttls:
        raise ConfigError("HOMELOG_MAIL_DETAIL=picture puts what is known about families in "
                          "email, so it needs HOMELOG_SMTP_STARTTLS on (the mail server's "
                          "certificate is checked)")
    return {
        "HOMELOG_SMTP_HOST": os.environ.get("HOMELOG_SMTP_HOST", ""),
        "HOMELOG_SMTP_PORT": _int("HOMELOG_SMTP_PORT", 25),
        "HOMELOG_SMTP_USER": os.environ.get("HOMELOG_SMTP_USER", ""),
        "HOMELOG_SMTP_PASSWORD": os.environ.get("HOMELOG_SMTP_PASSWORD", ""),
        "HOMELOG_SMTP_STARTTLS": starttls,
        # Certificates the mail server's may be signed by, beyond the system's (optional).
        "HOMELOG_SMTP_CA_FILE": os.environ.get("HOMELOG_SMTP_CA_FILE", ""),
        # What emails say about a family: "none" (its reference, what changed in counts and
        # a link) unless the partnership's mail is a secure channel end to end, when
        # "picture" puts each family's picture and changed concerns in the daily digest.
        "HOMELOG_MAIL_DETAIL": mail_detail,
        "HOMELOG_MAIL_FROM": os.environ.get("HOMELOG_MAIL_FROM", "homelog@localhost"),
        "HOMELOG_SMTP_TIMEOUT_SECONDS": _int("HOMELOG_SMTP_TIMEOUT_SECONDS", 30),
        # Links in emails point here (the address people open Homelog at).
        "HOMELOG_BASE_URL": os.environ.get("HOMELOG_BASE_URL", "http://127.0.0.1:5000"),
    }


def _signing_in(env: str) -> dict[str, Any]:
    return {
        "HOMELOG_COOKIE_SECURE": _bool("HOMELOG_COOKIE_SECURE", env == "production"),
        "HOMELOG_SESSION_IDLE_MINUTES": _int("HOMELOG_SESSION_IDLE_MINUTES", 60),
        "HOMELOG_SESSION_ABSOLUTE_HOURS": _int("HOMELOG_SESSION_ABSOLUTE_HOURS", 12),
        # Sign-in throttling (accounts/throttle.py): wrong sign-ins allowed per window.
        "HOMELOG_SIGN_IN_WINDOW_MINUTES": _int("HOMELOG_SIGN_IN_WINDOW_MINUTES", 15),
        "HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT": _int("HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT", 10),
        "HOMELOG_SIGN_IN_FAILURES_PER_ADDRESS": _int("HOMELOG_SIGN_IN_FAILURES_PER_ADDRESS", 100),
        # Every sign-in needs a code from an authenticator app (accounts/second_factor.py);
        # an account that has set one up always needs it, whatever this says.
        "HOMELOG_REQUIRE_SECOND_FACTOR": _bool("HOMELOG_REQUIRE_SECOND_FACTOR",
                                               env == "production"),
        # Reverse proxies in front of the app whose X-Forwarded-For is believed (0: none).
        "HOMELOG_TRUSTED_PROXIES": _int("HOMELOG_TRUSTED_PROXIES", 0),
        # Exports of a family's record need a sign-in (or password confirmation) this recent.
        "HOMELOG_EXPORT_REAUTH_MINUTES": _int("HOMELOG_EXPORT_REAUTH_MINUTES", 15),
        # How long a manager's break-glass opening of a family outside their core groups
        # lasts: an access-control decision of the partnership, fixed where it deploys.
        "HOMELOG_BREAK_GLASS_HOURS": _int("HOMELOG_BREAK_GLASS_HOURS", 4),
        # How long a one-time link to set a password works: a forgotten-password link, and
        # the welcome link a new person is invited with.
        "HOMELOG_RESET_LINK_MINUTES": _int("HOMELOG_RESET_LINK_MINUTES", 60),
        "HOMELOG_WELCOME_LINK_DAYS": _int("HOMELOG_WELCOME_LINK_DAYS", 7),
    }


def _limits() -> dict[str, Any]:
    return {
        "HOMELOG_NOTES_MAX_CHARS": _int("HOMELOG_NOTES_MAX_CHARS", 5000),
        "MAX_CONTENT_LENGTH": _int("HOMELOG_MAX_REQUEST_BYTES", 25 * 1024 * 1024),
        # Photos (partnership settings): how late an upload may follow its visit, the
        # largest file accepted, whether a photo without the parent's or carer's recorded
        # agreement is accepted, and whether a stripped full-size original is kept.
        "HOMELOG_PHOTO_UPLOAD_WINDOW_HOURS": _int("HOMELOG_PHOTO_UPLOAD_WINDOW_HOURS", 72),
        "HOMELOG_PHOTO_MAX_BYTES": _int("HOMELOG_PHOTO_MAX_BYTES", 20 * 1024 * 1024),
        "HOMELOG_PHOTO_ACCEPT_WITHOUT_AGREEMENT": _bool(
            "HOMELOG_PHOTO_ACCEPT_WITHOUT_AGREEMENT", False),
        "HOMELOG_PHOTO_KEEP_ORIGINAL": _bool("HOMELOG_PHOTO_KEEP_ORIGINAL", False),
        # Families an engine run reads, analyses and writes together, in one transaction.
        "HOMELOG_ENGINE_BATCH_FAMILIES": _int("HOMELOG_ENGINE_BATCH_FAMILIES", 250),
    }


def normalise_database_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver for both."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
