"""`FakeTokenEndpoint`: a Microsoft Entra look-alike for the client credentials grant, over HTTPS.

It serves OpenID discovery, JWKS and `/oauth2/v2.0/token` well enough for msal's
`ConfidentialClientApplication` (with `instance_discovery=False`) and for B2C's
`REST-AcquireAccessToken` pattern (secret in a Basic header), mints RS256 access tokens shaped
like Entra's v2.0 app-only tokens, and can fail on demand the way Entra does.
"""

from __future__ import annotations

import collections
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Deque, Dict, Iterable, List, Mapping, Optional, Sequence, Union
from urllib.parse import unquote

from cryptography.hazmat.primitives.asymmetric import rsa

from . import jwt
from ._entra import ENTRA_ERRORS, EntraError, error_body, error_for_status, openid_configuration
from ._grant import QueuedFailure, TokenRequest, check_client_credentials, client_auth
from .certificates import CertificateSet
from .replies import Fault, Reply, ServerRequest
from .server import TlsServer

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "FakeTokenEndpoint", "TokenRequest"]

DEFAULT_CLIENT_ID = "00000000-0000-0000-0000-00000000c11e"
DEFAULT_CLIENT_SECRET = "fake~client.secret_value-0123456789"


class FakeTokenEndpoint:
    """An HTTPS Microsoft Entra token service for one tenant, on 127.0.0.1.

    `clients` maps client ids to secrets (default: `DEFAULT_CLIENT_ID` / `DEFAULT_CLIENT_SECRET`).
    `delay` and `expires_in` may be changed at any time; `fail_next` queues failures.
    """

    def __init__(
        self,
        clients: Optional[Mapping[str, str]] = None,
        *,
        tenant: str = "contoso.onmicrosoft.com",
        tenant_id: Optional[str] = None,
        certificates: Optional[CertificateSet] = None,
        expires_in: int = 3599,
        delay: float = 0.0,
        app_roles: Optional[Mapping[str, Sequence[str]]] = None,
        signing_key: Optional[rsa.RSAPrivateKey] = None,
    ) -> None:
        self.clients: Dict[str, str] = (dict(clients) if clients is not None
                                        else {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET})
        self.tenant = tenant
        # Entra answers discovery for a domain name with the tenant's GUID in every URL.
        self.tenant_id = tenant_id or str(uuid.uuid5(uuid.NAMESPACE_DNS, tenant))
        self.expires_in = expires_in
        self.delay = delay
        self.app_roles: Dict[str, List[str]] = {k: list(v) for k, v in (app_roles or {}).items()}
        self.signing_key = jwt.SigningKey(signing_key)
        self.server = TlsServer(self._handle, certificates=certificates)
        self._lock = threading.Lock()
        self._failures: Deque[QueuedFailure] = collections.deque()
        self._token_requests: List[TokenRequest] = []

    # -- lifecycle and addresses -----------------------------------------------------------
    def start(self) -> FakeTokenEndpoint:
        """Start serving; returns self."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving and join the server's threads."""
        self.server.stop()

    def __enter__(self) -> FakeTokenEndpoint:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """https://127.0.0.1:PORT"""
        return self.server.base_url

    @property
    def authority(self) -> str:
        """The authority to give msal: base URL plus tenant name."""
        return f"{self.base_url}/{self.tenant}"

    @property
    def token_url(self) -> str:
        """The token endpoint, as a B2C `REST-AcquireAccessToken` ServiceUrl names it."""
        return f"{self.authority}/oauth2/v2.0/token"

    @property
    def openid_configuration_url(self) -> str:
        """Where msal fetches the discovery document."""
        return f"{self.authority}/v2.0/.well-known/openid-configuration"

    @property
    def jwks_url(self) -> str:
        """The JWKS URL an API uses to check tokens."""
        return f"{self.base_url}/{self.tenant_id}/discovery/v2.0/keys"

    @property
    def issuer(self) -> str:
        """The `iss` of every token, Entra v2.0 style (tenant GUID)."""
        return f"{self.base_url}/{self.tenant_id}/v2.0"

    @property
    def ca_pem(self) -> Optional[Path]:
        """The CA to trust for this endpoint's TLS certificate."""
        return self.server.ca_pem

    @property
    def client_id(self) -> str:
        """The first configured client id."""
        return next(iter(self.clients))

    @property
    def client_secret(self) -> str:
        """The secret of `client_id`."""
        return self.clients[self.client_id]

    # -- recording and faults --------------------------------------------------------------
    @property
    def token_requests(self) -> List[TokenRequest]:
        """Every token request received, oldest first (a copy); `len()` counts them."""
        with self._lock:
            return list(self._token_requests)

    @property
    def token_request_count(self) -> int:
        """How many token requests arrived."""
        with self._lock:
            return len(self._token_requests)

    @property
    def requests(self) -> List[ServerRequest]:
        """Every request of any kind (discovery, keys, token), oldest first."""
        return self.server.requests

    def clear(self) -> None:
        """Forget recorded requests and pending failures."""
        with self._lock:
            self._token_requests.clear()
            self._failures.clear()
        self.server.clear()

    def fail_next(
        self,
        error: Union[str, int, Fault] = "invalid_client",
        *,
        status: Optional[int] = None,
        retry_after: Optional[float] = None,
        description: Optional[str] = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` token requests fail, whatever they carry.

        `error` is an Entra error name ("invalid_client" answers 401 AADSTS7000215, as Entra
        does; "unauthorized_client", "invalid_scope", "invalid_request", "throttled",
        "server_error", "temporarily_unavailable"), an HTTP status (429, 500, 503...), or a
        `Fault` for a transport failure. `status` overrides the HTTP status; `retry_after` adds
        a Retry-After header.
        """
        if isinstance(error, Fault):
            failure = QueuedFailure(None, error, retry_after, description)
        else:
            kind = error_for_status(error) if isinstance(error, int) else ENTRA_ERRORS.get(error)
            if kind is None:
                raise ValueError(f"unknown Entra error {error!r}; known: {', '.join(sorted(ENTRA_ERRORS))}")
            if status is not None:
                kind = EntraError(status, kind.error, kind.code, kind.description)
            failure = QueuedFailure(kind, None, retry_after, description)
        with self._lock:
            self._failures.extend([failure] * times)

    # -- tokens ----------------------------------------------------------------------------
    def public_jwks(self) -> Dict[str, Any]:
        """The JWKS served at `jwks_url`."""
        return {"keys": [self.signing_key.jwk(issuer=self.issuer)]}

    def issue_token(
        self,
        client_id: Optional[str] = None,
        audience: str = "api://connector-sim",
        *,
        lifetime: Optional[int] = None,
        issued_at: Optional[float] = None,
        **claims: Any,
    ) -> str:
        """An access token as the endpoint would mint it; `claims` override or add claims."""
        cid = client_id or self.client_id
        now = int(time.time() if issued_at is None else issued_at)
        body: Dict[str, Any] = {
            "aud": audience, "iss": self.issuer, "iat": now, "nbf": now,
            "exp": now + (self.expires_in if lifetime is None else lifetime),
            "azp": cid, "azpacr": "1", "appid": cid, "idtyp": "app", "oid": cid, "sub": cid,
            "tid": self.tenant_id, "uti": uuid.uuid4().hex[:22], "ver": "2.0",
        }
        if self.app_roles.get(cid):
            body["roles"] = list(self.app_roles[cid])
        body.update(claims)
        return self.signing_key.sign(body)

    def verify(self, token: str, *, audience: Union[str, Iterable[str], None] = None,
               leeway: float = 0.0) -> Dict[str, Any]:
        """The claims of `token` if this endpoint signed it and it is current; ValueError otherwise."""
        return self.signing_key.verify(
            token, issuer=self.issuer, audience=audience, leeway=leeway, required=("exp", "iat", "nbf", "iss", "aud")
        )

    # -- HTTP ------------------------------------------------------------------------------
    def _error(self, request: ServerRequest, kind: EntraError, *, retry_after: Optional[float] = None,
               description: Optional[str] = None, **fields: Any) -> Reply:
        body, headers = error_body(
            kind, correlation_id=request.header("client-request-id"), base_url=self.base_url,
            description=description, **{"tenant": self.tenant, **fields},
        )
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        return Reply(kind.status, json=body, headers=headers)

    def _handle(self, request: ServerRequest) -> Reply:
        segments = [unquote(s) for s in request.path.split("/") if s]
        if not segments:
            return Reply(404, json={"error": "not_found"})
        tenant, rest = segments[0].lower(), "/".join(segments[1:])
        if rest not in ("v2.0/.well-known/openid-configuration", ".well-known/openid-configuration",
                        "discovery/v2.0/keys", "oauth2/v2.0/token"):
            return Reply(404, json={"error": "not_found", "path": request.path})
        if tenant not in (self.tenant.lower(), self.tenant_id.lower()):
            return self._error(request, ENTRA_ERRORS["tenant_not_found"], tenant=segments[0])
        if rest == "oauth2/v2.0/token":
            return self._token(request)
        if rest == "discovery/v2.0/keys":
            return Reply(json=self.public_jwks())
        return Reply(json=openid_configuration(self.base_url, self.tenant_id, self.issuer))

    def _token(self, request: ServerRequest) -> Reply:
        form = request.form() if request.method == "POST" else {}
        auth = client_auth(request, form)
        scopes = tuple(form.get("scope", "").split())
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        fields = {"client_id": auth.client_id or "", "scope": " ".join(scopes), "parameter": "scope",
                  "grant_type": form.get("grant_type", "")}
        if failure is not None and failure.fault is not None:
            reply = Reply(fault=failure.fault)
        elif failure is not None and failure.kind is not None:
            reply = self._error(request, failure.kind, retry_after=failure.retry_after,
                                description=failure.description, **fields)
        else:
            problem = check_client_credentials(request.method, form, auth, self.clients)
            if problem is not None:
                details: Dict[str, Any] = {**fields, **problem[1]}
                reply = self._error(request, problem[0], **details)
            else:
                reply = self._grant(request, auth.client_id or "", scopes[0])
        record = TokenRequest(
            grant_type=form.get("grant_type"), client_id=auth.client_id, secret_via=auth.secret_via, scopes=scopes,
            status=0 if reply.fault else reply.status,
            error=reply.json.get("error") if isinstance(reply.json, dict) else None, request=request,
        )
        with self._lock:
            self._token_requests.append(record)
        return Reply(reply.status, json=reply.json, headers=reply.headers, fault=reply.fault, delay=self.delay)

    def _grant(self, request: ServerRequest, client_id: str, scope: str) -> Reply:
        token = self.issue_token(client_id, scope[: -len("/.default")])
        body = {"token_type": "Bearer", "expires_in": self.expires_in, "ext_expires_in": self.expires_in,
                "access_token": token}
        headers = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store, no-cache",
                   "Pragma": "no-cache"}
        correlation = request.header("client-request-id")
        if correlation:
            headers["client-request-id"] = correlation
        return Reply(json=body, headers=headers)
