"""OAuth2 client credentials against Microsoft Entra, through msal, for ``Bearer(credentials=...)``.

msal keeps the token in its in-memory cache and only goes back to the token endpoint when the
token has under five minutes left, so a run of thousands of calls costs one token request.
"""

from __future__ import annotations

import threading
from typing import Any, Sequence

import requests

from .errors import TokenAcquisitionError

__all__ = ["ClientCredentials"]


class ClientCredentials:
    """Acquires (and caches) an access token with OAuth2 client credentials through msal."""

    def __init__(
        self,
        *,
        authority: str,
        client_id: str,
        client_secret: str,
        scope: str | Sequence[str],
        ca_bundle: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not authority.startswith("https://"):
            raise TokenAcquisitionError(f"the authority must be an https URL, got {authority!r}")
        if not client_id or not client_secret:
            raise TokenAcquisitionError("client credentials need a client_id and a client_secret")
        self.authority = authority.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.scopes = [scope] if isinstance(scope, str) else list(scope)
        self.ca_bundle = ca_bundle
        self.timeout = timeout
        self.token_requests = 0  # how often the token endpoint was asked (not the cache)
        self._app: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ClientCredentials(authority={self.authority!r}, client_id={self.client_id!r}, client_secret=***)"

    @property
    def secret_values(self) -> tuple[str, ...]:
        """Values to mask wherever requests are printed."""
        return (self._client_secret,)

    def _build_app(self) -> Any:
        import msal  # imported on first use: msal is heavy and only this strategy needs it

        http = requests.Session()
        http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify
        http.verify = self.ca_bundle or True
        try:
            # The constructor fetches the tenant's OpenID configuration; instance discovery is off
            # so that msal never calls a host other than the authority's.
            return msal.ConfidentialClientApplication(
                self.client_id,
                client_credential=self._client_secret,
                authority=self.authority,
                http_client=http,
                instance_discovery=False,
                timeout=self.timeout,
            )
        except (ValueError, requests.RequestException) as exc:
            raise TokenAcquisitionError(
                f"cannot reach the token authority {self.authority}: {type(exc).__name__}: {exc}",
                hint="check the authority URL and, for a local endpoint, ca_bundle",
            ) from exc

    def acquire_token(self) -> str:
        """A valid access token, from msal's cache when it has one."""
        with self._lock:
            if self._app is None:
                self._app = self._build_app()
            try:
                result = self._app.acquire_token_for_client(scopes=self.scopes)
            except requests.RequestException as exc:
                raise TokenAcquisitionError(f"the token endpoint did not answer: {type(exc).__name__}") from exc
            except Exception as exc:  # msal raises its own errors for non-JSON answers
                raise TokenAcquisitionError(f"the token endpoint answered badly: {type(exc).__name__}") from exc
        if "access_token" not in result:
            error = result.get("error")
            description = result.get("error_description")
            raise TokenAcquisitionError(
                f"the token endpoint refused client credentials for {self.client_id!r}: {error}",
                error=error,
                error_description=description,
                user_message=description or error,
            )
        if result.get("token_source") != "cache":
            self.token_requests += 1
        return str(result["access_token"])
