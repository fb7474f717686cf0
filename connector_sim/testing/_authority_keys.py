"""Key material of `EntraAuthority`: its token-signing key and its TLS identity, optionally kept in a folder.

Kept in a folder, the same files serve every run, so an API configured once to trust the local
authority (its CA for HTTPS, its JWKS for tokens) keeps trusting it. Private keys are written
with mode 0600 and never printed.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding

from . import _x509
from .jwt import b64url_encode, public_jwk

__all__ = ["AuthorityKeys", "Signer", "load_keys"]

SIGNING_FILE = "signing-key.pem"
TLS_CA_FILE = "tls-ca.pem"
TLS_CA_KEY_FILE = "tls-ca-key.pem"
TLS_SERVER_FILE = "tls-server.pem"
TLS_SERVER_KEY_FILE = "tls-server-key.pem"
_YEARS = datetime.timedelta(days=3650)
_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Signer:
    """An RSA token-signing key, its certificate and its kid (the x5t thumbprint, as Entra publishes it)."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def kid(self) -> str:
        """The key id: base64url SHA-1 of the certificate, as Entra's kid and x5t are."""
        der = self.certificate.public_bytes(Encoding.DER)
        return b64url_encode(hashlib.sha1(der).digest())

    def jwk(self, **extra: Any) -> dict[str, Any]:
        """The public JWK (kty, use, kid, x5t, n, e, x5c and `extra`)."""
        return public_jwk(self.key.public_key(), self.kid, self.certificate, **extra)

    def public_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM (what an HS256 key-confusion attack uses as secret)."""
        return self.key.public_key().public_bytes(Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def __repr__(self) -> str:
        return f"Signer(kid={self.kid!r})"


def new_signer(key: rsa.RSAPrivateKey | None = None) -> Signer:
    """A signing key (new unless given) with a two-year certificate like a tenant's."""
    key = key or _x509.new_rsa_key()
    now = _x509.utc_now()
    certificate = _x509.build_leaf_cert(
        key, subject=_x509.throwaway_name("accounts.accesscontrol.windows.net"), not_before=now - _DAY,
        not_after=now + 730 * _DAY, client=False, server=False)
    return Signer(key, certificate)


@dataclass(frozen=True)
class AuthorityKeys:
    """The signing key, and the TLS server certificate and CA when they are kept in a folder."""

    signer: Signer
    tls_ca_pem: Path | None = None
    tls_server: tuple[Path, Path] | None = None  # (certificate, key) files for TlsServer's server_cert


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _read_signer(path: Path) -> Signer:
    data = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=None)
        certificate = x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise ValueError(f"{path} does not hold an RSA private key and its certificate (PEM): {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} holds a {type(key).__name__}; Entra signs with RSA keys (RS256)")  # noqa: TRY004
    return Signer(key, certificate)


def _tls_files(folder: Path) -> tuple[Path, tuple[Path, Path]]:
    ca_pem, server_pem, server_key = folder / TLS_CA_FILE, folder / TLS_SERVER_FILE, folder / TLS_SERVER_KEY_FILE
    if not (ca_pem.is_file() and server_pem.is_file() and server_key.is_file()):
        now = _x509.utc_now()
        ca_key = _x509.new_rsa_key()
        ca_cert = _x509.build_ca_cert(ca_key, not_before=now - _DAY, not_after=now + _YEARS)
        key = _x509.new_rsa_key()
        cert = _x509.build_leaf_cert(
            key, subject=_x509.throwaway_name("127.0.0.1"), not_before=now - _DAY, not_after=now + 825 * _DAY,
            issuer_cert=ca_cert, issuer_key=ca_key, identities=("127.0.0.1", "localhost", "::1"),
            client=False, server=True)
        _write_private(folder / TLS_CA_KEY_FILE, _x509.key_pem(ca_key))
        _write_private(server_key, _x509.key_pem(key))
        server_pem.write_bytes(_x509.pem(cert))
        ca_pem.write_bytes(_x509.pem(ca_cert))
    return ca_pem, (server_pem, server_key)


def load_keys(folder: Path | None, signing_key: rsa.RSAPrivateKey | None = None) -> AuthorityKeys:
    """The authority's keys: from ``folder`` (made there on first use), else new and in memory only."""
    if folder is None:
        return AuthorityKeys(new_signer(signing_key))
    folder.mkdir(parents=True, exist_ok=True)
    signing_file = folder / SIGNING_FILE
    if signing_file.is_file():
        signer = _read_signer(signing_file)
    else:
        signer = new_signer(signing_key)
        _write_private(signing_file, _x509.key_pem(signer.key) + _x509.pem(signer.certificate))
    ca_pem, server = _tls_files(folder)
    return AuthorityKeys(signer, ca_pem, server)
