"""A family with 300 visits and 60 photos exports whole: every page marked, numbered and
drawable, the charts and photo pairs embedded, every visit in the CSVs, within the limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.exports.big_family import FLAGGED_NOTE, BigFamily, build_big_family
from tests.exports.conftest import (
    pdf_images,
    pdf_pages,
    pdf_text,
    read_csv,
    rendered_pages,
)
from tests.factories import DOMAINS, Factory
from tests.support import clock, isolation
from tests.support.api_client import ApiClient

VISITS, PHOTOS = 300, 60


@pytest.fixture(scope="module")
def big(app: Flask) -> Iterator[BigFamily]:
    """Built once for the module (it takes long) and only read by its tests, so the
    clean-up after each test waits until the module ends (tests/support/isolation.py)."""
    with isolation.held():
        yield build_big_family(app, Factory(app), visits=VISITS, photos=PHOTOS)


@pytest.fixture
def lead(app: Flask, big: BigFamily) -> ApiClient:
    client = ApiClient(app)
    assert client.sign_in(big.family.lead.email).status_code == 201
    return client


def test_the_whole_history_exports_as_one_printable_pdf(big: BigFamily, lead: ApiClient):
    family_id = big.family.id
    pdf = lead.get(f"/api/v1/families/{family_id}/summary.pdf")
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[:300]
    assert len(pdf.data) < 10 * 1024 * 1024
    pages = pdf_pages(pdf.data)
    assert len(pages) > 20
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, number
        assert f"Page {number} of {len(pages)}" in page, number
    assert rendered_pages(pdf.data, resolution=12) == len(pages)

    text = pdf_text(pdf.data)
    flags = lead.get(f"/api/v1/families/{family_id}/flags").json
    assert flags, "the history raises flags"
    for flag in flags:
        assert " ".join(flag["explanation"].split()) in text
    assert text.count(FLAGGED_NOTE) >= 10
    assert "Call-out 1: neighbour heard shouting" in text

    images = pdf_images(pdf.data)
    charts = [image for image in images if image["color"] == "gray"]
    photos = [image for image in images if image["color"] == "rgb"]
    assert len(charts) == len(DOMAINS)
    # The earliest and latest photo of each domain (60 photos over 10 domains), thumbnails.
    assert len(photos) == 2 * len(DOMAINS)
    assert all(max(int(image["width"]), int(image["height"])) <= 320 for image in photos)


def test_the_whole_history_in_the_csvs(big: BigFamily, lead: ApiClient):
    url = f"/api/v1/families/{big.family.id}"
    scores = read_csv(lead.get(f"{url}/summary.csv").data)
    assert len(scores) == 1 + VISITS * len(DOMAINS)
    assert {int(row[1]) for row in scores[1:]} == set(big.visit_ids)
    visits = read_csv(lead.get(f"{url}/visits.csv").data)
    assert len(visits) == 1 + VISITS
    assert [int(row[1]) for row in visits[1:]] == big.visit_ids  # oldest first

    middle = big.first_day + (big.last_day - big.first_day) / 2
    half = read_csv(lead.get(f"{url}/visits.csv", query_string={
        "from": middle.isoformat(), "to": clock.today().isoformat()}).data)
    assert 1 < len(half) < len(visits)
    assert all(row[2] >= middle.isoformat() for row in half[1:])
