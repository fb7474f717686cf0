"""An Entra External ID extension event as a load target, at Entra's timing and within the tenant's rate.

Entra gives an extension at most 2,000 ms and 0 or 1 retry (Graph customExtensionClientConfiguration),
and a tenant's extensions share 50 requests per second [custom-extension-overview.md, "limits"]. The
target keeps that timing (``ExternalIdExtension`` refuses anything else) and measures the rate at which
its users start calls over one-second windows: past 50 it logs a warning once and ``notes()`` says so,
because a test at that rate measures a load the real tenant would throttle (1003004). The clock is
injectable, so the meter is tested without waiting.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..auth import AuthStrategy
from ..connectors._extension_contract import CONTINUING_EXTENSION_ACTIONS, find_event
from ..connectors._external_id import ExternalIdExtension
from ..connectors._outcome import ConnectorOutcome
from ..errors import ConnectorSimError
from ..timing import TimingProfile
from .connector_target import connector_fields
from .failures import LoadFailure, Sample, failure_for_error, slow_failure
from .targets import Record, Target, TargetSession, response_length

__all__ = ["TENANT_RATE_LIMIT", "ExtensionTarget", "RateMeter", "extension_failure", "extension_fields"]

log = logging.getLogger("connector_sim.load")

#: Requests per second a tenant's custom authentication extensions may receive together.
TENANT_RATE_LIMIT = 50
_ROW_FIELD = {"OnTokenIssuanceStart": "user", "OnVerifiedIdClaimValidation": "claims"}


def extension_fields(event: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """``ExternalIdExtension.call`` keywords from a data row for ``event``."""
    if event.startswith("OnAttributeCollection"):
        fields = connector_fields({k: v for k, v in row.items() if k != "email"})
        fields.pop("client_id", None)
        fields.pop("ui_locales", None)
        return {**fields, **({"email": row["email"]} if row.get("email") else {})}
    if event in _ROW_FIELD:
        return {_ROW_FIELD[event]: dict(row)} if row else {}
    return dict(row)  # OnOtpSend: email, one_time_code...; OnPasswordSubmit: password, username, nonce


def extension_failure(outcome: ConnectorOutcome, timing: TimingProfile, elapsed_s: float) -> LoadFailure | None:
    """The failure of an extension call, or None when the flow goes on in time."""
    if outcome.error is not None:
        return failure_for_error(outcome.error, timing)
    if any(v.rule == "http-status" for v in outcome.violations):
        return LoadFailure(f"http-{outcome.status}", "Entra fails the flow (1003002 CustomExtensionInvalidHTTPStatus)")
    if outcome.violations:
        rules = ", ".join(sorted({v.rule for v in outcome.violations}))
        return LoadFailure("contract-violation", f"the answer breaks the extension contract ({rules})")
    if outcome.action not in CONTINUING_EXTENSION_ACTIONS:
        return LoadFailure(f"action-{outcome.action}", "the flow does not go on after this action")
    if elapsed_s > timing.timeout:
        return slow_failure(outcome.status, timing)
    return None


class RateMeter:
    """Calls started per one-second window, across every simulated user; warns once above ``limit``."""

    def __init__(self, limit: int = TENANT_RATE_LIMIT, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.clock = limit, clock
        self.peak = 0
        self._starts: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self._warned = False

    def tick(self) -> None:
        """Count one call starting now."""
        with self._lock:
            now = self.clock()
            self._starts.append(now)
            while self._starts and self._starts[0] <= now - 1.0:
                self._starts.popleft()
            self.peak = max(self.peak, len(self._starts))
            warn = self.peak > self.limit and not self._warned
            self._warned = self._warned or warn
        if warn:
            log.warning("%s", self.note())

    def note(self) -> str | None:
        """The warning text, once the rate passed the limit."""
        if self.peak <= self.limit:
            return None
        return (f"the run reached {self.peak} extension calls in one second; a tenant's extensions get "
                f"{self.limit} requests per second in all, and Entra throttles above that (1003004)")


class _ExtensionSession(TargetSession):
    def __init__(self, extension: ExternalIdExtension, event: str, meter: RateMeter) -> None:
        self.extension, self.event, self.meter = extension, event, meter

    def run(self, claims: Mapping[str, Any], record: Record) -> None:
        wall, started = time.time(), time.perf_counter()
        self.meter.tick()
        try:
            outcome = self.extension.call(self.event, **extension_fields(self.event, claims))
        except ConnectorSimError as error:  # a strict client raises; a bad row is refused before sending
            failure = failure_for_error(error, self.extension.timing)
            record(Sample("POST", self.event, (time.perf_counter() - started) * 1000.0, 0, failure, wall))
            return
        elapsed = time.perf_counter() - started
        record(Sample("POST", self.event, elapsed * 1000.0, response_length(outcome),
                      extension_failure(outcome, self.extension.timing, elapsed), wall))

    def close(self) -> None:
        self.extension.close()


class ExtensionTarget(Target):
    """One extension event: POST what Entra sends at ``event`` to ``url``, 2,000 ms and 0/1 retry at most."""

    def __init__(self, event: str, url: str, auth: AuthStrategy, *, rate_limit: int = TENANT_RATE_LIMIT,
                 clock: Callable[[], float] = time.monotonic, **options: Any) -> None:
        self.event = find_event(event).name
        self.url, self.auth = url, auth
        self.options = dict(options)
        self.options.pop("strict", None)  # failures are reported, never raised, in a load run
        probe = ExternalIdExtension(url, auth, **self.options)  # refuses a bad URL, auth, timeout or retries now
        self.timing = probe.timing
        self.shown_url = probe.shown_url
        probe.close()
        self.meter = RateMeter(rate_limit, clock)
        self.names = (self.event,)

    def open(self) -> TargetSession:
        """A session with the user's own extension client (same auth object, own connection)."""
        return _ExtensionSession(ExternalIdExtension(self.url, self.auth, **self.options), self.event, self.meter)

    def auths(self) -> list[AuthStrategy]:
        """The extension's strategy."""
        return [self.auth]

    def notes(self) -> list[str]:
        """What the report should say beyond the numbers (the rate warning)."""
        note = self.meter.note()
        return [note] if note else []

    def describe(self) -> str:
        """The event and the endpoint (key-carrying query parameters masked)."""
        return f"External ID extension {self.event} at {self.shown_url} ({self.timing.timeout * 1000:g} ms, " \
               f"{self.timing.retries} retr{'y' if self.timing.retries == 1 else 'ies'})"
