"""User-flow API connectors: call an endpoint exactly as a B2C sign-up user flow does (behaviour §10).

``ApiConnector`` POSTs the JSON document of one step (PostFederationSignup, PostAttributeCollection,
PreTokenIssuance) with Basic or client-certificate authentication, under the ``user-flow`` timing
profile (5 s, 1 retry; ``legacy-user-flow`` is 20 s, 1 retry), and judges the answer against the
connector contract (``connector_contract``). The result is a ``ConnectorOutcome``.

Failures and ``strict``: by default nothing about the answer raises; every contract breach is a
``Violation`` on the outcome, and a transport failure (timeout, DNS, refused connection, TLS) is
one too, with ``outcome.error`` set and ``user_sees`` holding B2C's localized error text. With
``strict=True`` a transport failure raises its ``TransportError`` (a refused token request its
``TokenAcquisitionError``) and any violation raises ``ContractViolationError`` (``.violations``);
both carry the outcome as ``.result``. Configuration mistakes (an auth type user flows do not offer, a bad custom attribute) always raise
``ConfigurationError`` before anything is sent.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Iterable, Mapping, TypeVar
from urllib.parse import urlsplit

from ..auth._strategies import AuthStrategy
from ._connector_contract import judge_answer
from ._outcome import ConnectorOutcome, Violation
from ._request import build_connector_body, compact_app_id, normalise_step
from ..errors import (
    CallError, ConfigurationError, ContractViolationError, RequestTimeoutError, TokenAcquisitionError, TransportError,
)
from ..result import RecordedResponse
from ..timing import TimingProfile, timing_profile
from ..transport import Exchange, Transport
from ..wire import WireRequest, query_secrets, redact_text, redact_url

__all__ = ["ApiConnector"]

_E = TypeVar("_E", bound="_Endpoint")

_BODY_SHOWN = 64 * 1024
_USER_FLOW_AUTH = ("Basic", "ClientCertificate")
_AUTH_HINTS = {
    "None": "user flows always require Basic or certificate authentication; with no real check on the API side "
            "use Basic with dummy values (secure-rest-api.md)",
    "ApiKeyHeader": "user flows cannot send an API key header; put the key in the URL's query string instead, "
                    "e.g. https://.../api/validate?code=<key> (Azure Functions), plus Basic or a certificate",
    "Bearer": "user flows offer Basic and certificate only; Entra External ID's custom authentication extensions "
              "use bearer tokens (see connector_sim.ExternalIdExtension)",
}


class _Endpoint:
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
        self.transport = Transport(auth=auth, timing=timing, ca_bundle=ca_bundle,
                                   max_response_bytes=max_response_bytes)

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __enter__(self: _E) -> _E:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, document: Mapping[str, Any]) -> tuple[WireRequest, Exchange | None, CallError | None]:
        """POST ``document`` as JSON; return the redacted request, the answer or the failure."""
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request = WireRequest("POST", self.url, {"Content-Type": "application/json"}, body)
        try:
            request = self.auth.apply(request, {}, profile_id=self.name)
            exchange = self.transport.send(request, profile_id=self.name)
        except CallError as error:
            return request.redacted(self._secrets(), self.auth.secret_headers), None, error
        return exchange.request, exchange, None

    def _secrets(self) -> list[str]:
        """Values to mask in everything an outcome shows: credentials and ``?code=`` keys of the URL."""
        return [*self.auth.secret_values(), *query_secrets(self.url)]

    def _record(self, exchange: Exchange) -> RecordedResponse:
        secrets = self._secrets()
        text = redact_text(exchange.body[:_BODY_SHOWN].decode("utf-8", "backslashreplace"), secrets)
        headers = {name: redact_text(value, secrets) for name, value in exchange.headers.items()}
        return RecordedResponse(exchange.status, exchange.reason, headers, text,
                                truncated=len(exchange.body) > _BODY_SHOWN)

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
                outcome.error.redact(secrets)
        if not self.strict:
            return outcome
        if outcome.error is not None:  # no answer at all: raise what stopped it (timeout, TLS, token...)
            outcome.error.result = outcome
            raise outcome.error
        if outcome.violations:
            summary = "; ".join(str(v) for v in outcome.violations)
            error = ContractViolationError(
                f"{self.name} at {outcome.step}: the answer breaks the contract: {summary}",
                violations=outcome.violations, user_message=outcome.user_sees, status=outcome.status,
                attempts=outcome.attempts, profile_id=self.name,
            )
            error.result = outcome
            raise error
        return outcome


class ApiConnector(_Endpoint):
    """A B2C user-flow API connector: the endpoint, its Basic or certificate auth, and the step calls."""

    def __init__(
        self,
        url: str,
        auth: AuthStrategy,
        *,
        extensions_app_id: str | None = None,
        timing: TimingProfile | str = "user-flow",
        ca_bundle: str | None = None,
        strict: bool = False,
        name: str = "ApiConnector",
        max_response_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        kind = getattr(auth, "authentication_type", None)
        if kind not in _USER_FLOW_AUTH:
            raise ConfigurationError(
                f"{name}: user-flow API connectors authenticate with Basic or ClientCertificate only, "
                f"not {kind or type(auth).__name__}", profile_id=name, b2c_code="AADB2C99019",
                hint=_AUTH_HINTS.get(str(kind)),
            )
        self.extensions_app_id = compact_app_id(extensions_app_id) if extensions_app_id else None
        super().__init__(url, auth, timing_profile(timing), ca_bundle=ca_bundle, strict=strict, name=name,
                         max_response_bytes=max_response_bytes)

    def __repr__(self) -> str:
        return f"ApiConnector({self.shown_url!r}, auth={self.auth!r}, timing={self.timing.name!r})"

    def body(self, step: str, **fields: Any) -> dict[str, Any]:
        """The JSON document B2C would send at ``step`` for these fields (see ``call``), without sending it."""
        step = normalise_step(step)
        attributes = fields.pop("attributes", None)
        identities = fields.pop("identities", None)
        client_id = fields.pop("client_id", None)
        ui_locales = fields.pop("ui_locales", None)
        built_ins = dict(fields.pop("built_ins", None) or {})
        for key, value in fields.items():
            if value is None:
                continue
            if key in built_ins:
                raise ConfigurationError(f"attribute {key!r} is given twice")
            built_ins[key] = value
        return build_connector_body(step, built_ins, attributes, identities=identities,
                                    extensions_app_id=self.extensions_app_id, client_id=client_id,
                                    ui_locales=ui_locales)

    def call(
        self,
        step: str,
        *,
        email: str | None = None,
        identities: Iterable[Mapping[str, str]] | None = None,
        display_name: str | None = None,
        object_id: str | None = None,
        given_name: str | None = None,
        surname: str | None = None,
        job_title: str | None = None,
        street_address: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        state: str | None = None,
        country: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        built_ins: Mapping[str, Any] | None = None,
        client_id: str | None = None,
        ui_locales: str | None = None,
    ) -> ConnectorOutcome:
        """POST what B2C sends at ``step`` and judge the answer.

        Built-in attributes are keywords (Graph names are used on the wire) or ``built_ins`` by Graph
        name; custom attributes go in ``attributes`` by Name (sent as ``extension_<app id>_<Name>``).
        """
        step = normalise_step(step)
        document = self.body(
            step, email=email, display_name=display_name, object_id=object_id, given_name=given_name,
            surname=surname, job_title=job_title, street_address=street_address, city=city,
            postal_code=postal_code, state=state, country=country, identities=identities,
            attributes=attributes, built_ins=built_ins, client_id=client_id, ui_locales=ui_locales,
        )
        shown, exchange, error = self._post(document)
        if exchange is None:
            assert error is not None
            return self._finish(self._failed(step, shown, error))
        verdict = judge_answer(step, exchange.status, exchange.body, reason=exchange.reason,
                               extensions_app_id=self.extensions_app_id, name=self.name)
        outcome = ConnectorOutcome(step, verdict.action, verdict.claims, verdict.user_sees, verdict.violations,
                                   exchange.attempts, shown, self._record(exchange), warnings=verdict.warnings)
        return self._finish(outcome)

    def post_federation_signup(self, **fields: Any) -> ConnectorOutcome:
        """Call the "After federating with an identity provider during sign-up" step (see ``call``)."""
        return self.call("PostFederationSignup", **fields)

    def post_attribute_collection(self, **fields: Any) -> ConnectorOutcome:
        """Call the "Before creating the user" step (see ``call``)."""
        return self.call("PostAttributeCollection", **fields)

    def pre_token_issuance(self, **fields: Any) -> ConnectorOutcome:
        """Call the "Before sending the token (preview)" step (see ``call``)."""
        return self.call("PreTokenIssuance", **fields)
