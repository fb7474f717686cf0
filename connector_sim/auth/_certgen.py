"""Make the self-signed client certificate B2C's article asks for, with ``cryptography`` only.

The article "Secure your API used by an API connector" has users run PowerShell's
``New-SelfSignedCertificate -KeyExportPolicy Exportable -Subject "CN=<api>.<tenant>.onmicrosoft.com"
-KeyAlgorithm RSA -KeyLength 2048 -KeyUsage DigitalSignature -NotAfter (Get-Date).AddMonths(12)``
and export a password-protected .pfx. This module does the same on any OS, for the base install
(``connector-sim cert new``); it needs no test extra.
"""

from __future__ import annotations

import calendar
import datetime as _dt
from typing import Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import ConfigurationError

__all__ = ["add_months", "new_self_signed_pfx", "parse_subject"]

#: Key sizes B2C accepts for an RSA key set and that make sense today.
KEY_SIZES = (2048, 3072, 4096)


def parse_subject(subject: str) -> x509.Name:
    """``CN=myapi.contoso.onmicrosoft.com`` (or a bare host name) as an X.509 name."""
    text = (subject or "").strip()
    if not text:
        raise ConfigurationError("the certificate subject is empty",
                                 hint="use CN=<yourapiname>.<tenantname>.onmicrosoft.com")
    if "=" not in text:
        text = "CN=" + text
    try:
        name = x509.Name.from_rfc4514_string(text)
    except ValueError as exc:
        raise ConfigurationError(f"{subject!r} is not a distinguished name such as CN=myapi.contoso.onmicrosoft.com",
                                 hint=str(exc)) from exc
    if not name.get_attributes_for_oid(NameOID.COMMON_NAME):
        raise ConfigurationError(f"the subject {subject!r} has no CN", hint="use CN=<yourapiname>.<tenantname>"
                                 ".onmicrosoft.com")
    return name


def add_months(moment: _dt.datetime, months: int) -> _dt.datetime:
    """``moment`` plus calendar months, clamped to the month's last day (PowerShell's AddMonths)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def new_self_signed_pfx(
    subject: str,
    *,
    password: Union[str, bytes],
    months: int = 12,
    key_size: int = 2048,
    now: _dt.datetime | None = None,
) -> bytes:
    """A self-signed RSA client certificate with its exportable key, as password-protected PKCS #12 bytes."""
    if not 1 <= months <= 120:
        raise ConfigurationError(f"the validity must be 1 to 120 months, got {months}")
    if key_size not in KEY_SIZES:
        raise ConfigurationError(f"the RSA key size must be one of {', '.join(map(str, KEY_SIZES))}, got {key_size}")
    secret = password.encode("utf-8") if isinstance(password, str) else password
    if not secret:
        # B2C's upload asks for the .pfx password; an unprotected file would also leak the key.
        raise ConfigurationError("the .pfx needs a password (B2C asks for it when you upload the certificate)")
    name = parse_subject(subject)
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    start = (now or _dt.datetime.now(_dt.timezone.utc)).replace(microsecond=0)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # A few minutes in the past tolerates clock skew between this machine and the API.
        .not_valid_before(start - _dt.timedelta(minutes=10))
        .not_valid_after(add_months(start, months))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    friendly = str(name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value).encode("utf-8")
    # Triple DES with SHA-1 MACs is the PKCS #12 flavour every Windows and Azure importer reads
    # (App Service documents it as required); the AES flavour fails on older Windows importers.
    encryption = (PrivateFormat.PKCS12.encryption_builder().kdf_rounds(50000)
                  .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())
                  .build(secret))
    return pkcs12.serialize_key_and_certificates(friendly, key, certificate, None, encryption)
