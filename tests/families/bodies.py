"""The body of a request that opens a family, as the lead's screen sends it (the factory's
`family` opens one through the services; these tests open theirs through the API)."""

from __future__ import annotations

from typing import Any


def family_body(reference: str = "REF-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "address": "2 Test Road",
        "children": [{"initials": "EF", "date_of_birth": "2025-02-03"}],
        "plan": {"category": "neglect", "started_on": "2026-06-01"},
        "opened_on": "2026-05-20",
    }
    body.update(overrides)
    return body
