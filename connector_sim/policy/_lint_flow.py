"""Where a technical profile runs, and which claims exist by then: the data flow lint needs.

A profile runs as an orchestration step of a user journey (or sub journey), or as a validation
technical profile of a self-asserted profile. A claim "exists" at a step if an earlier step, an
earlier validation profile of the same list, or the calling self-asserted page produced it:
as an output claim, through a claims transformation, or by a DefaultValue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Set

if TYPE_CHECKING:
    from ._policy import Policy

__all__ = ["UsageSite", "claims_produced_by", "defaults_of", "usage_sites"]


@dataclass(frozen=True)
class UsageSite:
    """One place a profile runs, and the claims some earlier element produced there."""

    description: str
    file: Optional[str]
    line: Optional[int]
    available: FrozenSet[str]


def claims_produced_by(policy: Policy, profile_id: str, _seen: Optional[Set[str]] = None) -> Set[str]:
    """Claims a profile can put in the bag: outputs, transformation outputs, validation outputs."""
    seen = _seen if _seen is not None else set()
    d = policy.technical_profiles.get(profile_id)
    if d is None or profile_id in seen:
        return set()
    seen.add(profile_id)
    out = {c.claim_type_reference_id for c in d.output_claims}
    for t in d.input_claims_transformations + d.output_claims_transformations:
        out.update(policy.claims_transformations.get(t, ()))
    for v in d.validation_technical_profiles:
        out |= claims_produced_by(policy, v.reference_id, seen)
    return out


def _step_outputs(policy: Policy, profile_ids: List[str], sub_journey_ids: tuple, depth: int = 0) -> Set[str]:
    out: Set[str] = set()
    for pid in profile_ids:
        out |= claims_produced_by(policy, pid)
    for sid in sub_journey_ids:
        if depth < 5:  # sub journeys invoking sub journeys: bounded, a cycle must not hang lint
            for step in policy.sub_journeys.get(sid, []):
                out |= _step_outputs(policy, step.technical_profile_ids, step.sub_journey_ids, depth + 1)
    return out


def _journey_sites(policy: Policy, profile_id: str) -> List[UsageSite]:
    sites: List[UsageSite] = []
    for kind, journeys in (("user journey", policy.user_journeys), ("sub journey", policy.sub_journeys)):
        for journey_id, steps in journeys.items():
            before: Set[str] = set()
            for step in steps:
                if profile_id in step.technical_profile_ids:
                    sites.append(UsageSite(f"{kind} {journey_id!r} step {step.order}", step.file, step.line,
                                           frozenset(before)))
                before |= _step_outputs(policy, step.technical_profile_ids, step.sub_journey_ids)
    return sites


def usage_sites(policy: Policy, profile_id: str) -> List[UsageSite]:
    """Every journey step and validation list that runs the profile, with the claims available there."""
    sites = _journey_sites(policy, profile_id)
    for owner_id, owner in policy.technical_profiles.items():
        refs = owner.validation_technical_profiles
        for index, ref in enumerate(refs):
            if ref.reference_id != profile_id:
                continue
            available = {c.claim_type_reference_id for c in owner.output_claims}
            available |= {c.claim_type_reference_id for c in owner.input_claims}
            for t in owner.input_claims_transformations:
                available.update(policy.claims_transformations.get(t, ()))
            for earlier in refs[:index]:
                available |= claims_produced_by(policy, earlier.reference_id)
            for site in _journey_sites(policy, owner_id):
                available |= site.available
            sites.append(UsageSite(f"the ValidationTechnicalProfiles of {owner_id!r}", ref.file, ref.line,
                                   frozenset(available)))
    return sites


def defaults_of(policy: Policy, profile_id: str) -> Dict[str, str]:
    """Input claims of a profile that a DefaultValue creates when the bag lacks them."""
    d = policy.technical_profiles.get(profile_id)
    if d is None:
        return {}
    return {c.claim_type_reference_id: c.default_value for c in d.input_claims if c.default_value}
