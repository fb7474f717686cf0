"""AuthenticationType Bearer, in its three kinds: a claim, client credentials, a static key.

``Bearer("bearerToken")`` and ``Bearer(credentials=...)`` build the first two kinds, as written
since the first version; each is a class of its own, so nothing downstream branches on which.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..errors import ClaimsError, ConfigurationError
from ..wire import WireRequest
from ._base import AuthStrategy, require_header_value, require_text
from ._credentials import ClientCredentials

__all__ = ["Bearer", "BearerFromClaim", "BearerFromCredentials", "StaticBearer"]

_DEFAULT_CLAIM = "bearerToken"


class Bearer(AuthStrategy):
    """AuthenticationType Bearer from a claim (UseClaimAsBearerToken) or from client credentials."""

    authentication_type = "Bearer"

    def __new__(cls, *args: Any, **kwargs: Any) -> Bearer:
        if cls is Bearer:
            cls = BearerFromCredentials if kwargs.get("credentials") is not None else BearerFromClaim
        return object.__new__(cls)


class BearerFromClaim(Bearer):
    """The token is read from a claim at call time (the UseClaimAsBearerToken metadata)."""

    secret_names = (("B2C_BEARER_TOKEN", "the bearer token"),)

    def __init__(self, claim: str | None = None, *, credentials: None = None) -> None:
        self.bearer_claim = claim or _DEFAULT_CLAIM

    @property
    def claim(self) -> str:
        """The claim the token is read from."""
        assert self.bearer_claim is not None
        return self.bearer_claim

    @property
    def credentials(self) -> None:
        """Always None: this kind reads a claim (kept for code written against the first version)."""
        return None

    def _token(self, claims: Mapping[str, Any], profile_id: str) -> str:
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
        text = str(value)
        if not text.isascii() or not text.isprintable() or text != text.strip():
            raise ClaimsError(
                f"The claim '{self.claim}' specified for the bearer token cannot be sent in an HTTP header: it "
                "holds non-ASCII characters, control characters or edge whitespace",
                claim=self.claim, profile_id=profile_id,
            )
        return text

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add ``Authorization: Bearer <token from the claim>``."""
        return request.with_headers({"Authorization": f"Bearer {self._token(claims, profile_id)}"})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The token read from the claims bag."""
        value = (claims or {}).get(self.claim)
        return (str(value),) if value else ()

    def __repr__(self) -> str:
        return f"Bearer(claim={self.claim!r})"


class BearerFromCredentials(Bearer):
    """The token comes from Microsoft Entra with OAuth2 client credentials, held until it nears expiry."""

    secret_names = (("B2C_CLIENT_SECRET", "the client secret of the client credentials"),)

    def __init__(self, claim: str | None = None, *, credentials: ClientCredentials) -> None:
        if claim is not None:
            raise ConfigurationError("Bearer takes either a claim or credentials, not both")
        self.credentials = credentials

    @property
    def claim(self) -> None:
        """Always None: this kind reads no claim (kept for code written against the first version)."""
        return None

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add ``Authorization: Bearer <token from Entra>``."""
        return request.with_headers({"Authorization": f"Bearer {self.credentials.acquire_token()}"})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The client secret and the token held."""
        return self.credentials.secret_values

    def __repr__(self) -> str:
        return f"Bearer(credentials={self.credentials!r})"


class StaticBearer(AuthStrategy):
    """AuthenticationType Bearer with the BearerAuthenticationToken policy key."""

    authentication_type = "Bearer"
    key_ids = ("BearerAuthenticationToken",)
    secret_names = (("B2C_BEARER_TOKEN", "the bearer token (policy key BearerAuthenticationToken)"),)

    def __init__(self, token: str) -> None:
        what = "the bearer token (BearerAuthenticationToken)"
        self._token = require_header_value(require_text(token, what, "AADB2C90191"), what)
        self._header = f"Bearer {token}"

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add the static bearer header."""
        return request.with_headers({"Authorization": self._header})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The token."""
        return (self._token,)

    def __repr__(self) -> str:
        return "StaticBearer(token=***)"
