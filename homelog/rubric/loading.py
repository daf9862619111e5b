"""Loading a rubric file: every problem at once, each with the line it is on.

    line 14: domain 'kitchen': level 6 is outside 1-5
    line 31: domain 'cooking' continues 'kitchn', which is not a domain of version 3 (...)

The file is the JSON the command line loads (rubric/data/default_rubric.json is one). A
text that is not JSON at all has one problem, where reading it stopped (after a syntax
error nothing further can be read reliably); otherwise every problem with the shape, the
values and the mapping to the previous version (rubric/mapping.py) is reported together.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from homelog.accounts.models import User
from homelog.core.errors import ApiError, invalid
from homelog.rubric import services
from homelog.rubric.lines import Located, Path, Position, SyntaxProblem, locate
from homelog.rubric.mapping import check_mapping
from homelog.rubric.schemas import RubricFileSchema

MAX_FILE_CHARACTERS = 200_000

# Field names as a person reading the file would say them.
_FIELD_WORDS = {
    "good_enough_level": "good-enough level", "good_enough_max": "good-enough maximum",
    "concern_min": "concern minimum", "safe_sleep": "safe sleep",
}
_LIST_WORDS = {"domains": "domain", "concerns": "immediate concern", "rooms": "room"}
_MESSAGE_WORDS = {
    "Missing data for required field.": "is missing",
    "Unknown field.": "is not part of a rubric file",
    "Not a valid integer.": "must be a whole number",
    "Not a valid string.": "must be text in double quotes",
    "Not a valid boolean.": "must be true or false",
    "Not a valid list.": "must be a list in [ ]",
    "Not a valid mapping type.": "must be an object in { }",
    "Invalid input type.": "must be an object in { }",
    "Field may not be null.": "may not be null",
}


class Problem:
    """One problem in the file: where, and what."""

    def __init__(self, position: Position, text: str, *, column: bool = False) -> None:
        self.position = position
        self.text = text
        self.column = column  # worth saying: where a syntax error stopped the reading

    def __str__(self) -> str:
        where = f"line {self.position.line}"
        if self.column:
            where += f", column {self.position.column}"
        return f"{where}: {self.text}"


def _context(located: Located, path: Path) -> str:
    """'domain 'kitchen'' for anything inside the first domain, and so on."""
    if len(path) < 2 or path[0] not in _LIST_WORDS or not isinstance(path[1], int):
        return ""
    items = located.value.get(path[0]) if isinstance(located.value, dict) else None
    item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
    key = item.get("key") if isinstance(item, dict) else None
    name = f"'{key}'" if isinstance(key, str) else f"number {path[1] + 1}"
    return f"{_LIST_WORDS[str(path[0])]} {name}"


def _field(path: Path) -> str:
    named = [part for part in path[2:] if isinstance(part, str)] if (
        len(path) >= 2 and path[0] in _LIST_WORDS) else [p for p in path if isinstance(p, str)]
    if not named:
        return ""
    return _FIELD_WORDS.get(named[0], named[0].replace("_", " "))


def _flatten(messages: Any, path: Path = ()) -> list[tuple[Path, str]]:
    if isinstance(messages, dict):
        return [found for key, inner in messages.items()
                for found in _flatten(inner, path + ((key,) if key != "_schema" else ()))]
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return [(path, message) for message in messages]
    return [(path, str(messages))]


def _describe(located: Located, path: Path, message: str) -> Problem:
    """A schema message at `path` as a line of the file."""
    if len(path) >= 2 and path[-1] in ("key", "value") and "levels" in path[:-2]:
        path = path[:-1]  # a level's number or its words: the line of that level
        if message.startswith("level "):
            context = _context(located, path)
            return Problem(located.nearest(path)[1],
                           f"{context}: {message}" if context else message)
    position = located.nearest(path)[1]
    words = _MESSAGE_WORDS.get(message, message.rstrip("."))
    field = _field(path)
    if message in ("Missing data for required field.", "Unknown field.") and path:
        words = f"'{path[-1]}' {words}"
        field = _field(path[:-1])
    parts = [part for part in (_context(located, path), field) if part]
    lead = ": ".join(parts)
    return Problem(position, f"{lead}: {words}" if lead else words)


def _repeats(located: Located) -> list[Problem]:
    """Names given twice in one object, and keys used twice in a list (a file with other
    problems never reaches the schema's own check of keys)."""
    problems = [Problem(position, f"'{path[-1]}' is given twice in the same place")
                for path, position in located.repeated_keys]
    for field, items in _lists(located.value).items():
        seen: set[str] = set()
        for index, item in enumerate(items):
            key = item.get("key") if isinstance(item, dict) else None
            if not isinstance(key, str):
                continue
            if key in seen:
                problems.append(Problem(located.nearest((field, index, "key"))[1],
                                        f"{_LIST_WORDS[field]} key '{key}' is used twice"))
            seen.add(key)
    return problems


def _lists(value: dict[str, Any]) -> dict[str, list[Any]]:
    return {field: value[field] for field in _LIST_WORDS if isinstance(value.get(field), list)}


def _names(raw: Any) -> list[str] | None:
    return [name for name in raw if isinstance(name, str)] if isinstance(raw, list) else None


def _raw_mapping_problems(located: Located) -> list[Problem]:
    """When the file has other problems, the names its mapping gives that the current
    version does not have (whether every old domain is carried on waits for a clean file)."""
    items = _lists(located.value).get("domains", [])
    keys = [item.get("key") if isinstance(item, dict) else None for item in items]
    if not all(isinstance(key, str) for key in keys) or len(set(keys)) != len(keys):
        return []  # the mapping's domains cannot be told apart by their keys
    declared = {"continues": {item["key"]: _names(item.get("continues")) for item in items},
                "retired": _names(located.value.get("retired")) or []}
    latest = services.latest_domains()
    problems = check_mapping(declared, *(latest if latest else (None, None)))
    return [Problem(located.nearest(path)[1], message)
            for path, message in problems if len(path) > 1]


def read_rubric_text(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The rubric in `text` and every problem found in it, in line order (no content when
    there is any problem). The mapping is checked against the current version."""
    if len(text) > MAX_FILE_CHARACTERS:
        return None, [Problem(Position(1, 1), f"the file is longer than "
                                              f"{MAX_FILE_CHARACTERS:,} characters")]
    try:
        located = locate(text)
    except SyntaxProblem as problem:
        return None, [Problem(problem.position, problem.message, column=True)]
    if not isinstance(located.value, dict):
        return None, [Problem(Position(1, 1), "a rubric file is one object in { }")]
    problems = _repeats(located)
    try:
        content = RubricFileSchema().load(located.value)
    except ValidationError as error:
        # (keys used twice: _repeats has them, with or without other problems)
        problems += [_describe(located, path, message)
                     for path, message in _flatten(error.messages_dict)
                     if not message.endswith("is used twice")]
        content = None
        problems += _raw_mapping_problems(located)
    if content is not None:
        problems += [Problem(located.nearest(path)[1], message)
                     for path, message in services.mapping_problems(content)]
    unique = {(problem.position, problem.text): problem for problem in problems}
    ordered = sorted(unique.values(), key=lambda problem: problem.position)
    return (content if not ordered else None), ordered


def load_rubric_text(text: str, loaded_by: User | None = None
                     ) -> tuple[services.Rubric, bool]:
    """Load the rubric file `text` as the new current version (same as the current: no new
    version); raises ApiError 422 listing every problem as "line N: ..." under `file`."""
    content, problems = read_rubric_text(text)
    if problems or content is None:
        raise invalid({"file": [str(problem) for problem in problems]},
                      "The rubric file has problems; nothing was loaded.")
    return services.load_rubric(content, loaded_by)


def file_problems(error: ApiError) -> list[str]:
    """The lines of a refused file, for the command line."""
    fields = error.fields or {}
    return [str(line) for lines in fields.values() for line in (
        lines if isinstance(lines, list) else [lines])]
