"""Entra External ID custom authentication extensions against real HTTPS servers: requests, answers, faults."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector_sim import (
    Basic, Bearer, ClientCredentials, ConfigurationError, ContractViolationError, StaticBearer, TokenAcquisitionError,
)
from connector_sim.connectors._external_id import ExternalIdExtension
from connector_sim.connectors._extension_contract import BLOCK_PAGE_DEFAULT
from connector_sim.testing import Fault, Reply

from tests.helpers import SECRETS

APP = "0d4d5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
APP_HEX = APP.replace("-", "")
START, SUBMIT, TOKEN = "attributeCollectionStart", "attributeCollectionSubmit", "tokenIssuanceStart"


def _answer(event: str, action: str, **fields: Any) -> Reply:
    data_type = f"microsoft.graph.on{event[0].upper()}{event[1:]}ResponseData"
    return Reply(200, json={"data": {"@odata.type": data_type,
                                     "actions": [{"@odata.type": f"microsoft.graph.{event}.{action}", **fields}]}})


def _extension(server: Any, certs: Any, **kw: Any) -> ExternalIdExtension:
    kw.setdefault("extensions_app_id", APP)
    return ExternalIdExtension(server.url("/api/events"), kw.pop("auth", StaticBearer(SECRETS["static_token"])),
                               ca_bundle=str(certs.ca_pem), **kw)


FORM = {"built_ins": {"given_name": "Larissa", "city": "Seattle"},
        "attributes": {"graduationYear": 2010, "onMailingList": False, "groups": ["Alumni", "Faculty"]},
        "email": "larissa@contoso.com"}


def test_attribute_collection_submit_sends_the_documented_document(api: Any, certs: Any) -> None:
    api.handler = lambda request: _answer(SUBMIT, "continueWithDefaultBehavior")
    outcome = _extension(api, certs).on_attribute_collection_submit(correlation_id="c-1", **FORM)
    sent = api.requests[-1]
    assert sent.method == "POST" and sent.header("Content-Type") == "application/json"
    assert sent.header("Authorization") == f"Bearer {SECRETS['static_token']}"
    body = sent.json()
    assert body["type"] == "microsoft.graph.authenticationEvent.attributeCollectionSubmit"
    assert body["source"].startswith("/tenants/") and "/applications/" in body["source"]
    data = body["data"]
    assert data["@odata.type"] == "microsoft.graph.onAttributeCollectionSubmitCalloutData"
    assert {"tenantId", "authenticationEventListenerId", "customAuthenticationExtensionId"} <= set(data)
    context = data["authenticationContext"]
    assert context["correlationId"] == "c-1" and context["protocol"] == "OAUTH2.0"
    assert set(context["client"]) == {"ip", "locale", "market"}
    assert {"id", "appId", "appDisplayName", "displayName"} <= set(context["clientServicePrincipal"])
    assert "user" not in context  # the user does not exist yet at sign-up
    attributes = data["userSignUpInfo"]["attributes"]
    assert attributes["givenName"] == {"@odata.type": "microsoft.graph.stringDirectoryAttributeValue",
                                       "value": "Larissa", "attributeType": "builtIn"}
    assert attributes[f"extension_{APP_HEX}_graduationYear"]["@odata.type"] == \
        "microsoft.graph.int64DirectoryAttributeValue"
    assert attributes[f"extension_{APP_HEX}_onMailingList"]["@odata.type"] == \
        "microsoft.graph.booleanDirectoryAttributeValue"
    assert attributes[f"extension_{APP_HEX}_groups"]["value"] == "Alumni,Faculty"
    assert attributes[f"extension_{APP_HEX}_groups"]["attributeType"] == "directorySchemaExtension"
    assert data["userSignUpInfo"]["identities"] == [{"signInType": "email", "issuer": "contoso.onmicrosoft.com",
                                                     "issuerAssignedId": "larissa@contoso.com"}]
    assert outcome.kind == "external-id" and outcome.step == "OnAttributeCollectionSubmit"
    assert outcome.action == "continueWithDefaultBehavior" and outcome.ok
    assert outcome.request.headers["Authorization"] == "Bearer ***"
    assert SECRETS["static_token"] not in repr(outcome) + json.dumps(outcome.to_dict())


def test_token_issuance_start_sends_the_user_and_keeps_claims(api: Any, certs: Any) -> None:
    api.handler = lambda request: _answer(TOKEN, "provideClaimsForToken",
                                          claims={"DateOfBirth": "01/01/2000", "CustomRoles": ["Writer", "Editor"]})
    outcome = _extension(api, certs).on_token_issuance_start(user={"id": "u-1", "mail": "casey@contoso.com"})
    data = api.requests[-1].json()["data"]
    assert data["@odata.type"] == "microsoft.graph.onTokenIssuanceStartCalloutData"
    assert data["authenticationContext"]["user"]["mail"] == "casey@contoso.com"
    assert "userSignUpInfo" not in data
    assert outcome.action == "provideClaimsForToken" and outcome.ok
    assert outcome.claims == {"DateOfBirth": "01/01/2000", "CustomRoles": ["Writer", "Editor"]}


def test_client_credentials_bearer_token_reaches_the_api(api: Any, certs: Any, entra: Any) -> None:
    api.handler = lambda request: _answer(START, "continueWithDefaultBehavior")
    credentials = ClientCredentials(authority=entra.authority, client_id="b2c-client",
                                    client_secret=SECRETS["client_secret"], scope="api://events.contoso.com/.default",
                                    ca_bundle=str(entra.ca_pem))
    outcome = _extension(api, certs, auth=Bearer(credentials=credentials)).on_attribute_collection_start()
    token = api.requests[-1].header("Authorization").split(" ", 1)[1]
    assert entra.verify(token) and outcome.ok
    assert SECRETS["client_secret"] not in json.dumps(outcome.to_dict())


def test_a_refused_token_request_is_reported_or_raised(api: Any, certs: Any, entra: Any) -> None:
    credentials = ClientCredentials(authority=entra.authority, client_id="b2c-client", client_secret="wrong",
                                    scope="api://events.contoso.com/.default", ca_bundle=str(entra.ca_pem))
    outcome = _extension(api, certs, auth=Bearer(credentials=credentials)).on_token_issuance_start()
    assert [v.rule for v in outcome.violations] == ["token-acquisition"] and api.requests == []
    assert isinstance(outcome.error, TokenAcquisitionError) and outcome.action is None
    with pytest.raises(TokenAcquisitionError):
        _extension(api, certs, auth=Bearer(credentials=credentials), strict=True).on_token_issuance_start()


def test_each_action_maps_to_the_outcome(api: Any, certs: Any) -> None:
    extension = _extension(api, certs)
    api.handler = lambda request: _answer(START, "setPrefillValues",
                                          inputs={"city": "Redmond", f"extension_{APP_HEX}_graduationYear": 2011})
    outcome = extension.on_attribute_collection_start(**FORM)
    assert outcome.action == "setPrefillValues" and outcome.violations == ()
    assert outcome.claims == {"city": "Redmond", f"extension_{APP_HEX}_graduationYear": 2011}
    api.handler = lambda request: _answer(SUBMIT, "modifyAttributeValues", attributes={"city": "Paris"})
    assert extension.on_attribute_collection_submit(**FORM).claims == {"city": "Paris"}
    api.handler = lambda request: _answer(SUBMIT, "showValidationError", message="Please fix the errors.",
                                          attributeErrors={"city": "City cannot contain numbers"})
    outcome = extension.on_attribute_collection_submit(**FORM)
    assert outcome.action == "showValidationError" and outcome.user_sees == "Please fix the errors."
    assert outcome.attribute_errors == {"city": "City cannot contain numbers"} and outcome.violations == ()
    api.handler = lambda request: _answer(SUBMIT, "showBlockPage", message="Your request is processing.")
    assert extension.on_attribute_collection_submit(**FORM).user_sees == "Your request is processing."
    api.handler = lambda request: _answer(START, "showBlockPage")
    outcome = extension.on_attribute_collection_start(**FORM)
    assert outcome.action == "showBlockPage" and outcome.user_sees == BLOCK_PAGE_DEFAULT and not outcome.ok


def test_the_docs_sample_casing_is_accepted_with_a_warning(api: Any, certs: Any) -> None:
    api.handler = lambda request: _answer(SUBMIT, "ShowValidationError", message="Fix it.")
    outcome = _extension(api, certs).on_attribute_collection_submit(**FORM)
    assert outcome.action == "showValidationError" and outcome.violations == ()
    assert "UNCONFIRMED" in outcome.warnings[0]


def _data(event: str, *actions: Any) -> dict:
    return {"data": {"@odata.type": f"microsoft.graph.on{event[0].upper()}{event[1:]}ResponseData",
                     "actions": list(actions)}}


JSON = {"Content-Type": "application/json"}
CONTINUE_SUBMIT = {"@odata.type": f"microsoft.graph.{SUBMIT}.continueWithDefaultBehavior"}
# (id, event method, reply, expected rules, fatal: True when Entra fails the flow)
CASES = [
    ("http-status", "on_attribute_collection_submit", Reply(400, json=_data(SUBMIT)), {"http-status"}, True),
    ("content-type", "on_attribute_collection_submit",
     Reply(200, body=json.dumps(_data(SUBMIT, CONTINUE_SUBMIT)), headers={"Content-Type": "text/plain"}),
     {"content-type"}, True),
    ("empty-body", "on_attribute_collection_start", Reply(200, body=b"", headers=JSON), {"empty-body"}, True),
    ("non-json-body", "on_attribute_collection_start", Reply(200, body="{", headers=JSON), {"non-json-body"}, True),
    ("missing-data", "on_token_issuance_start", Reply(200, json={"actions": []}), {"missing-data"}, True),
    ("response-data-type", "on_attribute_collection_start",
     Reply(200, json={"data": {**_data(SUBMIT)["data"], "actions": [
         {"@odata.type": f"microsoft.graph.{START}.continueWithDefaultBehavior"}]}}), {"response-data-type"}, True),
    ("no-actions", "on_attribute_collection_submit", Reply(200, json=_data(SUBMIT)), {"action-count"}, True),
    ("two-actions", "on_attribute_collection_submit", Reply(200, json=_data(SUBMIT, CONTINUE_SUBMIT, CONTINUE_SUBMIT)),
     {"action-count"}, True),
    ("action-of-other-event", "on_attribute_collection_submit",
     Reply(200, json=_data(SUBMIT, {"@odata.type": f"microsoft.graph.{START}.setPrefillValues", "inputs": {}})),
     {"invalid-action-type"}, True),
    ("b2c-answer", "on_attribute_collection_submit", Reply(200, json={"version": "1.0.0", "action": "Continue"}),
     {"missing-data"}, True),
    ("missing-inputs", "on_attribute_collection_start", _answer(START, "setPrefillValues"), {"missing-inputs"}, True),
    ("null-claims", "on_token_issuance_start", _answer(TOKEN, "provideClaimsForToken", claims=None), {"null-claims"},
     True),
    ("empty-claim-key", "on_token_issuance_start", _answer(TOKEN, "provideClaimsForToken", claims={"": "x"}),
     {"empty-claim-key"}, True),
    ("claims-size", "on_token_issuance_start", _answer(TOKEN, "provideClaimsForToken", claims={"big": "x" * 3100}),
     {"claims-size"}, True),
    ("unknown-attribute", "on_attribute_collection_submit",
     _answer(SUBMIT, "modifyAttributeValues", attributes={"shoeSize": "42"}), {"unknown-attribute"}, False),
    ("null-value", "on_attribute_collection_start", _answer(START, "setPrefillValues", inputs={"city": None}),
     {"null-value"}, False),
    ("attribute-value-type", "on_attribute_collection_start",
     _answer(START, "setPrefillValues", inputs={f"extension_{APP_HEX}_graduationYear": "2010",
                                                f"extension_{APP_HEX}_groups": ["A", "B"]}),
     {"attribute-value-type"}, False),
    ("claim-value-type", "on_token_issuance_start", _answer(TOKEN, "provideClaimsForToken", claims={"vip": True}),
     {"claim-value-type"}, False),
    ("missing-message", "on_attribute_collection_submit", _answer(SUBMIT, "showValidationError"),
     {"missing-message"}, False),
    ("error-for-unknown-field", "on_attribute_collection_submit",
     _answer(SUBMIT, "showValidationError", message="m", attributeErrors={"shoeSize": "too big"}),
     {"unknown-attribute"}, False),
]


@pytest.mark.parametrize("method, reply, rules, fatal", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_contract_breach_is_a_violation(api: Any, certs: Any, method: str, reply: Reply, rules: set,
                                             fatal: bool) -> None:
    api.handler = lambda request: reply
    outcome = getattr(_extension(api, certs), method)(**({} if method == "on_token_issuance_start" else FORM))
    assert {v.rule for v in outcome.violations} == rules and not outcome.ok
    if fatal:
        assert outcome.action is None and outcome.claims == {}
        assert "sign-in logs: 10030" in outcome.user_sees
        assert all("Entra fails the flow (10030" in v.b2c_does for v in outcome.violations)
    else:
        assert outcome.action is not None


def test_timeout_uses_the_extension_s_client_configuration(api: Any, certs: Any) -> None:
    api.handler = lambda request: Fault.HANG
    outcome = _extension(api, certs, timeout_ms=300).on_token_issuance_start()
    assert len(outcome.attempts) == 2 and [v.rule for v in outcome.violations] == ["timeout"]
    assert "1003005 CustomExtensionTimedOut" in outcome.user_sees and "no token" in outcome.user_sees
    api.handler = lambda request: Reply(200, json={})
    with pytest.raises(ContractViolationError):
        _extension(api, certs, strict=True).on_token_issuance_start()


def test_configuration_is_checked_before_sending() -> None:
    url = "https://events.contoso.com/api"
    with pytest.raises(ConfigurationError, match="bearer token"):
        ExternalIdExtension(url, Basic("u", "p"))
    with pytest.raises(ConfigurationError, match="bearer token"):
        ExternalIdExtension(url, Bearer("bearerToken"))
    with pytest.raises(ConfigurationError, match="200 to 2000"):
        ExternalIdExtension(url, StaticBearer("t"), timeout_ms=5000)
    with pytest.raises(ConfigurationError, match="0 or 1"):
        ExternalIdExtension(url, StaticBearer("t"), maximum_retries=2)
    extension = ExternalIdExtension(url, StaticBearer("t"))
    with pytest.raises(ConfigurationError, match="needs extensions_app_id"):
        extension.body("OnAttributeCollectionSubmit", attributes={"x": "1"})
    with pytest.raises(ConfigurationError, match="unknown authentication event"):
        extension.call("OnPageRenderStart")
    assert extension.body("attribute-collection-start")["type"].endswith("attributeCollectionStart")
