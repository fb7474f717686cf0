"""What both connector kinds share: one HTTPS endpoint, one auth strategy, the core's transport.

A user-flow API connector and an External ID extension differ in the document they POST and the
contract they judge the answer by; sending it, masking it and recording it is this one class.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Mapping, TypeVar
from urllib.parse import urlsplit

from ..auth import AuthStrategy
from ..errors import (
    CallError,
    ConfigurationError,
    ContractViolationError,
    RequestTimeoutError,
    TokenAcquisitionError,
    TransportError,
)
from ..redact import Secrets, redact_text, redact_url
from ..timing import TimingProfile
from ..transport import Transport
from ..wire import WireRequest, WireResponse
from ._outcome import ConnectorOutcome, Violation

__all__ = ["Endpoint"]

_E = TypeVar("_E", bound="Endpoint")


class Endpoint:
    """What both connector kinds share: one HTTPS endpoint, one auth strategy, one transport."""

    kind = "b2c-user-flow"

    def __init__(self, url: str, auth: AuthStrategy, timing: TimingProfile, *, ca_bundle: str | None,
                 strict: bool, name: str, max_response_bytes: int) -> None:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "https" or not parts.hostname:
            raise ConfigurationError(
                f"{name}: the endpoint must be an absolute https URL, got {url!r}",
                hint="B2C and Entra only call public HTTPS endpoints; connector_sim.testing.TlsServer serves "
                "HTTPS on 127.0.0.1 for tests",
            )
        if not isinstance(auth, AuthStrategy):
            raise TypeError(f"auth must be an AuthStrategy such as Basic(...), got {type(auth).__name__}")
        self.url, self.auth, self.timing = url, auth, timing
        self.strict, self.name = strict, name
        self.transport = Transport(timing=timing, ssl_context=auth.ssl_context_for(ca_bundle),
                                   max_response_bytes=max_response_bytes)
        self.secrets = Secrets.for_call(auth, url)  # credentials and ``?code=`` keys of the URL

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __enter__(self: _E) -> _E:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, document: Mapping[str, Any]) -> tuple[WireRequest, WireResponse | None, CallError | None]:
        """POST ``document`` as JSON; return the redacted request, the answer or the failure."""
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request = WireRequest("POST", self.url, {"Content-Type": "application/json"}, body)
        secrets = self._call_secrets()
        try:
            request = self.auth.apply(request, {}, profile_id=self.name)
            answer = self.transport.send(request, profile_id=self.name, secrets=secrets)
        except CallError as error:
            return request.redacted(secrets, self.auth.secret_headers), None, error
        return request.redacted(secrets, self.auth.secret_headers), answer, None

    def _call_secrets(self) -> Secrets:
        """What a call's records mask: credentials (a token acquired by this very call too) and ``?code=`` keys.

        Gathered when first needed, so after ``apply`` has acquired any token.
        """
        return Secrets(source=lambda: [*self.secrets, *self.auth.secret_values()])

    def _secrets(self) -> list[str]:
        """Values to mask in everything an outcome shows: credentials and ``?code=`` keys of the URL."""
        return list(self._call_secrets())

    def _record(self, answer: WireResponse) -> WireResponse:
        return answer.redacted(self._secrets())

    @property
    def shown_url(self) -> str:
        """The endpoint with key-carrying query parameters (``?code=``) masked."""
        return redact_url(self.url)

    def _failure_rule(self, error: CallError) -> tuple[str, str]:
        if isinstance(error, RequestTimeoutError):
            return "timeout", (f"no answer within {self.timing.timeout:g} s in {len(error.attempts)} attempts "
                               f"(timing profile {self.timing.name})")
        if isinstance(error, TransportError):
            return "transport-error", error.message
        if isinstance(error, TokenAcquisitionError):
            return "token-acquisition", error.message
        return "response-too-large", error.message

    def _failed(self, step: str, shown: WireRequest, error: CallError) -> ConnectorOutcome:
        """The outcome of a call that got no usable answer at all (timeout, DNS, connection, TLS, size)."""
        rule, reason = self._failure_rule(error)
        violation = Violation(rule, reason, "the flow stops on an error page showing the text in user_sees")
        return ConnectorOutcome(step, None, {}, error.user_message, (violation,), tuple(error.attempts), shown,
                                None, kind=self.kind, error=error)

    def _finish(self, outcome: ConnectorOutcome) -> ConnectorOutcome:
        """Apply ``strict``: raise the transport error or a ContractViolationError, else return."""
        secrets = [s for s in self._secrets() if len(s) >= 4]  # shorter ones would mask ordinary letters
        if secrets:  # an API may echo the credentials back in its messages
            violations = tuple(Violation(v.rule, redact_text(v.reason, secrets), v.b2c_does)
                               for v in outcome.violations)
            user_sees = redact_text(outcome.user_sees, secrets) if outcome.user_sees is not None else None
            attribute_errors = {k: redact_text(v, secrets) for k, v in outcome.attribute_errors.items()}
            if (violations, user_sees, attribute_errors) != (outcome.violations, outcome.user_sees,
                                                             dict(outcome.attribute_errors)):
                outcome = replace(outcome, violations=violations, user_sees=user_sees,
                                  attribute_errors=attribute_errors)
            if outcome.error is not None:
                Secrets(secrets).error(outcome.error)
        if not self.strict:
            return outcome
        if outcome.error is not None:  # no answer at all: raise what stopped it (timeout, TLS, token...)
            outcome.error.result = outcome
            raise outcome.error
        if outcome.violations:
            summary = "; ".join(str(v) for v in outcome.violations)
            error = ContractViolationError(
                f"{self.name} at {outcome.step}: the answer breaks the contract: {summary}",
                violations=outcome.violations, user_message=outcome.user_sees, http_status=outcome.status,
                attempts=outcome.attempts, profile_id=self.name,
            )
            error.result = outcome
            raise error
        return outcome
