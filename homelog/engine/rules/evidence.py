"""Turning positions in a history into the visit ids a finding cites."""

from __future__ import annotations

from collections.abc import Iterable

from homelog.engine.analysis_history import History, Series


def visit_ids(history: History, indices: Iterable[int]) -> tuple[int, ...]:
    """The ids of the visits at `indices`, oldest first, each once."""
    return tuple(history.visits[index].id for index in sorted(set(indices)))


def score_visit_ids(history: History, line: Series, positions: Iterable[int]) -> tuple[int, ...]:
    """The ids of the visits behind the scores at `positions` of a domain's series."""
    return visit_ids(history, (line.visit_index[position] for position in positions))
