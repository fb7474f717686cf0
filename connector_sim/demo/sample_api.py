"""The demo's sample REST API: a loyalty-program lookup behind each B2C authentication type.

`SampleApiHandler` is a `TlsServer` handler; `servers.SampleApi` runs it on 127.0.0.1 with a fake
Microsoft Entra token endpoint. Its paths answer B2C's contracts (output claims on 200, the error
contract on 4xx):

    /api/none/profile          AuthenticationType None
    /api/basic/profile         Basic
    /api/certificate/profile   ClientCertificate (call it on `mtls_url`, which requires one)
    /api/GetProfile            Bearer: a JWT from the fake Entra endpoint (the B2C article's path)
    /api/bearer/profile        the same
    /api/static/profile        Bearer with a static token (BearerAuthenticationToken)
    /api/key/profile           ApiKeyHeader x-functions-key
    /api/slow/profile          Basic, answers after `slow_seconds` (a timeout)
    /api/broken/profile        Basic, answers 500 without the error contract
    /api/connector             a user-flow API connector (PostAttributeCollection), Basic
    /api/external-id/submit    an Entra External ID OnAttributeCollectionSubmit extension, Bearer (JWT)

`samples/api/` holds the same API written with Flask, for copying into a real project.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import uuid
import zlib
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from ..testing import FakeTokenEndpoint, Reply, ServerRequest

__all__ = ["BLOCKED_DOMAIN", "SCOPE", "DemoCredentials", "SampleApiHandler", "error_contract", "loyalty_answer"]

VERSION = "1.0.0"
BLOCKED_DOMAIN = "blocked.example"
SCOPE = "api://loyalty-api/.default"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTAL_CODE = re.compile(r"^\d{5}$")


@dataclass(frozen=True, repr=False)
class DemoCredentials:
    """What the sample API accepts; `generate()` makes fresh random secrets for each run."""

    username: str
    password: str
    static_token: str
    api_key: str
    client_id: str
    client_secret: str
    pfx_password: str

    @classmethod
    def generate(cls) -> DemoCredentials:
        """Fresh random secrets (nothing to configure, nothing reused between runs)."""
        return cls(
            username="b2c-demo", password=secrets.token_urlsafe(18), static_token=secrets.token_urlsafe(24),
            api_key=secrets.token_urlsafe(24), client_id=str(uuid.uuid4()), client_secret=secrets.token_urlsafe(24),
            pfx_password=secrets.token_urlsafe(12),
        )

    def secret_values(self) -> Tuple[str, ...]:
        """Every secret here, to mask wherever output is printed."""
        return (self.password, self.static_token, self.api_key, self.client_secret, self.pfx_password)

    def __repr__(self) -> str:
        return f"DemoCredentials(username={self.username!r}, client_id={self.client_id!r}, secrets=***)"


def _same(given: Optional[str], expected: str) -> bool:
    # Constant-time, so a sample copied into a real API does not leak how much of a secret matched.
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def error_contract(http_status: int, user_message: str, code: str) -> Reply:
    """B2C's error contract: any 4xx HTTP status, body status 409, userMessage and debug fields."""
    return Reply(http_status, json={
        "version": VERSION, "status": 409, "code": code, "requestId": str(uuid.uuid4()),
        "userMessage": user_message, "developerMessage": f"loyalty lookup refused: {code}",
        "moreInfo": "https://learn.microsoft.com/azure/active-directory-b2c/restful-technical-profile",
    })


def loyalty_answer(claims: Dict[str, Any]) -> Reply:
    """The business logic: a loyalty number for a valid e-mail, the error contract otherwise."""
    email = str(claims.get("email") or "")
    if not _EMAIL.match(email):
        return error_contract(400, "Please enter a valid email address.", "INVALID_EMAIL")
    if email.lower().endswith("@" + BLOCKED_DOMAIN):
        return error_contract(409, "This email address is not eligible for the loyalty program.", "NOT_ELIGIBLE")
    number = zlib.crc32(email.lower().encode()) % 10000
    return Reply(200, json={"loyaltyNumber": f"LN-{number:04d}", "tier": "gold" if number % 2 else "silver"})


def _claims(request: ServerRequest) -> Dict[str, Any]:
    """The claims B2C sent: JSON body (Body), form body (Form), headers (Header) or query string (QueryString)."""
    content_type = (request.header("Content-Type") or "").lower()
    if request.body and content_type.startswith("application/json"):
        document = request.json()
        return document if isinstance(document, dict) else {}
    if request.body and content_type.startswith("application/x-www-form-urlencoded"):
        return dict(request.form())
    headers = {name.lower(): value for name, value in request.headers.items()}
    return {**headers, **{name: values[-1] for name, values in request.query.items()}}


def _unauthorized(reason: str) -> Reply:
    # No error contract: B2C then reports rejected credentials (AADB2C90027/90028) or an unreadable answer.
    return Reply(401, json={"error": "unauthorized", "reason": reason})


class SampleApiHandler:
    """The `TlsServer` handler: checks each path's authentication, then answers with the contract."""

    def __init__(self, credentials: DemoCredentials, entra: FakeTokenEndpoint, *, client_cert_subject: str,
                 slow_seconds: float = 3.0) -> None:
        self.credentials = credentials
        self.entra = entra
        self.client_cert_subject = client_cert_subject
        self.slow_seconds = slow_seconds
        self.audience = SCOPE[: -len("/.default")]

    def __call__(self, request: ServerRequest) -> Reply:
        path = request.path.rstrip("/")
        check = {
            "/api/none/profile": lambda r: None,
            "/api/basic/profile": self._basic,
            "/api/slow/profile": self._basic,
            "/api/broken/profile": self._basic,
            "/api/connector": self._basic,
            "/api/external-id/submit": self._jwt,
            "/api/certificate/profile": self._certificate,
            "/api/GetProfile": self._jwt,
            "/api/bearer/profile": self._jwt,
            "/api/static/profile": self._static_bearer,
            "/api/key/profile": self._api_key,
        }.get(path)
        if check is None:
            return Reply(404, json={"error": "not_found", "path": request.path})
        refused = check(request)
        if refused is not None:
            return _unauthorized(refused)
        if path == "/api/connector":
            return self._connector(request)
        if path == "/api/external-id/submit":
            return self._external_id(request)
        if path == "/api/broken/profile":
            return Reply(500, body="Internal Server Error: the loyalty database is down")
        answer = loyalty_answer(_claims(request))
        if path == "/api/slow/profile":
            return Reply(answer.status, json=answer.json, delay=self.slow_seconds)
        return answer

    # -- one check per AuthenticationType; each returns why it refused, or None -------------
    def _basic(self, request: ServerRequest) -> Optional[str]:
        scheme, _, encoded = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return "Basic credentials expected"
        try:
            username, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except ValueError:
            return "malformed Basic credentials"
        if _same(username, self.credentials.username) and _same(password, self.credentials.password):
            return None
        return "wrong username or password"

    def _certificate(self, request: ServerRequest) -> Optional[str]:
        # The TLS listener already checked the chain to the CA; the API decides which client it is.
        if request.client_cert_subject is None:
            return "a client certificate is required"
        return None if request.client_cert_subject == self.client_cert_subject else "unknown client certificate"

    def _jwt(self, request: ServerRequest) -> Optional[str]:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "a bearer token is required"
        try:
            self.entra.verify(token, audience=self.audience)
        except ValueError as exc:
            return f"invalid token: {exc}"
        return None

    def _static_bearer(self, request: ServerRequest) -> Optional[str]:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        return None if scheme.lower() == "bearer" and _same(token, self.credentials.static_token) else "bad token"

    def _api_key(self, request: ServerRequest) -> Optional[str]:
        return None if _same(request.header("x-functions-key"), self.credentials.api_key) else "bad API key"

    def _connector(self, request: ServerRequest) -> Reply:
        """A user-flow API connector at PostAttributeCollection: Continue, or a ValidationError."""
        user = request.json()
        postal_code = user.get("postalCode")
        if postal_code is not None and not _POSTAL_CODE.match(str(postal_code)):
            return Reply(400, json={"version": VERSION, "status": 400, "action": "ValidationError",
                                    "userMessage": "Please enter a valid 5-digit postal code."})
        return Reply(200, json={"version": VERSION, "action": "Continue", "jobTitle": "Loyalty member"})

    def _external_id(self, request: ServerRequest) -> Reply:
        """Entra External ID at OnAttributeCollectionSubmit: continue, or show a validation error."""
        attributes = request.json().get("data", {}).get("userSignUpInfo", {}).get("attributes", {})
        postal_code = attributes.get("postalCode", {}).get("value")
        kind = "microsoft.graph.attributeCollectionSubmit."
        if postal_code is not None and not _POSTAL_CODE.match(str(postal_code)):
            action = {"@odata.type": kind + "showValidationError", "message": "Please fix the highlighted fields.",
                      "attributeErrors": {"postalCode": "Please enter a valid 5-digit postal code."}}
        else:
            action = {"@odata.type": kind + "continueWithDefaultBehavior"}
        return Reply(200, json={"data": {"@odata.type": "microsoft.graph.onAttributeCollectionSubmitResponseData",
                                         "actions": [action]}})
