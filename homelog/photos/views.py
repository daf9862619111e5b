"""Photo upload, serving and the side-by-side listing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, request
from flask.views import MethodView
from flask_login import login_required
from marshmallow import Schema
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from homelog.accounts.access import signed_in_user
from homelog.core.api import SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint, Parser
from homelog.core.errors import error_response
from homelog.core.idempotency import HEADER, parse_key
from homelog.core.transactions import reads_first
from homelog.families.services import open_family
from homelog.photos import services
from homelog.photos.schemas import (
    PhotoListOutSchema,
    PhotoListQuerySchema,
    PhotoOutSchema,
    PhotoQuerySchema,
    PhotoUploadSchema,
)
from homelog.photos.stored import StoreUnavailable
from homelog.visits.services import Submission, open_visit

log = logging.getLogger(__name__)


class _MultipartParser(Parser):
    """Reads a form's fields and files as one, so that one schema checks a whole upload (and
    errors name the field, under the "form" location core/errors.py unwraps)."""

    def load_form(self, req: Any, schema: Schema) -> MultiDictProxy:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class _PhotosBlueprint(Blueprint):
    # One request body in the OpenAPI document: the file with its fields.
    ARGUMENTS_PARSER = _MultipartParser(unknown=None)  # as core/api.py: unknown names refused
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, "form": "multipart/form-data"}


blp = _PhotosBlueprint("photos", __name__, url_prefix="/api/v1",
                       description="Photos of what was scored")


#: Seconds a phone is asked to wait when the photo store could not be reached.
STORE_RETRY_AFTER_SECONDS = 30


@blp.app_errorhandler(StoreUnavailable)
def _store_unavailable(error: StoreUnavailable) -> Response:
    """The store (a disk or an object store) failed: 503, and the phone's outbox tries again
    with the same Idempotency-Key; the request rolled back, so nothing is half-stored."""
    log.error("photo store unavailable on %s %s: %s", request.method, request.path, error)
    response = error_response(503, "photo_store_unavailable",
                              "Photos cannot be stored or shown just now. Nothing was lost: "
                              "the app will try again.")
    response.headers["Retry-After"] = str(STORE_RETRY_AFTER_SECONDS)
    return response

F = TypeVar("F", bound=Callable[..., Any])
# Room for the form fields and multipart boundaries around the file itself.
_FORM_ALLOWANCE = 64 * 1024
_PRIVATE = "private, no-store"


def limit_upload_size(view: F) -> F:
    """Refuse an upload over the photo limit (413 naming it) before any of it is parsed.

    A declared Content-Length is checked at once; a body without one (chunked) is cut off by
    werkzeug as soon as it passes the limit, while it is read. Put this above the arguments
    decorators, which are what read the body.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        limit = services.max_upload_bytes() + _FORM_ALLOWANCE
        if request.content_length is not None and request.content_length > limit:
            raise services.too_large(request.content_length)
        request.max_content_length = limit
        try:
            return view(*args, **kwargs)
        except RequestEntityTooLarge as error:
            raise services.too_large() from error

    return cast(F, wrapper)


def _key_header_doc() -> dict[str, Any]:
    return {"parameters": [{
        "in": "header", "name": HEADER, "required": True,
        "schema": {"type": "string", "format": "uuid"},
        "description": "A UUID made by the client for this upload; retries reuse it.",
    }]}


_IMAGE_RESPONSE = {"responses": {"200": {
    "description": "The photo, rebuilt without any metadata. The display and thumb renditions "
                   "are WebP; a kept original is JPEG.",
    "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in ("image/webp", "image/jpeg")},
}}}


@blp.route("/visits/<id:visit_id>/photos")
@reads_first  # the image work runs before SQLite's write lock is taken
class PhotosResource(MethodView):
    @login_required
    @limit_upload_size
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.doc(**_key_header_doc())
    @blp.arguments(PhotoUploadSchema, location="form")
    @blp.response(201, PhotoOutSchema)
    @blp.alt_response(200, schema=PhotoOutSchema,
                      description="The same Idempotency-Key and content again: the first photo")
    def post(self, form: dict[str, Any], visit_id: int) -> tuple[dict[str, Any], int]:
        """Add a photo to a visit (its author, within the upload window after the visit).

        multipart/form-data. The photo is stored as a display rendition and a thumbnail,
        rebuilt from its pixels so that no location or other metadata is kept.
        """
        user = signed_in_user()
        visit, access = open_visit(user, visit_id, "visit.view")  # then photo.create
        key = parse_key(request.headers.get(HEADER), required=True)
        upload = services.Upload(form["file"].read(), form["domain_key"], form["room"],
                                 form["caption"], form["parent_agreed"])
        submission = Submission(user, key, upload.fingerprint(visit_id))
        photo, created = services.add_photo(visit, access, submission, upload)
        return services.describe_photo(photo.id), 201 if created else 200


@blp.route("/photos/<id:photo_id>")
class PhotoResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.doc(**_IMAGE_RESPONSE)
    @blp.arguments(PhotoQuerySchema, location="query")
    def get(self, query: dict[str, Any], photo_id: int) -> Response:
        """The photo itself (core group only; each view is recorded)."""
        photo, _ = services.open_photo(signed_in_user(), photo_id, query["size"])
        content = services.photo_content(photo, query["size"])
        response = Response(content.data, mimetype=content.content_type)
        response.headers["Content-Disposition"] = (
            f'inline; filename="photo-{photo.id}-{query["size"]}.'
            f'{"webp" if content.content_type == "image/webp" else "jpg"}"')
        # An image needs no scripts, styles or frames; should anything ever treat it as a
        # document, it is sandboxed.
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["Cache-Control"] = _PRIVATE
        return response


@blp.route("/families/<id:family_id>/photos")
class FamilyPhotosResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(PhotoListQuerySchema, location="query")
    @blp.response(200, PhotoListOutSchema)
    def get(self, query: dict[str, Any], family_id: int) -> dict[str, Any]:
        """A family's photos of one domain (or room, or visit), oldest first: the same room
        over time."""
        user = signed_in_user()
        access = open_family(user, family_id, None)  # audited as photo.list, with what was shown
        return services.list_family_photos(user, access, query["domain"], query["room"],
                                           query["page"], query["per_page"], query["visit"])
