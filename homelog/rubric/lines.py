"""Where each part of a JSON text is, so a problem in a rubric file can name its line.

The standard `json` module says where a syntax error is, but not where each value of a
valid text sits. `locate` reads the text once more, after `json.loads` has accepted it,
and notes the line and column of every value (and of every key of an object) by its path
from the top: ("domains", 0, "levels", "6") is the sixth level of the first domain.
Pure functions: text in, positions out.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from json.decoder import scanstring
from json.scanner import NUMBER_RE
from typing import Any

Path = tuple[str | int, ...]
_WHITESPACE = " \t\n\r"


@dataclass(frozen=True, order=True)
class Position:
    line: int    # from 1
    column: int  # from 1, in characters


class SyntaxProblem(ValueError):
    """The text is not JSON: where, and what a person can do about it."""

    def __init__(self, position: Position, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


@dataclass
class Located:
    """The decoded value, and the position of each of its parts by path."""

    value: Any
    positions: dict[Path, Position]
    repeated_keys: list[tuple[Path, Position]]  # a key given twice in one object

    def nearest(self, path: Path) -> tuple[Path, Position]:
        """The position of `path`, or of its closest enclosing part that is in the text
        (a missing field is reported where its object starts)."""
        while path not in self.positions and path:
            path = path[:-1]
        return path, self.positions.get(path, Position(1, 1))


# json's own messages, in words a person editing a file acts on.
_SYNTAX_WORDS = {
    "Expecting ',' delimiter": "a comma is missing between two items",
    "Expecting ':' delimiter": "a colon (:) is missing after a name",
    "Expecting property name enclosed in double quotes":
        "expected a name in double quotes (is there a comma after the last item?)",
    "Expecting value": "a value is missing here, or it is not valid JSON",
    "Unterminated string starting at": "this text has no closing double quote",
    "Extra data": "there is more after the end of the rubric",
    "Invalid control character at": "a line break or tab inside a text must be written \\n or \\t",
}


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]

    def at(self, index: int) -> Position:
        line = bisect_right(self.starts, index)
        return Position(line, index - self.starts[line - 1] + 1)


def locate(text: str) -> Located:
    """Decode `text` and note where each value is; raises SyntaxProblem if it is not JSON."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        words = next((plain for prefix, plain in _SYNTAX_WORDS.items()
                      if error.msg.startswith(prefix)), error.msg)
        raise SyntaxProblem(Position(error.lineno, error.colno), words) from error
    except RecursionError as error:
        raise SyntaxProblem(Position(1, 1), "the file is nested too deeply") from error
    reader = _Reader(text)
    try:
        reader.value(reader.skip(0), ())
    except (ValueError, IndexError, RecursionError) as error:
        # json accepts a few things this reader does not (NaN, Infinity): not a rubric.
        raise SyntaxProblem(Position(1, 1), "the file is not plain JSON") from error
    return Located(value, reader.positions, reader.repeated)


class _Reader:
    """A JSON reader that records positions (the text is known to be valid JSON)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _Lines(text)
        self.positions: dict[Path, Position] = {}
        self.repeated: list[tuple[Path, Position]] = []

    def skip(self, index: int) -> int:
        while index < len(self.text) and self.text[index] in _WHITESPACE:
            index += 1
        return index

    def value(self, index: int, path: Path) -> int:
        """Read the value starting at `index`; returns the index after it."""
        self.positions.setdefault(path, self.lines.at(index))
        char = self.text[index]
        if char == "{":
            return self.members(index + 1, path)
        if char == "[":
            return self.items(index + 1, path)
        if char == '"':
            return scanstring(self.text, index + 1)[1]
        for literal in ("true", "false", "null"):
            if self.text.startswith(literal, index):
                return index + len(literal)
        match = NUMBER_RE.match(self.text, index)
        if match is None:
            raise ValueError(f"not JSON at {index}")
        return match.end()

    def members(self, index: int, path: Path) -> int:
        index = self.skip(index)
        seen: set[str] = set()
        if self.text[index] == "}":
            return index + 1
        while True:
            key_at = self.lines.at(index)
            key, index = scanstring(self.text, index + 1)
            if key in seen:
                self.repeated.append(((*path, key), key_at))
            seen.add(key)
            # A member's position is its key's: "line 14" is the line where the name is.
            self.positions[(*path, key)] = key_at
            index = self.skip(self.skip(index) + 1)  # past the colon
            index = self.skip(self.value(index, (*path, key)))
            if self.text[index] == "}":
                return index + 1
            index = self.skip(index + 1)  # past the comma

    def items(self, index: int, path: Path) -> int:
        index = self.skip(index)
        if self.text[index] == "]":
            return index + 1
        number = 0
        while True:
            index = self.skip(self.value(index, (*path, number)))
            number += 1
            if self.text[index] == "]":
                return index + 1
            index = self.skip(index + 1)
