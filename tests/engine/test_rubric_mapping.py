"""Reading scores across rubric versions (rubric/mapping.py): pure steps, no database."""

from __future__ import annotations

from homelog.rubric.mapping import (
    DomainMapping,
    carry_levels,
    carry_scores,
    check_mapping,
    identity_mapping,
    is_identity,
    resolve_mapping,
    sources_back,
)

V1 = ["kitchen", "floors", "air"]


def test_a_rename_a_split_and_a_merge_carry_scores_forward():
    v2 = DomainMapping({"cooking": ["kitchen"], "clutter": ["floors"], "access": ["floors"],
                        "air": ["air"]}, [])
    sources = sources_back(["cooking", "clutter", "access", "air"], [v2])
    assert sources == {"cooking": ("kitchen",), "clutter": ("floors",),
                       "access": ("floors",), "air": ("air",)}
    assert carry_scores({"kitchen": 4, "floors": 3, "air": None}, sources) == {
        "cooking": 4, "clutter": 3, "access": 3, "air": None}
    v3 = DomainMapping({"home": ["cooking", "air"], "clutter": ["clutter"],
                        "access": ["access"]}, [])
    two_back = sources_back(["home", "clutter", "access"], [v3, v2])
    assert two_back["home"] == ("kitchen", "air")
    # A merge takes the worst score; "not seen" only when every part was not seen.
    assert carry_scores({"kitchen": 2, "air": 5, "floors": 1}, two_back)["home"] == 5
    assert carry_scores({"kitchen": None, "air": 3}, two_back)["home"] == 3
    assert carry_scores({"kitchen": None, "air": None}, two_back)["home"] is None
    # The agreed level through a merge is the stricter one.
    assert carry_levels({"kitchen": 3, "air": 2, "floors": 2}, two_back)["home"] == 2


def test_a_new_domain_has_no_history_and_words_only_changes_are_identity():
    v2 = DomainMapping({"kitchen": ["kitchen"], "garden": []}, ["floors", "air"])
    sources = sources_back(["kitchen", "garden"], [v2])
    assert carry_scores({"kitchen": 3, "floors": 5, "air": 4}, sources) == {"kitchen": 3}
    assert is_identity(sources_back(V1, [identity_mapping(V1, V1)]))
    assert not is_identity(sources)


def test_the_mapping_is_checked_against_the_previous_version():
    declared = {"continues": {"cooking": ["kitchn"], "floors": None}, "retired": ["garage"]}
    problems = check_mapping(declared, V1, 3)
    paths = [path for path, _ in problems]
    assert ("domains", 0, "continues", 0) in paths  # the unknown name, where it is
    assert ("retired", 0) in paths
    lost = [message for path, message in problems if path == ("domains",)]
    assert any("'kitchen' of version 3 is neither continued nor retired" in m for m in lost)
    assert any("'air' of version 3" in m for m in lost)
    fine = {"continues": {"cooking": ["kitchen"], "floors": None}, "retired": ["air"]}
    assert check_mapping(fine, V1, 3) == []
    assert resolve_mapping(fine, V1) == DomainMapping(
        {"cooking": ["kitchen"], "floors": ["floors"]}, ["air"])
    both = {"continues": {"kitchen": None, "floors": None, "air": None}, "retired": ["air"]}
    assert any("continues it" in message for _, message in check_mapping(both, V1, 3))
    first = {"continues": {"kitchen": ["old"]}, "retired": []}
    assert check_mapping(first, None) != []
