"""Every extension event: bad input is one ConfigurationError, any answer gets a verdict (property test)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector_sim import ConfigurationError, StaticBearer
from connector_sim.connectors._extension_contract import (
    EVENTS,
    CallContext,
    judge_extension_answer,
)
from connector_sim.connectors._external_id import ExternalIdExtension
from connector_sim.testing import CertificateSet, Reply, TlsServer

CODE = "90817263"
CLAIMS = {"firstName": "John", "lastName": "Doe", "dateOfBirth": "1990-01-15"}


def _extension(api: TlsServer, certs: CertificateSet, **kw: Any) -> ExternalIdExtension:
    return ExternalIdExtension(api.url("/api/events"), StaticBearer("token-1234"), ca_bundle=str(certs.ca_pem),
                               maximum_retries=0, **kw)


# -- every event: bad input and bad answers ------------------------------------------------

def test_unknown_events_and_fields_are_configuration_errors(api: TlsServer, certs: CertificateSet) -> None:
    extension = _extension(api, certs)
    with pytest.raises(ConfigurationError, match="unknown authentication event"):
        extension.call("OnPageRenderStart")
    with pytest.raises(ConfigurationError, match="takes no password"):
        extension.call("OnOtpSend", email="a@b.c", password="x")
    with pytest.raises(ConfigurationError, match="email address"):
        extension.on_otp_send(email="not an address")
    with pytest.raises(ConfigurationError, match="claims"):
        extension.on_verified_id_claim_validation(claims={})
    with pytest.raises(ConfigurationError, match="behavior_on_error"):
        _extension(api, certs, behavior_on_error="retry")
    assert api.requests == []


@pytest.mark.parametrize("event, fields", [
    ("otp-send", {"email": "a@contoso.com"}),
    ("on_verified_id_claim_validation", {"claims": CLAIMS}),
    ("emailOtpSend", {"email": "a@contoso.com"}),
])
def test_every_event_name_form_is_accepted_and_a_non_json_answer_is_a_violation(
        event: str, fields: dict[str, Any], api: TlsServer, certs: CertificateSet) -> None:
    api.handler = lambda r: Reply(200, body="<html>oops</html>", headers={"Content-Type": "text/html"})
    outcome = _extension(api, certs).call(event, **fields)
    assert {v.rule for v in outcome.violations} == {"content-type", "non-json-body"} and outcome.action is None


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(event=st.sampled_from(sorted(EVENTS)), action=st.sampled_from(
    ["continueWithDefaultBehavior", "MigratePassword", "Block", "Retry", "pass", "failed", "provideClaimsForToken"]),
    fields=st.dictionaries(st.sampled_from(["nonce", "title", "message", "failedClaims", "claims"]), _JSON),
    extra=_JSON)
def test_any_answer_to_a_new_event_gets_a_verdict(event: str, action: str, fields: dict[str, Any], extra: Any) -> None:
    spec = EVENTS[event]
    body = json.dumps({"data": {"@odata.type": spec.response, "nonce": extra, "actions": [
        {"@odata.type": spec.action_prefix + action, **fields}]}}).encode()
    context = CallContext(nonce="n-1", one_time_code=CODE, claim_names=("firstName",))
    verdict = judge_extension_answer(spec, 200, {"Content-Type": "application/json"}, body, context=context)
    assert verdict.action is None or verdict.action in spec.actions


@pytest.mark.parametrize("data_type, action", [
    ("microsoft.graph.onotpsendresponsedata", "microsoft.graph.OtpSend.continueWithDefaultBehavior"),
    ("microsoft.graph.OnOtpSendResponseData", "microsoft.graph.otpsend.continueWithDefaultBehavior"),
], ids=["data-type", "action"])
def test_exact_case_makes_a_case_difference_a_violation(data_type: str, action: str, api: TlsServer,
                                                        certs: CertificateSet) -> None:
    api.handler = lambda r: Reply(200, json={"data": {"@odata.type": data_type, "actions": [{"@odata.type": action}]}})
    lenient = _extension(api, certs).on_otp_send(email="a@contoso.com")
    assert lenient.ok and lenient.warnings
    exact = _extension(api, certs, exact_case=True).on_otp_send(email="a@contoso.com")
    assert [v.rule for v in exact.violations] == ["odata-type-case"] and exact.action is None
