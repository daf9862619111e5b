"""The engine's third step: a family's findings against its stored flags, decided as a plan
of flags to open, refresh and close (no database: flag_store.py reads the flags before and
writes the plan after, with the news of it from news.py).

Reconciling is idempotent: the same finding (same `key`) still true leaves its flag as it
is (evidence and wording refreshed); a finding no longer true closes its flag, unless it
is a safe-sleep flag, which only a person closes; a finding true again after its flag
closed opens a new occurrence linked to the old one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homelog.engine.steps.types import Finding

CLOSED_BY_PERSON = "closed_by_person"
NO_LONGER_TRUE = "no_longer_true"


@dataclass(frozen=True)
class StoredFlag:
    """An open or acknowledged flag as read from the database."""

    id: int
    key: str
    kind: str
    severity: str
    domains: list[str]
    evidence_visit_ids: list[int]
    agency_ids: list[int]
    became_true_at: dt.datetime
    explanation: str
    safe_sleep: bool
    phrase: str


ENGINE_FIELDS = ("kind", "severity", "domains", "evidence_visit_ids", "agency_ids",
                 "became_true_at", "explanation", "safe_sleep", "phrase")


def flag_values(finding: Finding) -> dict[str, Any]:
    """The stored fields a finding gives its flag."""
    return {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "domains": list(finding.domains),
        "evidence_visit_ids": list(finding.evidence_visit_ids),
        "agency_ids": list(finding.agency_ids),
        "became_true_at": finding.became_true_at,
        "explanation": finding.explanation,
        "safe_sleep": finding.safe_sleep,
        "phrase": finding.phrase,
    }


@dataclass
class Plan:
    """What reconciling one family's findings with its stored flags will change."""

    family_id: int
    to_open: list[Finding] = field(default_factory=list)
    closed_keys: set[str] | None = None  # keys of the family's closed flags, if known
    findings: list[Finding] = field(default_factory=list)  # every finding true now
    # The rubric's domain names, set by an engine run: its changes are news for the core
    # group (engine/steps/news.py). A request raising immediate concerns leaves it empty.
    domain_names: Mapping[str, str] = field(default_factory=dict)
    to_update: list[tuple[StoredFlag, str, Finding]] = field(default_factory=list)
    to_close: list[StoredFlag] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.to_open or self.to_update or self.to_close)


def _follow_amendments(active: dict[str, StoredFlag], wanted: dict[str, Finding],
                       amended: dict[int, int]) -> dict[str, str]:
    """Old key -> new key for flags raised from a visit that has since been amended (keys
    name visits), so the amendment neither repeats the alert nor loses the response."""
    rekeyed: dict[str, str] = {}
    if not amended:
        return rekeyed
    for key, flag in active.items():
        if key in wanted or not any(visit_id in amended for visit_id in flag.evidence_visit_ids):
            continue
        now_cites = tuple(amended.get(visit_id, visit_id) for visit_id in flag.evidence_visit_ids)
        for new_key, finding in wanted.items():
            if (new_key not in active and new_key not in rekeyed.values()
                    and finding.kind.value == flag.kind
                    and finding.evidence_visit_ids == now_cites):
                rekeyed[key] = new_key
                break
    return rekeyed


def _follow_renamed_domains(active: dict[str, StoredFlag], wanted: dict[str, Finding],
                            rekeyed: dict[str, str], domains: Collection[str]) -> None:
    """Old key -> new key for flags about a domain the rubric in force no longer has
    (renamed or split: rubric/mapping.py) whose finding carries on under the new domain:
    same kind, same start, citing the flag's visits. The flag goes on (its response kept)
    rather than closing and alerting the core group again. A split's second domain opens
    its own flag."""
    for key, flag in active.items():
        if (key in wanted or key in rekeyed or not flag.domains
                or all(domain in domains for domain in flag.domains)):
            continue
        for new_key, finding in wanted.items():
            if (new_key not in active and new_key not in rekeyed.values()
                    and finding.kind.value == flag.kind
                    and finding.became_true_at == flag.became_true_at
                    and set(flag.evidence_visit_ids) <= set(finding.evidence_visit_ids)):
                rekeyed[key] = new_key
                break


def plan_reconcile(
    family_id: int,
    active: dict[str, StoredFlag],
    findings: Iterable[Finding],
    *,
    amended: dict[int, int] | None = None,
    close_missing: bool = True,
    domains: Collection[str] | None = None,
) -> Plan:
    """Decide, without touching the database, how `findings` change the family's flags.

    A finding whose key has an open or acknowledged flag refreshes it; the same key with
    a later `became_true_at` is a new occurrence (the old one stopped being true between
    runs): the old flag closes and a linked one opens. `close_missing=False` only adds and
    refreshes (a request raising immediate concerns does not know every finding).
    """
    plan = Plan(family_id)
    wanted: dict[str, Finding] = {}
    for finding in findings:
        wanted.setdefault(finding.key, finding)
    plan.findings = list(wanted.values())
    rekeyed = _follow_amendments(active, wanted, amended or {})
    if domains is not None:  # the rubric's domains in force (an engine run knows them)
        _follow_renamed_domains(active, wanted, rekeyed, domains)
    by_key = {rekeyed.get(key, key): flag for key, flag in active.items()}
    for key, finding in wanted.items():
        flag = by_key.pop(key, None)
        if (flag is not None and not flag.safe_sleep and finding.kind.value == flag.kind
                and finding.became_true_at > flag.became_true_at):
            plan.to_close.append(flag)
            flag = None
        if flag is None:
            plan.to_open.append(finding)
            continue
        values = flag_values(finding)
        if flag.key != key or any(getattr(flag, name) != values[name]
                                  for name in ENGINE_FIELDS):
            plan.to_update.append((flag, key, finding))
    if close_missing:
        # A safe-sleep flag never closes by itself: a person decides (see flags.acknowledge).
        plan.to_close += [flag for flag in by_key.values() if not flag.safe_sleep]
    return plan
