"""The negative token matrix: the right Entra caller token, and each wrong token an extension API must refuse.

Each case is one Authorization header (or none) built from an `EntraAuthority`. An API that
accepts any wrong one has a security hole; the right one must be accepted. The wrong tokens are
assembled by hand where a JOSE library would (rightly) refuse to make them: ``alg: none``, HS256
keyed with the RSA public key, a broken signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._authority_keys import new_signer
from .jwt import b64url_decode, b64url_encode

if TYPE_CHECKING:
    from .authority import EntraAuthority

__all__ = ["CASE_NAMES", "TokenCase", "token_cases"]

#: Every case in the order the matrix runs them; "valid" is the one that must be accepted.
CASE_NAMES = (
    "valid", "no-authorization-header", "other-client-app", "wrong-audience", "other-token-version",
    "issuer-other-host", "unknown-kid", "expired", "not-yet-valid", "alg-none", "hs256-public-key",
    "bad-signature",
)
_OTHER_APP = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"  # the "test client" anti-pattern: any app but Entra's
_HOUR = 3600


@dataclass(frozen=True)
class TokenCase:
    """One matrix case: its name, what is wrong with it, the header sent and whether it must be accepted."""

    name: str
    description: str
    authorization: str | None  # the whole header value ("Bearer ..."), None to send no header
    expect_accepted: bool

    def __repr__(self) -> str:
        return f"TokenCase({self.name!r}, expect_accepted={self.expect_accepted})"


def _segment(value: Mapping[str, Any]) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _unsigned(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    return f"{_segment(header)}.{_segment(claims)}"


def _flip_signature(token: str) -> str:
    head, _, signature = token.rpartition(".")
    raw = bytearray(b64url_decode(signature))
    raw[len(raw) // 2] ^= 0x01  # one bit: the shape stays valid, the signature does not
    return f"{head}.{b64url_encode(bytes(raw))}"


def token_cases(authority: EntraAuthority, app_id: str, *, version: int, app_id_uri: str) -> list[TokenCase]:
    """The matrix for an API that expects tokens of ``version`` for ``app_id``, in `CASE_NAMES` order."""
    now = int(authority.clock())
    claims = authority.caller_claims(app_id, version=version, app_id_uri=app_id_uri)
    other_version = 1 if version == 2 else 2
    client = "azp" if version == 2 else "appid"
    header = {"typ": "JWT", "alg": "RS256", "kid": authority.signer.kid, "x5t": authority.signer.kid}
    stranger = new_signer()

    def bearer(token: str) -> str:
        return f"Bearer {token}"

    def signed(**changes: Any) -> str:
        return bearer(authority.sign({**claims, **changes}))

    hs_header = {"typ": "JWT", "alg": "HS256", "kid": authority.signer.kid}
    hs_input = _unsigned(hs_header, claims)
    hs_signature = hmac.new(authority.signer.public_pem(), hs_input.encode("ascii"), hashlib.sha256).digest()
    cases = [
        TokenCase("valid", "the token Entra sends: right issuer, audience, caller app, key and lifetime",
                  signed(), True),
        TokenCase("no-authorization-header", "no Authorization header at all", None, False),
        TokenCase("other-client-app", f"{client} names another application than Entra's "
                  f"{authority.caller_app_id} (a test client)", signed(**{client: _OTHER_APP}), False),
        TokenCase("wrong-audience", "aud is another application", signed(aud=str(uuid.uuid4())), False),
        TokenCase("other-token-version", f"a v{other_version} token (that version's iss, aud and caller claim) to an "
                  f"API that expects v{version}", bearer(authority.caller_token(
                      app_id, version=other_version, app_id_uri=app_id_uri)), False),
        TokenCase("issuer-other-host", "iss is the tenant's issuer on another host",
                  signed(iss=authority.other_host_issuer(version)), False),
        TokenCase("unknown-kid", "signed by a key whose kid is not in the JWKS (a rotated-out or foreign key)",
                  bearer(authority.sign(claims, signer=stranger)), False),
        TokenCase("expired", "exp passed an hour ago", signed(iat=now - 3 * _HOUR, nbf=now - 3 * _HOUR,
                                                              exp=now - _HOUR), False),
        TokenCase("not-yet-valid", "nbf is an hour from now", signed(iat=now + _HOUR, nbf=now + _HOUR,
                                                                     exp=now + 3 * _HOUR), False),
        TokenCase("alg-none", "alg none and no signature",
                  bearer(_unsigned({"typ": "JWT", "alg": "none"}, claims) + "."), False),
        TokenCase("hs256-public-key", "HS256 with the RSA public key (PEM) as the HMAC secret",
                  bearer(f"{hs_input}.{b64url_encode(hs_signature)}"), False),
        TokenCase("bad-signature", "the right header and claims, one bit of the signature changed",
                  bearer(_flip_signature(authority.sign(claims, header=header))), False),
    ]
    assert tuple(case.name for case in cases) == CASE_NAMES
    return cases
