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

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

from ..auth import AuthStrategy
from ..caller import Caller
from ..errors import ConfigurationError
from ..journey.plan import Call, Planner, Step
from ..profile import RestfulProfile
from ..timing import TimingProfile, timing_profile
from ._sessions import ProfileSession, Record, StepsSession, TargetSession, base_context, response_length
from ._transports import check_transport

__all__ = ["PolicyTarget", "ProfileTarget", "Record", "Target", "TargetSession", "response_length"]

PathLike = Union[str, Path]


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
            return ProfileSession(copies[0], base_context(None))
        steps = [Step(n, Call(p.id, profile=p)) for n, p in enumerate(copies, start=1)]
        return StepsSession(steps, {p.id: p for p in copies}, base_context(None))

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
        context = base_context(self.deployment_mode)
        if _is_single_call(steps):
            profile = steps[0].call.profile  # type: ignore[union-attr]
            assert profile is not None
            return ProfileSession(profile, context)
        return StepsSession(steps, planner.built, context)

    def auths(self) -> list[AuthStrategy]:
        """The strategy of each built profile."""
        return [p.auth for p in self.prepare().built.values()]

    def describe(self) -> str:
        """The target ids, and the profiles they call when those differ."""
        named = " ".join(self.target)
        if not self.built or list(self.built) == self.target:
            return named
        return f"{named} (calls {', '.join(self.built)})"
