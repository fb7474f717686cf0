"""Journeys against real HTTPS servers: orchestration steps, validation profiles, the claims bag."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from connector_sim import (
    Basic, Bearer, ClaimResolverContext, ClaimsError, ConfigurationError, ConnectionFailedError, InputClaim,
    MissingKeyError, OutputClaim, PolicyError, RestApiError, RestfulProfile,
)
from connector_sim.journey import JourneyResult, StepResult, precondition_skips, run_journey, run_profiles
from connector_sim.policy._policy import load_policy
from connector_sim.testing import unused_port_url

from tests.helpers import FAST, SECRETS
from tests.helpers.journeys import ARTICLE, BLOCKED, CLIENT_ID, KEYS, called_paths


@pytest.fixture
def run(policy: Any, service_urls: Any, certs: Any) -> Any:
    """run_journey on the test policy, pointed at the local servers."""

    def go(target: Any, claims: Any = None, **kw: Any) -> JourneyResult:
        kw.setdefault("keys", KEYS)
        kw.setdefault("service_urls", service_urls)
        return run_journey(policy, target, claims=claims or {}, ca_bundle=str(certs.ca_pem), timing=FAST, **kw)

    return go


def outcomes(result: JourneyResult) -> list[tuple[str, str]]:
    return [(s.profile, s.outcome) for s in result.steps]


# -- the article's journey: REST-AcquireAccessToken then REST-GetProfile ---------------------------------

def test_token_then_profile_shares_one_claims_bag(run: Any, fake_api: Any, entra: Any) -> None:
    result = run(["REST-AcquireAccessToken", "REST-GetProfile"], {"email": "ada@contoso.com"})

    assert result.ok and result.error is None and result.user_sees is None
    assert outcomes(result) == [("REST-AcquireAccessToken", "success"), ("REST-GetProfile", "success")]
    assert [s.step for s in result.steps] == [1, 2]
    token_request, = entra.token_requests
    assert (token_request.client_id, token_request.secret_via, token_request.grant_type) == (CLIENT_ID, "basic",
                                                                                             "client_credentials")
    assert fake_api.tokens == [result.claims["bearerToken"]]  # the API accepted the token B2C got
    assert result.claims["loyaltyNumber"] == "L-0042"
    assert set(result.step("REST-AcquireAccessToken").claims_added) == {"bearerToken"}
    assert result.step("REST-GetProfile").claims_added == {"loyaltyNumber": "L-0042", "displayName": "Ada Lovelace"}
    first = result.steps[0]
    assert (first.status, first.attempts, first.result is not None, first.elapsed_ms > 0) == (200, 1, True, True)


def test_article_xml_runs_as_written(fake_api: Any, entra: Any, api: Any, certs: Any) -> None:
    article = load_policy(ARTICLE / "04-bearer-claim-types.xml", ARTICLE / "05-rest-acquire-access-token.xml",
                          ARTICLE / "09-rest-getprofile-bearer-claim.xml")
    urls = {"REST-AcquireAccessToken": entra.token_url, "REST-GetProfile": api.base_url}
    result = run_journey(article, ["REST-AcquireAccessToken", "REST-GetProfile"], keys=KEYS, service_urls=urls,
                         ca_bundle=str(certs.ca_pem), timing=FAST)

    assert result.ok, result.error
    assert fake_api.tokens == [result.claims["bearerToken"]]
    sent = api.requests[-1]
    assert sent.path == "/api/GetProfile" and sent.query["code"] == ["your-code"]  # the policy's path and query


def test_repr_never_shows_the_token(run: Any, fake_api: Any) -> None:
    result = run(["REST-AcquireAccessToken", "REST-GetProfile"], {"email": "ada@contoso.com"})
    token = result.claims["bearerToken"]

    for text in (repr(result), repr(result.steps[0]), str(result.to_dict()), repr(result.steps[0].result)):
        assert token not in text
    assert result.to_dict()["claims"]["bearerToken"] == "***"


def test_to_dict_has_the_cli_shape(run: Any, fake_api: Any) -> None:
    data = run(["REST-AcquireAccessToken"]).to_dict()

    assert set(data) == {"claims", "steps", "error"} and data["error"] is None
    assert data["steps"] == [{"profile": "REST-AcquireAccessToken", "outcome": "success", "status": 200,
                              "attempts": 1, "elapsed_ms": data["steps"][0]["elapsed_ms"]}]


def test_user_journey_runs_its_claims_exchanges(run: Any, fake_api: Any) -> None:
    result = run("TokenThenProfile", {"email": "ada@contoso.com"})

    assert outcomes(result) == [("REST-AcquireAccessToken", "success"), ("REST-GetProfile", "success")]
    assert [s.step for s in result.steps] == [1, 2]  # the SendClaims step calls nothing


def test_sub_journeys_run_in_place(run: Any, fake_api: Any) -> None:
    result = run("WithSubJourney", {"email": "ada@contoso.com"})

    assert result.ok and outcomes(result) == [
        ("REST-AcquireAccessToken", "success"), ("REST-GetProfile", "success"), ("REST-Promo", "success")]


# -- stopping: what B2C shows ----------------------------------------------------------------------------

def test_wrong_order_fails_with_b2cs_bearer_message(run: Any, fake_api: Any, api: Any) -> None:
    result = run(["REST-GetProfile", "REST-Audit"], {"email": "ada@contoso.com"})

    assert not result.ok
    assert isinstance(result.error, ClaimsError) and result.error.b2c_code == "AADB2C90194"
    assert "not present in the available claims" in str(result.error)
    assert outcomes(result) == [("REST-GetProfile", "error")]  # the journey stopped there
    assert (result.steps[0].status, result.steps[0].attempts) == (None, 0)
    assert called_paths(api) == []


def test_orchestration_step_error_redirects_to_the_relying_party(run: Any, fake_api: Any) -> None:
    context = ClaimResolverContext()
    result = run("TokenThenProfile", {"email": BLOCKED}, context=context)

    assert isinstance(result.error, RestApiError) and result.error.status == 409
    assert result.error.profile_id == "REST-GetProfile"
    assert result.user_sees is not None and "error=server_error&error_description=" in result.user_sees
    description = unquote(result.user_sees.split("error_description=", 1)[1])
    assert "No profile for this email." in description
    assert f"Correlation ID: {result.correlation_id}" in description
    assert result.correlation_id != context.correlation_id  # each journey gets a fresh one


def test_transport_failure_stops_the_journey(run: Any, fake_api: Any) -> None:
    result = run(["REST-Promo", "REST-Audit"], {"email": "a@contoso.com"},
                 service_urls={"REST-Promo": unused_port_url()})

    assert isinstance(result.error, ConnectionFailedError)
    assert outcomes(result) == [("REST-Promo", "error")]
    assert result.steps[0].attempts == 2  # B2C retries a failed connection once
    assert "error=server_error" in (result.user_sees or "")


# -- validation technical profiles of a self-asserted profile ---------------------------------------------

def test_self_asserted_id_runs_its_validation_profiles(run: Any, fake_api: Any) -> None:
    result = run("SelfAsserted-ProfileUpdate", {"email": "ada@contoso.com"})

    assert outcomes(result) == [("REST-AcquireAccessToken", "success"), ("REST-GetProfile", "success")]
    assert {s.validation_of for s in result.steps} == {"SelfAsserted-ProfileUpdate"}
    assert result.claims["loyaltyNumber"] == "L-0042"


def test_validation_error_shows_on_the_page_and_stops(run: Any, fake_api: Any, api: Any) -> None:
    result = run("SelfAsserted-Blocklist", {"email": BLOCKED})

    assert isinstance(result.error, RestApiError)
    assert outcomes(result) == [("REST-CheckBlocklist", "error")]
    assert "This email address is blocked." in (result.user_sees or "")
    assert "SelfAsserted-Blocklist" in (result.user_sees or "") and "error=server_error" not in (result.user_sees or "")
    assert called_paths(api) == ["/api/blocklist"]


def test_continue_on_error_goes_on(run: Any, fake_api: Any) -> None:
    result = run("SelfAsserted-BlocklistContinue", {"email": BLOCKED})

    assert result.ok and result.error is None
    assert outcomes(result) == [("REST-CheckBlocklist", "error"), ("REST-Promo", "success")]
    assert isinstance(result.steps[0].error, RestApiError)
    assert result.claims["promoCode"] == "SPRING-25"


def test_continue_on_success_false_stops_after_a_success(run: Any, fake_api: Any, api: Any) -> None:
    result = run("SelfAsserted-PromoOnly", {"email": "a@contoso.com"})

    assert result.ok
    assert outcomes(result) == [("REST-Promo", "success"), ("REST-Audit", "skipped")]
    assert "ContinueOnSuccess" in result.steps[1].note
    assert called_paths(api) == ["/api/promo"]


@pytest.mark.parametrize(
    ("claims", "supplied", "expected"),
    [
        ({"email": "a@contoso.com", "promoCode": "OLD", "isVip": "false"}, {},
         [("REST-Promo", "skipped"), ("AAD-UserWriteUsingEmail", "skipped"), ("REST-Audit", "skipped")]),
        ({"email": "a@contoso.com", "isVip": True}, {"AAD-UserWriteUsingEmail": {"objectId": "oid-1"}},
         [("REST-Promo", "success"), ("AAD-UserWriteUsingEmail", "supplied"), ("REST-Audit", "success")]),
    ],
    ids=["preconditions-skip", "preconditions-run"],
)
def test_preconditions_and_other_kinds(run: Any, fake_api: Any, api: Any, claims: Any, supplied: Any,
                                       expected: Any) -> None:
    result = run("SelfAsserted-Preconditions", claims, supplied=supplied)

    assert result.ok and outcomes(result) == expected
    if supplied:
        assert api.requests[-1].json() == {"email": "a@contoso.com", "objectId": "oid-1"}
        assert result.claims["audited"] is True
    else:
        assert "ClaimsExist" in result.steps[0].note and "not an HTTP call" in result.steps[1].note
        assert called_paths(api) == []


# -- user journeys mixing kinds ----------------------------------------------------------------------------

def test_journey_skips_other_kinds_and_scopes_validation_outputs(run: Any, fake_api: Any, api: Any) -> None:
    result = run("SignUpWithApi", {"email": "ada@contoso.com"})

    assert result.ok
    assert outcomes(result) == [
        ("SelfAsserted-ProfileUpdate", "skipped"), ("REST-AcquireAccessToken", "success"),
        ("REST-GetProfile", "success"), ("AAD-UserWriteUsingEmail", "skipped"),
        ("REST-Audit", "skipped"),  # its step's precondition: objectId does not exist
    ]
    # Validation outputs stay on the page unless the self-asserted profile outputs them (§11.3).
    assert result.claims["displayName"] == "Ada Lovelace"
    assert "loyaltyNumber" not in result.claims and "bearerToken" not in result.claims
    assert any("loyaltyNumber" in w for w in result.warnings)


def test_journey_answers_steps_from_supplied_claims(run: Any, fake_api: Any, api: Any) -> None:
    supplied = {"SelfAsserted-ProfileUpdate": {"email": "typed@contoso.com"},
                "AAD-UserWriteUsingEmail": {"objectId": "oid-7"}}
    result = run("SignUpWithApi", {}, supplied=supplied)

    assert [o for _, o in outcomes(result)] == ["supplied", "success", "success", "supplied", "success"]
    assert result.step("AAD-UserWriteUsingEmail").claims_added == {"objectId": "oid-7"}
    assert api.requests[-1].json() == {"email": "typed@contoso.com", "objectId": "oid-7"}


def test_on_step_reports_each_step_as_it_ends(run: Any, fake_api: Any) -> None:
    seen: list[StepResult] = []
    result = run("TokenThenProfile", {"email": "a@contoso.com"}, on_step=seen.append)

    assert seen == list(result.steps)


# -- configuration errors come before any request ----------------------------------------------------------

def test_missing_key_is_found_before_any_request(run: Any, fake_api: Any, entra: Any) -> None:
    keys = {k: v for k, v in KEYS.items() if k != "B2C_1A_RestApiKey"}
    with pytest.raises(MissingKeyError) as caught:
        run(["REST-AcquireAccessToken", "REST-Promo"], keys=keys)

    assert caught.value.key == "B2C_1A_RestApiKey" and caught.value.profile_id == "REST-Promo"
    assert entra.token_request_count == 0


def test_unknown_id_suggests_the_closest(run: Any) -> None:
    with pytest.raises(PolicyError) as caught:
        run("REST-GetProfil")
    assert "REST-GetProfile" in str(caught.value)
    with pytest.raises(PolicyError):
        run(["REST-AcquireAccessToken", "REST-Nope"])


def test_misspelt_service_url_override_is_refused(run: Any, api: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        run(["REST-Promo"], service_urls={"REST-Prom": api.base_url})
    assert "REST-Promo" in str(caught.value)


def test_non_restful_profile_alone_is_skipped(run: Any) -> None:
    result = run("AAD-UserWriteUsingEmail")
    assert result.ok and outcomes(result) == [("AAD-UserWriteUsingEmail", "skipped")]


# -- Python-built profiles ---------------------------------------------------------------------------------

def test_run_profiles_without_xml(fake_api: Any, entra: Any, api: Any, certs: Any) -> None:
    ca = str(certs.ca_pem)
    token = RestfulProfile(entra.token_url, auth=Basic(CLIENT_ID, SECRETS["client_secret"]), send_claims_in="Form",
                           input_claims=[InputClaim("grant_type", default_value="client_credentials",
                                                    always_use_default_value=True),
                                         InputClaim("scope", default_value="api://x/.default",
                                                    always_use_default_value=True)],
                           output_claims=[OutputClaim("bearerToken", partner_claim_type="access_token")],
                           id="Token", ca_bundle=ca, timing=FAST)
    profile = RestfulProfile(api.url("/api/profile"), auth=Bearer("bearerToken"), id="Profile", ca_bundle=ca,
                             input_claims=[InputClaim("bearerToken"), InputClaim("email")],
                             output_claims=[OutputClaim("loyaltyNumber")], timing=FAST)
    try:
        result = run_profiles([token, profile], {"email": "ada@contoso.com"})
    finally:
        token.close()
        profile.close()

    assert result.ok and outcomes(result) == [("Token", "success"), ("Profile", "success")]
    assert result.claims["loyaltyNumber"] == "L-0042"


# -- Preconditions, pure ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("precondition", "claims", "skips"),
    [
        ({"type": "ClaimsExist", "execute_actions_if": True, "values": ["objectId"]}, {"objectId": "x"}, True),
        ({"type": "ClaimsExist", "execute_actions_if": True, "values": ["objectId"]}, {"objectId": ""}, False),
        ({"type": "ClaimsExist", "execute_actions_if": False, "values": ["objectId"]}, {}, True),
        ({"type": "ClaimEquals", "execute_actions_if": True, "values": ["isVip", "true"]}, {"isVip": True}, True),
        ({"type": "ClaimEquals", "execute_actions_if": True, "values": ["isVip", "true"]}, {"isVip": "True"}, False),
        ({"type": "ClaimEquals", "execute_actions_if": False, "values": ["isVip", "true"]}, {}, True),
        ({"type": "ClaimsExist", "execute_actions_if": True, "values": ["a"], "action": "Other"}, {"a": 1}, False),
    ],
    ids=["exists", "empty-is-absent", "absent-if-false", "bool-equals", "case-sensitive", "equals-if-false",
         "not-a-skip-action"],
)
def test_precondition_skips(precondition: Any, claims: Any, skips: bool) -> None:
    assert (precondition_skips([precondition], claims) is not None) is skips


def test_unknown_precondition_type_is_an_error() -> None:
    with pytest.raises(ConfigurationError):
        precondition_skips([{"type": "ClaimsMatch", "values": ["a"]}], {"a": "b"})
