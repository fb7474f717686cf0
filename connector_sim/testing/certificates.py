"""Throwaway certificates for TLS and client-certificate tests.

`make_certificates` builds one test CA (RSA, through trustme) and every certificate a
ClientCertificate test needs: a good client .pfx, expired, not-yet-valid, ECDSA, key-less and
older ones, and server certificates (good, expired, self-signed). `make_self_signed_pfx` makes
what the B2C article "Secure your API used an API connector" asks users to create.
"""

from __future__ import annotations

import calendar
import datetime
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Mapping, Optional, Tuple, Union

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from . import _x509

__all__ = [
    "DEFAULT_CLIENT_CN",
    "DEFAULT_PFX_PASSWORD",
    "CertificateSet",
    "make_certificates",
    "make_self_signed_pfx",
    "pfx_subject_cn",
]

DEFAULT_CLIENT_CN = "api-client.contoso.onmicrosoft.com"
DEFAULT_PFX_PASSWORD = "pfx-pass"
SERVER_IDENTITIES = ("127.0.0.1", "localhost", "::1")

# Which pooled RSA key each role uses; distinct slots keep the keys of one set distinct.
_SLOTS = {
    "ca": 0, "server": 1, "client": 2, "older": 3, "expired": 4, "not_yet_valid": 5,
    "no_key": 6, "expired_server": 7, "self_signed_server": 8, "self_signed": 9,
}
_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class CertificateSet:
    """One test CA and the client and server certificates issued for a test run."""

    directory: Path
    password: str
    common_name: str
    ca: trustme.CA
    ca_pem: Path
    server: trustme.LeafCert
    expired_server: trustme.LeafCert
    self_signed_server: trustme.LeafCert
    client_pfx: Path
    client_pem: Path
    older_pfx: Path
    expired_pfx: Path
    not_yet_valid_pfx: Path
    ecdsa_pfx: Path
    no_key_pfx: Path
    self_signed_pfx: Path
    subjects: Mapping[str, str] = field(repr=False)
    _owns_directory: bool = field(default=False, repr=False)

    @property
    def client_pfx_bytes(self) -> bytes:
        """The good client certificate's PKCS#12 bytes."""
        return self.client_pfx.read_bytes()

    @property
    def pfx_files(self) -> Dict[str, Path]:
        """Every client .pfx by role: client, older, expired, not_yet_valid, ecdsa, no_key, self_signed."""
        return {role: getattr(self, role + "_pfx") for role in self.subjects}

    def subject_cn(self, which: Union[str, Path, bytes]) -> str:
        """The subject CN of a client certificate, given its role name, its path or its PKCS#12 bytes."""
        if isinstance(which, str) and which in self.subjects:
            return self.subjects[which]
        data = which if isinstance(which, bytes) else Path(which).read_bytes()
        return pfx_subject_cn(data, self.password)

    def cleanup(self) -> None:
        """Delete the files; the directory too when this set created it."""
        if self._owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            return
        for path in [self.ca_pem, self.client_pem, *self.pfx_files.values()]:
            path.unlink(missing_ok=True)

    def __enter__(self) -> CertificateSet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


class _PooledCA(trustme.CA):
    """A trustme CA around a certificate and key built here."""

    def __init__(self, certificate: x509.Certificate, private_key: _x509.PrivateKey) -> None:
        # Sets the same attributes trustme's own CA.from_pem sets, without its PEM round trip:
        # re-loading an RSA key runs OpenSSL's key check, ~30 ms, which dominated a set's cost.
        self.parent_cert = None
        self._path_length = 9
        self._certificate = certificate
        self._private_key = private_key  # type: ignore[assignment]


def pfx_subject_cn(data: bytes, password: Union[str, bytes, None] = DEFAULT_PFX_PASSWORD) -> str:
    """The subject CN of the certificate inside PKCS#12 `data`."""
    secret = password.encode("utf-8") if isinstance(password, str) else password
    _key, cert, cas = pkcs12.load_key_and_certificates(data, secret or None)
    # Without a private key to pair with, the certificate comes back among the "additional" ones.
    cert = cert if cert is not None else (cas[0] if cas else None)
    if cert is None:
        raise ValueError("the PKCS#12 data holds no certificate")
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def make_certificates(
    directory: Union[str, Path, None] = None,
    *,
    password: str = DEFAULT_PFX_PASSWORD,
    common_name: str = DEFAULT_CLIENT_CN,
    reuse_keys: bool = True,
) -> CertificateSet:
    """Issue a test CA and all client/server certificates, and write them into `directory`.

    With `reuse_keys` (the default) RSA keys come from a per-process pool, which makes a set
    cost a few milliseconds instead of a few hundred; certificates are always new.
    """
    owns = directory is None
    folder = Path(tempfile.mkdtemp(prefix="connector-sim-certs-")) if owns else Path(directory)  # type: ignore[arg-type]
    folder.mkdir(parents=True, exist_ok=True)
    rsa_key: Callable[[str], _x509.PrivateKey] = (
        (lambda role: _x509.pooled_rsa_key(_SLOTS[role])) if reuse_keys else (lambda role: _x509.new_rsa_key())
    )
    now = _x509.utc_now()
    ca_key = rsa_key("ca")
    ca_cert = _x509.build_ca_cert(ca_key, not_before=now - 800 * _DAY, not_after=now + 3650 * _DAY)

    def issue(role: str, cn: str, start: datetime.datetime, end: datetime.datetime,
              key: Optional[_x509.PrivateKey] = None, server: bool = False) -> Tuple[_x509.PrivateKey, x509.Certificate]:
        key = key if key is not None else rsa_key(role)
        cert = _x509.build_leaf_cert(
            key, subject=_x509.throwaway_name(cn), not_before=start, not_after=end,
            issuer_cert=ca_cert, issuer_key=ca_key,
            identities=SERVER_IDENTITIES if server else (), client=not server, server=server,
        )
        return key, cert

    def leaf(key: _x509.PrivateKey, cert: x509.Certificate) -> trustme.LeafCert:
        # LeafCert's constructor is undocumented but has been stable since trustme 0.5;
        # building the certificate here is what lets the RSA key come from the pool.
        return trustme.LeafCert(_x509.key_pem(key), _x509.pem(cert), [])

    server = leaf(*issue("server", "127.0.0.1", now - _DAY, now + 365 * _DAY, server=True))
    expired_server = leaf(*issue("expired_server", "127.0.0.1", now - 400 * _DAY, now - _DAY, server=True))
    ss_key = rsa_key("self_signed_server")
    ss_cert = _x509.build_leaf_cert(
        ss_key, subject=_x509.throwaway_name("127.0.0.1"), not_before=now - _DAY, not_after=now + 365 * _DAY,
        identities=SERVER_IDENTITIES, client=False, server=True,
    )
    self_signed_server = leaf(ss_key, ss_cert)

    subjects = {
        "client": common_name,
        "older": "older." + common_name,
        "expired": "expired." + common_name,
        "not_yet_valid": "not-yet-valid." + common_name,
        "ecdsa": "ecdsa." + common_name,
        "no_key": "no-key." + common_name,
        "self_signed": "self-signed." + common_name,
    }
    validity = {
        "client": (now - _DAY, now + 365 * _DAY),
        # Older start, still valid: what "use the most recent valid certificate" must pass over.
        "older": (now - 30 * _DAY, now + 335 * _DAY),
        "expired": (now - 400 * _DAY, now - _DAY),
        "not_yet_valid": (now + 30 * _DAY, now + 395 * _DAY),
        "ecdsa": (now - _DAY, now + 365 * _DAY),
        "no_key": (now - _DAY, now + 365 * _DAY),
    }
    files: Dict[str, Path] = {}
    for role, (start, end) in validity.items():
        key, cert = issue(role, subjects[role], start, end, key=_x509.new_ec_key() if role == "ecdsa" else None)
        data = _x509.pfx_bytes(cert, None if role == "no_key" else key, password, friendly_name=subjects[role])
        files[role] = _write(folder / (role.replace("_", "-") + ".pfx"), data)
        if role == "client":
            client_pem = _write(folder / "client.pem", _x509.key_pem(key) + _x509.pem(cert))
    files["self_signed"] = _write(
        folder / "self-signed.pfx",
        _self_signed_pfx(subjects["self_signed"], 12, password, rsa_key("self_signed")),
    )
    return CertificateSet(
        directory=folder,
        password=password,
        common_name=common_name,
        ca=_PooledCA(ca_cert, ca_key),
        ca_pem=_write(folder / "ca.pem", _x509.pem(ca_cert)),
        server=server,
        expired_server=expired_server,
        self_signed_server=self_signed_server,
        client_pfx=files["client"],
        client_pem=client_pem,
        older_pfx=files["older"],
        expired_pfx=files["expired"],
        not_yet_valid_pfx=files["not_yet_valid"],
        ecdsa_pfx=files["ecdsa"],
        no_key_pfx=files["no_key"],
        self_signed_pfx=files["self_signed"],
        subjects=subjects,
        _owns_directory=owns,
    )


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    # Calendar months, clamped to the month's last day, as PowerShell's AddMonths does.
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _subject(subject: str) -> x509.Name:
    text = subject.strip()
    if "=" not in text:
        text = "CN=" + text
    return x509.Name.from_rfc4514_string(text)


def make_self_signed_pfx(
    subject: str,
    months: int = 12,
    password: Union[str, bytes, None] = DEFAULT_PFX_PASSWORD,
    key_size: int = 2048,
) -> bytes:
    """A self-signed client certificate as B2C's article asks for, as PKCS#12 bytes.

    `subject` is "CN=<yourapiname>.<tenantname>.onmicrosoft.com" (or just the CN). The key is
    a fresh RSA key, included (exportable); key usage digitalSignature, EKU clientAuth.
    """
    return _self_signed_pfx(subject, months, password, _x509.new_rsa_key(key_size))


def _self_signed_pfx(subject: str, months: int, password: Union[str, bytes, None], key: _x509.PrivateKey) -> bytes:
    now = _x509.utc_now()
    name = _subject(subject)
    cert = _x509.build_leaf_cert(
        # Starting slightly in the past tolerates clock skew between this machine and the server.
        key, subject=name, not_before=now - datetime.timedelta(minutes=10),
        not_after=_add_months(now, months), client=True,
    )
    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return _x509.pfx_bytes(cert, key, password, friendly_name=str(cns[0].value) if cns else None)
