"""Authentication strategies: one class per B2C ``AuthenticationType``, one small base.

A strategy either decorates the request with headers (Basic, Bearer, ApiKeyHeader) or configures
the TLS transport (ClientCertificate). Key material is checked when the strategy is built, never
per call, and no strategy shows a secret in ``repr``, logs or errors.
"""

from __future__ import annotations

import base64
import re
import secrets
import ssl
from typing import Any, ClassVar, Mapping, Sequence, Union

from ._certificates import CertificateKey, LoadedCertificate, PfxSource, select_certificate
from ._credentials import ClientCredentials
from ..errors import CertificateError, ClaimsError, ConfigurationError
from ..tls import tls_context
from ..wire import WireRequest

__all__ = [
    "AUTHENTICATION_TYPES",
    "ApiKeyHeader",
    "AuthStrategy",
    "Basic",
    "Bearer",
    "ClientCertificate",
    "NoAuth",
    "StaticBearer",
    "build_auth",
]

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _require_text(value: Any, what: str, code: str = "AADB2C90025") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if not value:
        raise ConfigurationError(f"{what} is empty", b2c_code=code)
    return value


class AuthStrategy:
    """Base of the strategies: decorate a request, optionally supply a TLS context."""

    authentication_type: ClassVar[str] = ""
    #: Headers whose values are secrets (masked wherever requests are printed).
    secret_headers: ClassVar[tuple[str, ...]] = ("Authorization",)
    #: The TLS context to use, when the strategy configures the transport.
    ssl_context: ssl.SSLContext | None = None

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """The request with this strategy's headers added (claims feed Bearer-from-claim)."""
        return request

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """Every secret this strategy could put on the wire, for redaction."""
        return ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class NoAuth(AuthStrategy):
    """AuthenticationType None: the API is anonymous (needs AllowInsecureAuthInProduction in Production)."""

    authentication_type = "None"


class Basic(AuthStrategy):
    """AuthenticationType Basic: ``Authorization: Basic base64(username:password)`` (RFC 7617, UTF-8)."""

    authentication_type = "Basic"

    def __init__(self, username: str, password: str) -> None:
        self.username = _require_text(username, "the Basic username (BasicAuthenticationUsername)")
        self._password = _require_text(password, "the Basic password (BasicAuthenticationPassword)")
        # Built once: the header is the same for every call.
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add the Basic header."""
        return request.with_headers({"Authorization": self._header})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The password and the encoded header value."""
        return (self._password, self._header.split(" ", 1)[1])

    def __repr__(self) -> str:
        return f"Basic(username={self.username!r}, password=***)"


CertificateSource = Union[PfxSource, CertificateKey]


class ClientCertificate(AuthStrategy):
    """AuthenticationType ClientCertificate: mutual TLS with the certificate B2C would pick from the .pfx."""

    authentication_type = "ClientCertificate"
    secret_headers = ()

    def __init__(self, pfx: CertificateSource | Sequence[CertificateSource], password: str | None = None) -> None:
        sources: list[CertificateSource] = list(pfx) if isinstance(pfx, (list, tuple)) else [pfx]  # type: ignore[list-item]
        keys = [s if isinstance(s, CertificateKey) else CertificateKey(s, password) for s in sources]
        self.certificate: LoadedCertificate = select_certificate(keys)
        self.ssl_context = tls_context(self.new_ssl_context())

    def new_ssl_context(self) -> ssl.SSLContext:
        """A fresh client SSL context presenting this certificate (no TLS rules applied yet)."""
        from requests_pkcs12 import Pkcs12Adapter

        # requests-pkcs12 turns the chosen certificate into an SSL context; the key only reaches
        # its temporary file encrypted with a one-off password, and the file is deleted.
        one_off = secrets.token_urlsafe(16).encode()  # ssl wants a UTF-8 password
        try:
            adapter = Pkcs12Adapter(pkcs12_data=self.certificate.to_pkcs12(one_off), pkcs12_password=one_off)
        except (ValueError, ssl.SSLError) as exc:
            raise CertificateError(f"the client certificate cannot be used for TLS: {exc}") from exc
        adapter.close()
        return adapter.ssl_context

    @property
    def info(self) -> Any:
        """Subject, thumbprint and dates of the certificate in use."""
        return self.certificate.info

    def __repr__(self) -> str:
        return f"ClientCertificate(subject={self.info.subject!r}, thumbprint={self.info.thumbprint!r})"


_DEFAULT_CLAIM = "bearerToken"


class Bearer(AuthStrategy):
    """AuthenticationType Bearer from a claim (UseClaimAsBearerToken) or from client credentials."""

    authentication_type = "Bearer"

    def __init__(self, claim: str | None = None, *, credentials: ClientCredentials | None = None) -> None:
        if credentials is not None and claim is not None:
            raise ConfigurationError("Bearer takes either a claim or credentials, not both")
        self.credentials = credentials
        self.claim = None if credentials is not None else (claim or _DEFAULT_CLAIM)

    def _token(self, claims: Mapping[str, Any], profile_id: str) -> str:
        if self.credentials is not None:
            return self.credentials.acquire_token()
        assert self.claim is not None
        if self.claim not in claims:
            raise ClaimsError(
                f"Claim '{self.claim}' specified for the bearer token is not present in the available claims",
                claim=self.claim, profile_id=profile_id, b2c_code="AADB2C90194",
                hint="run the profile that outputs it (REST-AcquireAccessToken) first, or pass it in the claims",
            )
        value = claims[self.claim]
        if value is None or value == "":
            raise ClaimsError(
                f"The claim '{self.claim}' specified for the bearer token is null or empty",
                claim=self.claim, profile_id=profile_id, b2c_code="AADB2C90195",
            )
        return str(value)

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add ``Authorization: Bearer <token>``."""
        return request.with_headers({"Authorization": f"Bearer {self._token(claims, profile_id)}"})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The client secret, and the token read from the claims bag."""
        if self.credentials is not None:
            return self.credentials.secret_values
        value = (claims or {}).get(self.claim or "")
        return (str(value),) if value else ()

    def __repr__(self) -> str:
        if self.credentials is not None:
            return f"Bearer(credentials={self.credentials!r})"
        return f"Bearer(claim={self.claim!r})"


class StaticBearer(AuthStrategy):
    """AuthenticationType Bearer with the BearerAuthenticationToken policy key."""

    authentication_type = "Bearer"

    def __init__(self, token: str) -> None:
        self._token = _require_text(token, "the bearer token (BearerAuthenticationToken)", "AADB2C90191")
        self._header = f"Bearer {token}"

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add the static bearer header."""
        return request.with_headers({"Authorization": self._header})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The token."""
        return (self._token,)

    def __repr__(self) -> str:
        return "StaticBearer(token=***)"


class ApiKeyHeader(AuthStrategy):
    """AuthenticationType ApiKeyHeader: one header named by the key Id (``x-functions-key``)."""

    authentication_type = "ApiKeyHeader"

    def __init__(self, header: str, key: str) -> None:
        if not isinstance(header, str) or not _HEADER_NAME.match(header):
            raise ConfigurationError(f"{header!r} is not a valid HTTP header name for ApiKeyHeader")
        self.header = header
        self._key = _require_text(key, f"the API key ({header})")
        self.secret_headers = (header,)  # type: ignore[misc]  # per instance: the header is the key Id

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add the API key header."""
        return request.with_headers({self.header: self._key})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The key."""
        return (self._key,)

    def __repr__(self) -> str:
        return f"ApiKeyHeader(header={self.header!r}, key=***)"


AUTHENTICATION_TYPES: Mapping[str, tuple[type[AuthStrategy], ...]] = {
    "None": (NoAuth,),
    "Basic": (Basic,),
    "ClientCertificate": (ClientCertificate,),
    "Bearer": (Bearer, StaticBearer),
    "ApiKeyHeader": (ApiKeyHeader,),
}
_BASIC_KEYS = ("BasicAuthenticationUsername", "BasicAuthenticationPassword")


def build_auth(
    authentication_type: str | None,
    keys: Mapping[str, Any],
    *,
    bearer_claim: str | None = None,
    profile_id: str = "",
) -> AuthStrategy:
    """The strategy for a profile's AuthenticationType and its resolved CryptographicKeys (by Key Id)."""

    def need(key_id: str) -> Any:
        if keys.get(key_id) in (None, ""):
            raise ConfigurationError(
                f"technical profile {profile_id!r} does not contain the required cryptographic key {key_id!r}",
                profile_id=profile_id, b2c_code="AADB2C90025",
            )
        return keys[key_id]

    if authentication_type is None:
        raise ConfigurationError(f"technical profile {profile_id!r}: the AuthenticationType metadata is missing",
                                 profile_id=profile_id, b2c_code="AADB2C90023")
    if authentication_type == "None":
        return NoAuth()
    if authentication_type == "Basic":
        return Basic(*(need(k) for k in _BASIC_KEYS))
    if authentication_type == "ClientCertificate":
        value = need("ClientCertificate")
        return ClientCertificate(value if isinstance(value, (list, tuple)) else [value])
    if authentication_type == "Bearer":
        if bearer_claim:
            return Bearer(bearer_claim)
        if keys.get("BearerAuthenticationToken"):
            return StaticBearer(keys["BearerAuthenticationToken"])
        raise ConfigurationError(
            f"technical profile {profile_id!r} uses Bearer but has neither the UseClaimAsBearerToken "
            "metadata nor a BearerAuthenticationToken key", profile_id=profile_id, b2c_code="AADB2C90192",
        )
    if authentication_type == "ApiKeyHeader":
        if len(keys) != 1:
            raise ConfigurationError(
                f"technical profile {profile_id!r}: ApiKeyHeader supports only one HTTP header for "
                f"authentication, got {len(keys)} keys", profile_id=profile_id, b2c_code="AADB2C90025",
            )
        (header, value), = keys.items()
        return ApiKeyHeader(header, need(header))
    raise ConfigurationError(
        f"technical profile {profile_id!r} contains the unsupported authentication type {authentication_type!r}; "
        f"use one of {', '.join(AUTHENTICATION_TYPES)}", profile_id=profile_id, b2c_code="AADB2C90024",
    )
