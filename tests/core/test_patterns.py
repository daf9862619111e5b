"""A pattern the whole value must match: checked exactly, documented as OpenAPI reads it."""

import re

import pytest
from marshmallow import ValidationError

from homelog.core.schemas import WholeMatch

KEY = WholeMatch(r"[a-z0-9_]{1,40}", error="Use a key such as 'kitchen'.")


@pytest.mark.parametrize("value", ["kitchen", "child_bedroom", "a" * 40, "x1"])
def test_a_whole_match_passes(value):
    assert KEY(value) == value


@pytest.mark.parametrize("value", ["kitchen\n", "\nkitchen", "Kitchen", "", "a" * 41,
                                   "kitchen floor"])
def test_anything_else_is_refused_a_final_newline_too(value):
    with pytest.raises(ValidationError, match="such as 'kitchen'"):
        KEY(value)


def test_the_document_shows_a_pattern_ecma_262_anchors_too(client):
    """\\Z anchors only in Python: in ECMA 262, which OpenAPI uses, it is no anchor at all."""
    spec = client.get("/api/v1/openapi.json").json
    photo = spec["components"]["schemas"]["PhotoUpload"]["properties"]["domain_key"]
    assert photo["pattern"] == KEY.regex.pattern == "^(?:[a-z0-9_]{1,40})$"
    domain = spec["components"]["schemas"]["DomainFile"]["properties"]["key"]
    assert domain["pattern"].startswith("^(?:") and domain["pattern"].endswith(")$")
    assert re.fullmatch(domain["pattern"], "kitchen")
