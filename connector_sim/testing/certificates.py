"""Throwaway certificates for TLS and client-certificate tests.

`make_certificates` builds one test CA (RSA, through trustme) and every certificate a
ClientCertificate test needs: a good client .pfx, expired, not-yet-valid, ECDSA, key-less and
older ones, and server certificates (good, expired, self-signed). `make_self_signed_pfx` makes
what the B2C article "Secure your API used an API connector" asks users to create.

The CA, the server certificate and the good client certificate are made at once; every other
role is issued (its RSA key generated, its file written) the first time its attribute is read,
with the dates it would have had at once. Most users of a set (a TlsServer, the demo) need three
keys of the ten, and an RSA key costs 50 to 250 ms to generate.
"""

from __future__ import annotations

import calendar
import datetime
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Tuple, Union

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from . import _pki as trustme  # trustme's CA and LeafCert, on cryptography alone (_pki.py)
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
# The process-wide keys of make_certificates, by slot: each generated the first time a set needs it.
_POOL: Dict[int, _x509.PrivateKey] = {}
_POOL_LOCK = threading.Lock()


def _pooled_key(slot: int) -> _x509.PrivateKey:
    with _POOL_LOCK:
        key = _POOL.get(slot)
        if key is None:
            key = _POOL[slot] = _x509.new_rsa_key()
        return key


class _Issuer:
    """Issues the certificates of one set, each role once, when it is first asked for."""

    def __init__(self, folder: Path, password: str, common_name: str, reuse_keys: bool) -> None:
        self.folder = folder
        self.password = password
        self.rsa_key: Callable[[str], _x509.PrivateKey] = (
            (lambda role: _pooled_key(_SLOTS[role])) if reuse_keys else (lambda role: _x509.new_rsa_key()))
        self.now = now = _x509.utc_now()
        self.ca_key = self.rsa_key("ca")
        self.ca_cert = _x509.build_ca_cert(self.ca_key, not_before=now - 800 * _DAY, not_after=now + 3650 * _DAY)
        self.subjects = {
            "client": common_name,
            "older": "older." + common_name,
            "expired": "expired." + common_name,
            "not_yet_valid": "not-yet-valid." + common_name,
            "ecdsa": "ecdsa." + common_name,
            "no_key": "no-key." + common_name,
            "self_signed": "self-signed." + common_name,
        }
        self.validity = {
            "client": (now - _DAY, now + 365 * _DAY),
            # Older start, still valid: what "use the most recent valid certificate" must pass over.
            "older": (now - 30 * _DAY, now + 335 * _DAY),
            "expired": (now - 400 * _DAY, now - _DAY),
            "not_yet_valid": (now + 30 * _DAY, now + 395 * _DAY),
            "ecdsa": (now - _DAY, now + 365 * _DAY),
            "no_key": (now - _DAY, now + 365 * _DAY),
            "server": (now - _DAY, now + 365 * _DAY),
            "expired_server": (now - 400 * _DAY, now - _DAY),
        }
        self.written: List[Path] = []  # every file of the set so far, for cleanup
        self._issued: Dict[str, object] = {}
        self._lock = threading.RLock()

    def _issue(self, role: str, cn: str, key: Optional[_x509.PrivateKey] = None,
               server: bool = False) -> Tuple[_x509.PrivateKey, x509.Certificate]:
        key = key if key is not None else self.rsa_key(role)
        start, end = self.validity[role]
        cert = _x509.build_leaf_cert(
            key, subject=_x509.throwaway_name(cn), not_before=start, not_after=end,
            issuer_cert=self.ca_cert, issuer_key=self.ca_key,
            identities=SERVER_IDENTITIES if server else (), client=not server, server=server,
        )
        return key, cert

    def write(self, name: str, data: bytes) -> Path:
        """Write one file of the set (and remember it for cleanup)."""
        path = _write(self.folder / name, data)
        self.written.append(path)
        return path

    def _once(self, role: str, make: Callable[[], object]) -> object:
        with self._lock:
            if role not in self._issued:
                self._issued[role] = make()
            return self._issued[role]

    def server_cert(self, role: str) -> trustme.LeafCert:
        """The server certificate of ``role``: server, expired_server or self_signed_server."""
        return self._once(role, lambda: self._server_cert(role))  # type: ignore[return-value]

    def _server_cert(self, role: str) -> trustme.LeafCert:
        if role == "self_signed_server":
            key = self.rsa_key(role)
            cert = _x509.build_leaf_cert(
                key, subject=_x509.throwaway_name("127.0.0.1"), not_before=self.now - _DAY,
                not_after=self.now + 365 * _DAY, identities=SERVER_IDENTITIES, client=False, server=True,
            )
        else:
            key, cert = self._issue(role, "127.0.0.1", server=True)
        # LeafCert's constructor is undocumented but has been stable since trustme 0.5;
        # building the certificate here is what lets the RSA key come from the pool.
        return trustme.LeafCert(_x509.key_pem(key), _x509.pem(cert), [])

    def pfx(self, role: str) -> Path:
        """The .pfx file of a client role, issued and written on first use."""
        return self._once(role, lambda: self._pfx(role))  # type: ignore[return-value]

    def _pfx(self, role: str) -> Path:
        if role == "self_signed":
            return self.write("self-signed.pfx", _self_signed_pfx(self.subjects[role], 12, self.password,
                                                                   self.rsa_key(role)))
        key, cert = self._issue(role, self.subjects[role], key=_x509.new_ec_key() if role == "ecdsa" else None)
        data = _x509.pfx_bytes(cert, None if role == "no_key" else key, self.password,
                               friendly_name=self.subjects[role])
        path = self.write(role.replace("_", "-") + ".pfx", data)
        if role == "client":
            self.write("client.pem", _x509.key_pem(key) + _x509.pem(cert))
        return path


@dataclass(frozen=True)
class CertificateSet:
    """One test CA and the client and server certificates issued for a test run."""

    directory: Path
    password: str
    common_name: str
    ca: trustme.CA
    ca_pem: Path
    server: trustme.LeafCert
    client_pfx: Path
    client_pem: Path
    subjects: Mapping[str, str] = field(repr=False)
    _issuer: _Issuer = field(repr=False, compare=False)
    _owns_directory: bool = field(default=False, repr=False)

    @property
    def expired_server(self) -> trustme.LeafCert:
        """A server certificate of the test CA that expired yesterday."""
        return self._issuer.server_cert("expired_server")

    @property
    def self_signed_server(self) -> trustme.LeafCert:
        """A self-signed server certificate for 127.0.0.1 (no CA trusts it)."""
        return self._issuer.server_cert("self_signed_server")

    @property
    def older_pfx(self) -> Path:
        """A valid client certificate that started 30 days before the good one."""
        return self._issuer.pfx("older")

    @property
    def expired_pfx(self) -> Path:
        """A client certificate that expired yesterday."""
        return self._issuer.pfx("expired")

    @property
    def not_yet_valid_pfx(self) -> Path:
        """A client certificate that starts in 30 days."""
        return self._issuer.pfx("not_yet_valid")

    @property
    def ecdsa_pfx(self) -> Path:
        """A valid client certificate with an ECDSA (P-256) key, which B2C refuses."""
        return self._issuer.pfx("ecdsa")

    @property
    def no_key_pfx(self) -> Path:
        """A .pfx that holds the certificate without its private key."""
        return self._issuer.pfx("no_key")

    @property
    def self_signed_pfx(self) -> Path:
        """A self-signed client certificate, as B2C's article asks users to make."""
        return self._issuer.pfx("self_signed")

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
        for path in self._issuer.written:  # only what was issued: cleanup issues nothing new
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
        self._private_key = private_key


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
    cost a few milliseconds instead of a few hundred; certificates are always new. The roles
    other than the CA, `server` and `client` are issued when their attribute is first read.
    """
    owns = directory is None
    folder = Path(tempfile.mkdtemp(prefix="connector-sim-certs-")) if owns else Path(directory)  # type: ignore[arg-type]
    folder.mkdir(parents=True, exist_ok=True)
    issuer = _Issuer(folder, password, common_name, reuse_keys)
    ca_pem = issuer.write("ca.pem", _x509.pem(issuer.ca_cert))
    server = issuer.server_cert("server")
    client_pfx = issuer.pfx("client")  # writes client.pem too
    return CertificateSet(
        directory=folder,
        password=password,
        common_name=common_name,
        ca=_PooledCA(issuer.ca_cert, issuer.ca_key),
        ca_pem=ca_pem,
        server=server,
        client_pfx=client_pfx,
        client_pem=folder / "client.pem",
        subjects=issuer.subjects,
        _issuer=issuer,
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
