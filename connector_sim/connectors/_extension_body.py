"""The JSON document Entra POSTs to a custom authentication extension, for each of the six events.

Every event shares the envelope ``{type, source, data: {@odata.type, tenantId,
authenticationEventListenerId, customAuthenticationExtensionId, authenticationContext}}``; each adds
its own fields (``userSignUpInfo``, ``otpContext``, ``encryptedPasswordContext``,
``verifiedIdClaimsContext``) and, where the docs show one, ``authenticationContext.user``. Besides the
document, a build returns what the answer is judged against and the values to mask in every record
(the one-time code, the password, the JWE). Pure functions, no I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from ._extension_contract import CallContext, Event
from ._otp_send import new_one_time_code, otp_context
from ._request import graph_name, parse_extension_name
from ._verified_id import verified_id_claims_context

if TYPE_CHECKING:
    from ._external_id import ExternalIdExtension

__all__ = ["EVENT_FIELDS", "BuiltCall", "build_call", "directory_value"]

_COMMON = ("correlation_id", "ip", "locale", "market", "protocol")
#: The keyword fields each event takes, besides the common ones (correlation_id, ip, locale, market, protocol).
EVENT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "OnTokenIssuanceStart": ("user",),
    "OnAttributeCollectionStart": ("built_ins", "attributes", "identities", "email"),
    "OnAttributeCollectionSubmit": ("built_ins", "attributes", "identities", "email"),
    "OnOtpSend": ("email", "one_time_code", "request_type"),
    "OnPasswordSubmit": ("password", "username", "nonce", "user"),
    "OnVerifiedIdClaimValidation": ("claims", "upn", "identities", "additional_info", "user"),
}
_DOCS_USER = {"displayName": "Casey Jensen", "givenName": "Casey", "surname": "Jensen", "mail": "casey@contoso.com",
              "userPrincipalName": "casey@contoso.com", "preferredLanguage": "en-us", "userType": "Member"}


@dataclass(frozen=True)
class BuiltCall:
    """One request document, what its answer is judged against, and the values never to show."""

    document: dict[str, Any] = field(repr=False)
    context: CallContext
    secrets: tuple[str, ...] = field(default=(), repr=False)


def directory_value(name: str, value: Any) -> dict[str, Any]:
    """An attribute as Entra sends it: ``{@odata.type: ...DirectoryAttributeValue, value, attributeType}``."""
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


def _attributes(ext: ExternalIdExtension, built_ins: Mapping[str, Any] | None,
                attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in (built_ins or {}).items():
        if value is not None:
            result[graph_name(name) or name] = directory_value(name, value)
    for name, value in (attributes or {}).items():
        if ext.extensions_app_id is None:
            raise ConfigurationError(f"custom attribute {name!r} needs extensions_app_id (the b2c-extensions-app "
                                     "Application (client) ID)")
        parsed = parse_extension_name(name)
        app, short = parsed if parsed else (None, name)
        if app is not None and app != ext.extensions_app_id:
            raise ConfigurationError(f"custom attribute {name!r} names another app id than {ext.extensions_app_id}")
        full = f"extension_{ext.extensions_app_id}_{short}"
        if value is not None:
            result[full] = directory_value(full, value)
    return result


def _user(given: Mapping[str, Any] | None) -> dict[str, Any]:
    if given is not None and not isinstance(given, Mapping):
        raise ConfigurationError(f"user must be a mapping of Graph user properties, got {type(given).__name__}")
    return {"id": str(uuid.uuid4()), **_DOCS_USER, **dict(given or {})}


def _sign_up_info(ext: ExternalIdExtension, fields: Mapping[str, Any]) -> dict[str, Any]:
    identities = fields.get("identities")
    found = list(identities) if identities is not None else []
    if fields.get("email") and identities is None:
        found = [{"signInType": "email", "issuer": ext.tenant_domain, "issuerAssignedId": fields["email"]}]
    return {"attributes": _attributes(ext, fields.get("built_ins"), fields.get("attributes")),
            "identities": [dict(i) for i in found]}


def build_call(ext: ExternalIdExtension, event: Event, fields: Mapping[str, Any]) -> BuiltCall:
    """The document for ``event`` from the keyword ``fields`` (see `EVENT_FIELDS`)."""
    allowed = EVENT_FIELDS[event.name]
    unknown = sorted(set(fields) - set(allowed) - set(_COMMON))
    if unknown:
        raise ConfigurationError(f"{event.name} takes no {', '.join(unknown)}; its fields are "
                                 f"{', '.join(allowed + _COMMON)}")
    principal = {"id": ext.service_principal_id, "appId": ext.client_app_id,
                 "appDisplayName": ext.app_display_name, "displayName": ext.app_display_name}
    context: dict[str, Any] = {
        "correlationId": fields.get("correlation_id") or str(uuid.uuid4()),
        "client": {"ip": fields.get("ip", "127.0.0.1"), "locale": fields.get("locale", "en-us"),
                   "market": fields.get("market", "en-us")},
        "protocol": fields.get("protocol", "OAUTH2.0"),
        "clientServicePrincipal": principal,
        "resourceServicePrincipal": dict(principal),
    }
    data: dict[str, Any] = {"@odata.type": event.callout, "tenantId": ext.tenant_id,
                            "authenticationEventListenerId": ext.listener_id,
                            "customAuthenticationExtensionId": ext.extension_id}
    judged = CallContext()
    secrets: list[str] = []
    if event.name == "OnTokenIssuanceStart":
        context["user"] = {"id": str(uuid.uuid4()), "userType": "Member", **dict(fields.get("user") or {})}
    elif event.name.startswith("OnAttributeCollection"):
        data["userSignUpInfo"] = _sign_up_info(ext, fields)
        judged = CallContext(attributes={n: v["@odata.type"] for n, v in data["userSignUpInfo"]["attributes"].items()})
    elif event.name == "OnOtpSend":
        code = fields.get("one_time_code") or new_one_time_code()
        data["otpContext"] = otp_context(fields.get("email"), code)
        context["requestType"] = fields.get("request_type") or "signUp"
        judged = CallContext(one_time_code=code, behavior_on_error=ext.behavior_on_error)
        secrets.append(code)
    elif event.name == "OnPasswordSubmit":
        del context["resourceServicePrincipal"]  # the docs' request shows the client principal only
        user = _user(fields.get("user"))
        username = fields.get("username") or user.get("mail") or user.get("userPrincipalName")
        nonce = fields.get("nonce") or str(uuid.uuid4())  # "A GUID that is unique to the request"
        password = fields.get("password")
        jwe = ext.encrypt_password(password, username, nonce)
        data["encryptedPasswordContext"] = jwe
        context["user"] = user
        judged = CallContext(nonce=nonce)
        secrets += [str(password), jwe]
    else:
        user = _user(fields.get("user"))
        context["user"] = user
        upn = fields.get("upn") or user.get("userPrincipalName")
        identities: Iterable[Mapping[str, str]] | None = fields.get("identities")
        data["verifiedIdClaimsContext"] = verified_id_claims_context(
            fields.get("claims"), upn=upn, identities=identities, additional_info=fields.get("additional_info"),
            tenant_domain=str(upn).partition("@")[2] or ext.tenant_domain)
        judged = CallContext(claim_names=tuple(data["verifiedIdClaimsContext"]["claims"]))
    data["authenticationContext"] = context
    judged = replace(judged, exact_case=ext.exact_case)
    document = {"type": event.type, "source": f"/tenants/{ext.tenant_id}/applications/{ext.client_app_id}",
                "data": data}
    return BuiltCall(document, judged, tuple(s for s in secrets if s))
