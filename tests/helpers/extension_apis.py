"""Extension APIs for the auth-check tests: one that validates Entra's token right (PyJWT), and broken ones.

``validating_api`` is the README's Python recipe made into a TlsServer handler: PyJWT against the
authority's JWKS, RS256 only, the expected issuer and audience, required lifetimes, and ``azp``
(v2) or ``appid`` (v1) equal to Entra's caller app. Each entry of ``BROKEN`` makes one mistake, and
names the matrix cases that mistake lets through.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
from collections.abc import Callable
from typing import Any

import jwt

from connector_sim.testing import CALLER_APP_ID, EntraAuthority, Reply, ServerRequest
from connector_sim.testing.jwt import b64url_decode

__all__ = ["BROKEN", "answer_for", "validating_api"]

# Each mistake -> the matrix cases it lets through.
BROKEN: dict[str, frozenset[str]] = {
    "accepts-any-audience": frozenset({"wrong-audience"}),
    "skips-caller-check": frozenset({"other-client-app"}),
    "accepts-any-issuer": frozenset({"issuer-other-host"}),
    "ignores-exp": frozenset({"expired"}),
    "ignores-nbf": frozenset({"not-yet-valid"}),
    "trusts-alg-none": frozenset({"alg-none"}),
    "hmac-with-public-key": frozenset({"hs256-public-key"}),
    "accepts-both-versions": frozenset({"other-token-version"}),
    "no-signature-check": frozenset({"unknown-kid", "bad-signature", "alg-none", "hs256-public-key"}),
    "lets-anonymous-in": frozenset({"no-authorization-header"}),
}


def answer_for(event: str) -> dict[str, Any]:
    """A contract-keeping answer to ``event`` (OnTokenIssuanceStart or an attribute-collection event)."""
    short = event[2:3].lower() + event[3:]
    action = "provideClaimsForToken" if short == "tokenIssuanceStart" else "continueWithDefaultBehavior"
    body: dict[str, Any] = {"@odata.type": f"microsoft.graph.{short}.{action}"}
    if action == "provideClaimsForToken":
        body["claims"] = {"customRoles": ["Reader"]}
    return {"data": {"@odata.type": f"microsoft.graph.on{short[0].upper()}{short[1:]}ResponseData",
                     "actions": [body]}}


def validating_api(authority: EntraAuthority, app_id: str, *, mistake: str | None = None,
                   version: int | None = None, host: str = "127.0.0.1") -> Callable[[ServerRequest], Reply]:
    """A handler that checks the bearer token as a correct API does, or with one ``mistake`` (see BROKEN)."""
    version = version or authority.default_version
    app_id_uri = f"api://{host}/{app_id}"  # the App ID URI names the API's own host
    context = ssl.create_default_context(cafile=str(authority.ca_pem))
    keys = jwt.PyJWKClient(authority.jwks_url, ssl_context=context)
    issuers: tuple[str, ...] = (authority.issuer_for(version),)
    audiences: tuple[str, ...] = (app_id,) if version == 2 else (app_id_uri,)
    if mistake == "accepts-both-versions":
        issuers, audiences = (authority.issuer_for(1), authority.issuer_for(2)), (app_id, app_id_uri)

    def claims_of(token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        if mistake == "trusts-alg-none" and header.get("alg") == "none":
            return jwt.decode(token, options={"verify_signature": False})
        if mistake == "hmac-with-public-key" and header.get("alg") == "HS256":
            signing_input, _, signature = token.rpartition(".")
            expected = hmac.new(authority.signer.public_pem(), signing_input.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, b64url_decode(signature)):
                raise jwt.InvalidSignatureError("bad HMAC")
            return json.loads(b64url_decode(signing_input.split(".")[1]))
        options: dict[str, Any] = {"require": ["exp", "nbf", "iat", "iss", "aud"]}
        if mistake == "no-signature-check":
            # PyJWT turns every other check off with the signature unless each is named.
            options.update(verify_signature=False, verify_aud=True, verify_iss=True, verify_exp=True,
                           verify_nbf=True, verify_iat=True)
            return jwt.decode(token, options=options, audience=list(audiences), issuer=list(issuers))
        if mistake == "accepts-any-audience":
            options["verify_aud"] = False
        if mistake == "accepts-any-issuer":
            options["verify_iss"] = False
        if mistake == "ignores-exp":
            options["verify_exp"] = False
        if mistake == "ignores-nbf":
            options.update(verify_nbf=False, verify_iat=False)
        key = keys.get_signing_key_from_jwt(token)  # an unknown kid raises PyJWKClientError
        return jwt.decode(token, key.key, algorithms=["RS256"], audience=list(audiences), issuer=list(issuers),
                          options=options)

    def handler(request: ServerRequest) -> Reply:
        header = request.header("Authorization") or ""
        event = json.loads(request.body or b"{}").get("type", "").rpartition(".")[2]
        ok = Reply(200, json=answer_for("on" + event[0].upper() + event[1:]))
        if not header.startswith("Bearer "):
            return ok if mistake == "lets-anonymous-in" else Reply(401, json={"error": "missing bearer token"})
        try:
            claims = claims_of(header[len("Bearer "):])
        except (jwt.PyJWTError, ValueError) as exc:
            return Reply(401, json={"error": type(exc).__name__})
        caller = claims.get("azp") or claims.get("appid")
        if mistake != "skips-caller-check" and caller != CALLER_APP_ID:
            return Reply(403, json={"error": "not Entra's custom authentication extension caller"})
        return ok

    return handler
