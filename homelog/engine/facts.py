"""Build the pure analysis's input (FamilyFacts) from the database, many families at a time.

Only effective visits count: an amended visit is replaced by its latest amendment (the
visit nothing supersedes). Reads are batched per chunk of families, a few queries per
chunk rather than per family, because the full run reads every visit in the partnership.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.orm import aliased

from homelog.accounts.models import Agency, User
from homelog.core.time import local_zone
from homelog.engine.steps.analysis import FamilyFacts, VisitFact
from homelog.extensions import db
from homelog.families.models import CoreGroupMember, Family
from homelog.rubric.agreements import steps_in_force
from homelog.rubric.mapping import carry_levels, carry_scores
from homelog.rubric.models import AgreementRevision
from homelog.rubric.services import Rubric, current_rubric
from homelog.rubric.versions import Sources, carried_sources
from homelog.visits.models import Visit


@dataclass(frozen=True)
class RubricLabels:
    """The words the analysis puts in its explanations, from the rubric in force."""

    default_levels: dict[str, int]
    domain_names: dict[str, str]
    concern_labels: dict[str, str]
    safe_sleep_concerns: frozenset[str]
    room_labels: dict[str, str]
    # Per older rubric version (by id) whose domains differ from the current one: each
    # current domain's keys in that version (rubric/mapping.py). A visit's scores, and an
    # agreement's levels, are read under the current keys through it, so a renamed or
    # split domain's history carries on.
    domain_sources: dict[int, Sources] = field(default_factory=dict)

    @classmethod
    def of(cls, rubric: Rubric, domain_sources: dict[int, Sources] | None = None
           ) -> RubricLabels:
        return cls(
            default_levels=rubric.default_levels(),
            domain_names={key: domain["name"] for key, domain in rubric.domains.items()},
            concern_labels={key: concern["label"] for key, concern in rubric.concerns.items()},
            safe_sleep_concerns=frozenset(
                key for key, concern in rubric.concerns.items() if concern.get("safe_sleep")
            ),
            room_labels={key: room["label"] for key, room in rubric.rooms.items()},
            domain_sources=domain_sources or {},
        )


def rubric_labels() -> RubricLabels:
    """The labels of the rubric in force, and how older versions' domains map onto it."""
    rubric = current_rubric()
    return RubricLabels.of(rubric, carried_sources(rubric))


_later = aliased(Visit)
# The JSON columns are read as text and decoded here: the lists (rooms, people, concerns)
# repeat from visit to visit, so each distinct one is decoded once per chunk.
_EFFECTIVE_VISITS = (
    select(Visit.id, Visit.family_id, Visit.visited_at, Visit.agency_id, Visit.announced,
           Visit.rubric_version_id, cast(Visit.scores, Text), cast(Visit.concerns, Text),
           cast(Visit.present, Text), cast(Visit.rooms_seen, Text))
    .where(Visit.family_id.in_(bindparam("family_ids", expanding=True)))
    .where(~select(_later.id).where(_later.supersedes_id == Visit.id).exists())
    .order_by(Visit.family_id, Visit.visited_at, Visit.id)
)
# Every revision, not just the latest: a visit is compared with the agreement in force on
# its date (a family has a handful of revisions, so this costs little).
_AGREEMENTS = (
    select(AgreementRevision.family_id, AgreementRevision.revision, AgreementRevision.agreed_on,
           AgreementRevision.levels, AgreementRevision.rubric_version_id)
    .where(AgreementRevision.family_id.in_(bindparam("family_ids", expanding=True)))
)
_CORE_AGENCIES = (
    select(CoreGroupMember.family_id, User.agency_id)
    .join(User, User.id == CoreGroupMember.user_id)
    .where(CoreGroupMember.family_id.in_(bindparam("family_ids", expanding=True)),
           User.active.is_(True))
    .distinct()
)
_MEMBERS = (
    select(CoreGroupMember.family_id, User.id, User.email)
    .join(User, User.id == CoreGroupMember.user_id)
    .where(CoreGroupMember.family_id.in_(bindparam("family_ids", expanding=True)),
           User.active.is_(True))
    .order_by(CoreGroupMember.family_id, User.id)
)
_FAMILIES = (
    select(Family.id, Family.opened_on, Family.plan_started_on)
    .where(Family.id.in_(bindparam("family_ids", expanding=True)))
    .order_by(Family.id)
)


def agency_names() -> dict[int, str]:
    """Every agency's name by id (a small table, read once per run)."""
    return dict(db.session.execute(select(Agency.id, Agency.name)).all())


def load_facts(
    family_ids: Sequence[int],
    labels: RubricLabels | None = None,
    agencies: dict[int, str] | None = None,
) -> dict[int, FamilyFacts]:
    """FamilyFacts for each of `family_ids` that exists, in four queries for the lot."""
    if not family_ids:
        return {}
    labels = labels or rubric_labels()
    agencies = agencies if agencies is not None else agency_names()
    params = {"family_ids": list(family_ids)}
    visits = _visit_facts(params, labels.domain_sources, agencies)
    revisions = _agreement_revisions(params, labels.domain_sources)
    core = _core_group_agencies(params, agencies)
    zone = local_zone()
    facts = {}
    for family_id, opened_on, plan_started_on in db.session.execute(_FAMILIES, params):
        steps = steps_in_force(revisions[family_id], labels.default_levels)
        facts[family_id] = FamilyFacts(
            family_id=family_id,
            opened_on=opened_on,
            plan_started_on=plan_started_on,
            agreed_levels=dict(steps[-1].levels),
            agreed_steps=tuple((step.starts, dict(step.levels)) for step in steps),
            domain_names=labels.domain_names,
            concern_labels=labels.concern_labels,
            safe_sleep_concerns=labels.safe_sleep_concerns,
            room_labels=labels.room_labels,
            core_group_agencies=dict(sorted(core[family_id].items())),
            visits=tuple(visits[family_id]),
            local_zone=zone,
        )
    return facts


def _visit_facts(params: dict[str, Any], sources: dict[int, Sources],
                 agencies: dict[int, str]) -> dict[int, list[VisitFact]]:
    """Each family's visits in force, oldest first, scored in the current rubric's domains."""
    visits: dict[int, list[VisitFact]] = defaultdict(list)
    lists: dict[str, tuple[str, ...]] = {}

    def as_tuple(raw: str) -> tuple[str, ...]:
        # Most visits repeat a handful of lists: parse each distinct text once.
        found = lists.get(raw)
        if found is None:
            found = lists[raw] = tuple(json.loads(raw))
        return found

    for (visit_id, family_id, at, agency_id, announced, version_id, scores, concerns, present,
         rooms) in db.session.execute(_EFFECTIVE_VISITS, params):
        mapped = sources.get(version_id)  # None: scored with the current version's domains
        visits[family_id].append(VisitFact(
            id=visit_id,
            visited_at=at,
            agency_id=agency_id,
            agency_name=agencies.get(agency_id, ""),
            announced=announced,
            scores=(json.loads(scores) if mapped is None
                    else carry_scores(json.loads(scores), mapped)),
            concerns=as_tuple(concerns),
            present=as_tuple(present),
            rooms_seen=as_tuple(rooms),
        ))
    return visits


def _agreement_revisions(params: dict[str, Any], sources: dict[int, Sources]
                         ) -> dict[int, list[tuple[int, dt.date, dict[str, int]]]]:
    """Each family's agreement revisions: (number, agreed on, levels in current domains)."""
    revisions: dict[int, list[tuple[int, dt.date, dict[str, int]]]] = defaultdict(list)
    for family_id, number, agreed_on, levels, version_id in db.session.execute(_AGREEMENTS,
                                                                              params):
        if version_id in sources:  # agreed under an older rubric: its levels carry on too
            levels = carry_levels(levels, sources[version_id])
        revisions[family_id].append((number, agreed_on, levels))
    return revisions


def _core_group_agencies(params: dict[str, Any], agencies: dict[int, str]
                         ) -> dict[int, dict[int, str]]:
    """Each family's core-group agencies: id -> name."""
    core: dict[int, dict[int, str]] = defaultdict(dict)
    for family_id, agency_id in db.session.execute(_CORE_AGENCIES, params):
        core[family_id][agency_id] = agencies.get(agency_id, "")
    return core


_AMENDMENTS = (
    select(Visit.family_id, Visit.supersedes_id, Visit.id)
    .where(Visit.family_id.in_(bindparam("family_ids", expanding=True)),
           Visit.supersedes_id.is_not(None))
)


def amended_visits(family_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """Per family: each amended (superseded) visit id -> the id of the visit now in force."""
    replaced: dict[int, dict[int, int]] = defaultdict(dict)
    if not family_ids:
        return replaced
    for family_id, old, new in db.session.execute(_AMENDMENTS,
                                                  {"family_ids": list(family_ids)}):
        replaced[family_id][old] = new
    for chain in replaced.values():
        for old in list(chain):
            final = chain[old]
            while final in chain:  # an amendment amended again
                final = chain[final]
            chain[old] = final
    return replaced


def core_group_members(family_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """Per family, its active core-group members (id, email), read with the facts so that
    the flags a run opens can be announced without a query per family."""
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if family_ids:
        for family_id, user_id, email in db.session.execute(
                _MEMBERS, {"family_ids": list(family_ids)}):
            members[family_id].append((user_id, email))
    return members


def family_facts(family_id: int) -> FamilyFacts | None:
    """One family's facts (None if there is no such family)."""
    return load_facts([family_id]).get(family_id)


def chunks(ids: Iterable[int], size: int) -> Iterable[list[int]]:
    """`ids` in lists of at most `size`."""
    chunk: list[int] = []
    for family_id in ids:
        chunk.append(family_id)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def as_of_cutoff(facts: FamilyFacts, as_of: dt.datetime) -> FamilyFacts:
    """The same facts with only the visits up to `as_of` (for figures drawn as of a date)."""
    kept = tuple(visit for visit in facts.visits if visit.visited_at <= as_of)
    if len(kept) == len(facts.visits):
        return facts
    return FamilyFacts(**{**facts.__dict__, "visits": kept})
