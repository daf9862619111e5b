"""The phone's words for the API's enumerations (frontend/src/words.js) name exactly the
values the server sends and accepts, as its OpenAPI document lists them: a value the
server adds is never shown as a raw key, and a label for a value the server dropped is
not kept by mistake. words.js is loaded by Node, as the app itself is built."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

# Each table of labels words.js has or may have, and where the OpenAPI document lists the
# server's values for it: (component schema, property, whether the values are a list's
# items).
CONTRACT: dict[str, tuple[str, str, bool]] = {
    "PRESENT": ("VisitIn", "present", True),
    "EVENT_KINDS": ("EventIn", "kind", False),
    "FLAG_KINDS": ("FlagOut", "kind", False),
    "SEVERITY": ("FlagOut", "severity", False),
    "FLAG_STATES": ("FlagOut", "state", False),
    "PLAN_CATEGORIES": ("PlanIn", "category", False),
    "SCORE_BANDS": ("BandOut", "key", False),
    "ROLES": ("UserOut", "role", False),
    "PROFESSIONS": ("UserOut", "profession", False),
}

_EXPORTED_TABLES = """
const words = await import(process.argv[1]);
const tables = Object.fromEntries(Object.entries(words).filter(([, value]) =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
  && Object.values(value).every((label) => typeof label === 'string')));
console.log(JSON.stringify(tables));
"""


def _phone_tables(repo_root: Path) -> dict[str, dict[str, str]]:
    node = repo_root / ".venv" / "node" / "bin" / "node"
    if not node.exists():
        pytest.fail(f"Node is needed to read words.js and is not at {node.relative_to(repo_root)}"
                    " (make frontend installs it)")
    words = (repo_root / "frontend" / "src" / "words.js").as_uri()
    done = subprocess.run([str(node), "--input-type=module", "-e", _EXPORTED_TABLES, words],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _server_values(document: dict[str, Any], schema: str, prop: str, items: bool) -> set[str]:
    field = document["components"]["schemas"][schema]["properties"][prop]
    return set((field["items"] if items else field)["enum"])


@pytest.fixture(scope="module")
def phone_tables(repo_root: Path) -> dict[str, dict[str, str]]:
    return _phone_tables(repo_root)


def test_every_table_of_labels_in_words_js_is_tied_to_the_server(phone_tables):
    assert phone_tables, "words.js exports no table of labels: the loader is broken"
    untied = sorted(set(phone_tables) - set(CONTRACT))
    assert not untied, (f"words.js labels {untied}, which this contract does not tie to a "
                        "server enumeration: add each to CONTRACT")


def test_the_phone_labels_exactly_the_servers_values(phone_tables, client):
    document = client.get("/api/v1/openapi.json").json
    disagreements = []
    for table in sorted(set(phone_tables) & set(CONTRACT)):
        server = _server_values(document, *CONTRACT[table])
        phone = set(phone_tables[table])
        if phone != server:
            disagreements.append(f"{table}: no words for {sorted(server - phone)}; words for "
                                 f"values the server does not know: {sorted(phone - server)}")
    assert not disagreements, "\n".join(disagreements)
