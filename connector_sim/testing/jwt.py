"""RS256 JSON Web Tokens and JWKS with `cryptography` only, for the fake token endpoint.

Enough of RFC 7515/7517/7519 to mint Entra-shaped access tokens and to check them the way an
API would (signature, kid, exp, nbf, iss, aud); not a general-purpose JOSE library.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import time
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple, Union

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from . import _x509

__all__ = [
    "InvalidTokenError",
    "SigningKey",
    "b64url_decode",
    "b64url_encode",
    "decode_unverified",
    "public_jwk",
    "sign",
    "verify",
]


class InvalidTokenError(ValueError):
    """A token failed a check: its shape, signature, key id, lifetime, issuer or audience."""


def b64url_encode(data: bytes) -> str:
    """Base64url without padding, as JOSE uses it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The inverse of `b64url_encode`; padding is optional."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def public_jwk(key: rsa.RSAPublicKey, kid: str, certificate: Optional[x509.Certificate] = None,
               **extra: Any) -> Dict[str, Any]:
    """The JWK of an RSA signing key, with x5t/x5c when its certificate is given, as Entra lists them."""
    numbers = key.public_numbers()
    jwk: Dict[str, Any] = {"kty": "RSA", "use": "sig", "kid": kid}
    if certificate is not None:
        der = certificate.public_bytes(Encoding.DER)
        jwk["x5t"] = b64url_encode(hashlib.sha1(der).digest())  # noqa: S324 - x5t is SHA-1 by definition
    jwk["n"], jwk["e"] = b64url_encode(_int_bytes(numbers.n)), b64url_encode(_int_bytes(numbers.e))
    if certificate is not None:
        jwk["x5c"] = [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")]
    jwk.update(extra)
    return jwk


def _compact(value: Mapping[str, Any]) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def sign(claims: Mapping[str, Any], key: rsa.RSAPrivateKey, kid: str, **header: Any) -> str:
    """A compact RS256 JWS of `claims`, with `kid` (and any extra header fields)."""
    head = {"typ": "JWT", "alg": "RS256", "kid": kid, **header}
    signing_input = f"{_compact(head)}.{_compact(claims)}"
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url_encode(signature)}"


def decode_unverified(token: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(header, claims) of a compact JWS, without checking anything but its shape."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise InvalidTokenError("not a compact JWS: expected three dot-separated parts")
    try:
        return json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))
    except ValueError as exc:
        raise InvalidTokenError(f"header or payload is not base64url JSON: {exc}") from exc


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidTokenError(f"claim {name!r} is not a number: {value!r}")
    return float(value)


def verify(
    token: str,
    keys: Mapping[str, rsa.RSAPublicKey],
    *,
    issuer: Optional[str] = None,
    audience: Union[str, Iterable[str], None] = None,
    leeway: float = 0.0,
    now: Optional[float] = None,
    required: Sequence[str] = ("exp", "iat", "nbf"),
) -> Dict[str, Any]:
    """The claims of an RS256 `token` signed by one of `keys` (by kid), after every check passes.

    Raises `InvalidTokenError` (a ValueError) for a bad shape, algorithm, kid or signature, a
    missing required claim, an expired or not-yet-valid token, or a wrong issuer or audience.
    """
    header, claims = decode_unverified(token)
    if header.get("alg") != "RS256":
        raise InvalidTokenError(f"unexpected algorithm {header.get('alg')!r}; only RS256 is accepted")
    key = keys.get(header.get("kid", ""))
    if key is None:
        raise InvalidTokenError(f"unknown key id {header.get('kid')!r}")
    signing_input, _, signature = token.rpartition(".")
    try:
        key.verify(b64url_decode(signature), signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError) as exc:
        raise InvalidTokenError("signature does not match") from exc
    if not isinstance(claims, dict):
        raise InvalidTokenError("payload is not a JSON object")
    missing = [name for name in required if name not in claims]
    if missing:
        raise InvalidTokenError(f"missing claims: {', '.join(missing)}")
    moment = time.time() if now is None else now
    if "exp" in claims and moment > _number(claims, "exp") + leeway:
        raise InvalidTokenError("token expired")
    if "nbf" in claims and moment < _number(claims, "nbf") - leeway:
        raise InvalidTokenError("token not yet valid (nbf)")
    if issuer is not None and claims.get("iss") != issuer:
        raise InvalidTokenError(f"issuer {claims.get('iss')!r} is not {issuer!r}")
    if audience is not None:
        wanted = {audience} if isinstance(audience, str) else set(audience)
        got = claims.get("aud")
        got_set = set(got) if isinstance(got, list) else {got}
        if not wanted & got_set:
            raise InvalidTokenError(f"audience {got!r} is not {sorted(wanted)!r}")
    return claims


class SigningKey:
    """An RSA token-signing key with its certificate and kid, as an Entra tenant publishes one."""

    def __init__(self, key: Optional[rsa.RSAPrivateKey] = None) -> None:
        self.key = key or _x509.new_rsa_key()
        now = _x509.utc_now()
        self.certificate = _x509.build_leaf_cert(
            self.key, subject=_x509.throwaway_name("accounts.accesscontrol.windows.net"),
            not_before=now, not_after=now + datetime.timedelta(days=730), client=False, server=False,
        )
        # Entra's kid is the x5t: the base64url SHA-1 thumbprint of the signing certificate.
        der = self.certificate.public_bytes(Encoding.DER)
        self.kid = b64url_encode(hashlib.sha1(der).digest())  # noqa: S324

    def jwk(self, **extra: Any) -> Dict[str, Any]:
        """The public JWK (kid, x5t, n, e, x5c and any `extra` members)."""
        return public_jwk(self.key.public_key(), self.kid, self.certificate, **extra)

    def sign(self, claims: Mapping[str, Any]) -> str:
        """`claims` as a compact RS256 JWS with this key's kid and x5t."""
        return sign(claims, self.key, self.kid, x5t=self.kid)

    def verify(self, token: str, **checks: Any) -> Dict[str, Any]:
        """`verify` against this key alone; `checks` are verify's keyword arguments."""
        return verify(token, {self.kid: self.key.public_key()}, **checks)
