"""Key material once: a .pfx is decoded once per distinct (bytes, password) per process.

The decodes are counted at cryptography's PKCS #12 loader, which every decode goes through
(``load_pfx`` and requests-pkcs12 alike); times are never asserted here (benchmarks/ has them).
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from connector_sim import CertificateError, CertificateKey, ClientCertificate
from connector_sim.auth import _certificates
from connector_sim.auth._certificates import (
    clear_pfx_cache,
    load_pfx,
    new_client_context,
    select_certificate,
)
from connector_sim.testing import CertificateSet, TlsServer
from connector_sim.transport import tls_context


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The number of PKCS #12 decodes since the test began, with an empty cache."""
    clear_pfx_cache()
    count = [0]
    real: Callable[..., Any] = pkcs12.load_key_and_certificates

    def counting(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(pkcs12, "load_key_and_certificates", counting)
    yield count
    clear_pfx_cache()


def test_one_decode_per_distinct_pfx_and_password(certs: CertificateSet, decodes: list[int]) -> None:
    first = load_pfx(certs.client_pfx, certs.password)
    again = load_pfx(certs.client_pfx, certs.password)
    from_bytes = load_pfx(certs.client_pfx.read_bytes(), certs.password.encode())  # same bytes, same password
    assert decodes[0] == 1
    assert again is first and from_bytes is first
    other = load_pfx(certs.older_pfx, certs.password)
    assert decodes[0] == 2 and other is not first and other.info.thumbprint != first.info.thumbprint


def test_a_password_that_differs_is_a_different_entry(certs: CertificateSet, decodes: list[int]) -> None:
    first = load_pfx(certs.client_pfx, certs.password)
    reencoded = first.to_pkcs12(b"another-password")
    second = load_pfx(reencoded, "another-password")
    load_pfx(reencoded, "another-password")
    assert decodes[0] == 2 and second.info.thumbprint == first.info.thumbprint


def test_a_wrong_password_is_refused_every_time_and_never_cached(certs: CertificateSet, decodes: list[int]) -> None:
    for _ in range(2):
        with pytest.raises(CertificateError) as raised:
            load_pfx(certs.client_pfx, "not-the-pfx-pass")
        assert raised.value.b2c_code == "AADB2C90220" and "not-the-pfx-pass" not in str(raised.value)
    assert decodes[0] == 2  # a failure is not remembered: the right password still decodes next
    load_pfx(certs.client_pfx, certs.password)
    assert decodes[0] == 3


def test_the_cache_holds_digests_not_passwords(certs: CertificateSet, decodes: list[int]) -> None:
    loaded = load_pfx(certs.client_pfx, certs.password)
    keys = list(_certificates._decoded)
    assert len(keys) == 1 and len(keys[0]) == 32  # an HMAC-SHA256 digest with a per-process key
    secret = certs.password.encode()
    assert secret not in keys[0]
    assert not any(secret in repr(value).encode() or certs.password in repr(value) for value in vars(loaded).values())
    assert "password" not in {name.lower() for name in vars(loaded)}


def test_the_cache_is_bounded(certs: CertificateSet, decodes: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_certificates, "PFX_CACHE_SIZE", 2)
    for path in (certs.client_pfx, certs.older_pfx, certs.self_signed_pfx):
        load_pfx(path, certs.password)
    assert len(_certificates._decoded) == 2 and decodes[0] == 3
    load_pfx(certs.client_pfx, certs.password)  # the least recently used went first
    assert decodes[0] == 4


def test_a_keyset_decodes_each_certificate_once(certs: CertificateSet, decodes: list[int]) -> None:
    keyset = [CertificateKey(certs.older_pfx, certs.password), CertificateKey(certs.client_pfx, certs.password)]
    chosen = [select_certificate(keyset) for _ in range(3)]
    assert decodes[0] == 2
    assert len({id(c) for c in chosen}) == 1  # the same decoded certificate each time
    assert f"CN={certs.common_name}" in chosen[0].info.subject  # the newer one, as B2C picks it


def test_profiles_built_after_the_first_decode_nothing_in_load_pfx(certs: CertificateSet, decodes: list[int],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[bytes] = []
    real = _certificates._decode
    monkeypatch.setattr(_certificates, "_decode", lambda data, *rest: decoded.append(data) or real(data, *rest))
    strategies = [ClientCertificate(certs.client_pfx, certs.password) for _ in range(3)]
    assert len(decoded) == 1
    assert len({id(s.certificate) for s in strategies}) == 1  # one LoadedCertificate for all three


def test_a_fresh_client_context_decodes_nothing_and_presents_the_certificate(
        certs: CertificateSet, decodes: list[int], mtls_api: TlsServer) -> None:
    loaded = load_pfx(certs.client_pfx, certs.password)
    assert decodes[0] == 1
    contexts = [new_client_context(loaded) for _ in range(2)]
    assert decodes[0] == 1 and contexts[0] is not contexts[1]  # fresh each time: callers tighten their own
    context = tls_context(contexts[0])
    context.load_verify_locations(cafile=str(certs.ca_pem))
    connection = http.client.HTTPSConnection("127.0.0.1", mtls_api.port, context=context, timeout=10)
    try:
        connection.request("GET", "/whoami")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    seen = mtls_api.requests[-1]
    assert seen.client_cert_subject and certs.common_name in seen.client_cert_subject


def test_a_context_without_the_certificate_is_refused_by_the_mtls_server(certs: CertificateSet,
                                                                         mtls_api: TlsServer) -> None:
    # The control for the test above: the server really asks for the client certificate.
    context = tls_context(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    context.load_verify_locations(cafile=str(certs.ca_pem))
    connection = http.client.HTTPSConnection("127.0.0.1", mtls_api.port, context=context, timeout=10)
    try:
        with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException, OSError)):
            connection.request("GET", "/whoami")
            connection.getresponse().read()
    finally:
        connection.close()


def test_an_expired_chain_certificate_is_refused_for_tls(certs: CertificateSet, decodes: list[int]) -> None:
    expired = load_pfx(Path(certs.expired_pfx), certs.password)
    with pytest.raises(CertificateError) as raised:
        new_client_context(expired)
    assert "expired" in str(raised.value)
    no_key = load_pfx(certs.no_key_pfx, certs.password)
    with pytest.raises(CertificateError):
        new_client_context(no_key)


def test_profiles_from_one_pfx_share_one_tls_context_per_ca_bundle(certs: Any) -> None:
    from connector_sim import ClientCertificate, RestfulProfile

    first, second = ClientCertificate(certs.client_pfx, certs.password), ClientCertificate(certs.client_pfx,
                                                                                           certs.password)
    assert first.ssl_context is second.ssl_context
    profiles = [RestfulProfile("https://api.contoso.example/x", auth=a, ca_bundle=str(certs.ca_pem))
                for a in (first, second)]
    assert profiles[0].auth.ssl_context_for(str(certs.ca_pem)) is profiles[1].auth.ssl_context_for(str(certs.ca_pem))
    assert first.ssl_context_for(None) is not first.ssl_context_for(str(certs.ca_pem))  # trust never leaks
