"""Microsoft Entra's wire shapes: error bodies and the OpenID discovery document.

Error texts follow the AADSTS messages Entra sends (reference-error-codes and issue threads
quoting real answers, for example AADSTS7000215 with HTTP 401). URLs in the documents point
back at the fake endpoint only, so nothing a client follows leaves the machine.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

__all__ = ["ENTRA_ERRORS", "EntraError", "error_body", "error_for_status", "openid_configuration"]


@dataclass(frozen=True)
class EntraError:
    """One kind of token endpoint error: HTTP status, OAuth error, AADSTS code and message."""

    status: int
    error: str
    code: int
    description: str


ENTRA_ERRORS: Mapping[str, EntraError] = {
    "invalid_client": EntraError(
        401, "invalid_client", 7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
        "value, not the client secret ID, for a secret added to app '{client_id}'.",
    ),
    "missing_secret": EntraError(
        401, "invalid_client", 7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
    "unauthorized_client": EntraError(
        400, "unauthorized_client", 700016,
        "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen "
        "if the application has not been installed by the administrator of the tenant or consented to by any "
        "user in the tenant. You may have sent your authentication request to the wrong tenant.",
    ),
    "invalid_scope": EntraError(
        400, "invalid_scope", 1002012,
        "The provided value for scope {scope} is not valid. Client credential flows must have a scope value "
        "with /.default suffixed to the resource identifier (application ID URI).",
    ),
    "invalid_request": EntraError(
        400, "invalid_request", 900144, "The request body must contain the following parameter: '{parameter}'.",
    ),
    "unsupported_grant_type": EntraError(
        400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '{grant_type}'.",
    ),
    "post_only": EntraError(
        400, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a {method} request.",
    ),
    "tenant_not_found": EntraError(
        400, "invalid_tenant", 90002,
        "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into "
        "the correct cloud.",
    ),
    "throttled": EntraError(
        429, "temporarily_unavailable", 90055,
        "The request was throttled: too many requests for this tenant. Retry after the Retry-After interval.",
    ),
    "server_error": EntraError(500, "server_error", 50000, "There's an issue with the sign-in service."),
    "temporarily_unavailable": EntraError(
        503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.",
    ),
}


def error_for_status(status: int) -> EntraError:
    """The Entra error that usually comes with HTTP `status`."""
    named = {400: "invalid_request", 401: "invalid_client", 429: "throttled", 500: "server_error"}
    if status in named:
        kind = ENTRA_ERRORS[named[status]]
        return EntraError(status, kind.error, kind.code, kind.description)
    if status >= 500:
        kind = ENTRA_ERRORS["temporarily_unavailable"]
        return EntraError(status, kind.error, kind.code, kind.description)
    return EntraError(status, "invalid_request", 900000, "The request was rejected (HTTP {status}).")


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def error_body(
    kind: EntraError,
    *,
    correlation_id: Optional[str] = None,
    base_url: str = "",
    description: Optional[str] = None,
    **fields: Any,
) -> Tuple[Dict[str, Any], Dict[str, str]]:
    """The JSON body and headers Entra sends for `kind`, its message filled from `fields`."""
    trace_id = str(uuid.uuid4())
    correlation = correlation_id or str(uuid.uuid4())
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    text = (description or kind.description).format_map(_Blank(fields, status=kind.status))
    body = {
        "error": kind.error,
        "error_description": (
            f"AADSTS{kind.code}: {text}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation}\r\nTimestamp: {stamp}"
        ),
        "error_codes": [kind.code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation,
        "error_uri": f"{base_url}/error?code={kind.code}",
    }
    return body, {
        "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store, no-cache",
        "Pragma": "no-cache", "x-ms-request-id": trace_id,
    }


def openid_configuration(base_url: str, tenant_id: str, issuer: str) -> Dict[str, Any]:
    """The v2.0 discovery document of a tenant, as `GET /{tenant}/v2.0/.well-known/openid-configuration` answers."""
    root = f"{base_url}/{tenant_id}"
    return {
        "token_endpoint": f"{root}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{root}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{base_url}/oidc/userinfo",
        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
        "claims_supported": [
            "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name",
            "tid", "ver", "at_hash", "c_hash", "email",
        ],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
    }
