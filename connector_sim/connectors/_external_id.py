"""Microsoft Entra External ID custom authentication extensions: B2C's successor, same outcome object.

``ExternalIdExtension`` POSTs the documented event document (``type``, ``source``, ``data`` with
``@odata.type``, tenant and listener ids, ``authenticationContext`` and, for attribute collection,
``userSignUpInfo``) with an Entra bearer token, and judges the answer (``external_id_contract``).

Sources (MicrosoftDocs/entra-docs unless noted):

* ``docs/identity-platform/custom-extension-onattributecollectionstart-reference.md``
  @ f6cd5640ce8181d4c36eb9ad5cc5c20e542aa82e (01/23/2024) and @ 072eddee4b78586b31c04d76edcba313cd5f3983
  (10/15/2023: properties tables, showBlockPage default message).
* ``docs/identity-platform/custom-extension-onattributecollectionsubmit-reference.md``
  @ 30d76f4281026767dc2c34b43455a7d1d3464dd2 (04/10/2024).
* ``docs/identity-platform/custom-claims-provider-reference.md`` @ 08d7daf15d793ac0f19588429220ab848138ed6a
  (05/25/2025): OnTokenIssuanceStart request, provideClaimsForToken, data types, 3 KB claims limit.
* ``docs/identity-platform/custom-extension-troubleshoot.md`` @ 07cd7acd04259449a361903c29dbb8b442402a88:
  error behaviour, the 10030xx error codes, "the two-seconds timeout".
* ``docs/identity-platform/custom-extension-overview.md`` @ 017f8dd1e51dacbfdf6ffa2f27ff3902549487b5:
  bearer token (``azp``/``appid`` 99045fe1-7639-4a75-9d4a-577b6ca3810f).
* ``docs/identity-platform/custom-extension-attribute-collection.md`` @ 029a7801ca42f9efe4e41ac1a8065bc63b3205d7:
  C# samples (they use ``ShowValidationError`` / ``ContinueWithDefaultBehavior`` casing).
* microsoftgraph/microsoft-graph-docs-contrib ``api-reference/v1.0/resources/customextensionclientconfiguration.md``
  @ 0f04ee0298ebd9d55b3f844e29d4b413128967ed: timeoutInMilliseconds 200-2000, maximumRetries 0 or 1.

Not confirmed by those sources (connector_sim's choice in brackets):

* The default timeout: Graph says 1000 ms, the troubleshooting page speaks of two seconds [2000 ms, 1 retry].
* What triggers a retry (timeouts only, or connection errors and 5xx too) [timeouts and connection errors].
* That exactly one action is allowed [exactly one; 1003010 says "a different number ... than supported"].
* Case sensitivity of ``@odata.type`` values [exact match; other casing accepted with a warning, because the
  docs' own C# sample returns ``...attributeCollectionSubmit.ShowValidationError``].
* HTTP statuses other than 200 [all refused, 1003002]; what the user sees when an attribute-collection
  extension fails [a generic error page]; without a showValidationError ``message`` [a violation].
* How wrong-typed, null or unknown returned values are treated beyond "extra attributes are ignored"
  [ignored, each with a violation]; how the 3 KB claims size is counted [UTF-8 bytes of names and values].
* Whether attributes without a value are sent at attribute collection start [left out], and the exact
  ``user`` object at token issuance [the fields given, else an ``id`` and ``userType`` only].
"""

from __future__ import annotations

import uuid
from typing import Any, Iterable, Mapping

from ..auth._strategies import AuthStrategy
from ._outcome import ConnectorOutcome, Violation
from ._request import compact_app_id, graph_name, parse_extension_name
from ._api_connector import _Endpoint
from ..errors import CallError, ConfigurationError
from ._extension_contract import EVENTS, Event, failure_text, judge_extension_answer
from ..timing import TimingProfile
from ..wire import WireRequest

__all__ = ["ExternalIdExtension"]

_TENANT = "aaaabbbb-0000-cccc-1111-dddd2222eeee"  # the docs' own example ids
_LISTENER = "00001111-aaaa-2222-bbbb-3333cccc4444"
_EXTENSION = "11112222-bbbb-3333-cccc-4444dddd5555"
_CLIENT_APP = "00001111-aaaa-2222-bbbb-3333cccc4444"
_SERVICE_PRINCIPAL = "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"


def _directory_value(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        value = ",".join(value)  # "values are sent as a comma-delimited string"
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, int):
        kind = "int64"
    elif isinstance(value, str):
        kind = "string"
    else:
        raise ConfigurationError(f"attribute {name!r} holds a {type(value).__name__}; directory attributes are "
                                 "String, Boolean, Int or a list of strings")
    attribute_type = "directorySchemaExtension" if name.startswith("extension_") else "builtIn"
    return {"@odata.type": f"microsoft.graph.{kind}DirectoryAttributeValue", "value": value,
            "attributeType": attribute_type}


class ExternalIdExtension(_Endpoint):
    """An Entra External ID custom authentication extension endpoint, called with an Entra bearer token."""

    kind = "external-id"

    def __init__(
        self,
        url: str,
        auth: AuthStrategy,
        *,
        extensions_app_id: str | None = None,
        tenant_id: str = _TENANT,
        tenant_domain: str = "contoso.onmicrosoft.com",
        client_app_id: str = _CLIENT_APP,
        app_display_name: str = "My Test application",
        listener_id: str = _LISTENER,
        extension_id: str = _EXTENSION,
        timeout_ms: int = 2000,
        maximum_retries: int = 1,
        ca_bundle: str | None = None,
        strict: bool = False,
        name: str = "CustomAuthenticationExtension",
        max_response_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        if getattr(auth, "authentication_type", None) != "Bearer" or getattr(auth, "claim", None) is not None:
            raise ConfigurationError(
                f"{name}: Entra calls custom authentication extensions with its own bearer token; use "
                f"StaticBearer(token) or Bearer(credentials=ClientCredentials(...)), not {auth!r}", profile_id=name)
        if not 200 <= timeout_ms <= 2000:
            raise ConfigurationError(f"{name}: timeout_ms must be 200 to 2000 (Graph timeoutInMilliseconds)")
        if maximum_retries not in (0, 1):
            raise ConfigurationError(f"{name}: maximum_retries must be 0 or 1 (Graph maximumRetries)")
        self.extensions_app_id = compact_app_id(extensions_app_id) if extensions_app_id else None
        self.tenant_id, self.tenant_domain = tenant_id, tenant_domain
        self.client_app_id, self.app_display_name = client_app_id, app_display_name
        self.listener_id, self.extension_id = listener_id, extension_id
        timing = TimingProfile("external-id", timeout_ms / 1000.0, maximum_retries)
        super().__init__(url, auth, timing, ca_bundle=ca_bundle, strict=strict, name=name,
                         max_response_bytes=max_response_bytes)

    def __repr__(self) -> str:
        return f"ExternalIdExtension({self.shown_url!r}, auth={self.auth!r}, timeout_ms={self.timing.timeout * 1000:g})"

    def _attributes(self, built_ins: Mapping[str, Any] | None, attributes: Mapping[str, Any] | None) -> dict:
        result: dict[str, Any] = {}
        for name, value in (built_ins or {}).items():
            if value is not None:
                result[graph_name(name) or name] = _directory_value(name, value)
        for name, value in (attributes or {}).items():
            if self.extensions_app_id is None:
                raise ConfigurationError(f"custom attribute {name!r} needs extensions_app_id (the b2c-extensions-app "
                                         "Application (client) ID)")
            parsed = parse_extension_name(name)
            app, short = parsed if parsed else (None, name)
            if app is not None and app != self.extensions_app_id:
                raise ConfigurationError(
                    f"custom attribute {name!r} names another app id than {self.extensions_app_id}")
            full = f"extension_{self.extensions_app_id}_{short}"
            if value is not None:
                result[full] = _directory_value(full, value)
        return result

    def body(self, event: str, *, built_ins: Mapping[str, Any] | None = None,
             attributes: Mapping[str, Any] | None = None, identities: Iterable[Mapping[str, str]] | None = None,
             email: str | None = None, user: Mapping[str, Any] | None = None, correlation_id: str | None = None,
             ip: str = "127.0.0.1", locale: str = "en-us", market: str = "en-us",
             protocol: str = "OAUTH2.0") -> dict[str, Any]:
        """The JSON document Entra sends for ``event`` (OnAttributeCollectionStart, ...Submit, OnTokenIssuanceStart)."""
        spec = _event(event)
        principal = {"id": _SERVICE_PRINCIPAL, "appId": self.client_app_id,
                     "appDisplayName": self.app_display_name, "displayName": self.app_display_name}
        context: dict[str, Any] = {
            "correlationId": correlation_id or str(uuid.uuid4()),
            "client": {"ip": ip, "locale": locale, "market": market},
            "protocol": protocol,
            "clientServicePrincipal": principal,
            "resourceServicePrincipal": dict(principal),
        }
        data: dict[str, Any] = {
            "@odata.type": spec.callout, "tenantId": self.tenant_id,
            "authenticationEventListenerId": self.listener_id, "customAuthenticationExtensionId": self.extension_id,
            "authenticationContext": context,
        }
        if spec.name == "OnTokenIssuanceStart":
            context["user"] = {"id": str(uuid.uuid4()), "userType": "Member", **dict(user or {})}
        else:
            found = list(identities) if identities is not None else []
            if email and identities is None:
                found = [{"signInType": "email", "issuer": self.tenant_domain, "issuerAssignedId": email}]
            data["userSignUpInfo"] = {"attributes": self._attributes(built_ins, attributes),
                                      "identities": [dict(i) for i in found]}
        return {"type": spec.type, "source": f"/tenants/{self.tenant_id}/applications/{self.client_app_id}",
                "data": data}

    def call(self, event: str, **fields: Any) -> ConnectorOutcome:
        """Send ``event`` (see ``body`` for the fields) and judge the answer."""
        spec = _event(event)
        document = self.body(spec.name, **fields)
        sent = {name: value["@odata.type"]
                for name, value in document["data"].get("userSignUpInfo", {}).get("attributes", {}).items()}
        shown, exchange, error = self._post(document)
        if exchange is None:
            assert error is not None
            return self._finish(self._failed(spec.name, shown, error))
        verdict = judge_extension_answer(spec, exchange.status, exchange.headers, exchange.body, sent)
        outcome = ConnectorOutcome(spec.name, verdict.action, verdict.claims, verdict.user_sees, verdict.violations,
                                   exchange.attempts, shown, self._record(exchange), kind=self.kind,
                                   warnings=verdict.warnings, attribute_errors=verdict.attribute_errors)
        return self._finish(outcome)

    def _failed(self, step: str, shown: WireRequest, error: CallError) -> ConnectorOutcome:
        rule, reason = self._failure_rule(error)
        code = {"timeout": "1003005 CustomExtensionTimedOut",
                "transport-error": "1003027 CustomExtensionConnectionError",
                "response-too-large": "1003024 CustomExtensionResponseSizeExceeded"}.get(rule, "no call made")
        violation = Violation(rule, reason, f"Entra fails the flow ({code})")
        return ConnectorOutcome(step, None, {}, failure_text(_event(step), code), (violation,),
                                tuple(error.attempts), shown, None, kind=self.kind, error=error)

    def on_attribute_collection_start(self, **fields: Any) -> ConnectorOutcome:
        """OnAttributeCollectionStart: before the sign-up form renders (prefill or block)."""
        return self.call("OnAttributeCollectionStart", **fields)

    def on_attribute_collection_submit(self, **fields: Any) -> ConnectorOutcome:
        """OnAttributeCollectionSubmit: after the user submits the form (modify, validate or block)."""
        return self.call("OnAttributeCollectionSubmit", **fields)

    def on_token_issuance_start(self, **fields: Any) -> ConnectorOutcome:
        """OnTokenIssuanceStart: before a token is issued (custom claims provider)."""
        return self.call("OnTokenIssuanceStart", **fields)


def _event(name: str) -> Event:
    wanted = name.replace("-", "").replace("_", "").lower()
    for event in EVENTS.values():
        if event.name.lower() in (wanted, "on" + wanted):
            return event
    raise ConfigurationError(f"unknown authentication event {name!r}; use one of {', '.join(EVENTS)}")
