"""Turning positions in a history into the visit ids a finding cites."""

from __future__ import annotations

from collections.abc import Iterable

from homelog.engine.steps.history import History, Series


def visit_ids(history: History, indices: Iterable[int]) -> tuple[int, ...]:
    """The ids of the visits at `indices`, oldest first, each once."""
    visits = history.visits
    return tuple([visits[index].id for index in sorted(set(indices))])


def visit_ids_between(history: History, first: int, last: int) -> tuple[int, ...]:
    """The ids of the visits from index `first` to `last` inclusive."""
    return tuple([visit.id for visit in history.visits[first:last + 1]])


def score_visit_ids(history: History, line: Series, positions: Iterable[int]) -> tuple[int, ...]:
    """The ids of the visits behind the scores at `positions` of a domain's series."""
    if isinstance(positions, range) and positions.step == 1:
        # A run of scores: their visits are already in order and distinct.
        visits = history.visits
        return tuple([visits[index].id
                      for index in line.visit_index[positions.start:positions.stop]])
    return visit_ids(history, [line.visit_index[position] for position in positions])
