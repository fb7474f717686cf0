"""Fixtures of the security tests: the throwaway certificates with a known .pfx password, the hostile
echoing APIs, a fake Entra endpoint, the policy set of every strategy, and the sweep."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest

from connector_sim.testing import FakeTokenEndpoint, TlsServer, make_certificates
from tests.helpers.leaks import KEYS, SECRET, Sweep, echo, policy_xml


@pytest.fixture
def sweep(caplog: pytest.LogCaptureFixture) -> Iterator[Sweep]:
    caplog.set_level(logging.DEBUG)  # the root logger: connector_sim, urllib3 and msal all reach it
    yield Sweep(caplog)


@pytest.fixture(scope="module")
def secret_certs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with make_certificates(tmp_path_factory.mktemp("secret-certs"), password=SECRET["pfx_password"]) as made:
        yield made


@pytest.fixture(scope="module")
def echo_api(secret_certs: Any) -> Iterator[TlsServer]:
    with TlsServer(echo, certificates=secret_certs) as server:
        yield server


@pytest.fixture(scope="module")
def mtls_echo(secret_certs: Any) -> Iterator[TlsServer]:
    with TlsServer(echo, certificates=secret_certs, require_client_cert=True) as server:
        yield server


@pytest.fixture(scope="module")
def token_endpoint(secret_certs: Any) -> Iterator[FakeTokenEndpoint]:
    with FakeTokenEndpoint(clients={"b2c-client": SECRET["client_secret"]}, certificates=secret_certs) as endpoint:
        yield endpoint


@pytest.fixture
def policy_files(tmp_path: Path, secret_certs: Any, echo_api: TlsServer, mtls_echo: TlsServer,
                 token_endpoint: FakeTokenEndpoint) -> Tuple[Path, Path]:
    policy = tmp_path / "SecretsPolicy.xml"
    policy.write_text(policy_xml(echo_api, mtls_echo, token_endpoint), encoding="utf-8")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({**KEYS, "B2C_1A_RestApiClientCertificate": {
        "pfx": str(secret_certs.client_pfx), "password": SECRET["pfx_password"]}}), encoding="utf-8")
    return policy, keys
