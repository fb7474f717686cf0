"""OAuth2 client credentials against Microsoft Entra, through msal, for ``Bearer(credentials=...)``.

msal keeps the token in its in-memory cache and only goes back to the token endpoint when the
token has under five minutes left, so a run of thousands of calls costs one token request.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Sequence

from ..errors import TokenAcquisitionError
from ..redact import Secrets, scrub_exception

__all__ = ["REFRESH_LEEWAY", "ClientCredentials"]

#: A token with less than this many seconds left is refreshed (msal's own threshold).
REFRESH_LEEWAY = 300.0


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
        clock: Callable[[], float] = time.monotonic,
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
        self._clock = clock
        self._token: str | None = None
        self._refresh_at = 0.0

    def __repr__(self) -> str:
        return f"ClientCredentials(authority={self.authority!r}, client_id={self.client_id!r}, client_secret=***)"

    @property
    def secret_values(self) -> tuple[str, ...]:
        """Values to mask wherever requests are printed: the client secret and the token held."""
        return (self._client_secret, self._token) if self._token else (self._client_secret,)

    def _build_app(self) -> Any:
        import msal  # imported on first use: msal is heavy and only this strategy needs it
        import requests

        from ..transport import TlsAdapter, server_trust_context

        http = requests.Session()
        http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify
        # The token endpoint too: TLS 1.2+, B2C's eight suites, the trust store loaded once.
        http.mount("https://", TlsAdapter(server_trust_context(self.ca_bundle)))
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
            scrub_exception(exc, self.secret_values)
            raise TokenAcquisitionError(
                f"cannot reach the token authority {self.authority}: {type(exc).__name__}: {exc}",
                hint="check the authority URL and, for a local endpoint, ca_bundle",
            ) from exc

    def acquire_token(self) -> str:
        """A valid access token; the token endpoint is asked only when none is held or it nears expiry."""
        with self._lock:
            # Held here as well as in msal's cache: the hot path of a load run is then a clock read.
            if self._token is not None and self._clock() < self._refresh_at:
                return self._token
            result = self._acquire()
            self._token = str(result["access_token"])
            self._refresh_at = self._clock() + float(result.get("expires_in") or 0) - REFRESH_LEEWAY
            return self._token

    def forget_token(self) -> None:
        """Drop the held token (msal's cache still holds it until it nears expiry)."""
        with self._lock:
            self._token = None

    def _acquire(self) -> dict[str, Any]:
        import requests  # imported when a token is first asked for, with msal

        if self._app is None:
            self._app = self._build_app()
        try:
            result: dict[str, Any] = self._app.acquire_token_for_client(scopes=self.scopes)
        except requests.RequestException as exc:
            scrub_exception(exc, self.secret_values)  # the prepared request holds the secret in its body
            raise TokenAcquisitionError(f"the token endpoint did not answer: {type(exc).__name__}") from exc
        except Exception as exc:  # msal raises its own errors for non-JSON answers
            scrub_exception(exc, self.secret_values)
            raise TokenAcquisitionError(f"the token endpoint answered badly: {type(exc).__name__}") from exc
        if "access_token" not in result:
            error = result.get("error")
            description = result.get("error_description")
            failure = TokenAcquisitionError(
                f"the token endpoint refused client credentials for {self.client_id!r}: {error}",
                error=error,
                error_description=description,
                user_message=description or error,
            )
            Secrets(self.secret_values).error(failure)  # an endpoint may quote what it was sent
            raise failure
        if result.get("token_source") != "cache":
            self.token_requests += 1
        return result
