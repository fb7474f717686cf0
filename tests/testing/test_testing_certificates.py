"""Tests for connector_sim.testing.certificates: every file of a set loads with the promised properties."""

from __future__ import annotations

import datetime
import ipaddress
import time
from pathlib import Path

import pytest
import requests_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from connector_sim.testing._pki import CA
from connector_sim.testing import (
    DEFAULT_CLIENT_CN,
    CertificateSet,
    make_certificates,
    make_self_signed_pfx,
    pfx_subject_cn,
)


@pytest.fixture(scope="module")
def certs():
    with make_certificates() as made:
        yield made


def _load(path: Path, password: str = "pfx-pass"):
    return pkcs12.load_key_and_certificates(path.read_bytes(), password.encode())


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _issued_by(cert: x509.Certificate, ca_pem: Path) -> bool:
    ca = x509.load_pem_x509_certificate(ca_pem.read_bytes())
    if cert.issuer != ca.subject:
        return False
    ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
    return True


def test_ca_is_rsa_and_written_as_pem(certs: CertificateSet) -> None:
    ca = x509.load_pem_x509_certificate(certs.ca_pem.read_bytes())
    assert isinstance(ca.public_key(), rsa.RSAPublicKey)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(certs.ca, CA)  # connector_sim's own container, with trustme's methods
    assert certs.ca.cert_pem.bytes() == certs.ca_pem.read_bytes()


def test_client_pfx_is_a_valid_rsa_2048_certificate_from_the_ca(certs: CertificateSet) -> None:
    key, cert, _ = _load(certs.client_pfx)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert cert is not None
    assert cert.not_valid_before_utc <= _now() <= cert.not_valid_after_utc
    assert certs.subject_cn("client") == DEFAULT_CLIENT_CN == pfx_subject_cn(certs.client_pfx_bytes, certs.password)
    assert _issued_by(cert, certs.ca_pem)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku


def test_client_pfx_loads_in_requests_pkcs12(certs: CertificateSet) -> None:
    adapter = requests_pkcs12.Pkcs12Adapter(pkcs12_filename=str(certs.client_pfx), pkcs12_password=certs.password)
    assert adapter.ssl_context is not None


def test_expired_and_not_yet_valid_dates(certs: CertificateSet) -> None:
    _, expired, _ = _load(certs.expired_pfx)
    _, future, _ = _load(certs.not_yet_valid_pfx)
    assert expired.not_valid_after_utc < _now()
    assert future.not_valid_before_utc > _now()
    assert _issued_by(expired, certs.ca_pem) and _issued_by(future, certs.ca_pem)
    with pytest.raises(ValueError, match="expired"):
        requests_pkcs12.Pkcs12Adapter(pkcs12_filename=str(certs.expired_pfx), pkcs12_password=certs.password)


def test_ecdsa_pfx_has_an_ec_key(certs: CertificateSet) -> None:
    key, cert, _ = _load(certs.ecdsa_pfx)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert cert.not_valid_before_utc <= _now() <= cert.not_valid_after_utc


def test_no_key_pfx_holds_only_a_certificate(certs: CertificateSet) -> None:
    key, cert, extra = _load(certs.no_key_pfx)
    # Without a key to pair with, cryptography returns the certificate among the additional ones.
    assert key is None and cert is None and len(extra) == 1
    assert certs.subject_cn(certs.no_key_pfx) == "no-key." + DEFAULT_CLIENT_CN


def test_older_pfx_is_valid_but_started_earlier(certs: CertificateSet) -> None:
    _, older, _ = _load(certs.older_pfx)
    _, newer, _ = _load(certs.client_pfx)
    assert older.not_valid_before_utc < newer.not_valid_before_utc <= _now() <= older.not_valid_after_utc
    assert certs.subject_cn(certs.older_pfx) != certs.subject_cn(certs.client_pfx)


def test_each_role_has_its_own_subject_and_key(certs: CertificateSet) -> None:
    cns = {role: certs.subject_cn(path) for role, path in certs.pfx_files.items()}
    assert cns == dict(certs.subjects)
    assert len(set(cns.values())) == len(cns)
    moduli = {_load(p)[0].public_key().public_numbers().n for r, p in certs.pfx_files.items() if r not in ("ecdsa", "no_key")}
    assert len(moduli) == 5  # client, older, expired, not_yet_valid, self_signed
    _, self_signed, _ = _load(certs.self_signed_pfx)
    assert self_signed.issuer == self_signed.subject


def test_server_certificates(certs: CertificateSet) -> None:
    good = x509.load_pem_x509_certificate(certs.server.cert_chain_pems[0].bytes())
    sans = good.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(sans.get_values_for_type(x509.IPAddress)) == {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert isinstance(good.public_key(), rsa.RSAPublicKey)
    assert _issued_by(good, certs.ca_pem)
    expired = x509.load_pem_x509_certificate(certs.expired_server.cert_chain_pems[0].bytes())
    assert expired.not_valid_after_utc < _now() and _issued_by(expired, certs.ca_pem)
    self_signed = x509.load_pem_x509_certificate(certs.self_signed_server.cert_chain_pems[0].bytes())
    assert self_signed.issuer == self_signed.subject
    assert not _issued_by(self_signed, certs.ca_pem)


def test_wrong_password_is_refused(certs: CertificateSet) -> None:
    with pytest.raises(ValueError):
        requests_pkcs12.Pkcs12Adapter(pkcs12_filename=str(certs.client_pfx), pkcs12_password="wrong")


def test_cleanup_removes_the_temporary_directory() -> None:
    made = make_certificates()
    assert made.client_pfx.exists()
    made.cleanup()
    assert not made.directory.exists()


def test_given_directory_is_kept_and_emptied(tmp_path: Path) -> None:
    with make_certificates(tmp_path / "certs", password="other", common_name="me.contoso.onmicrosoft.com") as made:
        assert made.client_pfx.parent == tmp_path / "certs"
        assert pfx_subject_cn(made.client_pfx.read_bytes(), "other") == "me.contoso.onmicrosoft.com"
    assert (tmp_path / "certs").is_dir()
    assert list((tmp_path / "certs").iterdir()) == []


def test_sets_are_fast_and_distinct() -> None:
    make_certificates().cleanup()  # fills the key pool
    start = time.perf_counter()
    first, second = make_certificates(), make_certificates()
    elapsed = time.perf_counter() - start
    try:
        assert elapsed < 2.0  # ~0.1 s with pooled keys; generous for a loaded machine
        assert first.ca_pem.read_bytes() != second.ca_pem.read_bytes()
        assert first.client_pfx_bytes != second.client_pfx_bytes
    finally:
        first.cleanup()
        second.cleanup()


def test_reuse_keys_false_makes_fresh_keys() -> None:
    with make_certificates() as pooled, make_certificates(reuse_keys=False) as fresh:
        assert _load(pooled.client_pfx)[0].private_numbers() != _load(fresh.client_pfx)[0].private_numbers()


def test_self_signed_pfx_matches_the_b2c_article() -> None:
    data = make_self_signed_pfx("CN=myapi.contoso.onmicrosoft.com", months=12, password="s3cret")
    key, cert, cas = pkcs12.load_key_and_certificates(data, b"s3cret")
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert cas == []
    assert cert.issuer == cert.subject
    assert pfx_subject_cn(data, "s3cret") == "myapi.contoso.onmicrosoft.com"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_encipherment
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert datetime.timedelta(days=364) < lifetime < datetime.timedelta(days=367)
    requests_pkcs12.Pkcs12Adapter(pkcs12_data=data, pkcs12_password="s3cret")


def test_self_signed_pfx_accepts_a_bare_cn_and_other_sizes() -> None:
    data = make_self_signed_pfx("api.contoso.onmicrosoft.com", months=1, password=None, key_size=3072)
    key, cert, _ = pkcs12.load_key_and_certificates(data, None)
    assert key.key_size == 3072
    assert pfx_subject_cn(data, None) == "api.contoso.onmicrosoft.com"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc < datetime.timedelta(days=32)
