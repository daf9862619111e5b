"""Families, core groups and the "who has viewed" report."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import login_required

from homelog.accounts.access import signed_in_user
from homelog.audit.services import family_access_log
from homelog.core.api import SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint
from homelog.families import core_group, lifecycle, services
from homelog.families.break_glass import break_glass_until, open_by_break_glass
from homelog.families.schemas import (
    AccessLogEntrySchema,
    AccessLogQuerySchema,
    BreakGlassGrantSchema,
    BreakGlassInSchema,
    CoreGroupEntrySchema,
    FamiliesQuerySchema,
    FamilyDetailSchema,
    FamilyEditSchema,
    FamilyInSchema,
    FamilySummarySchema,
    LeadInSchema,
    MemberInSchema,
    PeopleQuerySchema,
    PersonFoundSchema,
    ReasonInSchema,
    WhoViewedQuerySchema,
    WhoViewedSchema,
)
from homelog.families.who_viewed import people_in_report, who_viewed

blp = Blueprint("families", __name__, url_prefix="/api/v1", description="Families and core groups")


def family_detail(access: services.FamilyAccess) -> dict[str, Any]:
    family = access.family
    fields = ("id", "reference", "status", "opened_on", "plan", "children", "address",
              "closed_at", "closed_reason")
    user = signed_in_user()
    return {**{name: getattr(family, name) for name in fields},
            "core_group": services.core_group(family.id),
            "access_basis": access.basis,
            "break_glass_until": break_glass_until(user, access),
            "may_manage": services.may_run_family(user, access)}


@blp.route("/families")
class FamiliesResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(FamiliesQuerySchema, location="query")
    @blp.response(200, FamilySummarySchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Any]:
        """The families whose core group you are in: the open ones, or `status=closed`
        for those whose record is closed, or `status=all`."""
        user = signed_in_user()
        status = None if query["status"] == "all" else query["status"]
        families = services.families_of(user, status)
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

    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(FamilyEditSchema)
    @blp.response(200, FamilyDetailSchema)
    @blp.alt_response(403, description="Not the family's lead or a manager in its core group")
    @blp.alt_response(409, description="The family is closed, or the reference is taken")
    def patch(self, data: dict[str, Any], family_id: int) -> dict[str, Any]:
        """Change the family's details (lead, or a manager in the core group); fields left
        out stay as they are. The change, from what to what, goes on the timeline."""
        user = signed_in_user()
        access = services.open_family(user, family_id, None)  # audited as family.edit
        lifecycle.edit_family(user, access, data)
        return family_detail(access)


@blp.route("/families/<id:family_id>/close")
class CloseResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(ReasonInSchema)
    @blp.response(200, FamilyDetailSchema)
    @blp.alt_response(403, description="Not the family's lead or a manager in its core group")
    @blp.alt_response(409, description="Closed already")
    def post(self, data: dict[str, Any], family_id: int) -> dict[str, Any]:
        """Close the family's record, saying why: it leaves everyone's caseload and is no
        longer analysed; the core group can still read it."""
        user = signed_in_user()
        access = services.open_family(user, family_id, None)  # audited as family.close
        lifecycle.close_family(user, access, data["reason"])
        return family_detail(access)


@blp.route("/families/<id:family_id>/reopen")
class ReopenResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(ReasonInSchema)
    @blp.response(200, FamilyDetailSchema)
    @blp.alt_response(403, description="Not the family's lead or a manager in its core group")
    @blp.alt_response(409, description="Open already")
    def post(self, data: dict[str, Any], family_id: int) -> dict[str, Any]:
        """Reopen a closed family's record, saying why."""
        user = signed_in_user()
        access = services.open_family(user, family_id, None)  # audited as family.reopen
        lifecycle.reopen_family(user, access, data["reason"])
        return family_detail(access)


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


@blp.route("/families/<id:family_id>/members/<id:user_id>")
class MemberResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.response(200, CoreGroupEntrySchema(many=True))
    @blp.alt_response(403, description="Not the family's lead or a manager in its core group")
    @blp.alt_response(409, description="The lead, or the last person who can run the group")
    def delete(self, family_id: int, user_id: int) -> list[Any]:
        """Take someone out of the core group: their access ends at once; what they
        recorded stays. Answers the core group as it now is."""
        user = signed_in_user()
        access = services.open_family(user, family_id, "core_group.view")
        core_group.remove_member(user, access, user_id)
        return services.core_group(family_id)


@blp.route("/families/<id:family_id>/lead")
class LeadResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(LeadInSchema)
    @blp.response(200, CoreGroupEntrySchema(many=True))
    @blp.alt_response(403, description="Not the family's lead or a manager in its core group")
    def put(self, data: dict[str, Any], family_id: int) -> list[Any]:
        """Make a lead social worker in the core group the family's lead (one at a time;
        the previous lead stays in the group). Answers the core group as it now is."""
        user = signed_in_user()
        access = services.open_family(user, family_id, "core_group.view")
        core_group.set_lead(user, access, data["user_id"])
        return services.core_group(family_id)


@blp.route("/families/people")
class PeopleResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(PeopleQuerySchema, location="query")
    @blp.response(200, PersonFoundSchema(many=True))
    @blp.alt_response(403, description="Not a lead social worker or a manager")
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Find people to add to a family's core group by name or agency (lead social
        workers and managers): active practitioners only, by name, at most `limit`."""
        found = core_group.search_people(signed_in_user(), query["search"], query["limit"])
        return [{"id": user.id, "name": user.name, "profession_label": user.profession_label,
                 "role": user.role, "agency": agency} for user, agency in found]


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
