"""The app's background check of the inbox is not activity: it neither keeps an idle
session alive nor writes an audit entry per check."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from homelog.accounts.models import UserSession
from homelog.extensions import db
from tests.accounts.second_factor_support import audit_entries, client_from_new_address
from tests.support import clock
from tests.support.clock import frozen_at

INBOX = "/api/v1/inbox?unread=true&limit=200"
BACKGROUND = {"X-Homelog-Background": "1"}


def _last_seen(app, user_id: int) -> dt.datetime:
    with app.app_context():
        return db.session.execute(select(UserSession.last_seen_at).where(
            UserSession.user_id == user_id).order_by(UserSession.id.desc())).scalars().first()


def test_a_background_check_does_not_keep_the_session_alive_nor_audit(app, factory):
    user = factory.user()
    client = client_from_new_address(app)
    start = clock.now()
    with frozen_at(start):
        client.sign_in(user.email)
    signed_in_at = _last_seen(app, user.id)
    for minutes in (5, 10, 15):
        with frozen_at(start + dt.timedelta(minutes=minutes)):
            assert client.get(INBOX, headers=BACKGROUND).status_code == 200
    assert _last_seen(app, user.id) == signed_in_at
    assert audit_entries(app, "inbox.view", user.id) == []
    # Opening the inbox (no header) is activity, and audited.
    with frozen_at(start + dt.timedelta(minutes=20)):
        assert client.get(INBOX).status_code == 200
    assert _last_seen(app, user.id) > signed_in_at
    assert len(audit_entries(app, "inbox.view", user.id)) == 1


def test_an_unattended_screen_signs_out_at_the_idle_time_out(app, factory):
    idle = dt.timedelta(minutes=app.config["HOMELOG_SESSION_IDLE_MINUTES"])
    user = factory.user()
    client = client_from_new_address(app)
    start = clock.now()
    with frozen_at(start):
        client.sign_in(user.email)
    checks = start
    while checks + dt.timedelta(minutes=5) < start + idle:
        checks += dt.timedelta(minutes=5)
        with frozen_at(checks):
            assert client.get(INBOX, headers=BACKGROUND).status_code == 200
    with frozen_at(start + idle + dt.timedelta(minutes=1)):
        assert client.get(INBOX, headers=BACKGROUND).status_code == 401


def test_the_header_changes_nothing_elsewhere(app, factory):
    user = factory.user()
    family = factory.family(members=(user,))
    client = client_from_new_address(app)
    start = clock.now()
    with frozen_at(start):
        client.sign_in(user.email)
    with frozen_at(start + dt.timedelta(minutes=5)):
        opened = client.get(f"/api/v1/families/{family.id}", headers=BACKGROUND)
        assert opened.status_code == 200
    assert _last_seen(app, user.id) > start
    viewed = [entry for entry in audit_entries(app, "family.view", user.id)
              if entry.family_id == family.id]
    assert viewed
