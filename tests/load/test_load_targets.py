"""load.targets and load.failures: B2C-faithful calls as samples, failures by a short stable reason.

In-process and without Locust (no gevent here): the Locust user only fires what these produce.
"""

from __future__ import annotations

import threading
from typing import Any, List

import pytest

from connector_sim import (
    Basic,
    ClientCertificate,
    HttpStatusError,
    InputClaim,
    OutputClaim,
    RestfulProfile,
    TimingProfile,
)
from connector_sim.errors import (
    ClaimsError,
    ConfigurationError,
    ConnectionFailedError,
    DnsResolutionError,
    InvalidResponseError,
    RequestTimeoutError,
    RestApiError,
    TlsError,
    TokenAcquisitionError,
)
from connector_sim.load.connector_target import ConnectorTarget, connector_fields
from connector_sim.load.failures import LoadFailure, Sample, failure_for_error, reason_of
from connector_sim.load.targets import PolicyTarget, ProfileTarget
from connector_sim.testing import Fault, Reply
from connector_sim.timing import timing_profile
from tests.helpers import FAST, SECRETS
from tests.helpers.journeys import JOURNEYS_POLICY, KEYS

QUICK = TimingProfile("test-quick", 0.2, 1)


def _profile(server: Any, certs: Any, path: str = "/api/profile", **changes: Any) -> RestfulProfile:
    fields = dict(auth=Basic("api-user", SECRETS["password"]), ca_bundle=str(certs.ca_pem), id="REST-Test",
                  input_claims=[InputClaim("email")], output_claims=[OutputClaim("loyaltyNumber")], timing=FAST)
    fields.update(changes)
    return RestfulProfile(server.url(path), **fields)


def _run(target: Any, claims: Any = None, times: int = 1) -> List[Sample]:
    samples: List[Sample] = []
    session = target.prepare().open()
    try:
        for _ in range(times):
            session.run(claims or {"email": "ada@contoso.com"}, samples.append)
    finally:
        session.close()
    return samples


DETAIL = "call-specific-detail-42"


@pytest.mark.parametrize("error, reason", [
    (RequestTimeoutError(DETAIL), "timeout"),
    (DnsResolutionError(DETAIL), "dns"),
    (TlsError(DETAIL), "tls-error"),
    (ConnectionFailedError(DETAIL), "connection-error"),
    (RestApiError(DETAIL, user_message=DETAIL, status=409, http_status=409), "error-contract"),
    (HttpStatusError(DETAIL, http_status=503, b2c_code="AADB2C90075"), "http-503"),
    (InvalidResponseError(DETAIL, http_status=200), "invalid-response"),
    (TokenAcquisitionError(DETAIL), "token-acquisition"),
    (ClaimsError(DETAIL, claim="bearerToken"), "claims-error"),
    (ConfigurationError(DETAIL), "configuration-error"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_every_error_class_has_a_stable_reason(error: Any, reason: str) -> None:
    failure = failure_for_error(error, timing_profile("custom-policy"))

    assert isinstance(failure, LoadFailure) and failure.reason == reason
    assert failure.__cause__ is error
    # Locust groups failures by repr(exception): the stable "reason: text", nothing call-specific.
    assert repr(failure) == str(failure) and repr(failure).startswith(f"{reason}: ")
    assert DETAIL not in repr(failure)
    assert reason_of(repr(failure)) == reason


def test_reason_of_unknown_text_is_other() -> None:
    assert reason_of("ConnectionError('boom')") == "other"
    assert reason_of("slow-200: answered HTTP 200, but slower than ...") == "slow-200"


def test_a_fast_200_is_one_sample_without_failure(api: Any, certs: Any) -> None:
    api.handler = lambda r: Reply(200, json={"loyaltyNumber": "L-1"})
    (sample,) = _run(ProfileTarget(_profile(api, certs)))

    assert (sample.request_type, sample.name, sample.ok) == ("POST", "REST-Test", True)
    assert sample.response_length == len(b'{"loyaltyNumber": "L-1"}') or sample.response_length > 0
    assert 0 < sample.response_time_ms < 1000 and sample.start_time > 0


def test_a_200_after_a_retry_is_slower_than_the_timeout_and_fails(api: Any, certs: Any) -> None:
    # The first attempt times out (B2C retries), the retry answers at once: a 200 the user waited
    # more than B2C's timeout for.
    seen: List[int] = []

    def handler(request: Any) -> Reply:
        seen.append(1)
        return Reply(200, json={"loyaltyNumber": "L-1"}, delay=0.35 if len(seen) % 2 else 0.0)

    api.handler = handler
    samples = _run(ProfileTarget(_profile(api, certs, timing=QUICK)), times=2)

    assert [s.failure.reason for s in samples if s.failure] == ["slow-200", "slow-200"]
    assert all(s.response_time_ms > 200 for s in samples)  # the whole call, retry included
    assert "slower than B2C's 0.2 s timeout (test-quick, 1 retry)" in str(samples[0].failure)


def test_no_answer_within_the_timeout_is_a_timeout(api: Any, certs: Any) -> None:
    api.handler = lambda r: Reply(200, json={}, delay=0.5)
    (sample,) = _run(ProfileTarget(_profile(api, certs, timing=QUICK)))

    assert sample.failure is not None and sample.failure.reason == "timeout"
    assert sample.response_time_ms >= 400  # two attempts of 0.2 s
    assert sample.response_length == 0


@pytest.mark.parametrize("reply, reason", [
    (Reply(500, json={"error": "boom"}), "http-500"),
    (Reply(409, json={"version": "1.0.0", "status": 409, "userMessage": "Taken."}), "error-contract"),
    (Reply(200, body=b"not json", headers={"Content-Type": "text/plain"}), "invalid-response"),
    (Reply(401, json={}), "http-401"),
    (Reply(fault=Fault.RESET), "connection-error"),
])
def test_answers_b2c_fails_are_failures_by_reason(api: Any, certs: Any, reply: Reply, reason: str) -> None:
    api.handler = lambda r: reply
    (sample,) = _run(ProfileTarget(_profile(api, certs)))

    assert sample.failure is not None and sample.failure.reason == reason
    assert SECRETS["password"] not in repr(sample.failure)


def test_a_row_without_the_bearer_claim_is_a_claims_error(api: Any, certs: Any) -> None:
    from connector_sim import Bearer

    profile = _profile(api, certs, auth=Bearer("bearerToken"),
                       input_claims=[InputClaim("bearerToken"), InputClaim("email")])
    (sample,) = _run(ProfileTarget(profile))

    assert sample.failure is not None and sample.failure.reason == "claims-error"


def test_users_share_the_auth_but_keep_their_own_connection(mtls_api: Any, certs: Any) -> None:
    mtls_api.handler = lambda r: Reply(200, json={"loyaltyNumber": "L-7"})
    profile = _profile(mtls_api, certs, auth=ClientCertificate(certs.client_pfx, certs.password))
    target = ProfileTarget(profile)
    sessions = [target.open() for _ in range(3)]
    samples: List[Sample] = []
    try:
        for _ in range(2):
            for session in sessions:
                session.run({"email": "ada@contoso.com"}, samples.append)
        auths = {id(s.profile.auth) for s in sessions}  # type: ignore[attr-defined]
        adapters = [s.profile.caller().transport._session.adapters["https://"] for s in sessions]  # type: ignore
        contexts = {id(adapter._ssl_context) for adapter in adapters}
    finally:
        for session in sessions:
            session.close()

    assert all(s.ok for s in samples) and len(samples) == 6
    assert auths == {id(profile.auth)}  # one decoded .pfx for every user
    assert contexts == {id(profile.auth.ssl_context)}
    ports = [r.client_address[1] for r in mtls_api.requests]
    assert len(set(ports)) == 3  # one keep-alive connection per user, reused for its second call
    assert profile.auth.ssl_context.check_hostname and profile.auth.ssl_context.verify_mode.name == "CERT_REQUIRED"


def test_several_profiles_run_in_order_over_one_claims_bag(api: Any, certs: Any) -> None:
    def handler(request: Any) -> Reply:
        if request.path == "/api/first":
            return Reply(200, json={"loyaltyNumber": "L-9"})
        return Reply(200, json={"echo": request.json().get("loyaltyNumber")})

    api.handler = handler
    first = _profile(api, certs, "/api/first", id="REST-First")
    second = _profile(api, certs, "/api/second", id="REST-Second", input_claims=[InputClaim("loyaltyNumber")],
                      output_claims=[OutputClaim("echo")])
    samples = _run(ProfileTarget(first, second))

    assert [(s.name, s.ok) for s in samples] == [("REST-First", True), ("REST-Second", True)]
    assert api.requests[-1].json() == {"loyaltyNumber": "L-9"}


def test_a_policy_journey_reports_each_restful_step(certs: Any, service_urls: Any, fake_api: Any) -> None:
    target = PolicyTarget(JOURNEYS_POLICY, "TokenThenProfile", keys=KEYS, service_urls=service_urls,
                          ca_bundle=str(certs.ca_pem), timing="user-flow")
    samples = _run(target, {"email": "ada@contoso.com"}, times=2)

    assert [(s.name, s.ok) for s in samples] == [("REST-AcquireAccessToken", True), ("REST-GetProfile", True)] * 2
    assert target.timing.name == "user-flow"
    assert "TokenThenProfile" in target.describe()


def test_a_failing_validation_profile_is_a_failure_and_stops_the_page(certs: Any, service_urls: Any,
                                                                      fake_api: Any) -> None:
    from tests.helpers.journeys import BLOCKED

    target = PolicyTarget(JOURNEYS_POLICY, "SelfAsserted-Blocklist", keys=KEYS, service_urls=service_urls,
                          ca_bundle=str(certs.ca_pem))
    samples = _run(target, {"email": BLOCKED})

    assert samples[0].name == "REST-CheckBlocklist" and samples[0].failure is not None
    assert samples[0].failure.reason == "error-contract"
    assert len(samples) == 1  # REST-Promo does not run after the failure


def test_a_single_policy_profile_takes_the_direct_path(certs: Any, service_urls: Any, fake_api: Any) -> None:
    target = PolicyTarget(JOURNEYS_POLICY, ["REST-Promo"], keys=KEYS, service_urls=service_urls,
                          ca_bundle=str(certs.ca_pem)).prepare()
    session = target.open()
    try:
        assert type(session).__name__ == "ProfileSession"
        samples: List[Sample] = []
        session.run({"email": "ada@contoso.com"}, samples.append)
    finally:
        session.close()
    assert [(s.name, s.ok) for s in samples] == [("REST-Promo", True)]


def test_a_misspelt_service_url_id_is_refused(certs: Any) -> None:
    with pytest.raises(ConfigurationError, match="REST-Promoo"):
        PolicyTarget(JOURNEYS_POLICY, "REST-Promo", keys=KEYS, service_urls={"REST-Promoo": "https://127.0.0.1:1/"}
                     ).prepare()


def test_a_target_without_restful_profiles_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="no RESTful"):
        PolicyTarget(JOURNEYS_POLICY, "AAD-UserWriteUsingEmail", keys=KEYS).prepare()


def _connector(api: Any, certs: Any, step: str = "PostAttributeCollection") -> ConnectorTarget:
    return ConnectorTarget(step, api.url("/api/connector"), Basic("api-user", SECRETS["password"]),
                           ca_bundle=str(certs.ca_pem), timing=FAST, extensions_app_id="0" * 32)


@pytest.mark.parametrize("reply, reason", [
    (Reply(200, json={"version": "1.0.0", "action": "Continue"}), None),
    (Reply(200, json={"version": "1.0.0", "action": "ShowBlockPage", "userMessage": "No."}), "block-page"),
    (Reply(400, json={"version": "1.0.0", "status": 400, "action": "ValidationError", "userMessage": "Fix it."}),
     "validation-error"),
    (Reply(200, json={"action": "Continue"}), "contract-violation"),
    (Reply(500, json={}), "contract-violation"),
    (Reply(200, json={}, delay=1.2), "timeout"),
])
def test_connector_steps_are_judged_by_the_contract(api: Any, certs: Any, reply: Reply, reason: Any) -> None:
    api.handler = lambda r: reply
    (sample,) = _run(_connector(api, certs), {"email": "ada@contoso.com", "givenName": "Ada", "loyalty": "gold"})

    assert (sample.request_type, sample.name) == ("POST", "PostAttributeCollection")
    assert (sample.failure.reason if sample.failure else None) == reason
    if reason is None:
        body = api.requests[-1].json()
        assert body["email"] == "ada@contoso.com" and body["givenName"] == "Ada"
        assert body[f"extension_{'0' * 32}_loyalty"] == "gold"


def test_connector_fields_split_built_ins_attributes_and_context() -> None:
    fields = connector_fields({"email": "a@b.c", "given_name": "Ada", "loyalty": 3, "ui_locales": "en-US",
                               "identities": '[{"signInType": "emailAddress", "issuerAssignedId": "a"}]'})

    assert fields["built_ins"] == {"email": "a@b.c", "givenName": "Ada"}
    assert fields["attributes"] == {"loyalty": 3}
    assert fields["ui_locales"] == "en-US" and fields["identities"][0]["signInType"] == "emailAddress"


def test_connector_target_refuses_what_user_flows_do_not_offer(certs: Any) -> None:
    from connector_sim import NoAuth

    with pytest.raises(ConfigurationError):
        ConnectorTarget("PostAttributeCollection", "https://127.0.0.1:1/", NoAuth())
    with pytest.raises(ConfigurationError):
        ConnectorTarget("PostAttributeCollection", "http://127.0.0.1:1/", Basic("u", "p"))


def test_sessions_are_independent_across_threads(api: Any, certs: Any) -> None:
    # Plain threads (no gevent): the shared target is safe to open and run from several at once.
    api.handler = lambda r: Reply(200, json={"loyaltyNumber": "L-1"})
    target = ProfileTarget(_profile(api, certs))
    results: List[Sample] = []
    lock = threading.Lock()

    def user() -> None:
        for sample in _run(target, times=5):
            with lock:
                results.append(sample)

    threads = [threading.Thread(target=user) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 20 and all(s.ok for s in results)
