"""What each test leaves behind is put back (tests/support/isolation.py): the promise every
other test relies on, checked here on both databases."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from homelog.extensions import db
from tests.conftest import AUDIT_CHECKPOINTS
from tests.factories import Factory
from tests.support import isolation

# Tables a visit writes, the audit trail's guarded by append-only triggers among them.
TABLES = ("user_account", "family", "visit", "audit_entry")


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {table: db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                for table in TABLES}


def test_what_a_test_wrote_is_gone_after_it_and_ids_start_again(app: Flask,
                                                                 factory: Factory) -> None:
    isolation.reset_after_test(AUDIT_CHECKPOINTS)  # whatever fixtures made before the test
    migrated = _counts(app)
    family = factory.family()
    first_visit = factory.visit(family.id, family.lead.id)
    written = _counts(app)
    assert all(written[table] > migrated[table] for table in TABLES), written

    isolation.reset_after_test(AUDIT_CHECKPOINTS)

    assert _counts(app) == migrated
    again = factory.family()
    assert factory.visit(again.id, again.lead.id) == first_visit  # ids as migrated left them
