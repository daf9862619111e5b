"""How each version's domains continue the previous version's: renamed, split, merged, retired.

A rubric file may say, per domain, which domain(s) of the version before it continues:

    {"key": "cooking", "continues": ["kitchen"], ...}          a rename
    {"key": "clutter", "continues": ["floors"]}, {"key": "access", "continues": ["floors"]}
                                                                a split
    {"key": "home", "continues": ["bathroom", "air"], ...}      a merge

A domain that says nothing continues the previous domain with its own key, if there was one
(most versions change words, not domains); `"continues": []` makes it new. Every domain of
the previous version must be continued by at least one domain or listed under the file's
top-level `"retired"`, so nothing is lost without someone saying so.

Scores are carried forward when they are read (charts, the engine), never rewritten: each
visit keeps its own version's scores. Carried to the current version, a domain's score is
the old domain's (a split: each new domain gets it); a merge takes the worst of the old
domains' scores (5 is worst), because a concern in either part is a concern in the whole.
An agreed level carried through a merge takes the stricter (lower) of the two, until the
core group agrees a new one. Pure functions, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
Problem = tuple[Path, str]


@dataclass(frozen=True)
class DomainMapping:
    """One version's link to the version before it (`continues`: new key -> previous keys)."""

    continues: dict[str, list[str]]
    retired: list[str]


def split_declared(content: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rubric content without its mapping, and the mapping as the file declared it:
    {"continues": {domain key: list or None}, "retired": [...]}. The content alone is what
    is stored, hashed and served; the mapping is stored beside it."""
    plain = {key: value for key, value in content.items() if key != "retired"}
    plain["domains"] = [{key: value for key, value in domain.items() if key != "continues"}
                        for domain in content["domains"]]
    declared = {
        "continues": {domain["key"]: domain.get("continues") for domain in content["domains"]},
        "retired": list(content.get("retired") or []),
    }
    return plain, declared


def _listing(keys: Sequence[str]) -> str:
    return ", ".join(keys)


def check_mapping(declared: dict[str, Any], previous: Sequence[str] | None,
                  previous_version: int | None = None) -> list[Problem]:
    """Every problem with the declared mapping against the previous version's domain keys
    (None: there is no previous version), each with the path in the file it is about."""
    continues: dict[str, list[str] | None] = declared["continues"]
    retired: list[str] = declared["retired"]
    keys = list(continues)
    if previous is None:
        problems: list[Problem] = [
            (("domains", keys.index(key), "continues"),
             f"domain '{key}' continues {_listing(names)}, but there is no earlier version")
            for key, names in continues.items() if names]
        if retired:
            problems.append((("retired",), "there is no earlier version to retire domains of"))
        return problems
    known = set(previous)
    called = f"version {previous_version}" if previous_version else "the current version"
    problems = []
    for index, (key, names) in enumerate(continues.items()):
        for place, name in enumerate(names or []):
            if name not in known:
                problems.append(((
                    "domains", index, "continues", place),
                    f"domain '{key}' continues '{name}', which is not a domain of {called} "
                    f"({_listing(previous)})"))
    resolved = resolve_mapping(declared, previous)
    carried = {name for names in resolved.continues.values() for name in names}
    for place, name in enumerate(retired):
        if name not in known:
            problems.append((("retired", place),
                             f"'{name}' is retired, but it is not a domain of {called}"))
        elif name in carried:
            continuing = [key for key, names in resolved.continues.items() if name in names]
            problems.append((("retired", place),
                             f"'{name}' is retired, but domain '{continuing[0]}' continues it"))
    for name in previous:
        if name not in carried and name not in retired:
            problems.append((("domains",),
                             f"domain '{name}' of {called} is neither continued nor retired: "
                             f"name it in \"continues\" of the domain that carries it on, or "
                             f"list it under \"retired\""))
    return problems


def resolve_mapping(declared: dict[str, Any], previous: Sequence[str]) -> DomainMapping:
    """The mapping with the implicit parts made explicit (a domain that says nothing
    continues the previous domain of the same key, if there was one)."""
    known = set(previous)
    continues = {}
    for key, names in declared["continues"].items():
        if names is None:
            names = [key] if key in known else []
        continues[key] = list(dict.fromkeys(name for name in names if name in known))
    return DomainMapping(continues, [name for name in declared["retired"] if name in known])


def identity_mapping(keys: Sequence[str], previous: Sequence[str]) -> DomainMapping:
    """The mapping of a version loaded before mappings were stored: same key, same domain."""
    known = set(previous)
    return DomainMapping({key: [key] if key in known else [] for key in keys},
                         [name for name in previous if name not in set(keys)])


def sources_back(current_keys: Sequence[str],
                 steps: Sequence[DomainMapping]) -> dict[str, tuple[str, ...]]:
    """For each current domain, the domains of an older version it continues.

    `steps` are the mappings of the versions after the older one, newest first (the
    current version's own mapping first). A current domain that continues nothing there
    has no sources (it is new since then)."""
    sources = {key: (key,) for key in current_keys}
    for step in steps:
        sources = {key: tuple(dict.fromkeys(
            old for name in names for old in step.continues.get(name, ())))
            for key, names in sources.items()}
    return sources


def is_identity(sources: Mapping[str, tuple[str, ...]]) -> bool:
    """True when every domain is its own and only source (only the words changed)."""
    return all(names == (key,) for key, names in sources.items())


def carry_scores(scores: Mapping[str, int | None],
                 sources: Mapping[str, tuple[str, ...]]) -> dict[str, int | None]:
    """A visit's scores under the current domain keys: each domain's score is its source's,
    the worst where several were merged; "not seen" (None) only where every source was."""
    carried: dict[str, int | None] = {}
    for key, names in sources.items():
        given = [scores[name] for name in names if name in scores]
        if not given:
            continue
        seen = [score for score in given if score is not None]
        carried[key] = max(seen) if seen else None
    return carried


def carry_levels(levels: Mapping[str, int],
                 sources: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """Agreed levels under the current domain keys: the stricter (lower) where merged."""
    carried = {}
    for key, names in sources.items():
        given = [levels[name] for name in names if name in levels]
        if given:
            carried[key] = min(given)
    return carried
