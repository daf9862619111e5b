"""The scoring scale: 1 is best and 5 is worst; a score is good enough up to the family's
agreed level (the rubric's good-enough level, 2, where nothing has been agreed), a concern
from the partnership's concern level (an administrator chooses 3, 4 or 5) and borderline
between the two.

The one place that says whether a score is a concern (`is_concern`) and which band a score
is in (`band_of`): visit validation, the engine, the wording, the demo and the exports all
ask here, so a partnership that moves its concern level moves every one of them. The
rubric file's `concern_min` does not set the threshold; the rubric API reports this level
in its place (`scale_for_people`). The level in force is read and set by
rubric/concern_level.py; everything here is pure, so the engine's analysis can use it.
"""

from __future__ import annotations

import enum
from typing import Any

LOWEST = 1
HIGHEST = 5
GOOD_ENOUGH_MAX = 2
# product.md "Scoring": 4-5 is a concern unless the partnership chooses otherwise.
CONCERN_LEVEL_DEFAULT = 4
CONCERN_LEVEL_MIN = 3
CONCERN_LEVEL_MAX = HIGHEST
CONCERN_LEVEL_SETTING = "concern_level"


class Band(enum.StrEnum):
    GOOD_ENOUGH = "good_enough"
    BORDERLINE = "borderline"
    CONCERN = "concern"


BAND_LABELS = {Band.GOOD_ENOUGH: "Good enough", Band.BORDERLINE: "Borderline",
               Band.CONCERN: "Concern"}


def is_concern(score: int | None, concern_level: int) -> bool:
    """Whether a score (None: not seen) is a concern at the partnership's concern level."""
    return score is not None and score >= concern_level


def band_of(score: int, agreed: int, concern_level: int) -> Band:
    """Good enough (at or better than the agreed level), concern (at the concern level or
    worse), or borderline (between the two)."""
    if score <= agreed:
        return Band.GOOD_ENOUGH
    return Band.CONCERN if is_concern(score, concern_level) else Band.BORDERLINE


def concern_scores_in_words(concern_level: int) -> str:
    """The scores that are a concern, as a sentence says them: "4 or 5", "3 to 5", "5"."""
    if concern_level >= HIGHEST:
        return str(HIGHEST)
    if concern_level == HIGHEST - 1:
        return f"{concern_level} or {HIGHEST}"
    return f"{concern_level} to {HIGHEST}"


def file_scale_in_force(file_scale: dict[str, Any], level: int) -> dict[str, Any]:
    """A rubric file's scale as the rubric API reports it: the file's ends and good-enough
    maximum, with the partnership's concern level in place of the file's `concern_min`
    (which no longer sets anything) and `borderline` its first score (None when the level
    leaves no borderline score)."""
    first_borderline = GOOD_ENOUGH_MAX + 1
    return {**file_scale, "concern_min": level,
            "borderline": first_borderline if first_borderline < level else None}


def scale_for_people(level: int) -> dict[str, Any]:
    """The scale as the phone and the rubric API show it: its ends, the good-enough
    maximum, the concern level `level` and the bands (an empty borderline band, when the
    concern level is 3, is left out)."""
    bands = [(Band.GOOD_ENOUGH, LOWEST, GOOD_ENOUGH_MAX),
             (Band.BORDERLINE, GOOD_ENOUGH_MAX + 1, level - 1),
             (Band.CONCERN, level, HIGHEST)]
    return {"lowest": LOWEST, "highest": HIGHEST, "good_enough_max": GOOD_ENOUGH_MAX,
            "concern_min": level,
            "bands": [{"key": key.value, "label": BAND_LABELS[key], "lowest": low,
                       "highest": high} for key, low, high in bands if low <= high]}
