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
both carry the outcome as ``.result``. Configuration mistakes (an auth type user flows do not offer,
a bad custom attribute) always raise
``ConfigurationError`` before anything is sent.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ..auth import AuthStrategy
from ..errors import ConfigurationError
from ..timing import TimingProfile, timing_profile
from ._connector_contract import judge_answer
from ._endpoint import Endpoint
from ._outcome import ConnectorOutcome
from ._request import build_connector_body, compact_app_id, normalise_step

__all__ = ["ApiConnector"]

_USER_FLOW_AUTH = ("Basic", "ClientCertificate")
_AUTH_HINTS = {
    "None": "user flows always require Basic or certificate authentication; with no real check on the API side "
            "use Basic with dummy values (secure-rest-api.md)",
    "ApiKeyHeader": "user flows cannot send an API key header; put the key in the URL's query string instead, "
                    "e.g. https://.../api/validate?code=<key> (Azure Functions), plus Basic or a certificate",
    "Bearer": "user flows offer Basic and certificate only; Entra External ID's custom authentication extensions "
              "use bearer tokens (see connector_sim.ExternalIdExtension)",
}


class ApiConnector(Endpoint):
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
        verdict = judge_answer(step, exchange.status, exchange.content, reason=exchange.reason,
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
