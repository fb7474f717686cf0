"""Where a technical profile runs, and which claims exist by then: the data flow lint needs.

A profile runs as an orchestration step of a user journey (or sub journey), or as a validation
technical profile of a self-asserted profile. A claim "exists" at a step if an earlier step, an
earlier validation profile of the same list, or the calling self-asserted page produced it:
as an output claim, through a claims transformation, or by a DefaultValue.

``FlowIndex`` walks the policy once per lint and answers every question from its indexes, so
lint stays linear in the size of the policy; each index is built on first use. A new check adds
its index as one more lazily built attribute here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._model import OrchestrationStep, ValidationReference
    from ._policy import Policy

__all__ = ["FlowIndex", "UsageSite", "claims_produced_by", "defaults_of", "usage_sites"]

#: Sub journeys invoking sub journeys are followed this deep: a cycle must not hang lint.
_SUB_JOURNEY_DEPTH = 5


@dataclass(frozen=True)
class UsageSite:
    """One place a profile runs, and the claims some earlier element produced there."""

    description: str
    file: str | None
    line: int | None
    available: frozenset[str]


class FlowIndex:
    """The data flow of one policy: what each profile produces and where each profile runs."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._produced: dict[str, frozenset[str]] = {}
        self._sub_journey_outputs: dict[tuple[str, int], frozenset[str]] = {}
        self._journey_sites: dict[str, list[UsageSite]] | None = None
        self._validations: dict[str, list[tuple[str, int, ValidationReference]]] | None = None

    def produced(self, profile_id: str) -> frozenset[str]:
        """Claims a profile can put in the bag: outputs, transformation outputs, validation outputs."""
        found = self._produced.get(profile_id)
        if found is None:
            found = self._produced[profile_id] = frozenset(self._walk_produced(profile_id))
        return found

    def _walk_produced(self, profile_id: str) -> set[str]:
        # Every profile reachable through ValidationTechnicalProfiles, each once (cycles end there).
        p = self.policy
        out: set[str] = set()
        seen: set[str] = set()
        pending = [profile_id]
        while pending:
            pid = pending.pop()
            d = p.technical_profiles.get(pid)
            if d is None or pid in seen:
                continue
            seen.add(pid)
            out.update(c.claim_type_reference_id for c in d.output_claims)
            for t in d.input_claims_transformations + d.output_claims_transformations:
                out.update(p.claims_transformations.get(t, ()))
            pending.extend(v.reference_id for v in d.validation_technical_profiles)
        return out

    def step_outputs(self, step: OrchestrationStep, depth: int = 0) -> set[str]:
        """Claims an orchestration step can produce: its profiles and the sub journeys it invokes."""
        out: set[str] = set()
        for pid in step.technical_profile_ids:
            out |= self.produced(pid)
        if depth < _SUB_JOURNEY_DEPTH:
            for sid in step.sub_journey_ids:
                out |= self._sub_journey(sid, depth + 1)
        return out

    def _sub_journey(self, sub_journey_id: str, depth: int) -> frozenset[str]:
        key = (sub_journey_id, depth)
        found = self._sub_journey_outputs.get(key)
        if found is None:
            out: set[str] = set()
            for step in self.policy.sub_journeys.get(sub_journey_id, []):
                out |= self.step_outputs(step, depth)
            found = self._sub_journey_outputs[key] = frozenset(out)
        return found

    def journey_sites(self, profile_id: str) -> list[UsageSite]:
        """Every journey step that runs the profile, with the claims earlier steps produced."""
        if self._journey_sites is None:
            index: dict[str, list[UsageSite]] = {}
            p = self.policy
            # A sub journey shares its caller's bag: it starts with what the invoking step could see
            # (user journeys are walked first; a sub journey invoked from another one is walked after it).
            entry: dict[str, set[str]] = {}
            for kind, journeys in (("user journey", p.user_journeys), ("sub journey", p.sub_journeys)):
                for journey_id, steps in journeys.items():
                    before: set[str] = set(entry.get(journey_id, ())) if kind == "sub journey" else set()
                    for step in steps:
                        if step.technical_profile_ids:
                            available = frozenset(before)
                            for pid in dict.fromkeys(step.technical_profile_ids):
                                index.setdefault(pid, []).append(UsageSite(
                                    f"{kind} {journey_id!r} step {step.order}", step.file, step.line, available))
                        for sub_journey_id in step.sub_journey_ids:
                            entry.setdefault(sub_journey_id, set()).update(before)
                        before |= self.step_outputs(step)
            self._journey_sites = index
        return self._journey_sites.get(profile_id, [])

    def validation_uses(self, profile_id: str) -> list[tuple[str, int, ValidationReference]]:
        """(owner id, position, reference) of every ValidationTechnicalProfile that runs the profile."""
        if self._validations is None:
            index: dict[str, list[tuple[str, int, ValidationReference]]] = {}
            for owner_id, owner in self.policy.technical_profiles.items():
                for position, ref in enumerate(owner.validation_technical_profiles):
                    index.setdefault(ref.reference_id, []).append((owner_id, position, ref))
            self._validations = index
        return self._validations.get(profile_id, [])

    def usage_sites(self, profile_id: str) -> list[UsageSite]:
        """Every journey step and validation list that runs the profile, with the claims available there."""
        p = self.policy
        sites = list(self.journey_sites(profile_id))
        for owner_id, position, ref in self.validation_uses(profile_id):
            owner = p.technical_profiles[owner_id]
            available = {c.claim_type_reference_id for c in owner.output_claims}
            available |= {c.claim_type_reference_id for c in owner.input_claims}
            for t in owner.input_claims_transformations:
                available.update(p.claims_transformations.get(t, ()))
            for earlier in owner.validation_technical_profiles[:position]:
                available |= self.produced(earlier.reference_id)
            for site in self.journey_sites(owner_id):
                available |= site.available
            sites.append(UsageSite(f"the ValidationTechnicalProfiles of {owner_id!r}", ref.file, ref.line,
                                   frozenset(available)))
        return sites


def claims_produced_by(policy: Policy, profile_id: str) -> set[str]:
    """Claims a profile can put in the bag: outputs, transformation outputs, validation outputs."""
    return set(FlowIndex(policy).produced(profile_id))


def usage_sites(policy: Policy, profile_id: str) -> list[UsageSite]:
    """Every journey step and validation list that runs the profile (one question; lint uses FlowIndex)."""
    return FlowIndex(policy).usage_sites(profile_id)


def defaults_of(policy: Policy, profile_id: str) -> dict[str, str]:
    """Input claims of a profile that a DefaultValue creates when the bag lacks them."""
    d = policy.technical_profiles.get(profile_id)
    if d is None:
        return {}
    return {c.claim_type_reference_id: c.default_value for c in d.input_claims if c.default_value}
