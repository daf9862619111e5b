"""Reading what the exports produce with real tools: Debian's poppler-utils for PDFs (as a
person's PDF reader would see them) and Python's csv module for CSVs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from tests.factories import Factory, FamilyRef, UserRef
from tests.support import clock
from tests.support.api_client import ApiClient


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, check=True, timeout=120).stdout.decode()


def _saved(data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="homelog-pdf-"))
    (folder / "file.pdf").write_bytes(data)
    return folder


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, as pdftotext reads it."""
    text = _run("pdftotext", "-layout", str(_saved(data) / "file.pdf"), "-")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_text(data: bytes) -> str:
    """All the text, with line breaks and runs of spaces made single spaces."""
    return " ".join(" ".join(pdf_pages(data)).split())


def pdf_images(data: bytes) -> list[dict[str, str]]:
    """The pictures embedded in the PDF (pdfimages -list), soft masks left out."""
    text = _run("pdfimages", "-list", str(_saved(data) / "file.pdf"))
    lines = text.splitlines()[2:]
    columns = ("page", "num", "type", "width", "height", "color")
    rows = [dict(zip(columns, line.split()[:6], strict=True)) for line in lines if line.strip()]
    return [row for row in rows if row["type"] == "image"]


def rendered_pages(data: bytes, resolution: int = 24) -> int:
    """How many pages pdftoppm drew as pictures (each must be a real, non-empty PNG)."""
    folder = _saved(data)
    _run("pdftoppm", "-png", "-r", str(resolution), str(folder / "file.pdf"), str(folder / "page"))
    pages = sorted(folder.glob("page*.png"))
    assert all(page.stat().st_size > 100 for page in pages)
    return len(pages)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export_entries(app: Flask, family_id: int) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.execute(
            select(AuditEntry).where(AuditEntry.family_id == family_id,
                                     AuditEntry.action == "family.export")
            .order_by(AuditEntry.id)).scalars())
        db.session.expunge_all()
        return entries


class Team:
    """A family, its lead and a practitioner, each signed in."""

    def __init__(self, factory: Factory, make_client) -> None:
        self.factory = factory
        self.practitioner_ref: UserRef = factory.user()
        self.family: FamilyRef = factory.family(
            members=(self.practitioner_ref,),
            opened_on=clock.today() - dt.timedelta(days=120))
        self.lead: ApiClient = make_client()
        assert self.lead.sign_in(self.family.lead.email).status_code == 201
        self.practitioner: ApiClient = make_client()
        assert self.practitioner.sign_in(self.practitioner_ref.email).status_code == 201

    def url(self, what: str) -> str:
        return f"/api/v1/families/{self.family.id}/{what}"

    def visit(self, at: dt.datetime | None = None, scores: dict[str, int | None] | None = None,
              **options: Any) -> int:
        """The practitioner's visit, made by the factory (as `Factory.visit`)."""
        return self.factory.visit(self.family.id, self.practitioner_ref.id, at, scores,
                                  **options)


@pytest.fixture
def team(factory: Factory, make_client) -> Team:
    return Team(factory, make_client)
