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

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Union

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from . import _pki as trustme  # trustme's CA and LeafCert, on cryptography alone (_pki.py)
from . import _x509
from ._issuer import Issuer, self_signed_pfx

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
    _issuer: Issuer = field(repr=False, compare=False)
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
    issuer = Issuer(folder, password, common_name, reuse_keys)
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
    return self_signed_pfx(subject, months, password, _x509.new_rsa_key(key_size))
