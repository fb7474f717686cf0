"""A simulated user's session: its own copies of the profiles, run one call or one journey at a time.

Each run reports its calls to a callback as ``Sample``s: name, B2C-visible time, size, failure.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Sequence

from ..connectors._outcome import ConnectorOutcome
from ..errors import ConnectorSimError
from ..journey import StepResult
from ..journey.plan import Step
from ..journey.runner import run_steps  # the journey loop itself, so a load run walks steps exactly as `run` does
from ..profile import RestfulProfile
from ..resolvers import ClaimResolverContext
from ..result import CallResult
from .failures import LoadFailure, Sample, failure_for_error, slow_failure

__all__ = ["ProfileSession", "Record", "StepsSession", "TargetSession", "base_context", "response_length"]

Record = Callable[[Sample], None]


class TargetSession:
    """One simulated user's connections to the target; ``run`` makes one B2C-faithful pass."""

    def run(self, claims: Mapping[str, Any], record: Record) -> None:
        """Call with this claims bag; hand each call to ``record`` as it completes."""
        raise NotImplementedError

    def close(self) -> None:
        """Close this user's connections."""


def response_length(result: CallResult | ConnectorOutcome | None) -> int:
    """The answer's size: its Content-Length, else the length of the recorded body."""
    if isinstance(result, CallResult):
        return result.response_bytes  # known without building the redacted record
    response = getattr(result, "response", None)
    if response is None:
        return 0
    headers = response.headers
    declared = headers.get("Content-Length") or next(
        (v for k, v in headers.items() if k.lower() == "content-length"), None)
    if declared is not None and declared.isdigit():
        return int(declared)
    return len(response.body.encode("utf-8", "replace"))


def base_context(deployment_mode: str | None) -> ClaimResolverContext | None:
    """The context every journey of a session starts from; None means the defaults."""
    return ClaimResolverContext().with_changes(deployment_mode=deployment_mode) if deployment_mode else None


def _journey_context(base: ClaimResolverContext | None) -> ClaimResolverContext:
    # B2C gives every journey its own correlation id; a fresh default context is the cheap way to one.
    return base.new_journey() if base is not None else ClaimResolverContext()


class ProfileSession(TargetSession):
    """One profile, called directly: the fast path of a load run."""

    def __init__(self, profile: RestfulProfile, context: ClaimResolverContext | None) -> None:
        self.profile = profile
        self.context = context
        self.timing = profile.timing_profile
        self.caller = profile.caller()  # what profile.call uses, held once: the hot path skips a lock

    def run(self, claims: Mapping[str, Any], record: Record) -> None:
        profile, timing = self.profile, self.timing
        wall, started = time.time(), time.perf_counter()
        result: CallResult | None = None
        failure: LoadFailure | None = None
        try:
            # No context of our own: one is only made (with a fresh correlation id) if a resolver needs it.
            result = self.caller.call(claims, context=self.context.new_journey() if self.context else None)
        except ConnectorSimError as error:
            failure = failure_for_error(error, timing)
            result = getattr(error, "result", None)
        elapsed = time.perf_counter() - started
        if failure is None and elapsed > timing.timeout:
            failure = slow_failure(result.status if result is not None else None, timing, profile.id)
        record(Sample(profile.method, profile.id, elapsed * 1000.0, response_length(result), failure, wall))

    def close(self) -> None:
        self.profile.close()


class StepsSession(TargetSession):
    """Several steps (profiles in order, a journey, validation profiles) over one claims bag."""

    def __init__(self, steps: Sequence[Step], profiles: Mapping[str, RestfulProfile],
                 context: ClaimResolverContext | None) -> None:
        self.steps = list(steps)
        self.profiles = dict(profiles)
        self.context = context

    def run(self, claims: Mapping[str, Any], record: Record) -> None:
        mark = [time.perf_counter()]

        def on_step(step: StepResult) -> None:
            # Steps run back to back, so one step's time is the time since the previous one ended.
            now = time.perf_counter()
            elapsed, mark[0] = now - mark[0], now
            profile = self.profiles.get(step.profile)
            if step.outcome not in ("success", "error") or profile is None:
                return
            timing = profile.timing_profile
            failure = failure_for_error(step.error, timing) if step.error is not None else None
            if failure is None and elapsed > timing.timeout:
                failure = slow_failure(step.status, timing, step.profile)
            record(Sample(profile.method, step.profile, elapsed * 1000.0, response_length(step.result), failure,
                          time.time() - elapsed))

        run_steps(self.steps, claims, context=self.context, on_step=on_step)  # a fresh correlation id per journey

    def close(self) -> None:
        for profile in self.profiles.values():
            profile.close()


