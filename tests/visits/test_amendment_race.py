"""Two people's phones amending one visit at the same moment: one amendment is kept, and the
other is told so (409), never answered with a server error or kept as a second amendment."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from flask import Response
from sqlalchemy import func, select, text

from homelog.accounts.models import User
from homelog.core.errors import ApiError
from homelog.core.idempotency import request_fingerprint
from homelog.extensions import db
from homelog.visits.models import Visit
from homelog.visits.services import Submission, amend_visit, open_visit
from tests.engine.support import at_days_ago

_WAITING_ON_A_LOCK = text("SELECT count(*) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND wait_event_type = 'Lock'")


def _amend(author_id: int, visit_id: int, note: str) -> Visit:
    user = db.session.get_one(User, author_id)
    visit, access = open_visit(user, visit_id, "visit.view")
    submission = Submission(user, str(uuid.uuid4()), request_fingerprint("amend", note))
    amendment, _ = amend_visit(visit, access, submission, {"reason": note, "notes": note})
    return amendment


def _wait_until_one_waits_on_a_lock(seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    with db.engine.connect() as watcher:
        while watcher.execute(_WAITING_ON_A_LOCK).scalar_one() == 0:
            assert time.monotonic() < deadline, "the second amendment never reached the insert"
            watcher.rollback()
            time.sleep(0.05)


def test_the_later_of_two_simultaneous_amendments_is_refused(app, factory, db_dialect):
    if db_dialect != "postgresql":
        pytest.skip("SQLite: the second writer waits for the write lock before it reads, "
                    "then finds the visit amended (the check before the insert)")
    author = factory.user()
    family = factory.family(members=(author,))
    visit_id = factory.visit(family.id, author.id, at_days_ago(1))
    refused: list[ApiError] = []
    path = f"/api/v1/visits/{visit_id}/amendments"

    def second_phone() -> None:
        with app.test_request_context(path, method="POST"):
            try:
                _amend(author.id, visit_id, "Second correction")
            except ApiError as error:
                refused.append(error)
            finally:
                db.session.rollback()

    # Two requests: what each leaves for its boundary (its audit entries) waits until then.
    with app.test_request_context(path, method="POST"):
        _amend(author.id, visit_id, "First correction")  # written, not yet committed
        second = threading.Thread(target=second_phone)
        second.start()
        # The second passed the "already amended?" check (the first is not committed) and
        # waits at its insert on the one-amendment-per-visit rule.
        _wait_until_one_waits_on_a_lock()
        app.process_response(Response())  # the first request's boundary: it commits
    second.join(timeout=30)
    assert not second.is_alive()
    assert [(error.status, error.code) for error in refused] == [(409, "already_amended")]
    assert "someone else just now" in str(refused[0])
    with app.app_context():
        amendments = db.session.execute(
            select(func.count()).where(Visit.supersedes_id == visit_id)).scalar_one()
        db.session.rollback()
    assert amendments == 1
