"""What a simulated user calls: a RESTful profile, or a policy's profiles or journey (connectors: ``connector_target``).

A target is built once per process and shared by every simulated user: the auth strategies (one
decoded .pfx, one client-credentials token cache) live on it. ``open()`` gives each user its own
session: its own copies of the profiles, hence its own keep-alive connection, as B2C's front
ends each hold their own. Sessions call through connector_sim's engine (``RestfulProfile.call``,
journeys, ``ApiConnector.call``), so the wire is exactly the one of every other command, and
report each call to a callback as a ``Sample``: name, B2C-visible time, size, and failure.

No Locust here: the Locust user (``connector_sim.load.user``) fires one request event per sample.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

from ..auth import AuthStrategy
from ..caller import Caller
from ..connectors._outcome import ConnectorOutcome
from ..errors import ConfigurationError, ConnectorSimError
from ..journey import StepResult
from ..journey.plan import Call, Planner, Step
from ..journey.runner import run_steps  # the journey loop itself, so a load run walks steps exactly as `run` does
from ..profile import RestfulProfile
from ..resolvers import ClaimResolverContext
from ..result import CallResult
from ..timing import TimingProfile, timing_profile
from ._transports import check_transport
from .failures import LoadFailure, Sample, failure_for_error, slow_failure

__all__ = ["PolicyTarget", "ProfileTarget", "Record", "Target", "TargetSession", "response_length"]

Record = Callable[[Sample], None]
PathLike = Union[str, Path]


class TargetSession:
    """One simulated user's connections to the target; ``run`` makes one B2C-faithful pass."""

    def run(self, claims: Mapping[str, Any], record: Record) -> None:
        """Call with this claims bag; hand each call to ``record`` as it completes."""
        raise NotImplementedError

    def close(self) -> None:
        """Close this user's connections."""


class Target:
    """What simulated users call; built once per process, opened once per user."""

    #: The timing profile whose timeout is the failure line (the longest one among the target's profiles).
    timing: TimingProfile
    #: How sessions send: "requests" (the SDK's transport) or "fast" (geventhttpclient, FastHttpUser's client).
    transport: str = "requests"
    #: True when ``open`` honours ``transport = "fast"``; a class asking a target without it is refused.
    takes_fast_transport: bool = False

    def prepare(self) -> Target:
        """Build what every user shares (policy, keys, certificates); idempotent; returns self."""
        return self

    def open(self) -> TargetSession:
        """A session for one simulated user."""
        raise NotImplementedError

    def auths(self) -> list[AuthStrategy]:
        """The auth strategies every session shares."""
        return []

    def secret_values(self) -> list[str]:
        """Secrets of the shared strategies, to mask in any output."""
        return [s for auth in self.auths() for s in auth.secret_values()]

    def describe(self) -> str:
        """A one-line description for reports."""
        return type(self).__name__

    def _own_copy(self, profile: RestfulProfile) -> RestfulProfile:
        """A user's copy of a profile (same auth object, own connections), on the target's transport."""
        copy = profile.with_changes()
        if self.transport == "fast":
            from ._fast_transport import hold_fast_caller  # gevent only once a fast session opens

            hold_fast_caller(copy)
        else:  # each user is one client of the API: its own keep-alive connection
            copy.use_caller(Caller(copy, own_connections=True))
        return copy


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


def _base_context(deployment_mode: str | None) -> ClaimResolverContext | None:
    """The context every journey of a session starts from; None means the defaults."""
    return ClaimResolverContext().with_changes(deployment_mode=deployment_mode) if deployment_mode else None


def _journey_context(base: ClaimResolverContext | None) -> ClaimResolverContext:
    # B2C gives every journey its own correlation id; a fresh default context is the cheap way to one.
    return base.new_journey() if base is not None else ClaimResolverContext()


class _ProfileSession(TargetSession):
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


class _StepsSession(TargetSession):
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


def _is_single_call(steps: Sequence[Step]) -> bool:
    if len(steps) != 1:
        return False
    step = steps[0]
    return (step.call is not None and step.call.profile is not None and step.show_self and not step.validations
            and not step.preconditions)


def _longest(profiles: Iterable[RestfulProfile]) -> TimingProfile:
    timings = [p.timing_profile for p in profiles]
    return max(timings, key=lambda t: (t.timeout, t.retries)) if timings else timing_profile("custom-policy")


class ProfileTarget(Target):
    """Python-built RESTful profiles: one is called on its own, several run in order as orchestration steps."""

    takes_fast_transport = True

    def __init__(self, *profiles: RestfulProfile, transport: str = "requests") -> None:
        if not profiles:
            raise ConfigurationError("ProfileTarget needs at least one RestfulProfile")
        for profile in profiles:
            if not isinstance(profile, RestfulProfile):
                raise TypeError(f"ProfileTarget takes RestfulProfile objects, got {type(profile).__name__}")
        self.profiles = tuple(profiles)
        self.timing = _longest(profiles)
        self.names = tuple(p.id for p in profiles)
        self.transport = check_transport(transport)

    def open(self) -> TargetSession:
        """A session with the user's own copies of the profiles (same auth objects, own connections)."""
        copies = [self._own_copy(p) for p in self.profiles]
        if len(copies) == 1:
            return _ProfileSession(copies[0], _base_context(None))
        steps = [Step(n, Call(p.id, profile=p)) for n, p in enumerate(copies, start=1)]
        return _StepsSession(steps, {p.id: p for p in copies}, _base_context(None))

    def auths(self) -> list[AuthStrategy]:
        """Each profile's strategy."""
        return [p.auth for p in self.profiles]

    def describe(self) -> str:
        """The profile ids."""
        return ", ".join(self.names)


class PolicyTarget(Target):
    """Profiles of a custom policy: profile ids in order, one UserJourney id, or one self-asserted profile id."""

    takes_fast_transport = True

    def __init__(
        self,
        policy: Any,
        target: str | Sequence[str],
        *,
        keys: Any = None,
        service_urls: Mapping[str, str] | None = None,
        ca_bundle: str | None = None,
        deployment_mode: str | None = None,
        timing: TimingProfile | str | None = None,
        settings: Any = None,
        transport: str = "requests",
    ) -> None:
        self._policy_source = policy
        self.target = [target] if isinstance(target, str) else list(target)
        if not self.target:
            raise ConfigurationError("name at least one technical profile or user journey to load-test")
        self.keys = keys
        self.service_urls = dict(service_urls or {})
        self.ca_bundle = ca_bundle
        self.deployment_mode = deployment_mode
        self.timing_override = timing_profile(timing) if timing is not None else None
        self.settings = settings
        self.transport = check_transport(transport)
        self.policy: Any = None
        self.built: dict[str, RestfulProfile] = {}
        self.steps: list[Step] = []
        self.timing = self.timing_override or timing_profile("custom-policy")

    def prepare(self) -> PolicyTarget:
        """Load the policy, resolve keys and build every RESTful profile of the plan (once)."""
        if self.policy is not None:
            return self
        from ..policy._policy import Policy, load_policy

        source = self._policy_source
        if isinstance(source, Policy):
            policy = source
        else:
            paths = [source] if isinstance(source, (str, Path)) else list(source)
            policy = load_policy(*paths, settings=self.settings)
        unknown = sorted(set(self.service_urls) - set(policy.restful_profile_ids))
        if unknown:  # a misspelt id would silently call the policy's real ServiceUrl
            raise ConfigurationError(
                f"service_urls names {unknown[0]!r}, which is not a RESTful technical profile of the policy",
                hint=f"RESTful profiles: {', '.join(policy.restful_profile_ids)}")

        def build(profile_id: str) -> RestfulProfile:
            return policy.profile(profile_id, self.keys, service_url=self.service_urls.get(profile_id),
                                  ca_bundle=self.ca_bundle, deployment_mode=self.deployment_mode,
                                  timing=self.timing_override)

        planner = Planner(policy, {}, build)
        self.steps = planner.plan(self.target[0] if len(self.target) == 1 else self.target)
        if not planner.built:
            raise ConfigurationError(f"{' '.join(self.target)} calls no RESTful technical profile: nothing to load")
        self.built = dict(planner.built)
        self.timing = _longest(self.built.values())
        self.policy = policy
        return self

    def open(self) -> TargetSession:
        """A session with the user's own copies of the built profiles (same auth objects, own connections)."""
        self.prepare()
        planner = Planner(self.policy, {}, lambda profile_id: self._own_copy(self.built[profile_id]))
        steps = planner.plan(self.target[0] if len(self.target) == 1 else self.target)
        context = _base_context(self.deployment_mode)
        if _is_single_call(steps):
            profile = steps[0].call.profile  # type: ignore[union-attr]
            assert profile is not None
            return _ProfileSession(profile, context)
        return _StepsSession(steps, planner.built, context)

    def auths(self) -> list[AuthStrategy]:
        """The strategy of each built profile."""
        return [p.auth for p in self.prepare().built.values()]

    def describe(self) -> str:
        """The target ids, and the profiles they call when those differ."""
        named = " ".join(self.target)
        if not self.built or list(self.built) == self.target:
            return named
        return f"{named} (calls {', '.join(self.built)})"
