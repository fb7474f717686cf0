"""Fixtures for the sample suite: the sample API (samples/api) served over HTTPS on 127.0.0.1.

The connector_sim plugin brings the rest: ``b2c_certificates`` (throwaway CA, server and client
certificates), ``b2c_token_endpoint`` (a fake Microsoft Entra), ``b2c_policy`` and ``b2c_keys``
(from pytest.ini), ``b2c_run`` (run policy profiles as B2C does).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # samples/api

from local_servers import thumbprint  # noqa: E402
from sample_api import ApiConfig, create_app  # noqa: E402
from serve import serve_https  # noqa: E402

from connector_sim import KeyStore  # noqa: E402

CLIENT_ID = "sample-b2c-client"  # B2C_1A_SecureRESTClientId in keys.json
#: The values keys.json reads from environment variables (in CI they come from your secret store).
SECRETS = {
    "SAMPLE_API_PASSWORD": "sample-password-Q7v",
    "SAMPLE_API_STATIC_TOKEN": "sample-static-token-9Kd",
    "SAMPLE_API_API_KEY": "sample-function-key-2Xa",
    "SAMPLE_CLIENT_SECRET": "sample-client-secret-L4p",
}


@pytest.fixture
def b2c_token_clients() -> Dict[str, str]:
    """The client the fake Entra endpoint knows: the one in keys.json (overrides the plugin's default)."""
    return {CLIENT_ID: SECRETS["SAMPLE_CLIENT_SECRET"]}


@pytest.fixture
def api_config(b2c_certificates, b2c_token_endpoint) -> ApiConfig:
    """What the sample API accepts: the secrets above, the test client certificate, Entra's tokens."""
    return ApiConfig(
        basic_username="b2c-sample", basic_password=SECRETS["SAMPLE_API_PASSWORD"],
        static_token=SECRETS["SAMPLE_API_STATIC_TOKEN"], api_key=SECRETS["SAMPLE_API_API_KEY"],
        client_cert_thumbprints=frozenset({thumbprint(b2c_certificates.client_pfx.read_bytes(),
                                                      b2c_certificates.password)}),
        token_issuer=b2c_token_endpoint.issuer, token_audience="api://loyalty-api",
        jwks_url=b2c_token_endpoint.jwks_url, ca_bundle=str(b2c_certificates.ca_pem),
    )


@pytest.fixture
def sample_api(api_config: ApiConfig, b2c_certificates, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The sample API's base URL (https://127.0.0.1:PORT); keys.json's environment variables are set."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with serve_https(create_app(api_config), b2c_certificates) as base_url:
        yield base_url


@pytest.fixture
def b2c_service_urls(sample_api: str, b2c_token_endpoint, b2c_policy) -> Dict[str, str]:
    """Every REST profile of the policy calls the local servers (the ServiceUrl's path is kept)."""
    urls = {profile_id: sample_api for profile_id in b2c_policy.restful_profile_ids}
    urls["REST-AcquireAccessToken"] = b2c_token_endpoint.token_url
    return urls


@pytest.fixture
def b2c_keys(b2c_keys: KeyStore, b2c_certificates) -> KeyStore:
    """keys.json, except the client certificate: the test one stands in for certs/client.pfx."""
    certificate = {"pfx": str(b2c_certificates.client_pfx), "password": b2c_certificates.password}
    return KeyStore({"B2C_1A_RestApiClientCertificate": certificate}).chain(b2c_keys)
