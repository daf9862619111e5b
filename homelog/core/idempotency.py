"""Idempotency keys: a retried submission returns what the first one created, never a copy."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from homelog.core.errors import ApiError

HEADER = "Idempotency-Key"


def parse_key(raw: str | None, *, required: bool) -> str:
    """Validate the client's key (a UUID); when optional and not sent, make one up.

    A key sent blank is refused like any other key that is not a UUID: taken for no key,
    each retry with it would be recorded again.
    """
    if raw is None or not raw.strip():
        if required:
            raise ApiError(400, "idempotency_key_required",
                           f"Send an {HEADER} header (a UUID) so a retry cannot duplicate this.",
                           {HEADER: ["Missing."]})
        if raw is None:
            return str(uuid.uuid4())
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError as error:
        raise ApiError(400, "idempotency_key_invalid", f"The {HEADER} header must be a UUID.",
                       {HEADER: ["Not a UUID."]}) from error


def request_fingerprint(scope: str, body: Any) -> str:
    """A hash of what was asked, independent of key order and whitespace."""
    canonical = json.dumps([scope, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_reused() -> ApiError:
    return ApiError(422, "idempotency_key_reused",
                    f"This {HEADER} was already used for a different submission. "
                    "Use a new key for new information.",
                    {HEADER: ["Already used with different content."]})
