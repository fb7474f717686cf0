"""A sample REST API for Azure AD B2C, in Flask: one endpoint per B2C authentication type.

Every endpoint does the same job, a loyalty-program lookup, and answers with B2C's contracts:

* 200 with the output claims (``loyaltyNumber``, ``tier``) the RESTful technical profile reads;
* the error contract on 4xx: ``{"version", "status": 409, "userMessage", ...}``. B2C shows
  ``userMessage`` to the user. A bad e-mail address is a validation error (HTTP 400), an e-mail
  from a blocked domain a conflict (HTTP 409);
* 401 without the error contract when the caller is not B2C (B2C reports it as AADB2C90027 for
  Basic, AADB2C90028 for a client certificate).

Endpoints (POST for SendClaimsIn Body or Form, GET for QueryString):

    /api/none/profile         AuthenticationType None (development only)
    /api/basic/profile        Basic
    /api/certificate/profile  ClientCertificate: from the TLS connection, or from App Service's
                              X-ARR-ClientCert header when ``trust_arr_client_cert`` is set
    /api/bearer/profile       Bearer: a JWT from Microsoft Entra, checked against its JWKS
    /api/static/profile       Bearer with a static token (B2C's BearerAuthenticationToken key)
    /api/key/profile          ApiKeyHeader: the ``x-functions-key`` header

Configure it with ``ApiConfig`` (``ApiConfig.from_env()`` reads SAMPLE_API_* variables).
PyJWT, used for the bearer tokens, comes with connector_sim (msal depends on it).
"""

from __future__ import annotations

import base64
import datetime
import functools
import hmac
import os
import re
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Optional

import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from flask import Flask, Response, jsonify, request

VERSION = "1.0.0"
BLOCKED_DOMAIN = "blocked.example"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, repr=False)
class ApiConfig:
    """The credentials each endpoint accepts. Keep the real values in your secret store."""

    basic_username: str
    basic_password: str
    static_token: str
    api_key: str
    client_cert_thumbprints: FrozenSet[str]  # SHA-1 thumbprints (hex) of the certificates B2C may present
    token_issuer: str  # e.g. https://login.microsoftonline.com/<tenant id>/v2.0
    token_audience: str  # your API's application ID URI, e.g. api://loyalty
    jwks_url: str  # e.g. https://login.microsoftonline.com/<tenant id>/discovery/v2.0/keys
    ca_bundle: Optional[str] = None  # only to trust a local test CA when fetching the JWKS
    trust_arr_client_cert: bool = False  # only behind Azure App Service, which sets X-ARR-ClientCert

    @classmethod
    def from_env(cls) -> ApiConfig:
        """Read SAMPLE_API_USERNAME, _PASSWORD, _STATIC_TOKEN, _API_KEY, _CERT_THUMBPRINTS (comma
        separated), _TOKEN_ISSUER, _TOKEN_AUDIENCE, _JWKS_URL and _TRUST_ARR_CLIENT_CERT."""
        env = os.environ
        thumbprints = env.get("SAMPLE_API_CERT_THUMBPRINTS", "").split(",")
        return cls(
            basic_username=env["SAMPLE_API_USERNAME"], basic_password=env["SAMPLE_API_PASSWORD"],
            static_token=env["SAMPLE_API_STATIC_TOKEN"], api_key=env["SAMPLE_API_API_KEY"],
            client_cert_thumbprints=frozenset(t.strip().upper() for t in thumbprints if t.strip()),
            token_issuer=env["SAMPLE_API_TOKEN_ISSUER"], token_audience=env["SAMPLE_API_TOKEN_AUDIENCE"],
            jwks_url=env["SAMPLE_API_JWKS_URL"],
            trust_arr_client_cert=env.get("SAMPLE_API_TRUST_ARR_CLIENT_CERT", "").lower() == "true",
        )

    def __repr__(self) -> str:
        return f"ApiConfig(basic_username={self.basic_username!r}, token_audience={self.token_audience!r}, secrets=***)"


# -- the business logic: the same for every authentication type -------------------------------

def error_contract(http_status: int, user_message: str, code: str) -> tuple[Response, int]:
    """B2C's error contract. The HTTP status may be any 4xx; the body's status must be 409."""
    return jsonify(version=VERSION, status=409, code=code, requestId=str(uuid.uuid4()), userMessage=user_message,
                   developerMessage=f"loyalty lookup refused: {code}"), http_status


def loyalty_profile(claims: Dict[str, Any]) -> tuple[Response, int]:
    """A loyalty number for a valid e-mail address; the error contract otherwise."""
    email = str(claims.get("email") or "")
    if not EMAIL.match(email):
        return error_contract(400, "Please enter a valid email address.", "INVALID_EMAIL")
    if email.lower().endswith("@" + BLOCKED_DOMAIN):
        return error_contract(409, "This email address is not eligible for the loyalty program.", "NOT_ELIGIBLE")
    number = zlib.crc32(email.lower().encode()) % 10000
    return jsonify(loyaltyNumber=f"LN-{number:04d}", tier="gold" if number % 2 else "silver"), 200


def sent_claims() -> Dict[str, Any]:
    """The input claims as B2C sends them: JSON (Body), form fields (Form) or the query string (QueryString)."""
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    if request.form:
        return request.form.to_dict()
    return request.args.to_dict()


# -- authentication checks: each returns None when the caller is B2C, else why not -------------

def same(given: Optional[str], expected: str) -> bool:
    """Compare secrets in constant time."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def bearer_token() -> Optional[str]:
    """The token of an ``Authorization: Bearer <token>`` header."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def client_certificate(config: ApiConfig) -> Optional[x509.Certificate]:
    """The certificate B2C presented: from the TLS connection, or as Azure App Service forwards it."""
    pem = request.environ.get("SSL_CLIENT_CERT")  # set by Werkzeug (and most WSGI servers terminating TLS)
    if pem:
        return x509.load_pem_x509_certificate(pem.encode())
    # App Service terminates TLS and passes the certificate on, base64 DER, in X-ARR-ClientCert. Trust
    # the header only there: anywhere else any caller could send it.
    forwarded = request.headers.get("X-ARR-ClientCert") if config.trust_arr_client_cert else None
    return x509.load_der_x509_certificate(base64.b64decode(forwarded)) if forwarded else None


def check_certificate(config: ApiConfig) -> Optional[str]:
    """Accept only a current certificate whose thumbprint is on the list."""
    try:
        cert = client_certificate(config)
    except ValueError:
        return "unreadable client certificate"
    if cert is None:
        return "a client certificate is required"
    now = datetime.datetime.now(datetime.timezone.utc)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        return "the client certificate is expired or not yet valid"
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 (the thumbprint B2C's portal shows)
    return None if thumbprint in config.client_cert_thumbprints else "unknown client certificate"


@dataclass
class JwtValidator:
    """Checks Microsoft Entra access tokens: signature (keys from the JWKS), issuer, audience, lifetime."""

    config: ApiConfig
    _keys: Dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys:  # a new kid means Entra rolled its keys: fetch them again
                jwks = requests.get(self.config.jwks_url, timeout=5, verify=self.config.ca_bundle or True).json()
                self._keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(jwks).keys}
            return self._keys[kid]

    def check(self) -> Optional[str]:
        """None for a valid token, else the reason it was refused."""
        token = bearer_token()
        if token is None:
            return "a bearer token is required"
        try:
            key = self._key(jwt.get_unverified_header(token).get("kid", ""))
            jwt.decode(token, key, algorithms=["RS256"], audience=self.config.token_audience,
                       issuer=self.config.token_issuer)
        except (jwt.PyJWTError, KeyError) as exc:
            return f"invalid token ({type(exc).__name__})"
        return None


# -- the app --------------------------------------------------------------------------------------

def create_app(config: ApiConfig) -> Flask:
    """The Flask app: the loyalty lookup behind each authentication type."""
    app = Flask(__name__)
    tokens = JwtValidator(config)

    def basic() -> Optional[str]:
        auth = request.authorization
        if auth is None or auth.type != "basic":
            return "Basic credentials are required"
        ok = same(auth.username, config.basic_username) and same(auth.password, config.basic_password)
        return None if ok else "wrong username or password"

    checks: Dict[str, Callable[[], Optional[str]]] = {
        "none": lambda: None,
        "basic": basic,
        "certificate": functools.partial(check_certificate, config),
        "bearer": tokens.check,
        "static": lambda: None if same(bearer_token(), config.static_token) else "wrong bearer token",
        "key": lambda: None if same(request.headers.get("x-functions-key"), config.api_key) else "wrong API key",
    }

    @app.route("/api/<auth>/profile", methods=["GET", "POST"])
    def profile(auth: str) -> tuple[Response, int]:
        check = checks.get(auth)
        if check is None:
            return jsonify(error="not_found"), 404
        refused = check()
        if refused is not None:
            # No userMessage: this is not for the end user. B2C reports rejected credentials.
            return jsonify(error="unauthorized", reason=refused), 401
        return loyalty_profile(sent_claims())

    return app
