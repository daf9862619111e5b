"""The rubric, and a family's agreed baseline."""

from __future__ import annotations

import json
from typing import Any

from flask.views import MethodView
from flask_login import login_required

from homelog.accounts.access import require_role, signed_in_user
from homelog.accounts.models import Role
from homelog.core.api import SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint
from homelog.core.errors import not_found
from homelog.families.services import open_family
from homelog.rubric import agreements, loading, services, versions
from homelog.rubric.concern_level import concern_level
from homelog.rubric.schemas import (
    AgreementInSchema,
    AgreementOutSchema,
    RubricFileSchema,
    RubricOutSchema,
)
from homelog.rubric.version_schemas import (
    RubricFileUploadSchema,
    RubricVersionListSchema,
    RubricVersionOutSchema,
)

blp = Blueprint("rubric", __name__, url_prefix="/api/v1", description="Rubric and agreements")


def _rubric_out(rubric: services.Rubric) -> dict[str, Any]:
    return rubric.for_people(concern_level())


@blp.route("/rubric")
class RubricResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, RubricOutSchema)
    def get(self) -> dict[str, Any]:
        """The rubric in force: domains with level descriptors and good-enough level; concerns."""
        return _rubric_out(services.current_rubric())

    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(RubricFileSchema)
    @blp.response(201, RubricOutSchema)
    @blp.alt_response(200, schema=RubricOutSchema, description="Identical to the current version")
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Load a new rubric version (administrators); visits keep the version they used."""
        # Round-trip through JSON so the stored content is exactly what a file load stores.
        content = services.parse_rubric_file(json.dumps(data))
        rubric, created = services.load_rubric(content, signed_in_user())
        return _rubric_out(rubric), 201 if created else 200


@blp.route("/rubric/versions")
class RubricVersionsResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN)
    @blp.response(200, RubricVersionListSchema)
    def get(self) -> dict[str, Any]:
        """Every version of the rubric, newest first: number, name, loaded when and by whom
        (administrators)."""
        return versions.list_versions()

    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(RubricFileUploadSchema)
    @blp.response(201, RubricVersionOutSchema)
    @blp.alt_response(200, schema=RubricVersionOutSchema,
                      description="Identical to the current version: no new version")
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Load a rubric file as the new version (administrators). Every problem comes back
        at once, one a line ("line 14: ...") under `fields.file`; nothing is loaded then."""
        rubric, created = loading.load_rubric_text(data["text"], signed_in_user())
        return versions.describe_version(rubric.version) or {}, 201 if created else 200


@blp.route("/rubric/versions/<id:version>")
class RubricVersionResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, RubricVersionOutSchema)
    def get(self, version: int) -> dict[str, Any]:
        """One version in full, with how its domains continue the version before it. Any
        signed-in user may read it: a visit is shown in its own version's words."""
        described = versions.describe_version(version)
        if described is None:
            raise not_found("No such version of the rubric.")
        return described


@blp.route("/families/<id:family_id>/agreement")
class AgreementResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, AgreementOutSchema)
    def get(self, family_id: int) -> dict[str, Any]:
        """The family's agreed level per domain, with every earlier revision."""
        user = signed_in_user()
        open_family(user, family_id, "agreement.view")
        return agreements.describe_agreement(family_id, user)

    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(AgreementInSchema)
    @blp.response(200, AgreementOutSchema)
    def put(self, data: dict[str, Any], family_id: int) -> dict[str, Any]:
        """Record a revised agreement (lead social worker or manager); history is kept.

        Every domain of the current rubric needs a level; `agreed_on` and
        `shared_with_parents_on` cannot be in the future (the partnership's calendar)."""
        user = signed_in_user()
        access = open_family(user, family_id, "agreement.view")
        services.revise_agreement(user, access, data)
        return agreements.describe_agreement(family_id, user)
