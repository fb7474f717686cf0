"""User-flow API connectors end to end against real HTTPS servers: requests, auth, answers, strict mode.

Every contract violation is provoked in test_connectors_contract.py (also against a real server).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from connector_sim import (
    ApiKeyHeader, Basic, Bearer, ClientCertificate, ConfigurationError, ContractViolationError, NoAuth,
    RequestTimeoutError, StaticBearer, TimingProfile,
)
from connector_sim.connectors._api_connector import ApiConnector
from connector_sim.testing import Fault, Reply

from tests.helpers import SECRETS

APP = "0d4d5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
APP_HEX = APP.replace("-", "")
CONTINUE = {"version": "1.0.0", "action": "Continue"}


def _connector(server: Any, certs: Any, auth: Any = None, path: str = "/api/validate", **kw: Any) -> ApiConnector:
    kw.setdefault("extensions_app_id", APP)
    return ApiConnector(server.url(path), auth or Basic("b2c", SECRETS["password"]), ca_bundle=str(certs.ca_pem), **kw)


# -- the request ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, step", [("post_federation_signup", "PostFederationSignup"),
                                          ("post_attribute_collection", "PostAttributeCollection"),
                                          ("pre_token_issuance", "PreTokenIssuance")])
def test_each_step_posts_the_b2c_document(api: Any, certs: Any, method: str, step: str) -> None:
    api.handler = lambda request: Reply(200, json=CONTINUE)
    outcome = getattr(_connector(api, certs), method)(
        email="alice@contoso.com", given_name="Alice", surname="Smith", display_name="", city=None,
        attributes={"loyaltyId": "L-1", "isVip": True, "points": 42}, ui_locales="en-US", client_id="app-1")
    sent = api.requests[-1]
    assert sent.method == "POST" and sent.path == "/api/validate"
    assert sent.header("Content-Type") == "application/json"
    assert sent.json() == {
        "email": "alice@contoso.com", "givenName": "Alice", "surname": "Smith",
        f"extension_{APP_HEX}_loyaltyId": "L-1", f"extension_{APP_HEX}_isVip": True, f"extension_{APP_HEX}_points": 42,
        "step": step, "client_id": "app-1", "ui_locales": "en-US",
    }  # displayName "" and city None are left out, as B2C does
    assert outcome.step == step and outcome.action == "Continue" and outcome.ok
    assert outcome.status == 200 and len(outcome.attempts) == 1


def test_every_built_in_attribute_and_identities_use_graph_names(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json=CONTINUE)
    _connector(api, certs).call(
        "post-attribute-collection", identities=[{"signInType": "federated", "issuer": "facebook.com",
                                                  "issuer_assigned_id": "0123456789"}],
        display_name="John Smith", object_id="oid-1", job_title="Supplier", street_address="1000 Microsoft Way",
        city="Seattle", postal_code="12345", state="Washington", country="United States",
        attributes={f"extension_{APP_HEX}_a": "1", "extension_b": "2"}, built_ins={"givenName": "John"})
    body = api.requests[-1].json()
    assert body["identities"] == [{"signInType": "federated", "issuer": "facebook.com",
                                   "issuerAssignedId": "0123456789"}]
    for name in ("displayName", "objectId", "jobTitle", "streetAddress", "city", "postalCode", "state", "country",
                 "givenName", f"extension_{APP_HEX}_a", f"extension_{APP_HEX}_b"):
        assert name in body
    assert body["step"] == "PostAttributeCollection"


def test_body_can_be_built_without_sending(certs: Any) -> None:
    connector = ApiConnector("https://api.contoso.com/validate", Basic("u", "p"))
    assert connector.body("PreTokenIssuance", email="a@b.c") == {"email": "a@b.c", "step": "PreTokenIssuance"}


@pytest.mark.parametrize("attributes, app_id, message", [
    ({"loyaltyId": "L-1"}, None, "needs the extensions app id"),
    ({"ratio": 1.5}, APP, "String, Boolean or Int only"),
    ({"tags": ["a"]}, APP, "String, Boolean or Int only"),
    ({"big": 2**40}, APP, "does not fit an Int"),
    ({"extension_ffffffffffffffffffffffffffffffff_x": "1"}, APP, "names app id"),
    ({"bad name": "1"}, APP, "not a valid attribute name"),
], ids=["no-app-id", "float", "list", "too-big-int", "foreign-app-id", "bad-name"])
def test_custom_attributes_b2c_cannot_have_are_refused(attributes: dict, app_id: Any, message: str) -> None:
    connector = ApiConnector("https://api.contoso.com/validate", Basic("u", "p"), extensions_app_id=app_id)
    with pytest.raises(ConfigurationError, match=message):
        connector.post_attribute_collection(attributes=attributes)


def test_configuration_mistakes_are_refused_before_sending() -> None:
    with pytest.raises(ConfigurationError, match="not an application"):
        ApiConnector("https://api.contoso.com/v", Basic("u", "p"), extensions_app_id="not-a-guid")
    with pytest.raises(ConfigurationError, match="https URL"):
        ApiConnector("http://api.contoso.com/v", Basic("u", "p"))
    connector = ApiConnector("https://api.contoso.com/v", Basic("u", "p"))
    with pytest.raises(ConfigurationError, match="unknown API connector step"):
        connector.call("PreUserWriteClaims")
    with pytest.raises(ConfigurationError, match="not a built-in user attribute"):
        connector.call("PreTokenIssuance", built_ins={"favouriteColour": "blue"})
    with pytest.raises(ConfigurationError, match="String attribute"):
        connector.call("PreTokenIssuance", city=7)
    with pytest.raises(ConfigurationError, match="given twice"):
        connector.call("PreTokenIssuance", city="a", built_ins={"city": "b"})


@pytest.mark.parametrize("auth, hint", [
    (NoAuth(), "dummy values"),
    (ApiKeyHeader("x-functions-key", SECRETS["api_key"]), "query string"),
    (StaticBearer(SECRETS["static_token"]), "ExternalIdExtension"),
    (Bearer("bearerToken"), "ExternalIdExtension"),
], ids=["None", "ApiKeyHeader", "StaticBearer", "Bearer"])
def test_only_basic_and_client_certificate_are_offered(auth: Any, hint: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ApiConnector("https://api.contoso.com/validate", auth)
    error = caught.value
    assert error.b2c_code == "AADB2C99019" and "Basic or ClientCertificate only" in error.message
    assert hint in (error.hint or "")
    for secret in SECRETS.values():
        assert secret not in str(error)


# -- authentication end to end -----------------------------------------------------------------------------


def test_basic_reaches_the_api_and_never_shows(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json=CONTINUE)
    connector = _connector(api, certs)
    outcome = connector.post_attribute_collection(email="a@b.c")
    expected = base64.b64encode(f"b2c:{SECRETS['password']}".encode()).decode()
    assert api.requests[-1].header("Authorization") == f"Basic {expected}"
    assert outcome.request.headers["Authorization"] == "Basic ***"
    shown = repr(connector) + repr(outcome) + json.dumps(outcome.to_dict())
    assert SECRETS["password"] not in shown and expected not in shown


def test_client_certificate_is_presented_in_the_handshake(mtls_api: Any, certs: Any) -> None:
    mtls_api.handler = lambda request: Reply(200, json={**CONTINUE, "postalCode": "98052"})
    auth = ClientCertificate(certs.client_pfx, certs.password)
    outcome = _connector(mtls_api, certs, auth=auth).post_attribute_collection(email="a@b.c")
    assert outcome.action == "Continue" and outcome.claims == {"postalCode": "98052"}
    assert mtls_api.requests[-1].client_cert_subject == certs.subject_cn("client")
    assert "Authorization" not in outcome.request.headers


def test_an_api_key_in_the_query_string_works_and_is_redacted(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json=CONTINUE)
    connector = _connector(api, certs, path=f"/api/validate?code={SECRETS['api_key']}")
    outcome = connector.post_attribute_collection(email="a@b.c")
    assert api.requests[-1].query["code"] == [SECRETS["api_key"]]
    assert SECRETS["api_key"] not in outcome.request.url and "code=***" in outcome.request.url
    assert SECRETS["api_key"] not in repr(connector) + json.dumps(outcome.to_dict())


# -- answers -------------------------------------------------------------------------------------------------


def test_continue_keeps_built_in_and_custom_claims_under_the_full_name(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={**CONTINUE, "postalCode": "12349", "extension_loyaltyId": "L-2",
                                                   f"extension_{APP_HEX}_tier": "gold", "extension_isVip": False})
    outcome = _connector(api, certs).post_attribute_collection(email="a@b.c")
    assert outcome.ok and outcome.violations == ()
    assert outcome.claims == {"postalCode": "12349", f"extension_{APP_HEX}_loyaltyId": "L-2",
                              f"extension_{APP_HEX}_tier": "gold", f"extension_{APP_HEX}_isVip": False}
    assert outcome.user_sees is None


def test_show_block_page_shows_the_user_message(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"version": "1.0.0", "action": "ShowBlockPage",
                                                   "userMessage": "You cannot sign up now."})
    outcome = _connector(api, certs).post_federation_signup(email="a@b.c")
    assert outcome.action == "ShowBlockPage" and outcome.user_sees == "You cannot sign up now."
    assert outcome.violations == () and not outcome.ok


@pytest.mark.parametrize("body_status", [400, "400"])
def test_validation_error_keeps_the_user_on_the_page(api: Any, certs: Any, body_status: Any) -> None:
    api.handler = lambda request: Reply(400, json={"version": "1.0.0", "status": body_status,
                                                   "action": "ValidationError", "userMessage": "Bad postal code."})
    outcome = _connector(api, certs).post_attribute_collection(postal_code="x")
    assert outcome.action == "ValidationError" and outcome.user_sees == "Bad postal code."
    assert outcome.violations == () and outcome.status == 400


# -- timing and strict mode ------------------------------------------------------------------------------------


def test_a_timeout_tries_twice_and_shows_b2c_s_error(api: Any, certs: Any) -> None:
    api.handler = lambda request: Fault.HANG
    outcome = _connector(api, certs, timing=TimingProfile("fast", 0.3, 1)).post_attribute_collection(email="a@b.c")
    assert len(outcome.attempts) == 2 and all(a.outcome == "timeout" for a in outcome.attempts)
    assert outcome.action is None and outcome.status is None and isinstance(outcome.error, RequestTimeoutError)
    assert [v.rule for v in outcome.violations] == ["timeout"]
    assert outcome.user_sees.startswith("Failed to establish connection to restful service end point within "
                                        "timeout limit 0.3 seconds")


def test_named_timing_profiles_are_selectable() -> None:
    assert ApiConnector("https://a.b/c", Basic("u", "p")).timing.timeout == 5.0
    legacy = ApiConnector("https://a.b/c", Basic("u", "p"), timing="legacy-user-flow").timing
    assert (legacy.timeout, legacy.retries) == (20.0, 1)


def test_strict_mode_raises_on_violations_and_transport_failures(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"action": "Continue", "favouriteColour": "blue"})
    with pytest.raises(ContractViolationError) as caught:
        _connector(api, certs, strict=True).post_attribute_collection(email="a@b.c")
    rules = {v.rule for v in caught.value.violations}
    assert rules == {"missing-version", "unknown-claim"}
    assert caught.value.exit_code == 1 and caught.value.result.violations == caught.value.violations
    api.handler = lambda request: Reply(200, json=CONTINUE)
    assert _connector(api, certs, strict=True).post_attribute_collection(email="a@b.c").ok
    api.handler = lambda request: Fault.HANG
    with pytest.raises(RequestTimeoutError) as timed_out:
        _connector(api, certs, strict=True, timing=TimingProfile("fast", 0.3, 0)).pre_token_issuance(email="a@b.c")
    assert timed_out.value.result.action is None
