"""RS256 JSON Web Tokens and JWKS for the fake token endpoint: signed and checked by PyJWT (msal's dependency).

Mints Entra-shaped access tokens and checks them the way an API would (signature, kid, exp, nbf,
iss, aud); the JWKS members (kid, x5t, n, e, x5c) are written here, as Entra lists them.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple, Union

import jwt as pyjwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding

from ._x509 import build_leaf_cert, new_rsa_key, throwaway_name, utc_now

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


def sign(claims: Mapping[str, Any], key: rsa.RSAPrivateKey, kid: str, **header: Any) -> str:
    """A compact RS256 JWS of `claims`, with `kid` (and any extra header fields), signed by PyJWT."""
    return pyjwt.encode(dict(claims), key, algorithm="RS256", headers={"typ": "JWT", "kid": kid, **header})


def decode_unverified(token: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(header, claims) of a compact JWS, without checking anything but its shape."""
    try:
        header = pyjwt.get_unverified_header(token)
        claims = pyjwt.decode(token, options={"verify_signature": False})
    except (pyjwt.PyJWTError, TypeError, ValueError) as exc:
        raise InvalidTokenError(f"not a compact JWS of base64url JSON: {exc}") from exc
    return dict(header), dict(claims)


# PyJWT's exceptions, as the messages this module has always given (tests and users match on them).
_MESSAGES = (
    (pyjwt.InvalidSignatureError, "signature does not match"),
    (pyjwt.ExpiredSignatureError, "token expired"),
    (pyjwt.ImmatureSignatureError, "token not yet valid (nbf)"),
    (pyjwt.InvalidAlgorithmError, "unexpected algorithm; only RS256 is accepted"),
    (pyjwt.InvalidAudienceError, "the audience (aud) is not the one expected"),
    (pyjwt.InvalidIssuerError, "the issuer (iss) is not the one expected"),
)


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
    """The claims of an RS256 `token` signed by one of `keys` (by kid), after every check passes (PyJWT's).

    Raises `InvalidTokenError` (a ValueError) for a bad shape, algorithm, kid or signature, a
    missing required claim, an expired or not-yet-valid token, or a wrong issuer or audience. `now`
    replaces the clock (PyJWT reads its own, so the lifetime is then checked here).
    """
    header, _claims = decode_unverified(token)
    key = keys.get(str(header.get("kid", "")))
    if header.get("alg") == "RS256" and key is None:
        raise InvalidTokenError(f"unknown key id {header.get('kid')!r}")
    wanted = None if audience is None else ([audience] if isinstance(audience, str) else list(audience))
    options = {"require": list(required), "verify_aud": wanted is not None, "verify_iss": issuer is not None,
               "verify_exp": now is None, "verify_nbf": now is None, "verify_iat": now is None}
    try:
        claims = pyjwt.decode(token, key or "", algorithms=["RS256"], audience=wanted, issuer=issuer,
                              leeway=leeway, options=options)  # type: ignore[arg-type]
    except pyjwt.PyJWTError as exc:
        message = next((text for kind, text in _MESSAGES if isinstance(exc, kind)), str(exc))
        raise InvalidTokenError(message) from exc
    if now is not None:
        if "exp" in claims and now > _number(claims, "exp") + leeway:
            raise InvalidTokenError("token expired")
        if "nbf" in claims and now < _number(claims, "nbf") - leeway:
            raise InvalidTokenError("token not yet valid (nbf)")
    return dict(claims)


class SigningKey:
    """An RSA token-signing key with its certificate and kid, as an Entra tenant publishes one."""

    def __init__(self, key: Optional[rsa.RSAPrivateKey] = None) -> None:
        self.key = key or new_rsa_key()
        now = utc_now()
        self.certificate = build_leaf_cert(
            self.key, subject=throwaway_name("accounts.accesscontrol.windows.net"),
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
