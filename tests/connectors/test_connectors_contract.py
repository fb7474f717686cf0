"""Every way an API connector answer can break B2C's contract, each provoked by a real HTTPS endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from connector_sim import Basic, TimingProfile
from connector_sim.connectors._connector_contract import generic_error_text, judge_answer
from connector_sim.connectors._api_connector import ApiConnector
from connector_sim.testing import Reply, unused_port_url

from tests.helpers import SECRETS

APP = "0d4d5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
OTHER_APP = "ffffffffffffffffffffffffffffffff"
V = {"version": "1.0.0"}
VALIDATION = {**V, "status": 400, "action": "ValidationError", "userMessage": "Fix it."}
PFS, PAC, PTI = "PostFederationSignup", "PostAttributeCollection", "PreTokenIssuance"

# (id, step, reply, expected rules, action B2C takes: None means its generic error page)
CASES = [
    ("error-with-http-200", PAC, Reply(200, json={**VALIDATION}), {"error-with-http-200"}, None),
    ("custom-policy-error-with-200", PAC, Reply(200, json={**V, "status": 409, "userMessage": "No."}),
     {"error-with-http-200", "missing-action"}, None),
    ("validation-error-at-federation", PFS, Reply(400, json=VALIDATION), {"validation-error-wrong-step"}, None),
    ("validation-error-at-token", PTI, Reply(400, json=VALIDATION), {"validation-error-wrong-step"}, None),
    ("validation-error-with-409", PAC, Reply(409, json=VALIDATION), {"validation-error-http-status"}, None),
    ("validation-error-body-status", PAC, Reply(400, json={**VALIDATION, "status": 409}),
     {"validation-error-body-status"}, None),
    ("validation-error-no-body-status", PAC, Reply(400, json={**V, "action": "ValidationError", "userMessage": "x"}),
     {"validation-error-body-status"}, None),
    ("validation-error-no-message", PAC, Reply(400, json={**V, "status": 400, "action": "ValidationError"}),
     {"missing-user-message"}, None),
    ("block-page-no-message", PAC, Reply(200, json={**V, "action": "ShowBlockPage"}), {"missing-user-message"}, None),
    ("block-page-blank-message", PFS, Reply(200, json={**V, "action": "ShowBlockPage", "userMessage": " "}),
     {"missing-user-message"}, None),
    ("block-page-at-token", PTI, Reply(200, json={**V, "action": "ShowBlockPage", "userMessage": "No."}),
     {"action-not-allowed-at-step"}, None),
    ("missing-version", PAC, Reply(200, json={"action": "Continue"}), {"missing-version"}, None),
    ("missing-action", PAC, Reply(200, json={**V}), {"missing-action"}, None),
    ("unknown-action", PAC, Reply(200, json={**V, "action": "Proceed"}), {"unknown-action"}, None),
    ("action-case", PAC, Reply(200, json={**V, "action": "continue"}), {"action-case"}, None),
    ("continue-with-400", PAC, Reply(400, json={**V, "action": "Continue"}), {"http-status"}, None),
    ("unknown-claim", PAC, Reply(200, json={**V, "action": "Continue", "favouriteColour": "blue"}),
     {"unknown-claim"}, "Continue"),
    ("claim-name-case", PAC, Reply(200, json={**V, "action": "Continue", "PostalCode": "1"}), {"unknown-claim"},
     "Continue"),
    ("email-at-token", PTI, Reply(200, json={**V, "action": "Continue", "email": "x@y.z"}), {"read-only-claim"},
     "Continue"),
    ("object-id", PAC, Reply(200, json={**V, "action": "Continue", "objectId": "o"}), {"read-only-claim"}, "Continue"),
    ("foreign-app-id", PAC, Reply(200, json={**V, "action": "Continue", f"extension_{OTHER_APP}_tier": "gold"}),
     {"extension-app-id"}, "Continue"),
    ("null-claim", PAC, Reply(200, json={**V, "action": "Continue", "city": None}), {"null-claim"}, "Continue"),
    ("built-in-not-string", PAC, Reply(200, json={**V, "action": "Continue", "postalCode": 98052}),
     {"claim-value-type"}, "Continue"),
    ("custom-is-object", PAC, Reply(200, json={**V, "action": "Continue", "extension_tier": {"a": 1}}),
     {"claim-value-type"}, "Continue"),
    ("non-json-body", PAC, Reply(200, body="OK"), {"non-json-body"}, None),
    ("empty-body", PAC, Reply(200, body=b""), {"non-json-body"}, None),
    ("body-not-object", PAC, Reply(200, json=[{"action": "Continue"}]), {"body-not-object"}, None),
    ("http-401", PAC, Reply(401, json={}), {"http-status"}, None),
    ("http-403", PFS, Reply(403, body="Forbidden"), {"http-status"}, None),
    ("http-500", PTI, Reply(500, body="boom"), {"http-status"}, None),
    ("http-201", PAC, Reply(201, json={**V, "action": "Continue"}), {"http-status"}, None),
]


@pytest.mark.parametrize("step, reply, rules, action", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_violation_is_reported_with_what_b2c_does(api: Any, certs: Any, step: str, reply: Reply,
                                                       rules: set, action: Any) -> None:
    api.handler = lambda request: reply
    connector = ApiConnector(api.url("/api"), Basic("b2c", SECRETS["password"]), extensions_app_id=APP,
                             ca_bundle=str(certs.ca_pem))
    outcome = connector.call(step, email="a@b.c")
    assert {v.rule for v in outcome.violations} == rules
    assert all(v.reason and v.b2c_does for v in outcome.violations)
    assert outcome.action == action and not outcome.ok
    if action is None:  # the generic error page: no claims kept, B2C's closest documented text
        assert outcome.claims == {} and outcome.user_sees.startswith("AADB2C90")
    else:
        assert outcome.claims == {} and outcome.user_sees is None


def test_uncertain_rules_say_so(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={**V, "action": "CONTINUE"})
    outcome = ApiConnector(api.url("/api"), Basic("u", "p"), ca_bundle=str(certs.ca_pem)).post_attribute_collection()
    (violation,) = outcome.violations
    assert "UNCONFIRMED" in violation.b2c_does and "'Continue'" in violation.reason


def test_generic_error_texts_are_b2c_s_closest_documented_ones() -> None:
    assert generic_error_text("ApiConnector", PAC, 500) == (
        "AADB2C90075: The claims exchange 'ApiConnector' specified in step 'PostAttributeCollection' returned "
        "HTTP error response with Code 'InternalServerError' and Reason 'Internal Server Error'.")
    assert "Code 'Unauthorized' and Reason 'Nope'" in generic_error_text("C", PAC, 401, "Nope")
    assert generic_error_text("C", PAC, 400).startswith("AADB2C90261")
    assert generic_error_text("C", PAC, 200).startswith("AADB2C90048")


def test_all_problems_of_one_answer_are_listed() -> None:
    verdict = judge_answer(PFS, 200, b'{"action": "ShowBlockPage", "userMessage": null, "city": "x"}')
    assert {v.rule for v in verdict.violations} == {"missing-version", "missing-user-message"}


def test_without_an_app_id_custom_claims_are_kept_as_named_with_a_warning() -> None:
    verdict = judge_answer(PAC, 200, b'{"version": "1", "action": "Continue", "extension_tier": "gold"}')
    assert verdict.claims == {"extension_tier": "gold"} and verdict.warnings


def test_connection_refused_and_oversized_answers_are_violations(api: Any, certs: Any) -> None:
    fast = TimingProfile("fast", 0.3, 1)
    refused = ApiConnector(unused_port_url("/api"), Basic("u", "p"), timing=fast, ca_bundle=str(certs.ca_pem))
    outcome = refused.post_attribute_collection(email="a@b.c")
    assert [v.rule for v in outcome.violations] == ["transport-error"] and len(outcome.attempts) == 2
    assert outcome.user_sees.startswith("Failed to establish connection to restful service end point.")
    api.handler = lambda request: Reply(200, body_size=4096)
    small = ApiConnector(api.url("/api"), Basic("u", "p"), ca_bundle=str(certs.ca_pem), max_response_bytes=1024)
    outcome = small.post_attribute_collection(email="a@b.c")
    assert [v.rule for v in outcome.violations] == ["response-too-large"] and outcome.action is None
