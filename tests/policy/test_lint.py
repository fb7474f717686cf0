"""lint: each rule, with the file and line it points at."""

from __future__ import annotations

from pathlib import Path
from typing import List


from connector_sim.keys import KeyStore
from connector_sim.policy._lint import Finding, lint
from connector_sim.policy._policy import load_policy, load_policy_sources, load_policy_text
from connector_sim.policy._settings import Settings

POLICIES = Path(__file__).resolve().parents[1] / "policies"
STARTER = POLICIES / "starter"
HANDLER = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
OK = {"ServiceUrl": "https://api.example.com/x", "AuthenticationType": "Basic"}
BASIC = ('<CryptographicKeys><Key Id="BasicAuthenticationUsername" StorageReferenceId="B2C_1A_U" />'
         '<Key Id="BasicAuthenticationPassword" StorageReferenceId="B2C_1A_P" /></CryptographicKeys>')


def profile(profile_id: str = "REST-T", metadata: dict = OK, body: str = BASIC, include: str = "") -> str:
    items = "\n".join(f'        <Item Key="{k}">{v}</Item>' for k, v in metadata.items())
    protocol = f'<Protocol Name="Proprietary" Handler="{HANDLER}" />' if not include else ""
    include_xml = f'<IncludeTechnicalProfile ReferenceId="{include}" />' if include else ""
    return (f'    <TechnicalProfile Id="{profile_id}">\n      {protocol}\n      <Metadata>\n{items}\n      </Metadata>\n'
            f"      {body}\n      {include_xml}\n    </TechnicalProfile>\n")


def policy(*profiles: str, journeys: str = "", mode: str = "", schema: bool = True) -> str:
    claims = "".join(f'<ClaimType Id="{c}"><DataType>{t}</DataType></ClaimType>' for c, t in [
        ("email", "string"), ("bearerToken", "string"), ("age", "int"), ("objectId", "string"),
        ("payload", "string"), ("odd", "float")])
    blocks = f"<BuildingBlocks><ClaimsSchema>{claims}</ClaimsSchema></BuildingBlocks>" if schema else ""
    deployment = f' DeploymentMode="{mode}"' if mode else ""
    return (f'<TrustFrameworkPolicy PolicyId="B2C_1A_T" TenantId="t"{deployment}>\n  {blocks}\n'
            f"  <ClaimsProviders><ClaimsProvider><TechnicalProfiles>\n{''.join(profiles)}"
            f"  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>\n{journeys}</TrustFrameworkPolicy>\n")


def findings(text: str, **kwargs) -> List[Finding]:
    return load_policy_text(text, name="p.xml").lint(**kwargs)


def codes(text: str, **kwargs) -> List[str]:
    return [f.code for f in findings(text, **kwargs)]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_good_profile_has_no_findings() -> None:
    assert findings(policy(profile())) == []


def test_missing_service_url_and_authentication_type() -> None:
    text = policy(profile(metadata={"SendClaimsIn": "Body"}, body=""))
    found = findings(text)
    assert [f.code for f in found] == ["AADB2C90023", "AADB2C90023"]
    assert {"ServiceUrl" in found[0].message or "ServiceUrl" in found[1].message}
    assert all(f.file == "p.xml" and f.line == line_of(text, 'Id="REST-T"') and f.profile_id == "REST-T" for f in found)


def test_unknown_authentication_type_suggests_the_closest() -> None:
    text = policy(profile(metadata={**OK, "AuthenticationType": "Barer"}))
    (found,) = [f for f in findings(text) if f.code == "AADB2C90024"]
    assert "did you mean 'Bearer'" in found.message and found.line == line_of(text, "Barer")


def test_unknown_send_claims_in_and_bad_booleans() -> None:
    text = policy(profile(metadata={**OK, "SendClaimsIn": "Json", "DebugMode": "yes", "AllowInsecureAuthInProduction": "1"}))
    found = findings(text)
    assert sorted(f.code for f in found) == ["AADB2C90029", "AADB2C90030", "AADB2C90030"]
    assert {f.line for f in found if f.code == "AADB2C90030"} == {line_of(text, "DebugMode"), line_of(text, "AllowInsecure")}


def test_http_service_url_in_production() -> None:
    http = {**OK, "ServiceUrl": "http://api.example.com/x"}
    assert codes(policy(profile(metadata=http))) == ["AADB2C90256"]
    assert codes(policy(profile(metadata={**http, "AllowInsecureAuthInProduction": "true"}))) == []
    assert codes(policy(profile(metadata=http), mode="Development")) == []


def test_authentication_none_in_production() -> None:
    none = {**OK, "AuthenticationType": "None"}
    assert codes(policy(profile(metadata=none, body=""))) == ["AADB2C90258"]
    assert codes(policy(profile(metadata={**none, "AllowInsecureAuthInProduction": "True"}, body=""))) == []
    assert codes(policy(profile(metadata=none, body=""), mode="Development")) == []


def test_placeholder_in_host_and_unparseable_url() -> None:
    assert codes(policy(profile(metadata={**OK, "ServiceUrl": ""}))) == ["AADB2C90026"]
    assert codes(policy(profile(metadata={**OK, "ServiceUrl": "https://{tenant}.example.com/x"}))) == ["AADB2C90026"]
    assert codes(policy(profile(metadata={**OK, "ServiceUrl": "api.example.com/x"}))) == ["AADB2C90026"]


def test_url_placeholders_must_match_an_input_claim() -> None:
    metadata = {**OK, "ServiceUrl": "https://api.example.com/users/{objectId}/{mail}?x={Age}", "SendClaimsIn": "Url"}
    body = BASIC + ('<InputClaims><InputClaim ClaimTypeReferenceId="objectId" />'
                    '<InputClaim ClaimTypeReferenceId="age" /></InputClaims>')
    found = findings(policy(profile(metadata=metadata, body=body)))
    assert [(f.code, f.severity) for f in found] == [("url-placeholder", "warning")] and "{mail}" in found[0].message


def test_bearer_needs_a_claim_or_a_key() -> None:
    bearer = {**OK, "AuthenticationType": "Bearer"}
    assert codes(policy(profile(metadata=bearer, body=""))) == ["AADB2C90192"]
    static = '<CryptographicKeys><Key Id="BearerAuthenticationToken" StorageReferenceId="B2C_1A_T" /></CryptographicKeys>'
    assert codes(policy(profile(metadata=bearer, body=static))) == []


def test_bearer_claim_must_be_an_input_claim() -> None:
    text = policy(profile(metadata={**OK, "AuthenticationType": "Bearer", "UseClaimAsBearerToken": "bearerToken"}, body=""))
    (found,) = findings(text)
    assert found.code == "AADB2C90193" and found.line == line_of(text, "UseClaimAsBearerToken")


ACQUIRE = profile("REST-Acquire", body=BASIC + '<OutputClaims><OutputClaim ClaimTypeReferenceId="bearerToken" '
                  'PartnerClaimType="access_token" /></OutputClaims>')
GET = profile("REST-Get", metadata={**OK, "AuthenticationType": "Bearer", "UseClaimAsBearerToken": "bearerToken"},
              body='<InputClaims><InputClaim ClaimTypeReferenceId="bearerToken" /></InputClaims>')


def journey(*profile_ids: str) -> str:
    steps = "".join(f'<OrchestrationStep Order="{i}" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="E{i}" '
                    f'TechnicalProfileReferenceId="{pid}" /></ClaimsExchanges></OrchestrationStep>\n'
                    for i, pid in enumerate(profile_ids, 1))
    return f'<UserJourneys><UserJourney Id="J"><OrchestrationSteps>\n{steps}</OrchestrationSteps></UserJourney></UserJourneys>\n'


def test_bearer_claim_produced_by_an_earlier_journey_step() -> None:
    assert findings(policy(ACQUIRE, GET, journeys=journey("REST-Acquire", "REST-Get"))) == []
    text = policy(ACQUIRE, GET, journeys=journey("REST-Get", "REST-Acquire"))
    (found,) = findings(text)
    assert (found.code, found.severity, found.profile_id) == ("AADB2C90194", "warning", "REST-Get")
    assert "user journey 'J' step 1" in found.message and found.line == line_of(text, 'TechnicalProfileReferenceId="REST-Get"')


def test_bearer_claim_in_validation_lists() -> None:
    def owner(*refs: str) -> str:
        validations = "".join(f'<ValidationTechnicalProfile ReferenceId="{r}" />' for r in refs)
        return ('<TechnicalProfile Id="SelfAsserted-X"><Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.'
                'SelfAssertedAttributeProvider, Web.TPEngine" /><OutputClaims><OutputClaim ClaimTypeReferenceId="email" />'
                f"</OutputClaims><ValidationTechnicalProfiles>{validations}</ValidationTechnicalProfiles></TechnicalProfile>")

    assert findings(policy(ACQUIRE, GET, owner("REST-Acquire", "REST-Get"))) == []
    (found,) = findings(policy(ACQUIRE, GET, owner("REST-Get", "REST-Acquire")))
    assert found.code == "AADB2C90194" and "ValidationTechnicalProfiles of 'SelfAsserted-X'" in found.message


def test_unused_bearer_profile_is_not_judged_on_its_producers() -> None:
    assert findings(policy(GET)) == []


def test_api_key_header_needs_exactly_one_key() -> None:
    api = {**OK, "AuthenticationType": "ApiKeyHeader"}
    two = ('<CryptographicKeys><Key Id="x-functions-key" StorageReferenceId="B2C_1A_A" />'
           '<Key Id="x-api-key" StorageReferenceId="B2C_1A_B" /></CryptographicKeys>')
    assert codes(policy(profile(metadata=api, body=two))) == ["one-api-key-header"]
    assert codes(policy(profile(metadata=api, body=""))) == ["AADB2C90025"]
    bad = '<CryptographicKeys><Key Id="x functions key" StorageReferenceId="B2C_1A_A" /></CryptographicKeys>'
    assert codes(policy(profile(metadata=api, body=bad))) == ["AADB2C90025"]


def test_keys_that_do_not_fit_the_authentication_type() -> None:
    body = BASIC.replace("</CryptographicKeys>", '<Key Id="BearerAuthenticationToken" StorageReferenceId="B2C_1A_T" />'
                                                  "</CryptographicKeys>")
    text = policy(profile(body=body))
    (found,) = findings(text)
    assert (found.code, found.severity) == ("unused-key", "warning") and found.line == line_of(text, "BearerAuthenticationToken")
    get_with_key = profile("REST-Get", metadata={**OK, "AuthenticationType": "Bearer", "UseClaimAsBearerToken": "bearerToken"},
                           body='<CryptographicKeys><Key Id="BearerAuthenticationToken" StorageReferenceId="B2C_1A_T" />'
                                '</CryptographicKeys><InputClaims><InputClaim ClaimTypeReferenceId="bearerToken" /></InputClaims>')
    assert codes(policy(get_with_key)) == ["unused-key"]
    assert codes(policy(profile(metadata={**OK, "UseClaimAsBearerToken": "bearerToken"}))) == ["unused-metadata"]


def test_required_keys_of_the_authentication_type() -> None:
    only_user = '<CryptographicKeys><Key Id="BasicAuthenticationUsername" StorageReferenceId="B2C_1A_U" /></CryptographicKeys>'
    (found,) = findings(policy(profile(body=only_user)))
    assert found.code == "AADB2C90025" and "BasicAuthenticationPassword" in found.message
    cert = {**OK, "AuthenticationType": "ClientCertificate"}
    assert codes(policy(profile(metadata=cert, body=""))) == ["AADB2C90025"]


def test_policy_keys_missing_from_the_keystore() -> None:
    text = policy(profile())
    found = findings(text, keys=KeyStore.from_dict({"U": "user"}))
    assert [f.code for f in found] == ["AADB2C90130"] and "B2C_1A_P" in found[0].message
    assert found[0].line == line_of(text, "B2C_1A_P")
    assert findings(text, keys=KeyStore.from_dict({"U": "user", "B2C_1A_P": "pw"})) == []


def test_dotted_json_paths_when_resolving() -> None:
    body = BASIC + '<OutputClaims><OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="contacts.0.emails.1.address" />' \
                   '<OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="data[0].id" /></OutputClaims>'
    text = policy(profile(metadata={**OK, "ResolveJsonPathsInJsonTokens": "true"}, body=body))
    (found,) = findings(text)
    assert found.code == "json-path-brackets" and "'contacts[0].emails[1].address'" in found.message
    assert found.line == line_of(text, "contacts.0")


def test_nested_paths_without_resolving() -> None:
    body = BASIC + '<OutputClaims><OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="contact.email" /></OutputClaims>'
    assert codes(policy(profile(body=body))) == ["json-path-not-resolved"]
    assert codes(policy(profile(metadata={**OK, "ResolveJsonPathsInJsonTokens": "false"}, body=body))) == ["json-path-not-resolved"]


def test_claims_missing_from_the_schema_and_unknown_types() -> None:
    body = BASIC + ('<InputClaims><InputClaim ClaimTypeReferenceId="ghost" /></InputClaims>'
                    '<OutputClaims><OutputClaim ClaimTypeReferenceId="odd" /></OutputClaims>')
    text = policy(profile(body=body))
    found = {f.code: f for f in findings(text)}
    assert sorted(found) == ["claim-not-in-schema", "unknown-data-type"]
    assert found["claim-not-in-schema"].line == line_of(text, '"ghost"')
    assert "'float'" in found["unknown-data-type"].message and found["unknown-data-type"].line == line_of(text, "float")


def test_no_claims_schema_at_all_is_one_warning() -> None:
    body = BASIC + '<InputClaims><InputClaim ClaimTypeReferenceId="ghost" /></InputClaims>'
    found = findings(policy(profile(body=body), schema=False))
    assert [(f.code, f.severity, f.file) for f in found] == [("no-claims-schema", "warning", None)]


def test_claim_used_for_request_payload_and_duplicate_names() -> None:
    inputs = BASIC + '<InputClaims><InputClaim ClaimTypeReferenceId="age" /></InputClaims>'
    assert codes(policy(profile(metadata={**OK, "ClaimUsedForRequestPayload": "payload"}, body=inputs))) == ["AADB2C90023"]
    assert codes(policy(profile(metadata={**OK, "ClaimUsedForRequestPayload": "age"}, body=inputs))) == ["AADB2C90023"]
    dup = BASIC + ('<InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="id" />'
                   '<InputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="id" /></InputClaims>')
    assert codes(policy(profile(body=dup))) == ["AADB2C99022"]


def test_unknown_metadata_gets_a_suggestion() -> None:
    text = policy(profile(metadata={**OK, "SendClaimIn": "Form"}))
    (found,) = findings(text)
    assert (found.code, found.severity) == ("unknown-metadata", "warning") and "did you mean 'SendClaimsIn'" in found.message


def test_bad_always_use_default_value() -> None:
    body = BASIC + '<InputClaims><InputClaim ClaimTypeReferenceId="email" AlwaysUseDefaultValue="yes" DefaultValue="x" /></InputClaims>'
    assert codes(policy(profile(body=body))) == ["AADB2C90030"]


def test_unknown_references_and_missing_includes() -> None:
    owner = ('<TechnicalProfile Id="S"><ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="Nope" />'
             '</ValidationTechnicalProfiles><IncludeTechnicalProfile ReferenceId="Gone" /></TechnicalProfile>')
    found = findings(policy(profile(), owner, journeys=journey("REST-T", "Missing")))
    assert sorted((f.code, f.profile_id) for f in found) == [
        ("unknown-profile", "Missing"), ("unknown-profile", "S"), ("unknown-profile", "S")]


def test_include_only_base_profile_may_leave_required_metadata_to_its_users() -> None:
    common = profile("REST-Common", metadata={"AuthenticationType": "Basic"})
    child = profile("REST-Child", metadata={"ServiceUrl": "https://api.example.com/child"}, body="", include="REST-Common")
    assert findings(policy(common, child, journeys=journey("REST-Child"))) == []
    assert codes(policy(common, child, journeys=journey("REST-Common"))) == ["AADB2C90023"]


def test_bad_deployment_mode() -> None:
    assert codes(policy(profile(), mode="Debug")) == ["AADB2C90026"]


def test_unresolved_settings_in_rest_profiles() -> None:
    body = BASIC + '<InputClaims><InputClaim ClaimTypeReferenceId="email" DefaultValue="{Settings:Mail}" /></InputClaims>'
    text = policy(profile(metadata={**OK, "ServiceUrl": "{Settings:Api}/x"}, body=body))
    assert codes(text) == ["unresolved-setting", "unresolved-setting"]


def test_starter_pack_is_clean_with_settings_and_keys() -> None:
    loaded = load_policy(STARTER, settings=Settings.from_file(STARTER / "appsettings.json", "Development"))
    assert loaded.lint(keys=KeyStore.from_file(STARTER / "keys.json")) == []


def test_article_snippets_have_no_errors() -> None:
    article = sorted((POLICIES / "secure-rest-api").glob("*rest-*.xml"))
    for path in article:
        errors = [f for f in load_policy(path).lint() if f.severity == "error"]
        assert errors == [], path.name


def test_findings_are_sorted_printable_and_json_ready() -> None:
    text = policy(profile("REST-B", metadata={"AuthenticationType": "Basic"}), profile("REST-A", metadata={**OK, "DebugMode": "x"}))
    found = lint(load_policy_sources([("p.xml", text)]))
    assert [f.line for f in found] == sorted(f.line for f in found)
    assert str(found[0]).startswith(f"p.xml:{found[0].line}: error: AADB2C90023: ")
    assert found[0].to_dict() == {"severity": "error", "code": "AADB2C90023", "message": found[0].message,
                                  "profile_id": "REST-B", "file": "p.xml", "line": found[0].line}


def test_a_key_pointing_at_an_unset_variable_is_a_finding_not_a_crash(tmp_path, monkeypatch) -> None:
    import json

    from connector_sim import KeyStore, load_policy_text

    monkeypatch.delenv("CS_TEST_UNSET_VAR", raising=False)
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"B2C_1A_RestApiUsername": "u", "B2C_1A_RestApiPassword": {"env": "CS_TEST_UNSET_VAR"}}))
    policy = load_policy_text(
        '<TechnicalProfile Id="REST-X"><Protocol Name="Proprietary" '
        'Handler="Web.TPEngine.Providers.RestfulProvider, Web.TPEngine" /><Metadata>'
        '<Item Key="ServiceUrl">https://api.example/x</Item><Item Key="AuthenticationType">Basic</Item></Metadata>'
        '<CryptographicKeys><Key Id="BasicAuthenticationUsername" StorageReferenceId="B2C_1A_RestApiUsername" />'
        '<Key Id="BasicAuthenticationPassword" StorageReferenceId="B2C_1A_RestApiPassword" /></CryptographicKeys>'
        '</TechnicalProfile>')
    findings = policy.lint(KeyStore.from_file(keys_file))
    assert any("B2C_1A_RestApiPassword" in f.message for f in findings)
