"""Holes a red-team pass found in the core (issue 15), each held by a test that failed before its fix."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from typing import Any

import pytest

from connector_sim import (
    ApiKeyHeader,
    Basic,
    Bearer,
    ClaimsError,
    ClientCredentials,
    ConfigurationError,
    InputClaim,
    OutputClaim,
    RestApiError,
    RestfulProfile,
    StaticBearer,
    TokenAcquisitionError,
)
from connector_sim.testing import Reply, TlsServer
from tests.helpers import FAST, SECRETS

PASSWORD = "pa\\ss'word-Q9!"


def _profile(api: Any, certs: Any, **changes: Any) -> RestfulProfile:
    options: dict[str, Any] = dict(service_url=api.url("/api/profile"), auth=Basic("b2c", PASSWORD),
                                   input_claims=[InputClaim("email")], output_claims=[OutputClaim("loyaltyNumber")],
                                   ca_bundle=str(certs.ca_pem), timing=FAST)
    options.update(changes)
    return RestfulProfile(**options)


def test_a_password_with_backslash_and_quote_echoed_in_user_message_stays_masked(api: Any, certs: Any) -> None:
    # item 3: the message quotes the userMessage with !r, which escapes \ and ' past a plain mask
    api.handler = lambda request: Reply(409, json={"version": "1", "status": 409,
                                                   "userMessage": f"wrong password {PASSWORD}"})
    profile = _profile(api, certs)
    with pytest.raises(RestApiError) as caught:
        profile.call({"email": "ada@contoso.com"})
    profile.close()
    shown = [str(caught.value), repr(caught.value.message), caught.value.user_message, repr(caught.value.args)]
    assert not any(PASSWORD in text or repr(PASSWORD)[1:-1] in text for text in shown), shown


def test_a_password_claim_in_the_query_is_masked_in_the_record_and_the_debug_log(
        api: Any, certs: Any, caplog: pytest.LogCaptureFixture) -> None:
    # items 4 and 5: percent-encoded in result.request.url; whole in urllib3's DEBUG request line
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "LN-1"})
    profile = _profile(api, certs, send_claims_in="QueryString", input_claims=[InputClaim("password")])
    with caplog.at_level(logging.DEBUG):
        result = profile.call({"password": SECRETS["password"]})
    profile.close()
    from urllib.parse import quote

    forms = (SECRETS["password"], quote(SECRETS["password"], safe=""))
    assert not any(form in result.request.url for form in forms), result.request.url
    assert not any(form in caplog.text for form in forms)
    assert "/api/profile?password=***" in caplog.text or "password=***" in result.request.url


@pytest.mark.parametrize("make", [
    lambda: StaticBearer("token-with-newline\n"), lambda: ApiKeyHeader("x-functions-key", "key-with-newline\n"),
    lambda: StaticBearer("tökén-1234"), lambda: ApiKeyHeader("x-functions-key", "clé-secrète-99"),
], ids=["bearer-newline", "api-key-newline", "bearer-non-ascii", "api-key-non-ascii"])
def test_a_credential_that_cannot_travel_in_a_header_is_refused_when_built(make: Any) -> None:
    # items 6 and 10: a raw InvalidHeader/UnicodeEncodeError from call(), retried, quoting the key
    with pytest.raises(ConfigurationError) as caught:
        make()
    assert "newline" not in str(caught.value).split("(")[0] or "cannot be sent" in str(caught.value)
    assert "token-with" not in str(caught.value) and "clé" not in str(caught.value)


def test_a_non_ascii_bearer_claim_is_a_claims_error_naming_the_claim(api: Any, certs: Any) -> None:
    profile = _profile(api, certs, auth=Bearer("bearerToken"), input_claims=[InputClaim("bearerToken")])
    with pytest.raises(ClaimsError) as caught:
        profile.call({"bearerToken": "tökén"})
    assert caught.value.claim == "bearerToken" and api.requests == []


def test_fifty_threads_share_one_profile_without_an_error(api: Any, certs: Any) -> None:
    # item 7: more than 10 threads on one profile got raw OSError: Bad file descriptor
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": request.json()["email"]})
    profile = _profile(api, certs, timing="user-flow")  # 5 s: 50 threads share two cores with the server
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        for call in range(40):
            email = f"{worker}-{call}@contoso.com"
            try:
                assert profile.call({"email": email}).claims == {"loyaltyNumber": email}
            except BaseException as exc:  # noqa: BLE001  (collected, asserted below)
                with lock:
                    errors.append(exc)

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        list(pool.map(work, range(50)))
    profile.close()
    assert errors == [] and len(api.requests) == 2000


def test_a_service_url_with_userinfo_is_refused(api: Any, certs: Any) -> None:
    # item 12: requests sent Basic credentials from the URL instead of the configured strategy
    with pytest.raises(ConfigurationError) as caught:
        _profile(api, certs, service_url=api.url("/api/profile").replace("https://", "https://u:secret-pw@"))
    assert "secret-pw" not in str(caught.value) and caught.value.b2c_code == "AADB2C90026"


@pytest.mark.parametrize("header", ["Host", "Content-Length", "Transfer-Encoding", "connection"])
def test_a_header_claim_may_not_frame_or_route_the_request(api: Any, certs: Any, header: str) -> None:
    # item 20: the choice is to refuse (README, connector_sim's choices)
    profile = _profile(api, certs, send_claims_in="Header", input_claims=[InputClaim("x", partner_claim_type=header)])
    with pytest.raises(ClaimsError) as caught:
        profile.call({"x": "evil.example"})
    assert caught.value.claim == "x" and api.requests == []


def test_the_token_endpoint_connection_keeps_b2cs_cipher_suites(certs: Any) -> None:
    # item 16: the msal session accepted CHACHA20 and DHE suites outside B2C's eight
    with TlsServer(lambda request: Reply(200, json={}), certificates=certs, tls_max_version="TLSv1.2",
                   ciphers="ECDHE-RSA-CHACHA20-POLY1305") as server:
        credentials = ClientCredentials(authority=server.url("/contoso.onmicrosoft.com"), client_id="c",
                                        client_secret=SECRETS["client_secret"], scope="api://x/.default",
                                        ca_bundle=str(certs.ca_pem))
        with pytest.raises(TokenAcquisitionError) as caught:
            credentials.acquire_token()
    assert "SSL" in str(caught.value) or "TLS" in str(caught.value) or "handshake" in str(caught.value).lower()
    assert server.requests == []


def test_the_recorded_url_is_byte_for_byte_what_was_sent(api: Any, certs: Any) -> None:
    # item 18: the query was re-encoded in the record (%20 became +), so a replay differed
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "LN-1"})
    url = api.url("/api/profile") + "?name=a%20b&x=%2B&code=" + "k3y-secret-1"
    profile = _profile(api, certs, service_url=url, send_claims_in="QueryString")
    result = profile.call({"email": "ada@contoso.com"})
    profile.close()
    sent = api.requests[-1].raw_query
    assert result.request.url.split("?", 1)[1] == sent.replace("k3y-secret-1", "***")


def test_the_environment_ca_bundle_is_not_trusted(api: Any, certs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # item 19: REQUESTS_CA_BUNDLE made requests trust the local CA for calls that never passed it
    from connector_sim import TlsError

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certs.ca_pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_pem))
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "LN-1"})
    profile = _profile(api, certs, ca_bundle=None)
    with pytest.raises(TlsError):
        profile.call({"email": "ada@contoso.com"})
    profile.close()
    assert api.requests == []


def test_a_token_replaced_in_the_bag_after_the_call_stays_masked_in_its_record(api: Any, certs: Any) -> None:
    # The record is built when first read; the secrets it masks are those of the call, not of the bag later.
    api.handler = lambda request: Reply(200, json={"echo": request.header("Authorization")})
    profile = _profile(api, certs, auth=Bearer("bearerToken"), input_claims=[InputClaim("bearerToken")],
                       output_claims=[])
    bag = {"bearerToken": "first-token-9f8e7d"}
    result = profile.call(bag)
    bag["bearerToken"] = "second-token-1a2b3c"
    profile.close()
    assert "first-token-9f8e7d" not in str(result.to_dict())
