"""A family with a visit, its author signed in, and a way to add photos to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from tests.factories import Factory, FamilyRef, UserRef
from tests.photos.pictures import phone_jpeg
from tests.photos.uploads import upload
from tests.support import clock
from tests.support.api_client import ApiClient


def audit_count(app: Flask, action: str, target_id: int | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        if target_id is not None:
            query = query.where(AuditEntry.target_id == target_id)
        return db.session.scalar(query) or 0


@dataclass
class PhotoWorld:
    app: Flask
    family: FamilyRef
    author: UserRef
    colleague: UserRef  # in the core group, not the visit's author
    outsider: UserRef
    visit_id: int
    clients: dict[str, ApiClient]
    factory: Factory

    def upload(self, data: bytes | None = None, who: str = "author", **kwargs: Any
               ) -> TestResponse:
        return upload(self.clients[who], self.visit_id,
                      phone_jpeg() if data is None else data, **kwargs)

    def new_visit(self, days_ago: float = 1, **options: Any) -> int:
        """Another visit by the author, `days_ago` days ago (options as `Factory.visit`)."""
        return self.factory.visit(self.family.id, self.author.id,
                                  clock.now() - dt.timedelta(days=days_ago), **options)


@pytest.fixture
def photo_world(app: Flask, factory: Factory) -> PhotoWorld:
    """A family whose core group holds the visit's author and a colleague, an outsider,
    each signed in, and the author's visit of yesterday."""
    author = factory.user()
    colleague = factory.user()
    outsider = factory.user()
    family = factory.family(members=(author, colleague))
    clients: dict[str, ApiClient] = {"anonymous": ApiClient(app)}
    for name, user in (("author", author), ("colleague", colleague), ("outsider", outsider),
                       ("lead", family.lead)):
        clients[name] = factory.signed_in(user)
    visit_id = factory.visit(family.id, author.id)
    return PhotoWorld(app, family, author, colleague, outsider, visit_id, clients, factory)
