"""Downloads for the core group: the summary (PDF, CSV), the visits (CSV) and the parents'
copy of the agreement (PDF)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_login import login_required

from homelog.accounts.access import current_session, signed_in_user
from homelog.core.api import SIGNED_IN, Blueprint
from homelog.exports import services
from homelog.exports.schemas import PeriodQuerySchema

blp = Blueprint("exports", __name__, url_prefix="/api/v1",
                description="Summaries and the parents' copy, to download")

_REAUTH = ("403 with the code `reauthentication_required` when the sign-in is older than the "
           "partnership allows: confirm the password with POST /api/v1/session/confirm and "
           "ask again.")


def _file_doc(content_type: str, what: str) -> dict[str, Any]:
    return {
        "description": f"{_REAUTH} Each download is recorded in the audit trail with its "
                       "period and a SHA-256 of the file.",
        "responses": {"200": {
            "description": what,
            "headers": {"Content-Disposition": {
                "description": "attachment, with a file name made of the family reference "
                               "and the period", "schema": {"type": "string"}}},
            "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
        }},
    }


# An unknown parameter (a typo such as `start=`) is refused, never ignored, as on every
# route (core/api.py): ignoring it would quietly export another period than the one meant.


def _download(export: services.ExportFile) -> Response:
    response = Response(export.data, content_type=export.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    # A downloaded file needs no scripts or frames; if anything ever shows it inline,
    # it is sandboxed.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _download_for_period(make: services.PeriodExport, family_id: int,
                         query: dict[str, Any]) -> Response:
    """Open the family for an export (membership, recent sign-in), settle the period, and
    send the file ``make`` produces."""
    user = signed_in_user()
    access = services.open_for_export(user, current_session(), family_id)
    period = services.choose_period(family_id, query["start"], query["end"])
    return _download(make(user, access, period))


@blp.route("/families/<id:family_id>/summary.pdf")
class SummaryPdfResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.doc(**_file_doc("application/pdf", "The summary, marked OFFICIAL-SENSITIVE."))
    @blp.arguments(PeriodQuerySchema, location="query")
    def get(self, query: dict[str, Any], family_id: int) -> Response:
        """The core group summary for a period, as a PDF to read in a meeting and print.

        The family and its plan, each domain at a glance, flags with their responses,
        coverage, a trend chart per domain, the earliest and latest photos, and every
        visit and event by date.
        """
        return _download_for_period(services.summary_pdf_export, family_id, query)


@blp.route("/families/<id:family_id>/summary.csv")
class SummaryCsvResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.doc(**_file_doc("text/csv", "One row per visit and domain (UTF-8 with BOM)."))
    @blp.arguments(PeriodQuerySchema, location="query")
    def get(self, query: dict[str, Any], family_id: int) -> Response:
        """Scores for a period in long format: family reference, visit id, date, time, agency,
        role, announced, domain, score (empty: not seen), agreed level and status."""
        return _download_for_period(services.summary_csv_export, family_id, query)


@blp.route("/families/<id:family_id>/visits.csv")
class VisitsCsvResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.doc(**_file_doc("text/csv", "One row per visit (UTF-8 with BOM)."))
    @blp.arguments(PeriodQuerySchema, location="query")
    def get(self, query: dict[str, Any], family_id: int) -> Response:
        """The visits of a period, one row each: who, when, present, rooms, every domain's
        score, immediate concerns, the child's presentation and the notes."""
        return _download_for_period(services.visits_csv_export, family_id, query)


@blp.route("/families/<id:family_id>/agreement.pdf")
class AgreementPdfResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.doc(**_file_doc("application/pdf", "The parents' copy of the agreement."))
    def get(self, family_id: int) -> Response:
        """The parents' copy of the current agreement, in plain English: what good enough
        looks like in their home, when it was agreed and who wrote it down. No scores,
        flags or notes. 409 `no_agreement` when no agreement has been recorded yet."""
        user = signed_in_user()
        access = services.open_for_export(user, current_session(), family_id)
        return _download(services.agreement_pdf_export(user, access))
