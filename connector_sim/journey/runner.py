"""Run technical profiles in order with one claims bag, as B2C's journeys and validation profiles do.

A journey is planned first (every RESTful profile is built, so a missing key or a bad profile is
found before any request), then run. Orchestration steps stop at the first failure and send the
user back to the relying party; validation profiles of a self-asserted profile honour
ContinueOnError, ContinueOnSuccess and Preconditions, and a failure shows on the page (§7.2, §11.3).
Claims transformations run around each profile (``calls``); claim type ids in the bag match
without regard to case, as in B2C; a ``Transfer`` sub journey ends the journey.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from ..claims import ClaimsBag, fold
from ..errors import CallError, ConfigurationError
from ..profile import RestfulProfile
from ..resolvers import ClaimResolverContext
from .calls import ProfileRunner, canonical, failure_message
from .plan import SELF_ASSERTED, Call, Planner, Step
from .preconditions import precondition_skips
from .result import JourneyResult, StepResult, error_description, page_message, redirect_message

if TYPE_CHECKING:
    from ..policy._policy import Policy

__all__ = ["StepCallback", "run_journey", "run_profiles", "run_steps"]

StepCallback = Callable[[StepResult], None]


class _Run:
    """Runs planned steps over one claims bag and records each step."""

    def __init__(self, claims: Mapping[str, Any], context: ClaimResolverContext,
                 supplied: Mapping[str, Mapping[str, Any]], on_step: StepCallback | None,
                 policy: Policy | None = None, keys: Any = None) -> None:
        self.bag = ClaimsBag(canonical(policy, claims))
        self.context = context
        self.supplied = supplied
        self.on_step = on_step
        self.policy = policy
        self.runner = ProfileRunner(self.bag, context, supplied, policy, keys)
        self.steps: list[StepResult] = []
        self.warnings: list[str] = []
        self.error: CallError | None = None
        self.user_sees: str | None = None
        self.description: str | None = None

    def record(self, result: StepResult) -> StepResult:
        self.steps.append(result)
        if self.on_step is not None:
            self.on_step(result)
        return result

    def skip(self, profile_id: str, order: int, note: str, via: str | None = None) -> StepResult:
        return self.record(StepResult(profile_id, "skipped", step=order, validation_of=via, note=note))

    def call(self, call: Call, order: int, via: str | None = None) -> StepResult:
        return self.record(self.runner.run(call, order, via))

    def run(self, steps: Iterable[Step]) -> bool:
        """Run steps in order; False when the journey ended (a failure, or a Transfer sub journey)."""
        for step in steps:
            if not self.orchestration_step(step):
                return False
        return True

    def orchestration_step(self, step: Step) -> bool:
        reason = precondition_skips(step.preconditions, self.bag)
        if reason is not None:
            names = (f"SubJourney {step.sub_journey}",) if step.sub_journey is not None else (
                step.choices or (step.call.profile_id,))  # type: ignore[union-attr]
            for name in names:
                self.skip(name, step.order, reason)
            return True
        if step.sub_journey is not None:
            # Call shares the bag and returns; Transfer hands the journey over and never returns.
            return self.run(step.steps) and not step.transfer
        if step.call is None:
            for choice in step.choices:
                self.skip(choice, step.order, "one of several claims exchanges the user chooses between; "
                          "supply claims for one to choose it")
            return True
        main = step.call
        if main.kind == SELF_ASSERTED and main.profile_id not in self.supplied:
            return self.unshown_page(main, step)
        page = main.kind == SELF_ASSERTED  # a supplied page: validations before its output transformations
        if step.show_self:
            outcome = self.record(self.runner.run(main, step.order, outputs=not page))
            if outcome.outcome == "error":
                return self.stop_step(outcome)
        if step.validations and not self.validations(main.profile_id, step):
            return False
        if page:
            try:
                self.runner.transformations(main, "output")
            except CallError as exc:
                self.record(self.runner.failed(main, step.order, None, exc, {}))
                self.page_error(main.profile_id, exc)
                return False
        return True

    def unshown_page(self, main: Call, step: Step) -> bool:
        """A self-asserted step nobody answers: as if the user submitted the page with the bag."""
        try:  # the page's InputClaimsTransformations prefill it before it is shown
            self.runner.transformations(main, "input")
        except CallError as exc:
            return self.stop_step(self.record(self.runner.failed(main, step.order, None, exc, {})))
        if step.show_self:
            self.skip(main.profile_id, step.order, "the self-asserted page is not shown: its validation profiles "
                      "run with the claims bag as if the user had submitted it")
        if step.validations and not self.validations(main.profile_id, step):
            return False
        try:  # once the page is submitted and validated: its OutputClaimsTransformations
            self.runner.transformations(main, "output")
        except CallError as exc:
            self.record(self.runner.failed(main, step.order, None, exc, {}))
            self.page_error(main.profile_id, exc)
            return False
        return True

    def stop_step(self, outcome: StepResult) -> bool:
        """An orchestration step failed: B2C redirects to the relying party with the error."""
        assert outcome.error is not None
        self.stop(outcome.error, redirect_message(outcome.error, self.context),
                  error_description(outcome.error, self.context))
        return False

    def page_error(self, self_asserted: str, error: CallError) -> None:
        """A failure on a self-asserted page: shown again with the message (its own key for a transformation)."""
        text = failure_message(self.policy, self_asserted, error)
        if text:
            error.user_message = text
        self.stop(error, page_message(self_asserted, error))

    def validations(self, self_asserted: str, step: Step) -> bool:
        before = self.bag.copy()
        written: set[str] = set()
        stopped_by: str | None = None
        for call in step.validations:
            ref = call.reference
            if stopped_by is not None:
                self.skip(call.profile_id, step.order, f"ContinueOnSuccess is false on {stopped_by!r}", self_asserted)
                continue
            reason = precondition_skips(getattr(ref, "preconditions", ()), self.bag)
            if reason is not None:
                self.skip(call.profile_id, step.order, reason, self_asserted)
                continue
            outcome = self.call(call, step.order, self_asserted)
            written.update(fold(name) for name in outcome.claims_added)
            if outcome.outcome == "error":
                assert outcome.error is not None
                if getattr(ref, "continue_on_error", False):
                    continue
                self.page_error(self_asserted, outcome.error)
                return False
            if not getattr(ref, "continue_on_success", True):
                stopped_by = call.profile_id
        if step.keep is not None:
            self.scope(self_asserted, written - step.keep, before)
        return True

    def scope(self, self_asserted: str, dropped: set[str], before: Mapping[str, Any]) -> None:
        # A validation profile's outputs live only on its page unless the self-asserted profile
        # lists them as output claims (§11.3): later steps do not see them. Names here are folded.
        shown = sorted(self.bag.spelling(name) or name for name in dropped)
        for name in dropped:
            if name in before:
                self.bag[name] = before[name]
            else:
                self.bag.pop(name, None)
        if dropped:
            self.warnings.append(
                f"claims {', '.join(shown)} from the validation profiles of {self_asserted!r} are not "
                f"among its output claims, so later steps do not see them (add them as OutputClaims to keep them)")

    def stop(self, error: CallError, user_sees: str, description: str | None = None) -> None:
        self.error = error
        self.user_sees = user_sees
        self.description = description

    def result(self) -> JourneyResult:
        return JourneyResult(claims=self.bag.copy(), steps=tuple(self.steps), error=self.error,
                             user_sees=self.user_sees, correlation_id=self.context.correlation_id,
                             warnings=tuple(self.warnings), error_description=self.description)


def _context(context: ClaimResolverContext | None, deployment_mode: str | None) -> ClaimResolverContext:
    # B2C gives every journey its own correlation id.
    fresh = (context or ClaimResolverContext()).new_journey()
    return fresh.with_changes(deployment_mode=deployment_mode) if deployment_mode else fresh


def _check_names(kind: str, names: Iterable[str], known: Iterable[str]) -> None:
    known = list(known)
    for name in sorted(set(names) - set(known)):
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        raise ConfigurationError(
            f"{kind} names {name!r}, which is not a {'RESTful ' if kind == 'service_urls' else ''}technical "
            "profile of the policy", hint=f"did you mean {', '.join(repr(c) for c in close)}?" if close else None)


def run_journey(
    policy: Policy,
    target: str | Sequence[str],
    *,
    claims: Mapping[str, Any] | None = None,
    keys: Any = None,
    context: ClaimResolverContext | None = None,
    service_urls: Mapping[str, str] | None = None,
    ca_bundle: str | None = None,
    deployment_mode: str | None = None,
    timing: Any = None,
    supplied: Mapping[str, Mapping[str, Any]] | None = None,
    on_step: StepCallback | None = None,
) -> JourneyResult:
    """Run profiles of a policy in order with one claims bag: ids, a UserJourney id or a self-asserted id."""
    supplied = dict(supplied or {})
    urls = dict(service_urls or {})

    def build(profile_id: str) -> RestfulProfile:
        return policy.profile(profile_id, keys, service_url=urls.get(profile_id), ca_bundle=ca_bundle,
                              deployment_mode=deployment_mode, timing=timing)

    # A misspelt id would silently call the policy's real ServiceUrl: refuse it.
    _check_names("service_urls", urls, policy.restful_profile_ids)
    _check_names("supplied", supplied, policy.technical_profiles)
    for profile_id, answer in supplied.items():
        if not isinstance(answer, Mapping):
            raise ConfigurationError(f"supplied[{profile_id!r}] must map claim names to values")
    planner = Planner(policy, supplied, build)
    try:
        steps = planner.plan(target)
        run = _Run(claims or {}, _context(context, deployment_mode), supplied, on_step, policy, keys)
        run.run(steps)
    finally:
        for profile in planner.built.values():
            profile.close()
    return run.result()


def run_steps(
    steps: Sequence[Step],
    claims: Mapping[str, Any] | None = None,
    *,
    context: ClaimResolverContext | None = None,
    supplied: Mapping[str, Mapping[str, Any]] | None = None,
    on_step: StepCallback | None = None,
    policy: Policy | None = None,
    keys: Any = None,
) -> JourneyResult:
    """Run already planned steps with one claims bag: the loop of ``run_journey``, for callers that plan once.

    Pass the ``policy`` the steps were planned from (and its ``keys``) to run their claims transformations.
    """
    run = _Run(claims or {}, _context(context, None), dict(supplied or {}), on_step, policy, keys)
    run.run(steps)
    return run.result()


def run_profiles(
    profiles: Sequence[RestfulProfile],
    claims: Mapping[str, Any] | None = None,
    *,
    context: ClaimResolverContext | None = None,
    supplied: Mapping[str, Mapping[str, Any]] | None = None,
    on_step: StepCallback | None = None,
) -> JourneyResult:
    """Run Python-built profiles in order as orchestration steps, sharing one claims bag."""
    steps = [Step(n, Call(p.id, profile=p)) for n, p in enumerate(profiles, start=1)]
    return run_steps(steps, claims, context=context, supplied=supplied, on_step=on_step)
