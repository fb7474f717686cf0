"""Key pool and certificate builders shared by the certificate helpers.

RSA key generation is the slow part of making test certificates (tens of milliseconds per
2048-bit key), and a test suite builds certificate sets many times, so keys are generated
once per process and reused by role. Certificates are signed fresh each time, so dates,
serial numbers and names still differ between sets.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import threading
from base64 import urlsafe_b64encode
from typing import List, Optional, Sequence, Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "PrivateKey",
    "build_ca_cert",
    "build_leaf_cert",
    "key_pem",
    "new_ec_key",
    "new_rsa_key",
    "pem",
    "pfx_bytes",
    "pooled_rsa_key",
    "throwaway_name",
    "utc_now",
]

PrivateKey = Union[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey]

_POOL: List[rsa.RSAPrivateKey] = []
_POOL_LOCK = threading.Lock()


def utc_now() -> datetime.datetime:
    """The current time in UTC, to the second (X.509 dates carry no fractions)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def new_rsa_key(key_size: int = 2048) -> rsa.RSAPrivateKey:
    """A freshly generated RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def new_ec_key() -> ec.EllipticCurvePrivateKey:
    """A freshly generated P-256 key (cheap, so never pooled)."""
    return ec.generate_private_key(ec.SECP256R1())


def pooled_rsa_key(slot: int) -> rsa.RSAPrivateKey:
    """The process-wide RSA 2048 key for `slot`, generated on first use."""
    with _POOL_LOCK:
        while len(_POOL) <= slot:
            _POOL.append(new_rsa_key())
        return _POOL[slot]


def throwaway_name(common_name: Optional[str], organization_unit: Optional[str] = None) -> x509.Name:
    """A subject for a throwaway certificate: fixed O, random OU, and `common_name` as CN."""
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "connector_sim testing")]
    # A random OU keeps two CAs of different sets from sharing a subject, so OpenSSL never
    # mistakes one set's CA for the issuer of another set's certificates.
    unit = organization_unit or urlsafe_b64encode(os.urandom(9)).decode("ascii")
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    if common_name:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _general_name(identity: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(identity))
    except ValueError:
        return x509.DNSName(identity)


def _key_usage(*, digital_signature: bool, key_encipherment: bool, cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def build_ca_cert(key: PrivateKey, *, not_before: datetime.datetime, not_after: datetime.datetime) -> x509.Certificate:
    """A self-signed root CA certificate for `key`."""
    name = throwaway_name("connector_sim testing CA")
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=9), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_key_usage(digital_signature=True, key_encipherment=False, cert_sign=True), critical=True)
        .sign(key, hashes.SHA256())
    )


def build_leaf_cert(
    key: PrivateKey,
    *,
    subject: x509.Name,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    issuer_cert: Optional[x509.Certificate] = None,
    issuer_key: Optional[PrivateKey] = None,
    identities: Sequence[str] = (),
    client: bool = True,
    server: bool = False,
) -> x509.Certificate:
    """An end-entity certificate, issued by `issuer_cert` or self-signed when it is None."""
    usages = []
    if client:
        usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
    if server:
        usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
    # keyEncipherment only makes sense for an RSA server key, which the plain-RSA suites need;
    # a client certificate only signs, as the B2C article's New-SelfSignedCertificate asks.
    encipher = server and isinstance(key, rsa.RSAPrivateKey)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_key_usage(digital_signature=True, key_encipherment=encipher), critical=True)
    )
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if identities:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_general_name(i) for i in identities]), critical=False
        )
    if issuer_cert is not None:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key())  # type: ignore[arg-type]
        builder = builder.add_extension(aki, critical=False)
    return builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    """The PEM encoding of `cert`."""
    return cert.public_bytes(Encoding.PEM)


def key_pem(key: PrivateKey) -> bytes:
    """The unencrypted PKCS#8 PEM encoding of `key`."""
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def pfx_bytes(
    cert: x509.Certificate,
    key: Optional[PrivateKey],
    password: Union[str, bytes, None],
    *,
    friendly_name: Optional[str] = None,
    cas: Optional[Sequence[x509.Certificate]] = None,
) -> bytes:
    """`cert` (and `key` unless None) as a PKCS#12 file, encrypted when a password is given."""
    secret = password.encode("utf-8") if isinstance(password, str) else password
    encryption = BestAvailableEncryption(secret) if secret else NoEncryption()
    name = friendly_name.encode("utf-8") if friendly_name else None
    return pkcs12.serialize_key_and_certificates(name, key, cert, list(cas) if cas else None, encryption)
