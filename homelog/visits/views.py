"""Visits, amendments, events and the timeline."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_login import login_required

from homelog.accounts.access import current_session, signed_in_user
from homelog.core.api import SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint
from homelog.core.idempotency import HEADER, parse_key, request_fingerprint
from homelog.core.transactions import reads_first
from homelog.families.services import open_family
from homelog.visits import offline, services
from homelog.visits.app_settings import app_settings
from homelog.visits.missing_agencies import missing_agencies
from homelog.visits.schemas import (
    AmendmentInSchema,
    AppSettingsOutSchema,
    DiscardInSchema,
    DiscardOutSchema,
    EventInSchema,
    EventOutSchema,
    MissingAgencyOutSchema,
    OfflineKitOutSchema,
    TimelineOutSchema,
    TimelineQuerySchema,
    VisitInSchema,
    VisitOutSchema,
)
from homelog.visits.timeline import (
    describe_event,
    describe_new_visit,
    describe_visit,
    timeline_page,
)

blp = Blueprint("visits", __name__, url_prefix="/api/v1", description="Visits and the timeline")

def _key_header_doc(required: bool) -> dict[str, Any]:
    return {"parameters": [{
        "in": "header", "name": HEADER, "required": required,
        "schema": {"type": "string", "format": "uuid"},
        "description": "A UUID made by the client for this submission; retries reuse it.",
    }]}


def _submission(scope: str, *, key_required: bool) -> services.Submission:
    key = parse_key(request.headers.get(HEADER), required=key_required)
    return services.Submission(signed_in_user(), key, request_fingerprint(scope, request.json))


@blp.route("/families/<id:family_id>/visits")
@reads_first
class VisitsResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.doc(**_key_header_doc(required=True))
    @blp.arguments(VisitInSchema)
    @blp.response(201, VisitOutSchema)
    @blp.alt_response(200, schema=VisitOutSchema,
                      description="The same Idempotency-Key and content again: the original visit")
    def post(self, data: dict[str, Any], family_id: int) -> tuple[dict[str, Any], int]:
        """Record a visit. Requires an Idempotency-Key header; a replay returns the original."""
        access = open_family(signed_in_user(), family_id, None)  # audited as visit.create
        submission = _submission(f"visit:{family_id}", key_required=True)
        visit, created = services.record_visit(access, submission, data)
        if not created:
            return describe_visit(visit.id), 200
        author = submission.user
        return describe_new_visit(visit, author.name, current_session().agency_name), 201


@blp.route("/visits/<id:visit_id>")
class VisitResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, VisitOutSchema)
    def get(self, visit_id: int) -> dict[str, Any]:
        """One visit (or amendment), with what superseded it if anything."""
        visit, _ = services.open_visit(signed_in_user(), visit_id, "visit.view")
        return describe_visit(visit.id)


@blp.route("/visits/<id:visit_id>/amendments")
class AmendmentsResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.doc(**_key_header_doc(required=False))
    @blp.arguments(AmendmentInSchema)
    @blp.response(201, VisitOutSchema)
    @blp.alt_response(200, schema=VisitOutSchema, description="A replay: the original amendment")
    def post(self, data: dict[str, Any], visit_id: int) -> tuple[dict[str, Any], int]:
        """Correct a visit: a new record with a reason supersedes it; the original stays visible."""
        visit, access = services.open_visit(signed_in_user(), visit_id, "visit.view")
        submission = _submission(f"amendment:{visit_id}", key_required=False)
        amendment, created = services.amend_visit(visit, access, submission, data)
        return describe_visit(amendment.id), 201 if created else 200


@blp.route("/families/<id:family_id>/events")
@reads_first
class EventsResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.doc(**_key_header_doc(required=False))
    @blp.arguments(EventInSchema)
    @blp.response(201, EventOutSchema)
    @blp.alt_response(200, schema=EventOutSchema, description="A replay: the original event")
    def post(self, data: dict[str, Any], family_id: int) -> tuple[dict[str, Any], int]:
        """Record information that is not a visit (a police call-out, a GP letter)."""
        access = open_family(signed_in_user(), family_id, None)  # audited as event.create
        submission = _submission(f"event:{family_id}", key_required=False)
        event, created = services.record_event(access, submission, data)
        return describe_event(event.id), 201 if created else 200


@blp.route("/families/<id:family_id>/timeline")
class TimelineResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(TimelineQuerySchema, location="query")
    @blp.response(200, TimelineOutSchema)
    def get(self, query: dict[str, Any], family_id: int) -> dict[str, Any]:
        """Every agency's visits, amendments and events for the family, newest first."""
        return timeline_page(signed_in_user(), family_id, query["page"], query["per_page"])


@blp.route("/families/<id:family_id>/missing-agencies")
class MissingAgenciesResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, MissingAgencyOutSchema(many=True))
    def get(self, family_id: int) -> list[dict[str, Any]]:
        """Agencies that visited the family in the last 90 days but have nobody in its core
        group (so that they can be asked to join)."""
        access = open_family(signed_in_user(), family_id, "core_group.view")
        return missing_agencies(access.family_id)


@blp.route("/offline-kit")
class OfflineKitResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, OfflineKitOutSchema)
    def get(self) -> dict[str, Any]:
        """What the phone keeps to record visits with no signal: the rubric and, for your own
        families only, the reference, children's initials and ages, and the agreed levels."""
        return offline.offline_kit(signed_in_user())


@blp.route("/app-settings")
class AppSettingsResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, AppSettingsOutSchema)
    def get(self) -> dict[str, Any]:
        """The server's rules the phone follows: the scoring scale with the partnership's
        concern level, the clock-skew allowance and text limits, and the partnership's time
        zone (the offline kit carries the same, under `settings`)."""
        return app_settings()


@blp.route("/outbox/discards")
class DiscardsResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(DiscardInSchema)
    @blp.response(201, DiscardOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Put on the record that a visit or photo waiting on your phone is being discarded
        (it could not be sent), and why. The phone drops it only after this answer."""
        return offline.record_discard(signed_in_user(), data)
