"""Test the sample API as Azure AD B2C calls it, with the connector_sim pytest plugin.

Two styles: the policy's own technical profiles through ``b2c_run`` (what you deploy is what you
test), and profiles built in Python for one-off checks.
"""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest
import requests
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from sample_api import create_app  # samples/api, put on sys.path by conftest.py
from serve import serve_https

from connector_sim import Basic, InputClaim, OutputClaim, RestfulProfile, TimingProfile
from connector_sim.pytest_plugin import assert_b2c_error, assert_claims, assert_ok, assert_user_sees
from connector_sim.testing import Reply

ALICE = {"email": "alice@contoso.com"}
REST_PROFILES = ["REST-GetProfile-Basic", "REST-GetProfile-ClientCertificate", "REST-GetProfile-StaticBearer",
                 "REST-GetProfile-ApiKey"]


# -- the policy's technical profiles, run as B2C runs them -----------------------------------------

@pytest.mark.b2c_step("loyalty lookup journey")
@pytest.mark.b2c_profile("LoyaltyLookup", claims=ALICE)
def test_the_journey_gets_a_token_then_the_loyalty_number(b2c_run, b2c_token_endpoint) -> None:
    result = b2c_run()  # the UserJourney named by the marker

    assert_ok(result)
    assert_claims(result, {"loyaltyTier": "silver", "loyaltyNumber": "LN-2290"})
    assert [step.profile for step in result.steps] == ["REST-AcquireAccessToken", "REST-GetProfile-Bearer"]
    assert b2c_token_endpoint.token_requests[0].secret_via == "basic"  # as B2C sends the client secret


@pytest.mark.parametrize("profile_id", REST_PROFILES)
def test_each_authentication_type_gets_the_loyalty_number(b2c_run, profile_id: str) -> None:
    assert_claims(b2c_run(profile_id, claims=ALICE), {"loyaltyNumber": "LN-2290"})


def test_a_blocked_email_is_shown_the_apis_message_on_the_sign_up_page(b2c_run) -> None:
    result = b2c_run("SelfAsserted-LoyaltySignUp", claims={"email": "bob@blocked.example"})

    assert_user_sees(result, "This email address is not eligible for the loyalty program.")
    assert_b2c_error(result, code="NOT_ELIGIBLE", status=409, error_type="RestApiError")


def test_an_invalid_email_is_a_validation_error(b2c_run) -> None:
    result = b2c_run("REST-GetProfile-Basic", claims={"email": "not-an-email"})

    assert_b2c_error(result, user_message="Please enter a valid email address.", status=400)


def test_a_refused_client_secret_stops_the_journey(b2c_run, b2c_token_endpoint) -> None:
    b2c_token_endpoint.fail_next("invalid_client")
    result = b2c_run("LoyaltyLookup", claims=ALICE)

    assert_b2c_error(result, profile="REST-AcquireAccessToken", status=401)
    assert result.user_sees.startswith("the user is redirected to the relying party with error=server_error")


def test_a_slow_api_shows_the_policys_message(b2c_run, b2c_tls_server) -> None:
    slow = b2c_tls_server(lambda request: Reply(200, json={}, delay=2))
    result = b2c_run("REST-GetProfile-Basic", claims=ALICE, service_urls={"REST-GetProfile-Basic": slow.base_url},
                     timing=TimingProfile("fast", 0.2, 1))  # B2C's own: 10 s, 1 retry

    # UserMessageIfRequestTimeout is not set, so B2C falls back to DefaultUserMessageIfRequestFailed.
    assert_b2c_error(result, error_type="RequestTimeoutError",
                     user_message="The loyalty service is not available. Please try again later.")
    assert result.steps[0].attempts == 2


# -- profiles built in Python ------------------------------------------------------------------------

def test_wrong_basic_credentials_are_reported_as_b2c_does(sample_api, b2c_ca_bundle, b2c_report) -> None:
    profile = RestfulProfile(sample_api + "/api/basic/profile", auth=Basic("b2c-sample", "wrong"),
                             input_claims=[InputClaim("email")], output_claims=[OutputClaim("loyaltyNumber")],
                             ca_bundle=b2c_ca_bundle)

    error = assert_b2c_error(lambda: profile.call(ALICE), code="AADB2C90027", status=401)
    b2c_report.add(error)  # recorded in --b2c-report-json / --b2c-junit


# -- the API itself, behind Azure App Service ------------------------------------------------------

def _arr_header(b2c_certificates) -> str:
    """The client certificate as App Service forwards it: base64 DER in X-ARR-ClientCert."""
    _, cert, _ = pkcs12.load_key_and_certificates(b2c_certificates.client_pfx.read_bytes(),
                                                  b2c_certificates.password.encode())
    return base64.b64encode(cert.public_bytes(Encoding.DER)).decode()


@pytest.mark.parametrize("trusted", [True, False], ids=["behind-app-service", "exposed-directly"])
def test_the_app_service_client_certificate_header(trusted, api_config, b2c_certificates) -> None:
    # Trust X-ARR-ClientCert only behind App Service: exposed directly, anyone could send it.
    app = create_app(replace(api_config, trust_arr_client_cert=trusted))
    with serve_https(app, b2c_certificates) as base_url:
        answer = requests.post(base_url + "/api/certificate/profile", json=ALICE, timeout=5,
                               headers={"X-ARR-ClientCert": _arr_header(b2c_certificates)},
                               verify=str(b2c_certificates.ca_pem))
    assert answer.status_code == (200 if trusted else 401)
