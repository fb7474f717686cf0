"""OnPasswordSubmit's ``encryptedPasswordContext``: a compact (5-part) JWE encrypted to the extension's key.

Entra encrypts with the public key of the certificate on the extension app's ``keyCredentials``
(usage ``Encrypt``, ``tokenEncryptionKeyId``); the plaintext is an unsigned JWT carrying
``user-password``, ``username`` and ``nonce`` [how-to-migrate-passwords-just-in-time.md, 12/2025:
its sample decrypts with jose-jwt, then reads the inner token with ``JwsAlgorithm.none``].

The key-management and content-encryption algorithms are not documented: connector_sim defaults
to RSA-OAEP-256 / A256GCM (UNCONFIRMED) and lets both be chosen. The JWE is built by joserfc
(typed, maintained by Authlib's author, algorithm allow-lists per call), imported only here and
only when an OnPasswordSubmit call is made: it is the optional extra ``connector_sim[jwe]``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from ..errors import ConfigurationError
from ..userfiles import read_user_file

__all__ = [
    "CONTENT_ENCRYPTIONS", "DEFAULT_CONTENT_ENCRYPTION", "DEFAULT_KEY_ALGORITHM", "KEY_ALGORITHMS", "EncryptionKey",
    "encrypt_password_context", "load_encryption_key", "password_context",
]

DEFAULT_KEY_ALGORITHM = "RSA-OAEP-256"  # UNCONFIRMED: the docs name no algorithm
DEFAULT_CONTENT_ENCRYPTION = "A256GCM"  # UNCONFIRMED
KEY_ALGORITHMS = ("RSA-OAEP-256", "RSA-OAEP", "RSA1_5")
CONTENT_ENCRYPTIONS = ("A256GCM", "A192GCM", "A128GCM", "A256CBC-HS512", "A192CBC-HS384", "A128CBC-HS256")
# cryptography is imported when a key is loaded: a run that never submits a password never pays for it.
if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

KeySource = Union[str, Path, bytes, "rsa.RSAPublicKey", "rsa.RSAPrivateKey", "x509.Certificate"]  # noqa: UP007


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class EncryptionKey:
    """The RSA public key Entra encrypts to, and the kid it names (the certificate's x5t, when known)."""

    public_key: rsa.RSAPublicKey
    key_id: str | None = None

    def __repr__(self) -> str:
        return f"EncryptionKey(rsa-{self.public_key.key_size}, kid={self.key_id!r})"


def _from_certificate(certificate: x509.Certificate) -> EncryptionKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ConfigurationError(f"the certificate holds a {type(key).__name__}: Entra encrypts the password to an "
                                 "RSA key (RSA JWE)", hint="make one with `connector-sim cert new` (RSA 2048)")
    der = certificate.public_bytes(serialization.Encoding.DER)
    return EncryptionKey(key, _b64url(hashlib.sha1(der).digest()))


def _parse(data: bytes, password: str | None, where: str) -> EncryptionKey:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    for load in (x509.load_pem_x509_certificate, x509.load_der_x509_certificate):
        try:
            return _from_certificate(load(data))
        except ValueError:
            pass
    found: Any = None
    for load_key in (serialization.load_pem_public_key, serialization.load_der_public_key):
        try:
            found = load_key(data)
            break
        except ValueError:
            pass
    if found is None and b"PRIVATE KEY" in data:
        try:
            found = serialization.load_pem_private_key(data, password.encode() if password else None).public_key()
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(f"{where}: the private key cannot be read (wrong or missing password?)") from exc
    if found is None:
        try:
            _key, certificate, extra = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
        except ValueError as exc:
            raise ConfigurationError(
                f"{where} holds no certificate or RSA public key Entra could encrypt to (PEM, DER, or a .pfx "
                "with its password)", hint="export the certificate of the extension app's Encrypt key credential, "
                "or make one with `connector-sim cert new`") from exc
        certificate = certificate or (extra[0] if extra else None)
        if certificate is None:
            raise ConfigurationError(f"{where}: the .pfx holds no certificate to encrypt to")
        return _from_certificate(certificate)
    if not isinstance(found, rsa.RSAPublicKey):
        raise ConfigurationError(f"{where} holds a {type(found).__name__}: Entra encrypts the password to an RSA key")
    return EncryptionKey(found)


def load_encryption_key(source: KeySource | EncryptionKey, password: str | None = None) -> EncryptionKey:
    """The key to encrypt to, from a certificate (PEM/DER/.pfx), a public or private key, a path or bytes."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    if isinstance(source, EncryptionKey):
        return source
    if isinstance(source, x509.Certificate):
        return _from_certificate(source)
    if isinstance(source, rsa.RSAPrivateKey):
        return EncryptionKey(source.public_key())
    if isinstance(source, rsa.RSAPublicKey):
        return EncryptionKey(source)
    if isinstance(source, (str, Path)):
        try:
            data = read_user_file(source, what="the encryption certificate")
        except OSError as exc:
            raise ConfigurationError(f"cannot read the encryption certificate {str(source)!r}: "
                                     f"{exc.strerror or exc}") from None
        return _parse(data, password, f"{Path(source).name!r}")
    if isinstance(source, bytes):
        return _parse(source, password, "the encryption key bytes")
    raise ConfigurationError(f"the encryption key must be a certificate, an RSA key, a path or bytes, not "
                             f"{type(source).__name__}")


def password_context(password: str, username: str, nonce: str) -> bytes:
    """The JWE's plaintext: an unsigned JWT (``alg: none``) with ``user-password``, ``username`` and ``nonce``."""
    for name, value in (("password", password), ("username", username), ("nonce", nonce)):
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"OnPasswordSubmit needs a non-empty {name} (a string)")
    header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"user-password": password, "username": username, "nonce": nonce}
    payload = _b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return f"{header}.{payload}.".encode("ascii")


def encrypt_password_context(password: str, username: str, nonce: str, key: KeySource | EncryptionKey, *,
                             algorithm: str = DEFAULT_KEY_ALGORITHM, encryption: str = DEFAULT_CONTENT_ENCRYPTION,
                             key_password: str | None = None) -> str:
    """``encryptedPasswordContext``: the compact JWE of `password_context`, encrypted to ``key``."""
    if algorithm not in KEY_ALGORITHMS:
        raise ConfigurationError(f"JWE key algorithm {algorithm!r} is not one of {', '.join(KEY_ALGORITHMS)}")
    if encryption not in CONTENT_ENCRYPTIONS:
        raise ConfigurationError(f"JWE content encryption {encryption!r} is not one of "
                                 f"{', '.join(CONTENT_ENCRYPTIONS)}")
    target = load_encryption_key(key, key_password)
    plaintext = password_context(password, username, nonce)
    try:
        from joserfc import jwe
        from joserfc.errors import JoseError
        from joserfc.jwk import RSAKey
    except ImportError as exc:
        raise ConfigurationError(
            "OnPasswordSubmit builds encryptedPasswordContext with joserfc, which is not installed",
            hint="pip install 'connector_sim[jwe]'") from exc
    header: dict[str, Any] = {"alg": algorithm, "enc": encryption, "cty": "JWT"}  # cty: a nested JWT (RFC 7519)
    if target.key_id:
        header["kid"] = target.key_id  # UNCONFIRMED: which kid Entra names is undocumented
    try:
        return jwe.encrypt_compact(header, plaintext, RSAKey.import_key(target.public_key),
                                   algorithms=[algorithm, encryption])
    except JoseError as exc:
        raise ConfigurationError(f"joserfc cannot encrypt with {algorithm}/{encryption}: {exc}") from exc
