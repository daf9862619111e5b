"""The code keeps the shape docs/architecture.md describes: modules a newcomer can read in one
sitting, and imports that only go down the order of features.

Read from the source files with `ast` (no import of the app), so a module that breaks
either rule fails here by name, whatever the tests it passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "homelog"
MOST_LINES = 400

# The order of features, lowest first (architecture.md, rule 2): a module may import its own
# feature and the features in tiers below its own, never one beside or above it. The last
# tier is the features nothing else imports - only the app factory (homelog/__init__.py,
# which wires every feature together and is left out): the demo partnership, operations
# (health, metrics), retention (which ages out what every feature keeps) and the web shell.
TIERS: tuple[tuple[str, ...], ...] = (
    ("core",),  # with homelog.extensions and homelog.config: the bare instances and settings
    ("audit",),
    ("accounts",),
    ("families",),
    ("rubric",),
    ("visits",),
    ("photos",),
    ("engine",),
    ("alerts",),
    ("exports",),
    ("demo", "ops", "retention", "web"),
)
PART_OF_CORE = {"extensions", "config"}

# Known exceptions, each with its reason. Audit's services, which every feature calls,
# import nothing above core; its views check the signed-in person's role with the access
# decorators of accounts, like every other feature's views.
ALLOWED_UPWARD = {("audit/views.py", "accounts")}


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "node_modules" not in path.parts)


def _feature_of(relative: Path) -> str | None:
    """The feature a module belongs to; None for the app factory."""
    if len(relative.parts) == 1:
        name = relative.stem
        return None if name == "__init__" else ("core" if name in PART_OF_CORE else name)
    return relative.parts[0]


def _imported_features(tree: ast.AST) -> set[str]:
    """Every homelog feature a module imports, wherever the import stands (a function-local
    or type-checking import counts as much as one at the top)."""
    features = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = ([f"homelog.{alias.name}" for alias in node.names]
                     if node.module == "homelog" else [node.module])
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "homelog" and len(parts) > 1:
                features.add("core" if parts[1] in PART_OF_CORE else parts[1])
    return features


def _tier() -> dict[str, int]:
    return {feature: rank for rank, tier in enumerate(TIERS) for feature in tier}


def test_every_feature_has_a_place_in_the_order():
    features = {path.name for path in PACKAGE.iterdir()
                if path.is_dir() and (path / "__init__.py").exists()}
    assert features == set(_tier()), "place the new feature in TIERS (and say why)"


def test_no_module_is_longer_than_the_limit():
    too_long = {}
    for path in _modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MOST_LINES:
            too_long[str(path.relative_to(PACKAGE))] = lines
    assert too_long == {}, f"split these by responsibility (at most {MOST_LINES} lines)"


def test_imports_only_go_down_the_order_of_features():
    tier = _tier()
    upward = []
    for path in _modules():
        relative = path.relative_to(PACKAGE)
        feature = _feature_of(relative)
        if feature is None:
            continue
        for imported in _imported_features(ast.parse(path.read_text(encoding="utf-8"))):
            if imported == feature or (relative.as_posix(), imported) in ALLOWED_UPWARD:
                continue
            if tier[imported] >= tier[feature]:
                upward.append(f"{relative.as_posix()} imports {imported}")
    assert upward == [], "an import goes up or sideways; send the news down with a signal"


def test_the_checks_see_an_upward_import_and_a_long_module():
    """The rules above are only as good as their reading of the source: they must see an
    import placed anywhere in a module, and count every line."""
    tree = ast.parse("def f():\n    from homelog.exports.services import x\n")
    assert _imported_features(tree) == {"exports"}
    assert _imported_features(ast.parse("import homelog.extensions")) == {"core"}
    assert _imported_features(ast.parse("from . import sibling")) == set()
    assert _feature_of(Path("engine/steps/rules/levels.py")) == "engine"
    assert _feature_of(Path("config.py")) == "core"
    assert _tier()["engine"] > _tier()["visits"]
