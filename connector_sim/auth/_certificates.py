"""Client certificates from .pfx files, checked the way B2C checks an uploaded policy key.

B2C wants a PKCS #12 file with a private key of an RSA key set, a password, and dates that hold;
with several certificates it uses "the most recently uploaded certificate which is not expired
and whose start date has passed" (behaviour file §4.2, §4.5). Decoding happens here, once.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, Union

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from ..errors import CertificateError

__all__ = ["CertificateInfo", "CertificateKey", "LoadedCertificate", "load_pfx", "select_certificate"]

PfxSource = Union[bytes, str, "os.PathLike[str]"]
#: Days before expiry from which a check warns that the certificate needs renewing.
RENEWAL_WARNING_DAYS = 30


@dataclass(frozen=True)
class CertificateKey:
    """A .pfx (path or bytes) and its password, as a ClientCertificate policy key holds it."""

    pfx: PfxSource
    password: str | bytes | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        source = f"<{len(self.pfx)} bytes>" if isinstance(self.pfx, bytes) else str(self.pfx)
        return f"CertificateKey(pfx={source!r}, password=***)"


@dataclass(frozen=True)
class CertificateInfo:
    """What B2C (and an API pinning the certificate) sees of a client certificate."""

    subject: str
    issuer: str
    thumbprint: str  # SHA-1, upper-case hex, as the Azure portal and X-ARR-ClientCert checks show it
    sha256: str
    not_before: _dt.datetime
    not_after: _dt.datetime
    key_type: str
    key_size: int | None
    has_private_key: bool

    def days_left(self, now: _dt.datetime | None = None) -> int:
        """Whole days until the certificate expires (negative once expired)."""
        now = now or _dt.datetime.now(_dt.timezone.utc)
        return (self.not_after - now).days

    def problems(self, now: _dt.datetime | None = None) -> list[str]:
        """Every reason B2C would refuse this certificate (empty when it would accept it)."""
        now = now or _dt.datetime.now(_dt.timezone.utc)
        found = []
        if not self.has_private_key:
            found.append("the .pfx holds no private key (export it with the private key)")
        if self.key_type != "RSA":
            found.append(f"the key is {self.key_type}, but B2C needs an RSA key set")
        if now < self.not_before:
            found.append(f"the certificate is not valid before {self.not_before:%Y-%m-%d %H:%M:%SZ}")
        if now > self.not_after:
            found.append(f"the certificate expired on {self.not_after:%Y-%m-%d %H:%M:%SZ}")
        return found


@dataclass(frozen=True, repr=False)
class LoadedCertificate:
    """A decoded .pfx: the private key, the certificate and its chain, and their summary."""

    key: object
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    info: CertificateInfo

    def __repr__(self) -> str:
        return f"LoadedCertificate(subject={self.info.subject!r}, thumbprint={self.info.thumbprint!r})"

    def to_pkcs12(self, password: bytes) -> bytes:
        """The certificate re-encoded as PKCS #12 in memory, encrypted with ``password``."""
        return pkcs12.serialize_key_and_certificates(
            name=None,
            key=self.key,  # type: ignore[arg-type]
            cert=self.certificate,
            cas=list(self.chain) or None,
            encryption_algorithm=serialization.BestAvailableEncryption(password),
        )


def _read(source: PfxSource) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "<pfx bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise CertificateError(f"cannot read the .pfx file {str(path)!r}: {exc.strerror}") from exc


def _key_description(key: object) -> tuple[str, int | None]:
    if key is None:
        return "none", None
    if isinstance(key, rsa.RSAPrivateKey):
        return "RSA", key.key_size
    name = type(key).__name__.lstrip("_").replace("PrivateKey", "")
    return ({"EllipticCurve": "EC"}.get(name, name) or "unknown"), getattr(key, "key_size", None)


def _name(value: x509.Name) -> str:
    return value.rfc4514_string()


def load_pfx(source: PfxSource, password: str | bytes | None) -> LoadedCertificate:
    """Decode a .pfx; raise ``CertificateError`` when it cannot be opened (never showing the password)."""
    data, label = _read(source)
    secret = password.encode("utf-8") if isinstance(password, str) else password
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, secret or None)
    except ValueError as exc:
        raise CertificateError(
            f"cannot open {label}: wrong password or not a PKCS #12 (.pfx) file",
            b2c_code="AADB2C90220",
            hint="check the password key of this certificate in your keys file or environment",
        ) from exc
    if cert is None and key is None and chain:
        cert, chain = chain[0], chain[1:]  # a certificate exported without its key lands among the extras
    if cert is None:
        raise CertificateError(f"{label} holds no certificate", b2c_code="AADB2C90220")
    key_type, key_size = _key_description(key)
    der = cert.public_bytes(serialization.Encoding.DER)
    info = CertificateInfo(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        thumbprint=hashlib.sha1(der).hexdigest().upper(),  # noqa: S324 - a thumbprint, not a security hash
        sha256=hashlib.sha256(der).hexdigest().upper(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=key_type,
        key_size=key_size,
        has_private_key=key is not None,
    )
    return LoadedCertificate(key=key, certificate=cert, chain=tuple(chain), info=info)


def select_certificate(
    keys: Sequence[CertificateKey], now: _dt.datetime | None = None
) -> LoadedCertificate:
    """Decode every certificate and return the one B2C would use, or explain why none qualifies."""
    if not keys:
        raise CertificateError("no client certificate was given", b2c_code="AADB2C90025")
    now = now or _dt.datetime.now(_dt.timezone.utc)
    loaded = [load_pfx(k.pfx, k.password) for k in keys]
    usable = [c for c in loaded if not c.info.problems(now)]
    if usable:
        # "The most recent ... whose start date has passed and that has not expired."
        return max(usable, key=lambda c: c.info.not_before)
    reasons = "; ".join(f"{c.info.subject}: {', '.join(c.info.problems(now))}" for c in loaded)
    raise CertificateError(
        f"B2C would refuse this client certificate: {reasons}",
        b2c_code="AADB2C90028" if len(loaded) == 1 else "AADB2C90019",
        hint="create one with `connector-sim cert new` and check it with `connector-sim cert check`",
    )
