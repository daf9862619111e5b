"""The scoring scale's one rule for a concern and for the bands, at each concern level a
partnership may choose."""

from __future__ import annotations

import pytest

from homelog.rubric.scale import (
    Band,
    band_of,
    concern_scores_in_words,
    file_scale_in_force,
    is_concern,
    scale_for_people,
)


@pytest.mark.parametrize(("level", "concerns"), [(3, {3, 4, 5}), (4, {4, 5}), (5, {5})])
def test_a_score_is_a_concern_from_the_partnerships_level(level, concerns):
    assert {score for score in range(1, 6) if is_concern(score, level)} == concerns
    assert not is_concern(None, level)  # not seen is never a concern


def test_the_band_reads_the_familys_agreed_level_and_the_concern_level():
    assert [band_of(score, 2, 4) for score in range(1, 6)] == [
        Band.GOOD_ENOUGH, Band.GOOD_ENOUGH, Band.BORDERLINE, Band.CONCERN, Band.CONCERN]
    assert band_of(3, 2, 3) is Band.CONCERN
    assert band_of(3, 3, 3) is Band.GOOD_ENOUGH  # a family agreed to a 3: good enough there


def test_the_concern_scores_in_words_name_the_actual_level():
    assert [concern_scores_in_words(level) for level in (3, 4, 5)] == ["3 to 5", "4 or 5", "5"]


def test_the_scale_for_people_leaves_out_an_empty_borderline_band():
    at_four = scale_for_people(4)
    assert at_four["concern_min"] == 4 and at_four["good_enough_max"] == 2
    assert [(b["key"], b["lowest"], b["highest"]) for b in at_four["bands"]] == [
        ("good_enough", 1, 2), ("borderline", 3, 3), ("concern", 4, 5)]
    assert [(b["key"], b["lowest"], b["highest"]) for b in scale_for_people(3)["bands"]] == [
        ("good_enough", 1, 2), ("concern", 3, 5)]
    assert [b["label"] for b in scale_for_people(5)["bands"]] == [
        "Good enough", "Borderline", "Concern"]


def test_the_rubric_file_scale_reports_the_level_in_force_not_its_own():
    written = {"best": 1, "worst": 5, "good_enough_max": 2, "borderline": 3, "concern_min": 4}
    assert file_scale_in_force(written, 3) == {**written, "concern_min": 3, "borderline": None}
    assert file_scale_in_force(written, 5) == {**written, "concern_min": 5, "borderline": 3}
