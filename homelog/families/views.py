"""Families, core groups and the "who has viewed" report."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import login_required

from homelog.accounts.access import signed_in_user
from homelog.audit.services import family_access_log
from homelog.core.api import SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint
from homelog.families import services
from homelog.families.break_glass import break_glass_until, open_by_break_glass
from homelog.families.schemas import (
    AccessLogEntrySchema,
    AccessLogQuerySchema,
    BreakGlassGrantSchema,
    BreakGlassInSchema,
    CoreGroupEntrySchema,
    FamilyDetailSchema,
    FamilyInSchema,
    FamilySummarySchema,
    MemberInSchema,
    WhoViewedQuerySchema,
    WhoViewedSchema,
)
from homelog.families.who_viewed import people_in_report, who_viewed

blp = Blueprint("families", __name__, url_prefix="/api/v1", description="Families and core groups")


def family_detail(access: services.FamilyAccess) -> dict[str, Any]:
    family = access.family
    fields = ("id", "reference", "status", "opened_on", "plan", "children", "address")
    return {**{name: getattr(family, name) for name in fields},
            "core_group": services.core_group(family.id),
            "access_basis": access.basis,
            "break_glass_until": break_glass_until(signed_in_user(), access)}


@blp.route("/families")
class FamiliesResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, FamilySummarySchema(many=True))
    def get(self) -> list[Any]:
        """The families whose core group you are in."""
        user = signed_in_user()
        families = services.families_of(user)
        services.record_family_list_view(user, families)
        return families

    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(FamilyInSchema)
    @blp.response(201, FamilyDetailSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open a family record (lead social workers and managers)."""
        user = signed_in_user()
        family = services.create_family(user, data)
        return family_detail(services.open_family(user, family.id, "family.view"))


@blp.route("/families/<id:family_id>")
class FamilyResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, FamilyDetailSchema)
    def get(self, family_id: int) -> dict[str, Any]:
        """One family, with its children, plan and core group."""
        return family_detail(services.open_family(signed_in_user(), family_id, "family.view"))


@blp.route("/families/<id:family_id>/members")
class MembersResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, CoreGroupEntrySchema(many=True))
    def get(self, family_id: int) -> list[Any]:
        """The family's core group."""
        access = services.open_family(signed_in_user(), family_id, "core_group.view")
        return services.core_group(access.family_id)

    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(MemberInSchema)
    @blp.response(201, CoreGroupEntrySchema(many=True))
    @blp.alt_response(200, schema=CoreGroupEntrySchema(many=True),
                      description="Already in the core group")
    def post(self, data: dict[str, Any], family_id: int) -> tuple[list[Any], int]:
        """Add a user to the core group (lead social worker or manager in the core group)."""
        user = signed_in_user()
        access = services.open_family(user, family_id, "core_group.view")
        _, created = services.add_member(user, access, data["user_id"])
        return services.core_group(family_id), 201 if created else 200


@blp.route("/families/break-glass")
class BreakGlassResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(BreakGlassInSchema)
    @blp.response(201, BreakGlassGrantSchema)
    @blp.alt_response(403, description="Not a manager (asked before any family is looked up)")
    @blp.alt_response(404, description="No family has this reference")
    @blp.alt_response(409, description="You are in this family's core group already")
    def post(self, data: dict[str, Any]) -> Any:
        """Open a family outside your core groups, saying why (managers only). The access
        lasts a set time, every read is recorded, and the family's lead is told at once."""
        return open_by_break_glass(signed_in_user(), data["reference"], data["reason"])


@blp.route("/families/<id:family_id>/access-log")
class AccessLogResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(AccessLogQuerySchema, location="query")
    @blp.response(200, AccessLogEntrySchema(many=True))
    def get(self, query: dict[str, Any], family_id: int) -> list[Any]:
        """Who has viewed or changed this family's record, newest first, a page at a time
        (lead or manager): pass the last id as `before` for the next page."""
        user = signed_in_user()
        access = services.open_family(user, family_id, "access_log.view")
        services.require_core_group_manager(user)
        return family_access_log(access.family_id, before=query.get("before"),
                                 user_id=query.get("person"), limit=query["limit"])


@blp.route("/families/<id:family_id>/who-viewed")
class WhoViewedResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(WhoViewedQuerySchema, location="query")
    @blp.response(200, WhoViewedSchema)
    def get(self, query: dict[str, Any], family_id: int) -> dict[str, Any]:
        """Who has viewed this family: every access in plain words, newest first, a page at
        a time, optionally one person's only (lead or manager)."""
        user = signed_in_user()
        access = services.open_family(user, family_id, "access_log.view")
        services.require_core_group_manager(user)
        page = who_viewed(access.family_id, before=query.get("before"),
                          person=query.get("person"), limit=query["limit"])
        return {"entries": page.entries, "next_before": page.next_before,
                "people": people_in_report(access.family_id)}
