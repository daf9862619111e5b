"""The audit chain is sealed with a key kept outside the database, and its head is written
down outside it: `audit verify` tells an altered entry, a chain recomputed without the key,
one recomputed with it, and a truncated tail apart. Each test tampers with a database of
its own, on SQLite and PostgreSQL, with the append-only guard switched off as an
intruder with the database's own rights would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

from homelog.audit.models import AuditEntry
from homelog.audit.services import content_of, entry_hash
from homelog.audit.verify import verify_chain
from homelog.config import ConfigError, load_config
from homelog.extensions import db
from tests.factories import Factory
from tests.support.api_client import ApiClient
from tests.support.apps import dispose, new_app


@pytest.fixture
def chain(app: Flask, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """A database of its own holding an audit chain of some 25 entries."""
    apart = new_app(app, request, tmp_path)
    apart.config["HOMELOG_AUDIT_CHECKPOINTS"] = str(tmp_path / "checkpoints.jsonl")
    factory = Factory(apart)
    member = factory.user()
    family = factory.family(members=(member,))
    client = ApiClient(apart)
    assert client.sign_in(member.email).status_code == 201
    for _ in range(20):
        assert client.get(f"/api/v1/families/{family.id}/timeline").status_code == 200
    yield apart
    dispose(apart)


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def _checkpoint(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "Checkpoint: entry" in result.output, result.output


def _unguarded(app: Flask, statements: list[tuple[str, dict]]) -> None:
    """Run statements with the audit table's guard off, as an intruder could."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
        else:
            for action in ("update", "delete"):
                connection.execute(text(f"DROP TRIGGER audit_entry_append_only_{action}"))
        for statement, values in statements:
            connection.execute(text(statement), values)
        db.session.commit()


def _entries(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars())
        db.session.expunge_all()
        return rows


def _rewrite_from(app: Flask, entry_id: int, key: str | None, *, keyed: bool) -> None:
    """Forge entry `entry_id` and reseal it and every later entry (with `key`, or with
    plain SHA-256 as someone without the key would)."""
    rows = _entries(app)
    prev = next(row.entry_hash for row in reversed(rows) if row.id < entry_id)
    statements = []
    for row in (row for row in rows if row.id >= entry_id):
        if row.id == entry_id:
            row.basis = "forged"
        sealed = entry_hash(prev, content_of(row), key)
        statements.append(("UPDATE audit_entry SET basis = :basis, prev_hash = :prev, "
                           "entry_hash = :sealed, keyed = :keyed WHERE id = :id",
                           {"basis": row.basis, "prev": prev, "sealed": sealed,
                            "keyed": keyed, "id": row.id}))
        prev = sealed
    # Seals are unique: park the new ones out of the way first, then set them.
    _unguarded(app, [("UPDATE audit_entry SET entry_hash = 'x' || id WHERE id >= :id",
                      {"id": entry_id}), *statements])


def test_every_entry_is_sealed_with_the_key_the_database_never_holds(chain):
    rows = _entries(chain)
    assert len(rows) >= 20 and all(row.keyed for row in rows)
    key = chain.config["HOMELOG_AUDIT_KEY"]
    assert rows[1].entry_hash == entry_hash(rows[0].entry_hash, content_of(rows[1]), key)
    assert rows[1].entry_hash != entry_hash(rows[0].entry_hash, content_of(rows[1]))
    assert _verify(chain)[0] == 0
    chain.config["HOMELOG_AUDIT_KEY"] = "another-key-of-thirty-two-characters-or-more"
    with chain.app_context():
        report = verify_chain()
    assert (report.problem, report.first_broken_id) == ("altered", rows[0].id)


def test_a_truncated_tail_is_told_as_such(chain):
    _checkpoint(chain)
    rows = _entries(chain)
    _unguarded(chain, [("DELETE FROM audit_entry WHERE id > :id", {"id": rows[-21].id})])
    code, output = _verify(chain)
    assert code == 1
    assert f"BROKEN at entry {rows[-1].id}: truncated" in output
    assert f"the chain now ends at {rows[-21].id}" in output


@pytest.mark.parametrize("keyed", [True, False], ids=["marked keyed", "marked plain"])
def test_a_chain_recomputed_without_the_key_is_told_as_such(chain, keyed):
    target = _entries(chain)[10].id
    _rewrite_from(chain, target, None, keyed=keyed)
    code, output = _verify(chain)
    assert code == 1
    assert f"BROKEN at entry {target}: recomputed (its hash was redone without the audit key)" \
        in output


def test_a_chain_recomputed_with_the_key_is_caught_by_a_checkpoint(chain):
    _checkpoint(chain)
    head = _entries(chain)[-1].id
    target = _entries(chain)[10].id
    _rewrite_from(chain, target, chain.config["HOMELOG_AUDIT_KEY"], keyed=True)
    with chain.app_context():
        assert verify_chain().intact  # the chain alone is consistent: only the key was used
    code, output = _verify(chain)
    assert code == 1
    assert f"BROKEN at entry {head}: recomputed (its seal differs from the one the " \
           "checkpoint of" in output
    checkpoint = json.loads(Path(chain.config["HOMELOG_AUDIT_CHECKPOINTS"]).read_text())
    assert checkpoint["entry_id"] == head and checkpoint["database"]


def test_an_edited_entry_is_told_as_altered(chain):
    target = _entries(chain)[5].id
    _unguarded(chain, [("UPDATE audit_entry SET basis = 'forged' WHERE id = :id",
                        {"id": target})])
    code, output = _verify(chain)
    assert code == 1 and f"BROKEN at entry {target}: altered" in output


@pytest.mark.parametrize(("key", "complaint"), [
    (None, "HOMELOG_AUDIT_KEY must be set in production"),
    ("too short", "HOMELOG_AUDIT_KEY must be at least 32 characters"),
])
def test_production_needs_an_audit_key_of_its_own(monkeypatch, tmp_path, key, complaint):
    monkeypatch.setenv("HOMELOG_ENV", "production")
    monkeypatch.setenv("HOMELOG_SECRET_KEY", "a-secret-key-for-this-test")
    if key is None:
        monkeypatch.delenv("HOMELOG_AUDIT_KEY", raising=False)
    else:
        monkeypatch.setenv("HOMELOG_AUDIT_KEY", key)
    with pytest.raises(ConfigError, match=complaint):
        load_config(str(tmp_path))


def test_one_checkpoint_file_serves_several_databases_each_against_its_own(chain):
    _checkpoint(chain)
    path = Path(chain.config["HOMELOG_AUDIT_CHECKPOINTS"])
    other = {"entry_id": 10**6, "entry_hash": "0" * 64, "at": "2026-12-01T00:00:00+00:00",
             "database": "postgresql://elsewhere:5432/homelog"}
    with path.open("a") as stream:
        stream.write(json.dumps(other) + "\n")
    code, output = _verify(chain)
    assert code == 0 and "1 checkpoint outside the database agrees" in output, output
    # Given by name (a backup's, taken when the chain was elsewhere), every line counts.
    named = chain.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", str(path)])
    assert named.exit_code == 1 and "truncated" in named.output
