"""Which calls B2C would fail, each under a short stable reason, as Locust records them.

Locust groups failures by the text of the exception it is given (method, name, ``repr``), so a
``LoadFailure`` reads ``"<reason>: <what B2C does>"`` with nothing that varies from call to call
(no user message, no elapsed time, no claim value). The reasons:

``timeout``            no answer within B2C's timeout, retries included (RequestTimeoutError)
``slow-<status>``      an answer B2C would use, but the call took longer than B2C's timeout
``http-<status>``      an error status without the error contract (AADB2C90075, 401/403 credentials)
``error-contract``     a 4xx with B2C's error contract: the user sees the API's userMessage
``invalid-response``   an answer B2C cannot use (not JSON, wrong shape, too large)
``connection-error``   refused, reset or closed connections
``tls-error``          the handshake or the server certificate failed
``dns``                the host name does not resolve
``token-acquisition``  client credentials were refused at the token endpoint
``claims-error``       the claims bag cannot feed the request (a row lacks the bearer claim...)
``contract-violation`` an API connector answer breaks the connector contract
``block-page``         an API connector answered ShowBlockPage
``validation-error``   an API connector answered ValidationError
``configuration-error`` anything else connector_sim refused

A slow answer only counts as ``slow-<status>`` when nothing else is wrong with it: a slow 500 is
an ``http-500``, which B2C fails anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import (
    CallError,
    ClaimsError,
    ConnectionFailedError,
    ConnectorSimError,
    ContractViolationError,
    DnsResolutionError,
    HttpStatusError,
    InvalidResponseError,
    RequestTimeoutError,
    RestApiError,
    TlsError,
    TokenAcquisitionError,
)
from ..timing import TimingProfile

__all__ = ["LoadFailure", "Sample", "failure_for_error", "is_over_timeout", "reason_of", "slow_failure"]


class LoadFailure(CallError):
    """A call B2C would fail, or one slower than B2C's timeout, as handed to Locust's request event."""

    def __init__(self, reason: str, description: str, *, profile_id: str | None = None) -> None:
        super().__init__(f"{reason}: {description}", profile_id=profile_id)
        self.reason = reason

    def __repr__(self) -> str:
        # Locust groups failures by repr(exception): keep it the stable "reason: description" text.
        return self.message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Sample:
    """One call as Locust records it: type, name, B2C-visible time, answer size and failure."""

    request_type: str  # the HTTP verb
    name: str  # the technical profile id, or the API connector step
    response_time_ms: float  # the whole call: every attempt (retries included) and the token request
    response_length: int
    failure: LoadFailure | None = None
    start_time: float = 0.0  # epoch seconds, for Locust's charts

    @property
    def ok(self) -> bool:
        """True when B2C would have carried on, in time."""
        return self.failure is None


def _timeout_text(timing: TimingProfile) -> str:
    retries = f"{timing.retries} retr{'y' if timing.retries == 1 else 'ies'}"
    return f"B2C's {timing.timeout:g} s timeout ({timing.name}, {retries})"


def failure_for_error(error: ConnectorSimError, timing: TimingProfile) -> LoadFailure:
    """The ``LoadFailure`` for an error connector_sim raised, by its class."""
    profile_id = error.profile_id
    status = getattr(error, "http_status", None) or getattr(error, "status", None)

    def failure(reason: str, text: str) -> LoadFailure:
        made = LoadFailure(reason, text, profile_id=profile_id)
        made.__cause__ = error
        return made

    if isinstance(error, RequestTimeoutError):
        return failure("timeout", f"no answer within {_timeout_text(timing)}; B2C fails the step")
    if isinstance(error, DnsResolutionError):
        return failure("dns", "the host name of the service URL does not resolve")
    if isinstance(error, TlsError):
        return failure("tls-error", "the TLS handshake or the server certificate failed")
    if isinstance(error, ConnectionFailedError):
        return failure("connection-error", "the connection was refused, reset or closed before an answer")
    if isinstance(error, RestApiError):
        return failure("error-contract", f"HTTP {error.http_status} with B2C's error contract; the user sees the "
                                         "API's userMessage")
    if isinstance(error, HttpStatusError):
        code = f" ({error.b2c_code})" if error.b2c_code else ""
        return failure(f"http-{status}", f"HTTP {status}; B2C fails the step{code}")
    if isinstance(error, InvalidResponseError):
        return failure("invalid-response", "an answer B2C cannot use (not JSON, wrong shape or too large)")
    if isinstance(error, TokenAcquisitionError):
        return failure("token-acquisition", "the token endpoint refused client credentials or did not answer")
    if isinstance(error, ClaimsError):
        return failure("claims-error", "the claims bag cannot feed the request (check the data file)")
    if isinstance(error, ContractViolationError):
        return failure("contract-violation", "the answer breaks the API connector contract")
    if isinstance(error, CallError):
        return failure("call-error", f"{type(error).__name__}")
    return failure("configuration-error", f"{type(error).__name__}")


def is_over_timeout(elapsed_s: float, timing: TimingProfile) -> bool:
    """True when a call took longer than B2C's timeout (one attempt's limit; retries make it longer)."""
    return elapsed_s > timing.timeout


def slow_failure(status: Any, timing: TimingProfile, profile_id: str | None = None) -> LoadFailure:
    """The failure of an answer B2C would use that came after its timeout."""
    return LoadFailure(f"slow-{status}", f"answered HTTP {status}, but slower than {_timeout_text(timing)}",
                       profile_id=profile_id)


def reason_of(error_text: str) -> str:
    """The reason of a failure text as Locust stores it (``"timeout: ..."`` -> ``"timeout"``)."""
    reason, sep, _ = error_text.partition(": ")
    return reason if sep and " " not in reason else "other"
