"""Shared fixtures: throwaway certificates and real HTTPS servers on 127.0.0.1.

Every test that proves transport behaviour (TLS, client certificates, tokens, timeouts) talks to
these real servers; ``responses`` is only used for request-shaping details.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from connector_sim import TimingProfile
from connector_sim.testing import CertificateSet, FakeTokenEndpoint, Reply, TlsServer, make_certificates

#: Secret values used across the suite; tests search captured output for each of them.
SECRETS = {
    "password": "p@ss:w%rd-Sécret-9f2",
    "client_secret": "client-secret-7Hq~e2",
    "api_key": "api-key-0f8e7d6c5b",
    "static_token": "static-bearer-token-44aa",
}
#: A timing profile fast enough for tests: 0.5 s per attempt, one retry.
FAST = TimingProfile("test-fast", 0.5, 1)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CertificateSet]:
    """CA, server and client certificates (good, expired, not yet valid, EC, no key) for the session."""
    with make_certificates(tmp_path_factory.mktemp("certs")) as made:
        yield made


@pytest.fixture(scope="session")
def _api_server(certs: CertificateSet) -> Iterator[TlsServer]:
    with TlsServer(certificates=certs) as server:
        yield server


@pytest.fixture
def api(_api_server: TlsServer) -> Iterator[TlsServer]:
    """A real HTTPS API on 127.0.0.1; set ``api.handler`` per test. Requests are cleared each test."""
    _api_server.clear()
    yield _api_server
    _api_server.handler = lambda request: Reply(200, json={})


@pytest.fixture(scope="session")
def _mtls_server(certs: CertificateSet) -> Iterator[TlsServer]:
    with TlsServer(certificates=certs, require_client_cert=True) as server:
        yield server


@pytest.fixture
def mtls_api(_mtls_server: TlsServer) -> Iterator[TlsServer]:
    """A real HTTPS API that requires a client certificate issued by the test CA."""
    _mtls_server.clear()
    yield _mtls_server
    _mtls_server.handler = lambda request: Reply(200, json={})


@pytest.fixture
def entra(certs: CertificateSet) -> Iterator[FakeTokenEndpoint]:
    """A fresh fake Microsoft Entra token endpoint knowing one client."""
    with FakeTokenEndpoint(clients={"b2c-client": SECRETS["client_secret"]}, certificates=certs) as endpoint:
        yield endpoint


@pytest.fixture
def echo() -> Callable[[Any], Reply]:
    """A handler answering 200 with what it received, for round-trip checks."""

    def handler(request: Any) -> Reply:
        return Reply(200, json={"method": request.method, "path": request.path, "query": request.raw_query})

    return handler
