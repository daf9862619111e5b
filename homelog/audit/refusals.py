"""Every refused request by a signed-in person is on the record.

A 403 or 404 from the API to someone signed in is an audit entry (what was asked for, the
answer, the address), kept though the request failed. When the refusal was of a family
that exists (someone outside its core group trying one of its pages), the entry is on that
family's record, so its lead sees the attempt in "who has viewed"; the person refused is
still told nothing about the family.
"""

from __future__ import annotations

from flask import Flask, Response, g, has_request_context, request
from flask_login import current_user

from homelog.audit.services import Actor, record

_REFUSALS = (403, 404)


def refused_family(family_id: int) -> None:
    """Say that this request is being refused a family that exists."""
    if has_request_context():
        g.homelog_refused_family = family_id


def init_refusal_audit(app: Flask) -> None:
    """Record refusals (register after the transactions, so this runs before the commit)."""

    @app.after_request
    def _record_refusal(response: Response) -> Response:
        if (response.status_code in _REFUSALS and request.path.startswith("/api/")
                and getattr(current_user, "is_authenticated", False)):
            family_id = g.get("homelog_refused_family")
            record(Actor(current_user.id, current_user.agency_id), "request.refused",
                   basis="refused", family_id=family_id,
                   target_type="family" if family_id else None, target_id=family_id,
                   detail={"method": request.method, "path": request.path,
                           "status": response.status_code}, kept=True)
        return response
