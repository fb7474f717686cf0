"""Shared fixtures: throwaway certificates and real HTTPS servers on 127.0.0.1.

Every test that proves transport behaviour (TLS, client certificates, tokens, timeouts) talks to
these real servers; ``responses`` is only used for request-shaping details.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator

import pytest

from connector_sim.policy import Policy, load_policy
from connector_sim.testing import CertificateSet, FakeTokenEndpoint, Reply, TlsServer, make_certificates

from tests.helpers import SECRETS
from tests.helpers.journeys import JOURNEYS_POLICY, REST_IDS, FakeApi



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


@pytest.fixture(scope="module")
def policy() -> Policy:
    """The journeys test policy."""
    return load_policy(JOURNEYS_POLICY)


@pytest.fixture
def fake_api(api: TlsServer, entra: FakeTokenEndpoint) -> Iterator[FakeApi]:
    """The conftest HTTPS server answering as FakeApi."""
    handler = FakeApi(entra)
    api.handler = handler
    yield handler


@pytest.fixture
def service_urls(api: TlsServer, entra: FakeTokenEndpoint, fake_api: FakeApi) -> Dict[str, str]:
    """Every RESTful profile of the policy pointed at the local servers."""
    urls = {pid: api.base_url for pid in REST_IDS}
    urls["REST-AcquireAccessToken"] = entra.token_url
    return urls
