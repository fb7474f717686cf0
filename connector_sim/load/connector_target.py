"""A user-flow API connector step as a load target: what B2C sends at the step, judged by the contract.

Each simulated user gets its own ``ApiConnector`` (its own connection) around the one shared auth
strategy. Data rows become the step's attributes: built-ins by Graph or snake_case name, custom
attributes by Name, and ``client_id``, ``ui_locales``, ``identities`` as the request context.
"""

from __future__ import annotations

import json
import time
from typing import Any, Mapping

from ..auth import AuthStrategy
from ..connectors._api_connector import ApiConnector
from ..connectors._outcome import ConnectorOutcome
from ..connectors._request import graph_name, normalise_step
from ..errors import CallError, ConfigurationError
from ..timing import TimingProfile
from ._transports import check_transport
from .failures import LoadFailure, Sample, failure_for_error, slow_failure
from .targets import Record, Target, TargetSession, response_length

__all__ = ["ConnectorTarget", "connector_failure", "connector_fields"]

_CONNECTOR_CONTEXT = ("client_id", "ui_locales", "identities")


def connector_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """``ApiConnector.call`` keywords from a data row: built-ins by Graph or snake name, else custom attributes."""
    built_ins: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    context: dict[str, Any] = {}
    for name, value in row.items():
        if name in _CONNECTOR_CONTEXT:
            if name == "identities" and isinstance(value, str):
                try:
                    value = json.loads(value)  # a CSV cell holds the identities as JSON text
                except ValueError:
                    raise ConfigurationError("the identities column must hold a JSON list") from None
            context[name] = value
        elif graph_name(name):
            built_ins[graph_name(name) or name] = value
        else:
            attributes[name] = value
    return {"built_ins": built_ins, "attributes": attributes, **context}


def connector_failure(outcome: ConnectorOutcome, timing: TimingProfile, elapsed_s: float) -> LoadFailure | None:
    """The failure of an API connector call, or None when the flow goes on in time."""
    if outcome.error is not None:
        return failure_for_error(outcome.error, timing)
    if outcome.violations:
        rules = ", ".join(sorted({v.rule for v in outcome.violations}))
        return LoadFailure("contract-violation", f"the answer breaks the API connector contract ({rules})")
    if outcome.action == "ShowBlockPage":
        return LoadFailure("block-page", "the API answered ShowBlockPage; the user sees a block page, the flow stops")
    if outcome.action == "ValidationError":
        return LoadFailure("validation-error", "the API answered ValidationError; the user sees its message")
    if not outcome.ok:
        return LoadFailure("unusable-answer", f"the flow does not go on after action {outcome.action!r}")
    if elapsed_s > timing.timeout:
        return slow_failure(outcome.status, timing)
    return None


class _ConnectorSession(TargetSession):
    def __init__(self, connector: ApiConnector, step: str) -> None:
        self.connector = connector
        self.step = step

    def run(self, claims: Mapping[str, Any], record: Record) -> None:
        wall, started = time.time(), time.perf_counter()
        try:
            outcome = self.connector.call(self.step, **connector_fields(claims))
        except CallError as error:  # strict connectors raise; the default one reports
            failure = failure_for_error(error, self.connector.timing)
            record(Sample("POST", self.step, (time.perf_counter() - started) * 1000.0, 0, failure, wall))
            return
        elapsed = time.perf_counter() - started
        record(Sample("POST", self.step, elapsed * 1000.0, response_length(outcome),
                      connector_failure(outcome, self.connector.timing, elapsed), wall))

    def close(self) -> None:
        self.connector.close()


class ConnectorTarget(Target):
    """A user-flow API connector step: POST what B2C sends at ``step`` to ``url`` with Basic or certificate ``auth``."""

    takes_fast_transport = True

    def __init__(self, step: str, url: str, auth: AuthStrategy, *, transport: str = "requests",
                 **options: Any) -> None:
        self.step = normalise_step(step)
        self.transport = check_transport(transport)
        self.url = url
        self.auth = auth
        self.options = dict(options)
        self.options.pop("strict", None)  # failures are reported, never raised, in a load run
        probe = ApiConnector(url, auth, **self.options)  # refuses a bad URL, auth or timing now
        self.timing = probe.timing
        self.shown_url = probe.shown_url
        probe.close()
        self.names = (self.step,)

    def open(self) -> TargetSession:
        """A session with the user's own connector (same auth object, own connection)."""
        connector = ApiConnector(self.url, self.auth, **self.options)
        if self.transport == "fast":
            from ._fast_transport import use_fast_transport  # gevent only once a fast session opens

            use_fast_transport(connector, ca_bundle=self.options.get("ca_bundle"),
                               max_response_bytes=self.options.get("max_response_bytes", 4 * 1024 * 1024))
        return _ConnectorSession(connector, self.step)

    def auths(self) -> list[AuthStrategy]:
        """The connector's strategy."""
        return [self.auth]

    def describe(self) -> str:
        """The step and the endpoint (key-carrying query parameters masked)."""
        return f"API connector {self.step} at {self.shown_url}"
