"""The one small base of the authentication strategies, and NoAuth.

Each strategy carries what differs between B2C's AuthenticationTypes, so the rest of the
pipeline asks the strategy instead of branching on its type: the policy key Ids it reads, the
claim it takes its credential from, the B2C code for a rejected credential, and its secrets.
"""

from __future__ import annotations

import ssl
from typing import Any, ClassVar, Mapping

from ..errors import ConfigurationError
from ..transport import server_trust_context
from ..wire import WireRequest

__all__ = ["AuthStrategy", "NoAuth", "require_header_value", "require_text"]


def require_text(value: Any, what: str, code: str = "AADB2C90025") -> str:
    """A non-empty str, or the error B2C gives for a missing key."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if not value:
        raise ConfigurationError(f"{what} is empty", b2c_code=code)
    return value


def require_header_value(value: str, what: str) -> str:
    """A credential that can travel in an HTTP header: printable ASCII, no edge whitespace.

    B2C cannot send anything else either; caught when the strategy is built, it is a clear
    error instead of a retried connection failure whose traceback would quote the value.
    """
    if not value.isascii() or not value.isprintable() or value != value.strip():
        raise ConfigurationError(
            f"{what} cannot be sent in an HTTP header: it holds non-ASCII characters, control characters "
            "(a trailing newline?) or edge whitespace", hint="check how the key was copied into the keys file")
    return value


class AuthStrategy:
    """Base of the strategies: decorate a request, optionally supply a TLS context."""

    #: B2C's AuthenticationType metadata value.
    authentication_type: ClassVar[str] = ""
    #: The CryptographicKeys Ids this strategy reads from the policy.
    key_ids: tuple[str, ...] = ()
    #: The B2C error code when the API rejects the credential with 401 or 403 (None: the generic code).
    rejected_code: ClassVar[str | None] = None
    #: What B2C's message says of the rejected credential (``{profile}`` is the profile id).
    rejected_hint: ClassVar[str] = ""
    #: The claim the credential is read from (UseClaimAsBearerToken), if any.
    bearer_claim: str | None = None
    #: What each of ``secret_values()`` is, in order: an environment variable name and a description
    #: (a curl export reads the secret from that variable instead of writing it).
    secret_names: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Headers whose values are secrets (masked wherever requests are printed).
    secret_headers: tuple[str, ...] = ("Authorization",)
    #: The TLS context to use, when the strategy configures the transport.
    ssl_context: ssl.SSLContext | None = None

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """The request with this strategy's headers added (claims feed Bearer-from-claim)."""
        return request

    def ssl_context_for(self, ca_bundle: str | None) -> ssl.SSLContext:
        """The TLS context a call with this strategy uses against servers ``ca_bundle`` vouches for.

        One per process per bundle for every strategy that presents no certificate, so all of
        them share one connection pool per host.
        """
        return server_trust_context(ca_bundle)

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """Every secret this strategy could put on the wire, for redaction."""
        return ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class NoAuth(AuthStrategy):
    """AuthenticationType None: the API is anonymous (needs AllowInsecureAuthInProduction in Production)."""

    authentication_type = "None"
