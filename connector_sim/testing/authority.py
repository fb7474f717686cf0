"""`EntraAuthority`: a local HTTPS OpenID authority that mints the exact token Entra sends to an extension.

Entra calls a custom authentication extension with an app-only access token it gets for itself
(the service principal ``99045fe1-7639-4a75-9d4a-577b6ca3810f``) for the extension's app
registration [custom-extension-overview.md]. An API checks it against the tenant's discovery
document and JWKS; this authority serves both on 127.0.0.1, with the issuer the API expects
(``login``, ``ciamlogin`` or v1 ``sts``), so the API under test is pointed at it by configuration
alone. Tokens are signed RS256 (PyJWT) with a ``kid`` the JWKS lists.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import rsa

from ..errors import ConfigurationError
from ._authority_keys import AuthorityKeys, Signer, load_keys
from ._entra import ENTRA_ERRORS, error_body, openid_configuration
from ._fixed_port import FixedPortServer
from ._grant import check_client_credentials, client_auth
from ._negative import TokenCase, token_cases
from .certificates import CertificateSet
from .replies import Reply, ServerRequest

__all__ = ["CALLER_APP_ID", "ISSUER_FORMATS", "EntraAuthority"]

#: The application Entra's custom authentication extensions call as (azp in v2 tokens, appid in v1).
CALLER_APP_ID = "99045fe1-7639-4a75-9d4a-577b6ca3810f"
#: Issuer formats: workforce v2, external-tenant (CIAM) v2, and v1 tokens.
ISSUER_FORMATS = ("login", "ciamlogin", "sts")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TENANT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def check_app_id(app_id: Any, what: str = "extension_app_id") -> str:
    """``app_id`` if it is a GUID (an Application (client) ID), else a ConfigurationError."""
    if not isinstance(app_id, str) or not _GUID.match(app_id.strip()):
        raise ConfigurationError(f"{what} {app_id!r} is not an application (client) ID",
                                 hint="use the Application (client) ID of the extension's app registration, "
                                 "a GUID such as 00001111-aaaa-2222-bbbb-3333cccc4444")
    return app_id.strip().lower()


class EntraAuthority:
    """An HTTPS Entra tenant on 127.0.0.1: discovery, JWKS, token endpoint, and the extension caller's token.

    ``issuer_format`` is ``login`` (``https://login.microsoftonline.com/{tid}/v2.0``), ``ciamlogin``
    (``https://{tenant_name}.ciamlogin.com/{tid}/v2.0``) or ``sts`` (v1, ``https://sts.windows.net/{tid}/``).
    ``state_dir`` keeps the signing key and the TLS identity across runs; ``port`` fixes the port.
    ``clock`` (seconds since the epoch) is injectable for token lifetimes.
    """

    caller_app_id = CALLER_APP_ID

    def __init__(self, *, issuer_format: str = "ciamlogin", tenant_id: str | None = None,
                 tenant_name: str = "contoso", certificates: CertificateSet | None = None, port: int = 0,
                 state_dir: str | Path | None = None, signing_key: rsa.RSAPrivateKey | None = None,
                 token_lifetime: int = 3599, api_host: str = "localhost",
                 clock: Callable[[], float] | None = None) -> None:
        if issuer_format not in ISSUER_FORMATS:
            raise ConfigurationError(f"issuer_format must be one of {', '.join(ISSUER_FORMATS)}, got {issuer_format!r}")
        if not isinstance(tenant_name, str) or not _TENANT_NAME.match(tenant_name):
            raise ConfigurationError(f"tenant_name {tenant_name!r} must be the tenant's name without "
                                     ".onmicrosoft.com (lower-case letters, digits, hyphens)")
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigurationError(f"port must be 0 to 65535, got {port!r}")
        self.issuer_format, self.tenant_name, self.api_host = issuer_format, tenant_name, api_host
        self.tenant_id = check_app_id(tenant_id, "tenant_id") if tenant_id else str(
            uuid.uuid5(uuid.NAMESPACE_DNS, f"{tenant_name}.onmicrosoft.com"))
        self.token_lifetime = token_lifetime
        self.clock: Callable[[], float] = clock or time.time
        # The service principal of Entra's caller app in this tenant: the token's oid and sub.
        self.service_principal_id = str(uuid.uuid5(uuid.UUID(self.tenant_id), CALLER_APP_ID))
        self.client_secret = f"authority-{uuid.uuid4().hex}"  # for the token endpoint; never needed by an API
        try:
            self.keys: AuthorityKeys = load_keys(Path(state_dir) if state_dir is not None else None, signing_key)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"cannot use the authority's state directory {state_dir!r}: {exc}") from exc
        self.server = FixedPortServer(self._handle, certificates=certificates, port=port,
                                       server_cert=self.keys.tls_server)

    def __repr__(self) -> str:
        return f"EntraAuthority(issuer={self.issuer!r}, kid={self.signer.kid!r})"

    # -- lifecycle and addresses -----------------------------------------------------------
    def start(self) -> EntraAuthority:
        """Start serving; returns self."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    def __enter__(self) -> EntraAuthority:  # noqa: PYI034 - typing.Self needs 3.11
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def signer(self) -> Signer:
        """The token-signing key (its kid is in the JWKS)."""
        return self.keys.signer

    @property
    def base_url(self) -> str:
        """https://127.0.0.1:PORT"""
        return self.server.base_url

    @property
    def authority_url(self) -> str:
        """The tenant's authority: what the AuthenticationEvents SDK's AuthorityUrl setting takes."""
        return f"{self.base_url}/{self.tenant_id}"

    @property
    def default_version(self) -> int:
        """The token version the API expects: 1 for the ``sts`` issuer, else 2."""
        return 1 if self.issuer_format == "sts" else 2

    def issuer_for(self, version: int) -> str:
        """The ``iss`` of tokens of ``version`` (v1 tokens always carry the sts.windows.net issuer)."""
        if version == 1:
            return f"https://sts.windows.net/{self.tenant_id}/"
        if self.issuer_format == "ciamlogin":
            return f"https://{self.tenant_name}.ciamlogin.com/{self.tenant_id}/v2.0"
        return f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"

    def other_host_issuer(self, version: int) -> str:
        """The same tenant's issuer on a host the API must not trust (for the matrix)."""
        if version == 1:
            return f"https://login.microsoftonline.com/{self.tenant_id}/"
        if self.issuer_format == "ciamlogin":
            return f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"
        return f"https://{self.tenant_name}.ciamlogin.com/{self.tenant_id}/v2.0"

    @property
    def issuer(self) -> str:
        """The issuer in the discovery document at `openid_configuration_url`."""
        return self.issuer_for(self.default_version)

    @property
    def openid_configuration_url(self) -> str:
        """The discovery document the API must trust (v1 path for ``sts``, else v2)."""
        middle = "" if self.default_version == 1 else "/v2.0"
        return f"{self.authority_url}{middle}/.well-known/openid-configuration"

    @property
    def jwks_url(self) -> str:
        """The JWKS URL (what Python and Node validators take)."""
        middle = "" if self.default_version == 1 else "/v2.0"
        return f"{self.authority_url}/discovery{middle}/keys"

    @property
    def token_url(self) -> str:
        """The client-credentials token endpoint."""
        return f"{self.authority_url}/oauth2/v2.0/token"

    @property
    def ca_pem(self) -> Path | None:
        """The CA that signed the authority's TLS certificate: the API must trust it to fetch discovery."""
        return self.keys.tls_ca_pem or self.server.ca_pem

    # -- tokens ----------------------------------------------------------------------------
    def app_id_uri(self, extension_app_id: str) -> str:
        """The extension's App ID URI, ``api://{fqdn}/{appId}`` (the v1 token's aud)."""
        return f"api://{self.api_host}/{check_app_id(extension_app_id)}"

    def caller_claims(self, extension_app_id: str, *, version: int = 2, app_id_uri: str | None = None,
                      **overrides: Any) -> dict[str, Any]:
        """The claims of the caller token; ``overrides`` change or add claims, None removes one."""
        app_id = check_app_id(extension_app_id)
        if version not in (1, 2):
            raise ConfigurationError(f"token version must be 1 or 2, got {version!r}")
        now = int(self.clock())
        claims: dict[str, Any] = {"aud": app_id if version == 2 else (app_id_uri or self.app_id_uri(app_id)),
                                  "iss": self.issuer_for(version), "iat": now, "nbf": now,
                                  "exp": now + self.token_lifetime}
        if version == 2:  # v2 access tokens carry azp/azpacr; v1 ones appid/appidacr [access-token-claims-reference]
            claims.update({"aio": uuid.uuid4().hex, "azp": CALLER_APP_ID, "azpacr": "2"})
        else:
            claims.update({"aio": uuid.uuid4().hex, "appid": CALLER_APP_ID, "appidacr": "2",
                           "idp": self.issuer_for(1)})
        claims.update({"idtyp": "app", "oid": self.service_principal_id, "rh": "0.connector-sim.",
                       "sub": self.service_principal_id, "tid": self.tenant_id, "uti": uuid.uuid4().hex[:22],
                       "ver": "2.0" if version == 2 else "1.0"})
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def sign(self, claims: Mapping[str, Any], *, signer: Signer | None = None,
             header: Mapping[str, Any] | None = None) -> str:
        """``claims`` as an RS256 JWS by ``signer`` (default: the authority's key), kid and x5t in the header."""
        key = signer or self.signer
        fields = dict(header) if header is not None else {"kid": key.kid, "x5t": key.kid}
        fields.pop("alg", None)
        return pyjwt.encode(dict(claims), key.key, algorithm="RS256", headers=fields)

    def caller_token(self, extension_app_id: str, version: int = 2, *, app_id_uri: str | None = None,
                     **overrides: Any) -> str:
        """The access token Entra sends to the extension ``extension_app_id`` (v2: aud is the app id)."""
        return self.sign(self.caller_claims(extension_app_id, version=version, app_id_uri=app_id_uri, **overrides))

    def caller(self, extension_app_id: str, version: int | None = None, *,
               app_id_uri: str | None = None) -> Any:
        """The auth strategy ``ExternalIdExtension`` takes: a fresh caller token, re-minted before expiry."""
        from ._caller_auth import EntraCallerAuth

        if version not in (None, 1, 2):
            raise ConfigurationError(f"token version must be 1 or 2, got {version!r}")
        return EntraCallerAuth(self, check_app_id(extension_app_id), version or self.default_version, app_id_uri)

    def token_cases(self, extension_app_id: str, *, version: int | None = None,
                    app_id_uri: str | None = None) -> list[TokenCase]:
        """The negative matrix (and the right token) for an API expecting ``version`` tokens."""
        app_id = check_app_id(extension_app_id)
        return token_cases(self, app_id, version=version or self.default_version,
                           app_id_uri=app_id_uri or self.app_id_uri(app_id))

    def public_jwks(self) -> dict[str, Any]:
        """The JWKS served at `jwks_url`; v2 keys carry the issuer, as Entra's do."""
        return {"keys": [self.signer.jwk(issuer=self.issuer_for(2))]}

    # -- HTTP ------------------------------------------------------------------------------
    def _discovery(self, version: int) -> dict[str, Any]:
        document = openid_configuration(self.base_url, self.tenant_id, self.issuer_for(version))
        if version == 1:
            document.update(jwks_uri=f"{self.authority_url}/discovery/keys",
                            token_endpoint=f"{self.authority_url}/oauth2/token")
        return document

    def _handle(self, request: ServerRequest) -> Reply:
        segments = [unquote(s) for s in request.path.split("/") if s]
        if not segments:
            return Reply(404, json={"error": "not_found"})
        tenant, rest = segments[0].lower(), "/".join(segments[1:])
        if tenant not in (self.tenant_id, f"{self.tenant_name}.onmicrosoft.com"):
            body, headers = error_body(ENTRA_ERRORS["tenant_not_found"], base_url=self.base_url, tenant=segments[0])
            return Reply(400, json=body, headers=headers)
        if rest == "v2.0/.well-known/openid-configuration":
            return Reply(json=self._discovery(2))
        if rest == ".well-known/openid-configuration":
            return Reply(json=self._discovery(1))
        if rest in ("discovery/v2.0/keys", "discovery/keys"):
            return Reply(json=self.public_jwks())
        if rest == "oauth2/v2.0/token":
            return self._token(request)
        return Reply(404, json={"error": "not_found", "path": request.path})

    def _token(self, request: ServerRequest) -> Reply:
        form = request.form() if request.method == "POST" else {}
        problem = check_client_credentials(request.method, form, client_auth(request, form),
                                           {CALLER_APP_ID: self.client_secret})
        if problem is not None:
            body, headers = error_body(problem[0], base_url=self.base_url, **problem[1])
            return Reply(problem[0].status, json=body, headers=headers)
        resource = form["scope"][: -len("/.default")]
        app_id = resource.rsplit("/", 1)[-1]
        if not _GUID.match(app_id):
            body, headers = error_body(ENTRA_ERRORS["invalid_scope"], base_url=self.base_url, scope=form["scope"])
            return Reply(400, json=body, headers=headers)
        token = self.caller_token(app_id, self.default_version, app_id_uri=resource)
        return Reply(json={"token_type": "Bearer", "expires_in": self.token_lifetime,
                           "ext_expires_in": self.token_lifetime, "access_token": token},
                     headers={"Cache-Control": "no-store, no-cache"})
