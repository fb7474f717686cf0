"""The auth strategy an `EntraAuthority` hands to ``ExternalIdExtension``: Entra's caller token, kept fresh.

Imported only by ``EntraAuthority.caller()``, so the rest of ``connector_sim.testing`` stays free of
the SDK's auth module.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..auth import AuthStrategy
from ..wire import WireRequest

if TYPE_CHECKING:
    from .authority import EntraAuthority

__all__ = ["EntraCallerAuth"]

#: Re-mint this long before ``exp``, as msal refreshes ahead of expiry.
REFRESH_MARGIN = 300


class EntraCallerAuth(AuthStrategy):
    """``Authorization: Bearer <the token Entra sends>``, minted by the authority and re-minted before expiry."""

    authentication_type = "Bearer"
    claim = None  # not a claim-carried token: ExternalIdExtension accepts only Entra's own token

    def __init__(self, authority: EntraAuthority, app_id: str, version: int, app_id_uri: str | None) -> None:
        self.authority, self.app_id, self.version, self.app_id_uri = authority, app_id, version, app_id_uri
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        self.minted = 0
        """How many tokens were minted (a fresh one only when the last is near expiry)."""

    def token(self) -> str:
        """The current caller token, minted anew when it expires within `REFRESH_MARGIN` seconds."""
        with self._lock:
            now = self.authority.clock()
            if self._token is None or now >= self._expires - REFRESH_MARGIN:
                self._token = self.authority.caller_token(self.app_id, self.version, app_id_uri=self.app_id_uri)
                self._expires = now + self.authority.token_lifetime
                self.minted += 1
            return self._token

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add the bearer header."""
        return request.with_headers({"Authorization": f"Bearer {self.token()}"})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The current token."""
        return (self._token,) if self._token else ()

    def __repr__(self) -> str:
        return f"EntraCallerAuth(app_id={self.app_id!r}, version={self.version}, token=***)"
