"""End to end against real HTTPS servers on 127.0.0.1: each auth strategy, answers, faults.

Request-shaping details are in test_encoding.py; the pure answer mapping in test_mapping.py.
"""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import unquote

import pytest

from connector_sim import (
    ApiKeyHeader, Basic, Bearer, ClaimsError, ClientCertificate, ClientCredentials, ConnectionFailedError,
    DnsResolutionError, HttpStatusError, InputClaim, InvalidResponseError, NoAuth, OutputClaim,
    RequestTimeoutError, RestApiError, RestfulProfile, StaticBearer, TlsError, TokenAcquisitionError,
    UserMessages,
)
from connector_sim.testing import Fault, Reply, unused_port_url

from tests.helpers import FAST, SECRETS


def _profile(server: Any, certs: Any, auth: Any = None, **kw: Any) -> RestfulProfile:
    kw.setdefault("input_claims", [InputClaim("email")])
    kw.setdefault("output_claims", [OutputClaim("loyaltyNumber")])
    return RestfulProfile(server.url("/api/GetProfile"), auth=auth or Basic("api-user", SECRETS["password"]),
                          ca_bundle=str(certs.ca_pem), timing=FAST, **kw)


# -- the SendClaimsIn x AuthenticationType grid ---------------------------------------------------------

AUTHS = {
    "Basic": lambda certs: Basic("api-user", SECRETS["password"]),
    "StaticBearer": lambda certs: StaticBearer(SECRETS["static_token"]),
    "BearerClaim": lambda certs: Bearer("bearerToken"),
    "ApiKeyHeader": lambda certs: ApiKeyHeader("x-functions-key", SECRETS["api_key"]),
    "ClientCertificate": lambda certs: ClientCertificate(certs.client_pfx, certs.password),
}
EXPECTED_AUTH = {
    "Basic": "Basic " + base64.b64encode(f"api-user:{SECRETS['password']}".encode()).decode(),
    "StaticBearer": f"Bearer {SECRETS['static_token']}",
    "BearerClaim": "Bearer token-from-claim",
    "ApiKeyHeader": None,
    "ClientCertificate": None,
}
MODES = ["Body", "Form", "Header", "QueryString", "Url"]


def _sent_email(request: Any, mode: str) -> str | None:
    if mode == "Body":
        return request.json().get("email")
    if mode == "Form":
        return request.form().get("email")
    if mode == "Header":
        return request.header("email")
    if mode == "QueryString":
        return request.query["email"][0]
    return unquote(request.path.rsplit("/", 1)[-1])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("auth_name", list(AUTHS))
def test_each_strategy_and_mode_end_to_end(api: Any, mtls_api: Any, certs: Any, mode: str, auth_name: str) -> None:
    server = mtls_api if auth_name == "ClientCertificate" else api
    server.handler = lambda request: Reply(200, json={"loyaltyNumber": 1234})
    inputs = [InputClaim("email")] + ([InputClaim("bearerToken")] if auth_name == "BearerClaim" else [])
    url = server.url("/api/users/{email}" if mode == "Url" else "/api/GetProfile")
    profile = RestfulProfile(url, auth=AUTHS[auth_name](certs), send_claims_in=mode, input_claims=inputs,
                             output_claims=[OutputClaim("loyaltyNumber")], ca_bundle=str(certs.ca_pem), timing=FAST)
    result = profile.call({"email": "alice@contoso.com", "bearerToken": "token-from-claim"})
    assert result.claims == {"loyaltyNumber": "1234"}
    (request,) = server.requests
    assert request.method == ("POST" if mode in ("Body", "Form") else "GET")
    assert _sent_email(request, mode) == "alice@contoso.com"
    expected = EXPECTED_AUTH[auth_name]
    assert request.header("Authorization") == expected
    if auth_name == "ApiKeyHeader":
        assert request.header("x-functions-key") == SECRETS["api_key"]
    if auth_name == "ClientCertificate":
        assert request.client_cert_subject == certs.subject_cn("client")
    # The bearer claim goes in the header only, never in the payload (§4.3).
    assert "token-from-claim" not in (request.body.decode() + request.raw_query + request.path)
    profile.close()


def test_mtls_server_rejects_a_call_without_a_client_certificate(mtls_api: Any, certs: Any) -> None:
    profile = _profile(mtls_api, certs)
    with pytest.raises(TlsError, match="TLS with") as info:
        profile.call({"email": "a@b.c"})
    assert len(info.value.attempts) == 1  # a refused handshake is not retried: it would fail the same way
    assert mtls_api.requests == []


def test_client_credentials_token_is_acquired_once_and_reused(api: Any, certs: Any, entra: Any) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: Any) -> Reply:
        token = request.header("Authorization").split(" ", 1)[1]
        seen.append(entra.verify(token))
        return Reply(200, json={"loyaltyNumber": "L-1"})

    api.handler = handler
    credentials = ClientCredentials(authority=entra.authority, client_id="b2c-client",
                                    client_secret=SECRETS["client_secret"], scope="api://loyalty/.default",
                                    ca_bundle=str(entra.ca_pem))
    profile = _profile(api, certs, Bearer(credentials=credentials))
    for _ in range(3):
        assert profile.call({"email": "a@b.c"}).claims == {"loyaltyNumber": "L-1"}
    assert len(entra.token_requests) == 1 and credentials.token_requests == 1
    assert seen[0]["appid"] == "b2c-client"
    assert SECRETS["client_secret"] not in repr(credentials) + repr(profile)


def test_client_credentials_refused_is_a_token_error(api: Any, certs: Any, entra: Any) -> None:
    credentials = ClientCredentials(authority=entra.authority, client_id="b2c-client", client_secret="wrong",
                                    scope="api://loyalty/.default", ca_bundle=str(entra.ca_pem))
    with pytest.raises(TokenAcquisitionError) as info:
        _profile(api, certs, Bearer(credentials=credentials)).call({"email": "a@b.c"})
    assert info.value.error == "invalid_client"
    assert api.requests == []


def test_missing_bearer_claim_is_b2cs_error_and_nothing_is_sent(api: Any, certs: Any) -> None:
    profile = _profile(api, certs, Bearer(), input_claims=[InputClaim("bearerToken")])
    with pytest.raises(ClaimsError) as info:
        profile.call({})
    assert str(info.value).startswith(
        "AADB2C90194: Claim 'bearerToken' specified for the bearer token is not present in the available claims")
    assert info.value.result.attempts == () and api.requests == []


# -- answers ---------------------------------------------------------------------------------------------

def test_output_claims_typed_with_paths_and_defaults(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"contacts": [{"email": "x@y.z", "tags": ["a", "b"]}],
                                                   "count": "42", "active": True, "nothing": None})
    profile = _profile(api, certs, resolve_json_paths_in_json_tokens=True, output_claims=[
        OutputClaim("email", partner_claim_type="contacts[0].email"),
        OutputClaim("tags", partner_claim_type="contacts[0].tags", data_type="stringCollection"),
        OutputClaim("count", data_type="int"),
        OutputClaim("active", data_type="boolean"),
        OutputClaim("nothing", default_value="fallback"),
        OutputClaim("isNew", default_value="true", data_type="boolean"),
        OutputClaim("absent"),
    ])
    result = profile.call({"email": "a@b.c"})
    assert result.claims == {"email": "x@y.z", "tags": ["a", "b"], "count": 42, "active": True,
                             "nothing": "fallback", "isNew": True}
    assert any("null" in w for w in result.warnings)
    assert result.attempts[0].status == 200 and result.attempts[0].outcome == "answered"


@pytest.mark.parametrize("debug_mode", [False, True], ids=["debug-off", "debug-on"])
def test_error_contract_raises_rest_api_error(api: Any, certs: Any, debug_mode: bool) -> None:
    api.handler = lambda request: Reply(409, json={
        "version": "1.0.1", "status": 409, "code": "API12345", "requestId": "req-1",
        "userMessage": "Your loyalty card has expired.", "developerMessage": "card 99 expired", "moreInfo": "https://x"})
    with pytest.raises(RestApiError) as info:
        _profile(api, certs, debug_mode=debug_mode).call({"email": "a@b.c"})
    error = info.value
    assert (error.user_message, error.http_status, error.status) == ("Your loyalty card has expired.", 409, 409)
    assert (error.code, error.request_id, error.developer_message, error.more_info) == (
        "API12345", "req-1", "card 99 expired", "https://x")
    assert ("developerMessage: card 99 expired" in error.user_sees) is debug_mode
    assert error.exit_code == 1 and error.result.status == 409


def test_other_status_is_aadb2c90075(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(500, body="boom")
    with pytest.raises(HttpStatusError) as info:
        _profile(api, certs, id="REST-GetProfile").call({"email": "a@b.c"}, step=3)
    assert str(info.value) == ("AADB2C90075: The claims exchange 'REST-GetProfile' specified in step '3' returned "
                               "HTTP error response with Code 'InternalServerError' and Reason 'Internal Server Error'.")
    assert len(info.value.attempts) == 1  # an HTTP answer is never retried


def test_unparseable_4xx_is_aadb2c90261(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(400, body="<html>bad</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(InvalidResponseError) as info:
        _profile(api, certs).call({"email": "a@b.c"})
    assert info.value.b2c_code == "AADB2C90261"


def test_huge_answer_is_read_with_a_cap(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, body_size=100 * 1024 * 1024)
    with pytest.raises(InvalidResponseError, match="larger than"):
        _profile(api, certs).call({"email": "a@b.c"})


def test_redirect_is_not_followed(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(302, headers={"Location": "https://elsewhere.example/"})
    with pytest.raises(HttpStatusError, match="Redirect"):
        _profile(api, certs).call({"email": "a@b.c"})
    assert len(api.requests) == 1


# -- faults: each within the timing budget, with the right error and attempts -----------------------------

def test_timeout_retries_once_and_shows_b2cs_message(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={}, delay=2)
    profile = _profile(api, certs)
    with pytest.raises(RequestTimeoutError) as info:
        profile.call({"email": "a@b.c"})
    error = info.value
    assert [a.outcome for a in error.attempts] == ["timeout", "timeout"]
    assert error.b2c_code == "AADB2C90162"
    assert error.user_message == ("Failed to establish connection to restful service end point within timeout "
                                  f"limit 0.5 seconds. Restful service URL: {api.url('/api/GetProfile')}")
    assert error.result.elapsed_ms < FAST.budget * 1000 + 1500


def test_user_message_overrides_apply(api: Any, certs: Any) -> None:
    api.handler = lambda request: Fault.HANG
    profile = _profile(api, certs, messages=UserMessages(request_timeout="Try again later."))
    with pytest.raises(RequestTimeoutError) as info:
        profile.call({"email": "a@b.c"})
    assert info.value.user_message == "Try again later."


def test_refused_connection(certs: Any) -> None:
    profile = RestfulProfile(unused_port_url("/api"), auth=Basic("u", "p"), ca_bundle=str(certs.ca_pem), timing=FAST,
                             messages=UserMessages(request_failed="Service down."))
    with pytest.raises(ConnectionFailedError) as info:
        profile.call({})
    assert len(info.value.attempts) == 2 and info.value.user_message == "Service down."


def test_dns_failure(certs: Any) -> None:
    profile = RestfulProfile("https://no-such-host.invalid/api", auth=Basic("u", "p"), timing=FAST)
    with pytest.raises(DnsResolutionError) as info:
        profile.call({})
    assert info.value.user_message == ("Failed to resolve the hostname of the restful service endpoint. "
                                       "Restful service URL: https://no-such-host.invalid/api")


def test_untrusted_server_certificate_is_a_tls_error(api: Any) -> None:
    profile = RestfulProfile(api.url("/api"), auth=Basic("u", "p"), timing=FAST)  # no ca_bundle: CA not trusted
    with pytest.raises(TlsError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        profile.call({})
    assert api.requests == []


@pytest.mark.parametrize("fault", [Fault.RESET, Fault.CLOSE_AFTER_HEADERS], ids=["reset", "close-after-headers"])
def test_broken_connections_are_retried_then_fail(api: Any, certs: Any, fault: Fault) -> None:
    api.handler = lambda request: fault
    with pytest.raises(ConnectionFailedError) as info:
        _profile(api, certs).call({"email": "a@b.c"})
    assert len(info.value.attempts) == 2 and len(api.requests) == 2


# -- development mode and secrets ------------------------------------------------------------------------

def test_plain_http_in_development_mode() -> None:
    from connector_sim.testing import TlsServer

    with TlsServer(lambda request: Reply(200, json={"ok": "yes"}), plain_http=True) as server:
        profile = RestfulProfile(server.url("/api"), auth=NoAuth(), deployment_mode="Development",
                                 output_claims=[OutputClaim("ok")], timing=FAST)
        assert profile.call({}).claims == {"ok": "yes"}


def test_no_secret_in_results_errors_or_debug_logs(api: Any, certs: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    api.handler = lambda request: Reply(409, json={"version": "1", "status": 409, "userMessage": "no"})
    profile = RestfulProfile(api.url("/api/x?code=" + SECRETS["api_key"]), auth=Basic("u", SECRETS["password"]),
                             ca_bundle=str(certs.ca_pem), timing=FAST, input_claims=[InputClaim("email")])
    with pytest.raises(RestApiError) as info:
        profile.call({"email": "a@b.c"})
    captured = " ".join([caplog.text, repr(profile), str(info.value), repr(info.value.result),
                         str(info.value.result.to_dict()), repr(info.value.result.request)])
    for secret in (SECRETS["api_key"], SECRETS["password"], base64.b64encode(f"u:{SECRETS['password']}".encode()).decode()):
        assert secret not in captured
    assert "code=%2A%2A%2A" in info.value.result.request.url or "code=***" in info.value.result.request.url


def test_password_claims_are_masked_in_the_recorded_request(api: Any, certs: Any) -> None:
    profile = _profile(api, certs, input_claims=[InputClaim("email"), InputClaim("password")],
                       output_claims=[OutputClaim("token_type")])
    api.handler = lambda request: Reply(200, json={"token_type": "Bearer"})
    result = profile.call({"email": "a@b.c", "password": "hunter2-Secret"})
    assert b"hunter2-Secret" in api.requests[0].body  # the API gets it, as from B2C
    assert "hunter2-Secret" not in (result.request.text() or "") and "a@b.c" in (result.request.text() or "")
    assert repr(result).count("Bearer") == 1  # token_type is no credential: not masked
