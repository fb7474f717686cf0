"""The final token of OnTokenIssuanceStart under a claims mapping policy (Graph claimsMappingPolicy)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector_sim import ConfigurationError, StaticBearer
from connector_sim.connectors._external_id import ExternalIdExtension
from connector_sim.testing import Reply, TlsServer

DEFINITION = {"ClaimsMappingPolicy": {"Version": 1, "IncludeBasicClaimSet": "true", "ClaimsSchema": [
    {"Source": "CustomClaimsProvider", "ID": "dateOfBirth", "JwtClaimType": "birthdate"},
    {"Source": "CustomClaimsProvider", "ID": "customRoles", "JwtClaimType": "my_roles"},
    {"Source": "CustomClaimsProvider", "ID": "apiVersion", "JwtClaimType": "apiVersion"},
    {"Source": "CustomClaimsProvider", "ID": "samlOnly", "SamlClaimType": "http://example/claims/x"},
    {"Value": "tokenaug_V2", "JwtClaimType": "policy_version"},
]}}
GRAPH_RESOURCE = {"displayName": "MyClaimsMappingPolicy", "definition": [json.dumps(DEFINITION)]}


def _rules(view: Any) -> dict:
    found: dict = {}
    for finding in view.findings:
        found[finding.rule] = found.get(finding.rule, "") + finding.reason + "; "
    return found


@pytest.mark.parametrize("policy", [DEFINITION, GRAPH_RESOURCE, json.dumps(DEFINITION), GRAPH_RESOURCE["definition"]],
                         ids=["definition", "graph-resource", "json-text", "definition-list"])
def test_mapped_claims_are_renamed_and_constants_added(policy: Any) -> None:
    view = ExternalIdExtension.final_token({"dateOfBirth": "01/01/2000", "customRoles": ["Writer", "Editor"],
                                            "apiVersion": "1.0.0", "samlOnly": "x"}, policy)
    assert dict(view.claims) == {"birthdate": "01/01/2000", "my_roles": ["Writer", "Editor"], "apiVersion": "1.0.0",
                                 "policy_version": "tokenaug_V2"}
    assert view.include_basic_claim_set and set(_rules(view)) == {"no-jwt-claim-type"}


def test_unmapped_case_and_type_mistakes_are_flagged() -> None:
    view = ExternalIdExtension.final_token({"DateOfBirth": "01/01/2000", "loyaltyTier": "gold",
                                            "customRoles": True}, DEFINITION)
    rules = _rules(view)
    assert "'DateOfBirth' differs in case from the mapping's ID 'dateOfBirth'" in rules["case-mismatch"]
    assert "loyaltyTier" in rules["unmapped-claim"] and "bool" in rules["claim-value-type"]
    assert "apiVersion" in rules["mapped-claim-not-returned"]
    assert dict(view.claims) == {"policy_version": "tokenaug_V2"}


def test_missing_or_oversized_claims_fail_the_flow() -> None:
    assert "claims-missing" in _rules(ExternalIdExtension.final_token(None, DEFINITION))
    view = ExternalIdExtension.final_token({"dateOfBirth": "x" * 4000}, DEFINITION)
    assert "4011 bytes" in _rules(view)["claims-size"]


@pytest.mark.parametrize("policy", [{"definition": ["{"]}, {"definition": []}, {"ClaimsSchema": []}, 42],
                         ids=["not-json", "empty-definition", "no-wrapper", "number"])
def test_a_malformed_policy_is_a_configuration_error(policy: Any) -> None:
    with pytest.raises(ConfigurationError):
        ExternalIdExtension.final_token({}, policy)


def test_the_final_token_of_a_live_answer(api: TlsServer, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"data": {
        "@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData",
        "actions": [{"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken",
                     "claims": {"dateOfBirth": "01/01/2000", "customRoles": ["Writer"], "flag": True}}]}})
    with ExternalIdExtension(api.url("/api/claims"), StaticBearer("token-x"), ca_bundle=str(certs.ca_pem)) as ext:
        outcome = ext.on_token_issuance_start()
    view = ext.final_token(outcome, GRAPH_RESOURCE)
    assert view.claims["birthdate"] == "01/01/2000" and view.claims["my_roles"] == ["Writer"]
    assert "flag" in _rules(view)["unmapped-claim"]  # the raw answer is read, not only what Entra kept
