"""Plan a journey from a policy: which profiles run in which step, each RESTful profile built once.

Building every RESTful profile while planning means a missing key or a profile B2C would refuse is
found before any request is sent. An ``InvokeSubJourney`` step becomes one step holding the sub
journey's steps, so its Preconditions apply to all of them and a ``Transfer`` sub journey can end
the journey.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from ..claims import fold
from ..errors import ConfigurationError, PolicyError
from ..profile import RestfulProfile

if TYPE_CHECKING:
    from ..policy._model import TechnicalProfileDefinition
    from ..policy._policy import Policy

__all__ = ["CLAIMS_TRANSFORMATION", "MAX_SUB_JOURNEY_DEPTH", "SELF_ASSERTED", "Call", "Planner", "Step",
           "unknown_target"]

#: The handler kind of self-asserted profiles, the only ones with validation technical profiles.
SELF_ASSERTED = "SelfAssertedAttributeProvider"
#: The handler kind of claims transformation technical profiles (they run only transformations).
CLAIMS_TRANSFORMATION = "ClaimsTransformationProtocolProvider"
#: Sub journeys invoking sub journeys: deeper nesting is a policy error, not a hang.
MAX_SUB_JOURNEY_DEPTH = 10


@dataclass
class Call:
    """One technical profile to run: a built RESTful profile, or another kind (skipped or supplied)."""

    profile_id: str
    kind: str = "RestfulProvider"
    profile: RestfulProfile | None = None
    reference: Any = None  # the ValidationReference, for a validation profile
    definition: TechnicalProfileDefinition | None = None  # from a policy: its transformations run too


@dataclass
class Step:
    """One orchestration step: a profile, a choice the user makes between several, or a sub journey."""

    order: int
    call: Call | None = None
    choices: tuple[str, ...] = ()
    validations: list[Call] = field(default_factory=list)
    keep: frozenset[str] | None = None  # a self-asserted step's output claims, folded (scope of its validations)
    show_self: bool = True
    preconditions: tuple[Any, ...] = ()
    sub_journey: str | None = None  # InvokeSubJourney: the sub journey's id, its steps in ``steps``
    steps: list[Step] = field(default_factory=list)
    transfer: bool = False  # a Transfer sub journey: the parent journey does not go on after it


class Planner:
    """Turns ids from a policy into steps, building each RESTful profile once."""

    def __init__(self, policy: Policy, supplied: Mapping[str, Any],
                 build: Callable[[str], RestfulProfile]) -> None:
        self.policy = policy
        self.supplied = supplied
        self.build = build
        self.built: dict[str, RestfulProfile] = {}

    def call(self, profile_id: str, reference: Any = None) -> Call:
        """One profile to run; RESTful ones are built now (unless supplied)."""
        definition = self.policy.technical_profile(profile_id)
        call = Call(profile_id, definition.kind, reference=reference, definition=definition)
        if definition.is_restful and profile_id not in self.supplied:
            if profile_id not in self.built:
                self.built[profile_id] = self.build(profile_id)
            call.profile = self.built[profile_id]
        return call

    def step(self, order: int, profile_id: str, *, in_journey: bool = True) -> Step:
        """The step for one profile; a self-asserted one brings its validation profiles."""
        definition = self.policy.technical_profile(profile_id)
        step = Step(order, self.call(profile_id))
        if definition.kind == SELF_ASSERTED:
            step.validations = [self.call(ref.reference_id, ref) for ref in definition.validation_technical_profiles]
            if in_journey:
                step.keep = frozenset(fold(c.claim_type_reference_id) for c in definition.output_claims)
            else:
                step.show_self = profile_id in self.supplied
        return step

    def plan(self, target: str | Sequence[str]) -> list[Step]:
        """Steps for profile ids in order, one UserJourney id, or one self-asserted profile id."""
        ids = [target] if isinstance(target, str) else list(target)
        if not ids:
            raise ConfigurationError("name at least one technical profile or user journey to run")
        if len(ids) == 1:
            only = ids[0]
            if only not in self.policy.technical_profiles:
                if only in self.policy.user_journeys:
                    return self.journey(only)
                if only in self.policy.sub_journeys:
                    return self.journey(only, self.policy.sub_journeys[only])
                raise unknown_target(self.policy, only)
            return [self.step(1, only, in_journey=False)]
        return [self.step(n, profile_id) for n, profile_id in enumerate(ids, start=1)]

    def journey(self, journey_id: str, orchestration_steps: Sequence[Any] | None = None,
                depth: int = 0) -> list[Step]:
        """The steps of a user (or sub) journey; an InvokeSubJourney step holds the sub journey's steps."""
        steps: list[Step] = []
        if orchestration_steps is None:
            orchestration_steps = self.policy.user_journeys[journey_id]
        for orchestration in orchestration_steps:
            sub_ids = [s for s in getattr(orchestration, "sub_journey_ids", ()) if s in self.policy.sub_journeys]
            if sub_ids:
                if depth >= MAX_SUB_JOURNEY_DEPTH:
                    raise PolicyError(f"sub journeys invoke each other more than {MAX_SUB_JOURNEY_DEPTH} levels deep "
                                      f"(at {sub_ids[0]!r})", file=orchestration.file, line=orchestration.line)
                sub_id = sub_ids[0]
                step = Step(orchestration.order, sub_journey=sub_id,
                            steps=self.journey(sub_id, self.policy.sub_journeys[sub_id], depth + 1),
                            transfer=self.policy.sub_journey_types.get(sub_id, "Call").lower() == "transfer")
            else:
                ids = list(orchestration.technical_profile_ids)
                chosen = [i for i in ids if i in self.supplied]
                if len(ids) == 1 or len(chosen) == 1:
                    step = self.step(orchestration.order, (chosen or ids)[0])
                elif ids:
                    step = Step(orchestration.order, choices=tuple(ids))
                else:
                    continue
            # Preconditions apply to every step type, InvokeSubJourney included.
            step.preconditions = tuple(getattr(orchestration, "preconditions", ()))
            steps.append(step)
        return steps


def unknown_target(policy: Policy, name: str) -> PolicyError:
    """The error for an id that is neither a technical profile nor a user journey, with the closest ids."""
    known = list(policy.technical_profiles) + list(policy.user_journeys)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else None
    return PolicyError(f"no technical profile or user journey {name!r} in the policy files", hint=hint)
