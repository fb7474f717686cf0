"""Run one technical profile of a journey over the claims bag, transformations included (spec §2.1).

The core's ``RestfulProfile`` knows nothing of claims transformations, so this ring runs them:
input transformations (a failure means no request is sent), the call, the output claims into the
bag, then output transformations (a failure fails the step after the call). A claims
transformation profile only runs transformations; a supplied profile's answer stands for its
output claims, with its transformations around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, MutableMapping

from ..errors import CallError, ClaimsTransformationError
from ..resolvers import ClaimResolverContext
from .plan import CLAIMS_TRANSFORMATION, Call
from .result import StepResult

if TYPE_CHECKING:
    from ..policy._policy import Policy

__all__ = ["ProfileRunner", "canonical", "failure_message"]


def canonical(policy: Policy | None, claims: Mapping[str, Any]) -> dict[str, Any]:
    """``claims`` with each name spelled as the ClaimsSchema declares it (B2C's claim, whatever the case)."""
    if policy is None:
        return dict(claims)
    return {policy.claim_types.spelling(name) or name: value for name, value in claims.items()}


def _failure_key(method: str | None) -> str | None:
    # The self-asserted profile's metadata key for this method's failure (spec §2.5), from the engine.
    if not method:
        return None
    from ..transformations import FAILURE_MESSAGES  # the engine loads only for journeys that meet a failure

    found = FAILURE_MESSAGES.get(method)
    return found[0] if found is not None else None


def failure_message(policy: Policy | None, self_asserted: str, error: CallError) -> str | None:
    """The text a self-asserted page shows for a failing transformation: its localized string or
    metadata key for that method, or None to keep B2C's default (already on the error)."""
    if policy is None or not isinstance(error, ClaimsTransformationError):
        return None
    key = _failure_key(error.method)
    definition = policy.technical_profiles.get(self_asserted)
    if key is None or definition is None:
        return None
    from ..policy._transformations import localized_error

    return localized_error(policy, definition, key)


class ProfileRunner:
    """Runs a ``Call`` over one claims bag and describes the outcome as a ``StepResult``."""

    def __init__(self, bag: MutableMapping[str, Any], context: ClaimResolverContext,
                 supplied: Mapping[str, Mapping[str, Any]], policy: Policy | None, keys: Any) -> None:
        self.bag = bag
        self.context = context
        self.supplied = supplied
        self.policy = policy
        self.keys = keys

    def transformations(self, call: Call, which: str) -> dict[str, Any]:
        """Run the profile's input or output transformations over the bag; the claims they wrote."""
        definition = call.definition
        if self.policy is None or definition is None:
            return {}
        from ..policy._execute import run_transformations

        ids = definition.input_claims_transformations if which == "input" else definition.output_claims_transformations
        return run_transformations(self.policy, definition, ids, self.bag, keys=self.keys, context=self.context)

    def failed(self, call: Call, order: int, via: str | None, exc: CallError, added: Mapping[str, Any],
               result: Any = None) -> StepResult:
        """The StepResult of a step that failed (``result``: the call that went through before it)."""
        failed = result if result is not None else exc.result
        attempts = failed.attempts if failed is not None else exc.attempts
        status = exc.http_status or getattr(failed, "status", None)
        return StepResult(call.profile_id, "error", status=status, attempts=len(attempts),
                          elapsed_ms=sum(a.elapsed_ms for a in attempts), claims_added=dict(added), error=exc,
                          result=failed, step=order, validation_of=via)

    def run(self, call: Call, order: int, via: str | None = None, *, outputs: bool = True) -> StepResult:
        """Run one profile: supplied, claims transformation, RESTful, or skipped (another kind).

        ``outputs=False`` leaves a supplied profile's OutputClaimsTransformations to the caller: a
        self-asserted page runs them after its validation profiles.
        """
        pid = call.profile_id
        added: dict[str, Any] = {}
        if pid in self.supplied:
            try:
                added.update(self.transformations(call, "input"))
                answer = canonical(self.policy, self.supplied[pid])
                self.bag.update(answer)
                added.update(answer)
                if outputs:
                    added.update(self.transformations(call, "output"))
            except CallError as exc:
                return self.failed(call, order, via, exc, added)
            return StepResult(pid, "supplied", claims_added=added, step=order, validation_of=via,
                              note="answered from the claims supplied for it")
        if call.kind == CLAIMS_TRANSFORMATION and call.definition is not None and self.policy is not None:
            from ..policy._execute import run_claims_transformation_profile

            try:
                added = run_claims_transformation_profile(self.policy, call.definition, self.bag, keys=self.keys,
                                                          context=self.context)
            except CallError as exc:
                return self.failed(call, order, via, exc, added)
            return StepResult(pid, "success", claims_added=added, step=order, validation_of=via,
                              note="claims transformations ran")
        if call.profile is None:
            return StepResult(pid, "skipped", step=order, validation_of=via,
                              note=f"{call.kind} is not an HTTP call; supply its claims to answer it")
        return self.restful(call, order, via)

    def restful(self, call: Call, order: int, via: str | None) -> StepResult:
        """Input transformations, the HTTP call, its claims into the bag, output transformations."""
        assert call.profile is not None
        added: dict[str, Any] = {}
        try:
            added.update(self.transformations(call, "input"))  # a failure here: no request is sent
            result = call.profile.call(self.bag, context=self.context, step=order)
        except CallError as exc:
            return self.failed(call, order, via, exc, added)
        claims = canonical(self.policy, result.claims)
        self.bag.update(claims)
        added.update(claims)
        try:
            added.update(self.transformations(call, "output"))
        except ClaimsTransformationError as exc:
            return self.failed(call, order, via, exc, added, result)
        return StepResult(call.profile_id, "success", status=result.status, attempts=len(result.attempts),
                          elapsed_ms=result.elapsed_ms, claims_added=added, result=result, step=order,
                          validation_of=via)
