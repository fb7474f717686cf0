"""The checks Entra's token endpoint makes on a client credentials request, in its order, and its records."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple
from urllib.parse import unquote

from ._entra import ENTRA_ERRORS, EntraError
from .replies import Fault, ServerRequest

__all__ = ["ClientAuth", "QueuedFailure", "TokenRequest", "check_client_credentials", "client_auth"]


@dataclass(frozen=True)
class ClientAuth:
    """Who the client says it is, and how it sent its secret ("basic", "post", "both" or None)."""

    client_id: Optional[str]
    secret: Optional[str]
    secret_via: Optional[str]


def _basic_credentials(header: Optional[str]) -> Optional[Tuple[str, str]]:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def client_auth(request: ServerRequest, form: Mapping[str, str]) -> ClientAuth:
    """The client id and secret from the Basic header (client_secret_basic) or the form (client_secret_post)."""
    basic = _basic_credentials(request.header("Authorization"))
    posted = form.get("client_secret")
    if basic:
        return ClientAuth(basic[0], basic[1], "both" if posted is not None else "basic")
    return ClientAuth(form.get("client_id"), posted, "post" if posted is not None else None)


def _secret_matches(sent: str, expected: str) -> bool:
    # RFC 6749 2.3.1 form-encodes Basic credentials while B2C sends them raw; accept either.
    return sent == expected or unquote(sent.replace("+", " ")) == expected


def check_client_credentials(
    method: str, form: Mapping[str, str], auth: ClientAuth, clients: Mapping[str, str]
) -> Optional[Tuple[EntraError, Dict[str, str]]]:
    """The error Entra would answer (with its message fields), or None when a token is due."""
    if method != "POST":
        return ENTRA_ERRORS["post_only"], {"method": method}
    grant_type = form.get("grant_type")
    if not grant_type:
        return ENTRA_ERRORS["invalid_request"], {"parameter": "grant_type"}
    if grant_type != "client_credentials":
        return ENTRA_ERRORS["unsupported_grant_type"], {"grant_type": grant_type}
    if not auth.client_id:
        return ENTRA_ERRORS["invalid_request"], {"parameter": "client_id"}
    expected = clients.get(auth.client_id)
    if expected is None:
        return ENTRA_ERRORS["unauthorized_client"], {"client_id": auth.client_id}
    if not auth.secret:
        return ENTRA_ERRORS["missing_secret"], {}
    if not _secret_matches(auth.secret, expected):
        return ENTRA_ERRORS["invalid_client"], {"client_id": auth.client_id}
    scopes = form.get("scope", "").split()
    if not scopes:
        return ENTRA_ERRORS["invalid_request"], {"parameter": "scope"}
    # Client credentials take exactly one "<resource>/.default"; Entra refuses anything else.
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        return ENTRA_ERRORS["invalid_scope"], {"scope": " ".join(scopes)}
    return None


@dataclass(frozen=True)
class TokenRequest:
    """One request to the token endpoint: what the client sent and how it was answered."""

    grant_type: Optional[str]
    client_id: Optional[str]
    secret_via: Optional[str]
    """"basic" (Authorization header, as B2C sends it), "post" (form body, as msal sends it), "both" or None."""
    scopes: Tuple[str, ...]
    status: int
    """The HTTP status answered, or 0 when a queued `Fault` cut the connection instead."""
    error: Optional[str]
    request: ServerRequest = field(repr=False)


@dataclass(frozen=True)
class QueuedFailure:
    """A failure queued with ``fail_next``."""

    kind: Optional[EntraError]
    fault: Optional[Fault]
    retry_after: Optional[float]
    description: Optional[str]
