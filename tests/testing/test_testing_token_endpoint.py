"""Tests for connector_sim.testing.token_endpoint: real msal and real requests against FakeTokenEndpoint."""

from __future__ import annotations

import threading
import time
from typing import Iterator, List, Tuple

import msal
import pytest
import requests

from connector_sim.testing import (
    CertificateSet,
    FakeTokenEndpoint,
    Fault,
    InvalidTokenError,
    make_certificates,
)
from connector_sim.testing.jwt import b64url_decode, b64url_encode, decode_unverified

CLIENT_ID, SECRET = "my-client-id", "my~secret.value"
SCOPE = "api://connector-sim-api/.default"


@pytest.fixture(scope="module")
def certs() -> Iterator[CertificateSet]:
    with make_certificates() as made:
        yield made


@pytest.fixture(scope="module")
def shared(certs: CertificateSet) -> Iterator[FakeTokenEndpoint]:
    with FakeTokenEndpoint(clients={CLIENT_ID: SECRET}, certificates=certs, app_roles={CLIENT_ID: ["Profile.Read"]}) as running:
        yield running


@pytest.fixture
def entra(shared: FakeTokenEndpoint) -> Iterator[FakeTokenEndpoint]:
    """The shared endpoint with nothing recorded, no pending failure, no delay."""
    shared.clear()
    shared.delay = 0.0
    shared.expires_in = 3599
    yield shared


class RecordingSession(requests.Session):
    """A session trusting only the test CA, remembering every URL it is asked to fetch."""

    def __init__(self, ca_pem) -> None:
        super().__init__()
        self.trust_env = False  # REQUESTS_CA_BUNDLE is set on these machines and would win over verify
        self.verify = str(ca_pem)
        self.urls: List[Tuple[str, str]] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        self.urls.append((method, url))
        return super().request(method, url, *args, **kwargs)


def _msal_app(entra: FakeTokenEndpoint, secret: str = SECRET, client_id: str = CLIENT_ID):
    http = RecordingSession(entra.ca_pem)
    app = msal.ConfidentialClientApplication(
        client_id, client_credential=secret, authority=entra.authority, http_client=http, instance_discovery=False
    )
    return app, http


def _basic(entra: FakeTokenEndpoint, *, secret: str = SECRET, scope: str = SCOPE, timeout: float = 5,
           **kwargs) -> requests.Response:
    """A token request as B2C's REST-AcquireAccessToken sends it: Basic header, form body."""
    data = {"grant_type": "client_credentials", "scope": scope}
    return requests.post(entra.token_url, auth=(CLIENT_ID, secret), data=data, verify=str(entra.ca_pem),
                         timeout=timeout, **kwargs)


# -- msal -----------------------------------------------------------------------------------------
def test_msal_gets_a_token_then_serves_it_from_its_cache(entra: FakeTokenEndpoint) -> None:
    app, http = _msal_app(entra)
    first = app.acquire_token_for_client(scopes=[SCOPE])
    assert first["token_source"] == "identity_provider" and first["token_type"] == "Bearer"
    second = app.acquire_token_for_client(scopes=[SCOPE])
    assert second["token_source"] == "cache" and second["access_token"] == first["access_token"]
    assert entra.token_request_count == 1 == len(entra.token_requests)
    (sent,) = entra.token_requests
    assert (sent.grant_type, sent.client_id, sent.secret_via, sent.scopes) == ("client_credentials", CLIENT_ID, "post", (SCOPE,))
    claims = entra.verify(first["access_token"], audience="api://connector-sim-api")
    assert claims["roles"] == ["Profile.Read"]
    # msal never left 127.0.0.1: discovery on the authority, then the token endpoint it advertised.
    assert [method for method, _ in http.urls] == ["GET", "POST"]
    assert all(url.startswith(entra.base_url + "/") for _, url in http.urls)


def test_msal_sees_entra_errors(entra: FakeTokenEndpoint) -> None:
    app, _ = _msal_app(entra, secret="wrong")
    result = app.acquire_token_for_client(scopes=[SCOPE])
    assert result["error"] == "invalid_client" and "AADSTS7000215" in result["error_description"]
    assert entra.token_requests[0].status == 401


def test_msal_sees_a_queued_throttle(entra: FakeTokenEndpoint) -> None:
    entra.fail_next(429, retry_after=2)
    app, _ = _msal_app(entra)
    result = app.acquire_token_for_client(scopes=[SCOPE])
    assert result["error"] == "temporarily_unavailable"


# -- the B2C way: Basic header ------------------------------------------------------------------------
def test_basic_header_token_request(entra: FakeTokenEndpoint) -> None:
    response = _basic(entra, headers={"client-request-id": "corr-1"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599
    assert response.headers["client-request-id"] == "corr-1"
    assert entra.token_requests[0].secret_via == "basic"
    header, claims = decode_unverified(body["access_token"])
    assert header["alg"] == "RS256" and header["kid"] == entra.public_jwks()["keys"][0]["kid"]
    assert claims["aud"] == "api://connector-sim-api" and claims["iss"] == entra.issuer
    for name in ("sub", "oid", "appid", "azp"):
        assert claims[name] == CLIENT_ID
    assert claims["tid"] == entra.tenant_id and claims["ver"] == "2.0"
    assert claims["exp"] - claims["iat"] == 3599


def test_expires_in_and_delay_can_change(entra: FakeTokenEndpoint) -> None:
    entra.expires_in = 60
    assert _basic(entra).json()["expires_in"] == 60
    entra.delay = 0.5
    with pytest.raises(requests.exceptions.ReadTimeout):
        _basic(entra, timeout=0.1)


# -- errors -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "status", "error", "code"),
    [
        ({"secret": "wrong"}, 401, "invalid_client", 7000215),
        ({"scope": "api://x/read"}, 400, "invalid_scope", 1002012),
        ({"scope": ""}, 400, "invalid_request", 900144),
    ],
    ids=["bad-secret", "scope-without-default", "no-scope"],
)
def test_request_errors_have_entra_shape(entra: FakeTokenEndpoint, kwargs, status, error, code) -> None:
    response = _basic(entra, **kwargs)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)
    assert entra.token_requests[0].error == error


def test_other_request_errors(entra: FakeTokenEndpoint) -> None:
    verify = str(entra.ca_pem)
    unknown = requests.post(entra.token_url, data={"grant_type": "client_credentials", "client_id": "nobody",
                                                   "client_secret": "x", "scope": SCOPE}, verify=verify, timeout=5)
    assert (unknown.status_code, unknown.json()["error"]) == (400, "unauthorized_client")
    no_secret = requests.post(entra.token_url, data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                                     "scope": SCOPE}, verify=verify, timeout=5)
    assert (no_secret.status_code, no_secret.json()["error_codes"]) == (401, [7000218])
    grant = requests.post(entra.token_url, auth=(CLIENT_ID, SECRET), data={"grant_type": "password"}, verify=verify, timeout=5)
    assert grant.json()["error"] == "unsupported_grant_type"
    get = requests.get(entra.token_url, verify=verify, timeout=5)
    assert get.json()["error_codes"] == [900561]
    tenant = requests.get(entra.base_url + "/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration",
                          verify=verify, timeout=5)
    assert tenant.status_code == 400 and tenant.json()["error_codes"] == [90002]


# -- queued failures -------------------------------------------------------------------------------------
def test_fail_next_invalid_client_then_recovers(entra: FakeTokenEndpoint) -> None:
    entra.fail_next("invalid_client")
    failed = _basic(entra)
    assert failed.status_code == 401 and failed.json()["error"] == "invalid_client"
    assert _basic(entra).status_code == 200
    entra.fail_next("invalid_client", status=400)
    assert _basic(entra).status_code == 400


def test_fail_next_statuses_and_retry_after(entra: FakeTokenEndpoint) -> None:
    entra.fail_next(429, retry_after=2)
    entra.fail_next(503, times=2)
    throttled = _basic(entra)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert [_basic(entra).status_code for _ in range(3)] == [503, 503, 200]
    assert [request.status for request in entra.token_requests] == [429, 503, 503, 200]


def test_fail_next_with_a_transport_fault(entra: FakeTokenEndpoint) -> None:
    entra.fail_next(Fault.RESET)
    with pytest.raises(requests.exceptions.ConnectionError):
        _basic(entra)
    assert entra.token_requests[0].status == 0


def test_fail_next_rejects_unknown_names(entra: FakeTokenEndpoint) -> None:
    with pytest.raises(ValueError, match="invalid_client"):
        entra.fail_next("no_such_error")


# -- discovery, keys, verification ----------------------------------------------------------------------
def test_discovery_and_jwks(entra: FakeTokenEndpoint) -> None:
    verify = str(entra.ca_pem)
    config = requests.get(entra.openid_configuration_url, verify=verify, timeout=5).json()
    assert config["issuer"] == entra.issuer
    assert config["jwks_uri"] == entra.jwks_url
    assert config["token_endpoint"].startswith(entra.base_url) and config["token_endpoint"].endswith("/oauth2/v2.0/token")
    assert "client_secret_basic" in config["token_endpoint_auth_methods_supported"]
    # Entra advertises GUID-based URLs; the tenant's domain name works as well (token_url uses it).
    assert config["token_endpoint"] == entra.token_url.replace(entra.tenant, entra.tenant_id)
    jwks = requests.get(entra.jwks_url, verify=verify, timeout=5).json()
    assert jwks == entra.public_jwks()
    (key,) = jwks["keys"]
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["kid"] == key["x5t"] and key["x5c"]


def test_verify_accepts_minted_tokens_and_rejects_tampered_ones(entra: FakeTokenEndpoint, certs: CertificateSet) -> None:
    token = _basic(entra).json()["access_token"]
    assert entra.verify(token)["aud"] == "api://connector-sim-api"
    head, payload, signature = token.split(".")
    claims = decode_unverified(token)[1]
    forged = b64url_encode(b64url_decode(payload).replace(CLIENT_ID.encode(), b"attacker-id"))
    assert claims["sub"] == CLIENT_ID
    with pytest.raises(InvalidTokenError, match="signature"):
        entra.verify(f"{head}.{forged}.{signature}")
    with pytest.raises(ValueError, match="audience"):
        entra.verify(token, audience="api://other")
    with pytest.raises(ValueError, match="expired"):
        entra.verify(entra.issue_token(issued_at=time.time() - 7200, lifetime=3600))
    with pytest.raises(ValueError, match="issuer"):
        entra.verify(entra.issue_token(iss="https://login.microsoftonline.com/other/v2.0"))
    with pytest.raises(ValueError):
        entra.verify("not-a-token")
    with FakeTokenEndpoint(certificates=certs) as other:
        with pytest.raises(ValueError, match="key id"):
            entra.verify(other.issue_token())


def test_threads_are_released_after_stop(certs: CertificateSet) -> None:
    # Compare thread sets, not counts: other servers' connection threads may end meanwhile.
    before = set(threading.enumerate())
    with FakeTokenEndpoint(certificates=certs) as entra:
        app, _ = _msal_app(entra, secret=entra.client_secret, client_id=entra.client_id)
        assert "access_token" in app.acquire_token_for_client(scopes=[SCOPE])
        assert set(threading.enumerate()) - before
    assert set(threading.enumerate()) - before == set()
