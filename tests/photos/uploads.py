"""The one way tests add a photo: POSTed as the phone does, as multipart/form-data."""

from __future__ import annotations

import io
import uuid
from typing import Any

from werkzeug.test import TestResponse

from tests.support.api_client import ApiClient


def upload(client: ApiClient, visit_id: int, data: bytes, *, key: str | None = None,
           filename: str = "photo.jpg", content_type: str = "image/jpeg",
           **fields: Any) -> TestResponse:
    """POST a photo as multipart/form-data (the fields default to a valid kitchen photo;
    a field given as None is left out)."""
    form: dict[str, Any] = {"domain_key": "kitchen", "room": "kitchen",
                            "caption": "Worktop by the sink", "parent_agreed": "true"}
    form.update({name: value for name, value in fields.items() if value is not None})
    for name in [name for name, value in fields.items() if value is None]:
        form.pop(name, None)
    form["file"] = (io.BytesIO(data), filename, content_type)
    return client.post(f"/api/v1/visits/{visit_id}/photos", data=form,
                       content_type="multipart/form-data",
                       headers={"Idempotency-Key": key or str(uuid.uuid4())})


def photo(client: ApiClient, visit_id: int, data: bytes, **fields: Any) -> int:
    """A photo added to a visit (the upload must succeed); returns its id."""
    response = upload(client, visit_id, data, **fields)
    assert response.status_code == 201, response.json
    return response.json["id"]
