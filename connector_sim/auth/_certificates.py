"""Client certificates from .pfx files, checked the way B2C checks an uploaded policy key.

B2C wants a PKCS #12 file with a private key of an RSA key set, a password, and dates that hold;
with several certificates it uses "the most recently uploaded certificate which is not expired
and whose start date has passed" (behaviour file §4.2, §4.5). Decoding happens here, once per
distinct (.pfx bytes, password) per process: ``load_pfx`` keeps what it decoded under a keyed
digest of both (never the password), so every profile, journey step and load user built from the
same key shares one ``LoadedCertificate``. ``new_client_context`` builds a TLS client context from
it without decoding again. cryptography is imported when a certificate is first decoded.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import os
import ssl
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, Union

from ..errors import CertificateError
from ..userfiles import read_user_file

if TYPE_CHECKING:
    from cryptography import x509

__all__ = [
    "CertificateInfo", "CertificateKey", "LoadedCertificate", "clear_pfx_cache", "load_pfx", "new_client_context",
    "select_certificate",
]

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
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12

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
        # Capped, regular files only: /dev/zero or a FIFO named as a .pfx is refused, not read forever.
        return read_user_file(path, what=f"the .pfx file {str(path)!r}", error=CertificateError), str(path)
    except OSError as exc:
        raise CertificateError(f"cannot read the .pfx file {str(path)!r}: {exc.strerror}") from exc


def _key_description(key: object) -> tuple[str, int | None]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    if key is None:
        return "none", None
    if isinstance(key, rsa.RSAPrivateKey):
        return "RSA", key.key_size
    name = type(key).__name__.lstrip("_").replace("PrivateKey", "")
    return ({"EllipticCurve": "EC"}.get(name, name) or "unknown"), getattr(key, "key_size", None)


def _name(value: x509.Name) -> str:
    return value.rfc4514_string()


#: Distinct (.pfx, password) pairs kept decoded; the least recently used goes first beyond this.
PFX_CACHE_SIZE = 64
_DIGEST_KEY = os.urandom(32)  # per process: the digests mean nothing outside it
_decoded: OrderedDict[bytes, LoadedCertificate] = OrderedDict()
_decoded_lock = threading.Lock()


def _cache_key(data: bytes, secret: bytes | None) -> bytes:
    # A keyed digest of both: the cache never holds the password, and equal digests mean equal inputs.
    mac = hmac.new(_DIGEST_KEY, len(data).to_bytes(8, "big"), hashlib.sha256)
    mac.update(data)
    mac.update(b"\x00" if secret is None else b"\x01" + secret)
    return mac.digest()


def clear_pfx_cache() -> None:
    """Forget every decoded .pfx (the next ``load_pfx`` of each decodes it again)."""
    with _decoded_lock:
        _decoded.clear()


def load_pfx(source: PfxSource, password: str | bytes | None) -> LoadedCertificate:
    """Decode a .pfx once per distinct (bytes, password) per process; raise ``CertificateError`` when it cannot be
    opened (never showing the password)."""
    data, label = _read(source)
    secret = password.encode("utf-8") if isinstance(password, str) else password
    key = _cache_key(data, secret or None)  # an empty password opens a .pfx as None does
    with _decoded_lock:
        cached = _decoded.get(key)
        if cached is not None:
            _decoded.move_to_end(key)
            return cached
    loaded = _decode(data, secret, label)
    with _decoded_lock:
        loaded = _decoded.setdefault(key, loaded)  # two threads that raced keep the first one's
        _decoded.move_to_end(key)
        while len(_decoded) > PFX_CACHE_SIZE:
            _decoded.popitem(last=False)
    return loaded


def _decode(data: bytes, secret: bytes | None, label: str) -> LoadedCertificate:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

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


def new_client_context(certificate: LoadedCertificate) -> ssl.SSLContext:
    """A fresh client SSL context presenting ``certificate`` (no TLS rules applied yet), without decoding again.

    It does what requests-pkcs12's adapter does with a .pfx, from the key already decoded: the key
    reaches a temporary file (readable by this user only) encrypted with a one-off password, ssl
    loads it, and the file is deleted at once. A certificate of the chain that has expired is
    refused, as requests-pkcs12 refuses it.
    """
    import tempfile

    from cryptography.hazmat.primitives import serialization

    now = _dt.datetime.now(_dt.timezone.utc)
    for cert in (certificate.certificate, *certificate.chain):
        if cert.not_valid_after_utc < now:
            raise CertificateError(f"the client certificate cannot be used for TLS: {_name(cert.subject)} expired on "
                                   f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M:%SZ}", b2c_code="AADB2C90028")
    if certificate.key is None:
        raise CertificateError("the client certificate cannot be used for TLS: the .pfx holds no private key",
                               b2c_code="AADB2C90028")
    one_off = os.urandom(16)  # 128 bits, as requests-pkcs12 uses
    try:
        pem = certificate.key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(one_off))
    except (TypeError, ValueError) as exc:
        raise CertificateError(f"the client certificate cannot be used for TLS: {exc}") from exc
    pem += b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (certificate.certificate, *certificate.chain))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    handle = tempfile.NamedTemporaryFile(prefix="connector-sim-", suffix=".pem", delete=False)  # noqa: SIM115
    try:
        with handle:
            handle.write(pem)
        context.load_cert_chain(handle.name, password=one_off)
    except ssl.SSLError as exc:
        raise CertificateError(f"the client certificate cannot be used for TLS: {exc}") from exc
    finally:
        os.remove(handle.name)
    return context


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
