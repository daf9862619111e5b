"""The fast JSON paths give exactly what the standard library gives."""

import datetime as dt
import json
import math
import uuid
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from homelog.core.db import ISOTimeText
from homelog.core.json import JSONProvider, RawJSON, loads

TRICKY_DOCUMENTS = [
    '{"kitchen": 2, "air": null, "notes": "caf\\u00e9 \\u2014 ok", "list": [1, 2.5, true]}',
    '{"big": 123456789012345678901234567890, "negative": -98765432109876543210}',
    '{"edge": 18446744073709551615, "edge2": 9223372036854775808, "small": 999999999999999999}',
    '{"text": "phone 0123456789012345678901 in a note"}',
    '{"surrogate": "\\ud800"}',
    '[NaN, Infinity, -Infinity]',
    '{"huge": 1e400}',
    '{"same": 1, "same": 2}',
    '"caf\u00e9"',
    '-0',
]


@pytest.mark.parametrize("document", TRICKY_DOCUMENTS)
def test_database_json_reads_exactly_like_the_standard_library(document):
    expected = json.loads(document)
    for data in (document, document.encode()):
        got = loads(data)
        assert repr(got) == repr(expected)  # repr: NaN != NaN, and 1 == 1.0 would hide a float


def test_database_json_refuses_what_the_standard_library_refuses():
    for bad in ("{", "", "{'single': 1}"):
        with pytest.raises(ValueError):
            loads(bad)


@pytest.fixture
def provider_app():
    app = Flask(__name__)
    app.json = JSONProvider(app)
    return app


def _response(app, value):
    with app.app_context():
        return app.json.response(value).get_data()


def test_responses_read_back_as_the_standard_library_writes_them(provider_app):
    london = ZoneInfo("Europe/London")
    value = {
        "at": dt.datetime(2026, 7, 1, 9, 30, tzinfo=london),
        "utc": dt.datetime(2026, 11, 26, 15, 0, 0, 123456, tzinfo=dt.UTC),
        "day": dt.date(2026, 11, 26),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "text": "café \u2014 ok",
        "nested": [{"a": None, "b": True, "c": 2.5}],
    }
    body = _response(provider_app, value)
    assert body.endswith(b"\n")
    assert json.loads(body) == {
        "at": "2026-07-01T08:30:00+00:00",  # always shown in UTC
        "utc": "2026-11-26T15:00:00.123456+00:00",
        "day": "2026-11-26",
        "id": "12345678-1234-5678-1234-567812345678",
        "text": "café \u2014 ok",
        "nested": [{"a": None, "b": True, "c": 2.5}],
    }


def test_responses_orjson_cannot_write_fall_back_to_the_standard_library(provider_app):
    for value in ({1: "integer key"}, {"big": 2**70}, {"s": "\ud800"}):
        body = _response(provider_app, value)
        assert body == (json.dumps(value, separators=(",", ":")) + "\n").encode()


def test_responses_write_numbers_json_cannot_hold_as_null(provider_app):
    # The standard library would write NaN and Infinity, which no JSON parser accepts.
    assert json.loads(_response(provider_app, [math.nan, math.inf, 1.5])) == [None, None, 1.5]


def test_responses_still_refuse_what_cannot_be_written(provider_app):
    with pytest.raises(TypeError):
        _response(provider_app, {"thing": object()})


def test_json_text_from_the_database_goes_out_as_it_is_on_both_paths(provider_app):
    raw = RawJSON('{"kitchen": 3, "air": null, "list": ["a", 1.5]}')
    fast = _response(provider_app, {"scores": raw, "none": None})
    assert fast == b'{"scores":{"kitchen": 3, "air": null, "list": ["a", 1.5]},"none":null}\n'
    # Something orjson cannot write sends the whole page to the standard library, which
    # must still write the text as the JSON it is, not as a string or an error.
    slow = _response(provider_app, {"scores": raw, "big": 2**70})
    assert json.loads(slow) == {"scores": {"kitchen": 3, "air": None, "list": ["a", 1.5]},
                                "big": 2**70}


@pytest.mark.parametrize("microsecond", [0, 7, 123456])
def test_times_read_as_text_match_the_encoded_datetime(provider_app, microsecond):
    stored = dt.datetime(2026, 11, 26, 15, 4, 5, microsecond)  # naive UTC, as stored
    as_text = ISOTimeText().process_result_value(stored, None)  # type: ignore[arg-type]
    encoded = json.loads(_response(provider_app, stored.replace(tzinfo=dt.UTC)))
    assert as_text == encoded
    assert ISOTimeText().process_result_value(None, None) is None  # type: ignore[arg-type]
