"""Lint: B2C's upload-time schema rules, ServiceUrl hosts, resolvers in defaults, metadata keys, case."""

from __future__ import annotations

from typing import List

import pytest

from connector_sim.policy._lint import Finding
from connector_sim.policy._policy import load_policy_text

HANDLER = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"'


def policy(profile_body: str = "", journeys: str = "", blocks: str = "", namespace: bool = True) -> str:
    """A whole policy (in B2C's namespace unless told) with one RESTful profile REST-T."""
    claims = ('<ClaimType Id="email"><DisplayName>e</DisplayName><DataType>string</DataType></ClaimType>'
              '<ClaimType Id="surname"><DisplayName>s</DisplayName><DataType>string</DataType></ClaimType>'
              '<ClaimType Id="lcid"><DisplayName>l</DisplayName><DataType>string</DataType></ClaimType>')
    body = profile_body or """
        <Metadata>
          <Item Key="ServiceUrl">https://api.example.com/x</Item>
          <Item Key="AuthenticationType">None</Item>
          <Item Key="AllowInsecureAuthInProduction">true</Item>
        </Metadata>
        <InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>"""
    return f"""<TrustFrameworkPolicy {NS if namespace else ''} PolicySchemaVersion="0.3.0.0"
      TenantId="contoso.onmicrosoft.com"
  PolicyId="B2C_1A_T" PublicPolicyUri="http://contoso.onmicrosoft.com/B2C_1A_T">
  <BuildingBlocks><ClaimsSchema>{claims}</ClaimsSchema>{blocks}</BuildingBlocks>
  <ClaimsProviders><ClaimsProvider><DisplayName>x</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="REST-T">
      <DisplayName>t</DisplayName>
      <Protocol Name="Proprietary" Handler="{HANDLER}" />{body}
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>{journeys}
</TrustFrameworkPolicy>
"""


def findings(text: str, code: str = "") -> List[Finding]:
    found = load_policy_text(text, name="p.xml").lint()
    return [f for f in found if not code or f.code == code]


def test_a_clean_policy_has_no_schema_findings() -> None:
    assert findings(policy()) == []


JOURNEY_STEPS = """
  <UserJourneys><UserJourney Id="J"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges>
      <ClaimsExchange Id="a" TechnicalProfileReferenceId="REST-T" /></ClaimsExchanges></OrchestrationStep>
    <OrchestrationStep Order="1" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
  </OrchestrationSteps></UserJourney></UserJourneys>"""


NESTED = ('<InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>\n<ValidationTechnicalProfiles>'
          '<ValidationTechnicalProfile ReferenceId="REST-T">\n<ValidationTechnicalProfiles />'
          '</ValidationTechnicalProfile></ValidationTechnicalProfiles>')


def line_of(text: str, marker: str, nth: int = 1) -> int:
    """The line of the nth line holding ``marker``."""
    lines = [n for n, line in enumerate(text.split("\n"), start=1) if marker in line]
    return lines[nth - 1]


@pytest.mark.parametrize("text, words, marker", [
    (policy(journeys=JOURNEY_STEPS), "Duplicate key-sequence ['1']", ('Order="1"', 2)),
    (policy().replace("<BuildingBlocks>", "<BuildingBlocks>stray text"), "Character content other than whitespace",
     ("stray text", 1)),
    (policy().replace('<InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>', NESTED),
     "'ValidationTechnicalProfiles': This element is not expected", ('<ValidationTechnicalProfiles />', 1)),
], ids=["duplicate-order", "text-in-element-only-content", "nested-validation-profiles"])
def test_schema_violations_are_errors_with_file_and_line(text: str, words: str, marker: tuple) -> None:
    line = line_of(text, *marker)
    found = findings(text, "schema")
    assert found, "expected a schema finding"
    assert any(words in f.message for f in found), [f.message for f in found]
    assert {f.file for f in found} == {"p.xml"} and found[0].severity == "error"
    assert any(f.line == line for f in found), [(f.line, f.message) for f in found]


def test_files_outside_b2cs_namespace_are_not_schema_checked() -> None:
    assert findings(policy(journeys=JOURNEY_STEPS, namespace=False), "schema") == []


def test_schema_file_is_vendored_with_its_licence() -> None:
    from connector_sim.policy._lint_schema import SCHEMA_PATH

    assert SCHEMA_PATH.is_file()
    assert "MIT License" in (SCHEMA_PATH.parent / "LICENSE-TrustFrameworkPolicy.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("url, bad", [
    ("https://-- deployed app location url --/api/check", True),
    ("https://my_func.azurewebsites.net/api", True),
    ("https://contoso-api.azurewebsites.net/api/check?code=x", False),
    ("https://127.0.0.1:8443/api", False),
    ("https://[::1]:8443/api", False),
], ids=["placeholder", "underscore", "host", "ipv4", "ipv6"])
def test_service_url_host_must_be_a_host_name(url: str, bad: bool) -> None:
    body = f"""<Metadata><Item Key="ServiceUrl">{url.replace('&', '&amp;')}</Item>
        <Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item></Metadata>"""
    found = findings(policy(body), "service-url-host")
    assert bool(found) is bad
    if bad:
        assert found[0].line == 1 + policy(body).split("\n").index(
            next(x for x in policy(body).split("\n") if "ServiceUrl" in x))


@pytest.mark.parametrize("switch, always, warned", [
    ("", "", True), ("true", "", True), ("", 'AlwaysUseDefaultValue="true"', True),
    ("true", 'AlwaysUseDefaultValue="true"', False),
], ids=["neither", "switch-only", "always-only", "both"])
def test_resolver_in_a_default_value_needs_both_switches(switch: str, always: str, warned: bool) -> None:
    item = f'<Item Key="IncludeClaimResolvingInClaimsHandling">{switch}</Item>' if switch else ""
    body = f"""<Metadata><Item Key="ServiceUrl">https://api.example.com/x</Item>
        <Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item>{item}</Metadata>
        <InputClaims><InputClaim ClaimTypeReferenceId="lcid" DefaultValue="{{Culture:LCID}}" {always} />
          </InputClaims>"""
    found = findings(policy(body), "resolver-not-resolved")
    assert bool(found) is warned
    if warned:
        message = found[0].message
        assert found[0].severity == "warning" and "{Culture:LCID}" in message
        assert "Two readings" in message and "resolved value" in message


@pytest.mark.parametrize("key", ["BearerTokenTransmissionMethod", "ClaimResolverUrlFormatting", "ClaimsFormat",
                                 "DebugMode", "UserMessageIfCircuitOpen"])
def test_real_restful_metadata_keys_are_known(key: str) -> None:
    body = f"""<Metadata><Item Key="ServiceUrl">https://api.example.com/x</Item>
        <Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item>
        <Item Key="{key}">true</Item></Metadata>"""
    assert findings(policy(body), "unknown-metadata") == []


@pytest.mark.parametrize("key, suggestion", [
    ("SendClaimIn", "SendClaimsIn"), ("serviceurl", "ServiceUrl"),
    ("ContentDefinitionReferenceId", None), ("ProviderName", None), ("ClaimsResponseFormat", None),
])
def test_did_you_mean_only_for_a_misspelling(key: str, suggestion: str) -> None:
    body = f"""<Metadata><Item Key="ServiceUrl">https://api.example.com/x</Item>
        <Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item>
        <Item Key="{key}">x</Item></Metadata>"""
    found = findings(policy(body), "unknown-metadata")
    assert len(found) == 1
    assert ("did you mean" in found[0].message) is (suggestion is not None)
    if suggestion:
        assert repr(suggestion) in found[0].message


def test_case_only_differences_are_not_findings() -> None:
    # The starter pack declares surname and references surName (its issue #51): one claim in B2C.
    body = """<Metadata><Item Key="ServiceUrl">https://api.example.com/x</Item>
        <Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item>
        <Item Key="ClaimUsedForRequestPayload">EMAIL</Item></Metadata>
        <InputClaims><InputClaim ClaimTypeReferenceId="surName" /><InputClaim ClaimTypeReferenceId="Email" />
          </InputClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="SURNAME" /></OutputClaims>"""
    assert findings(policy(body)) == []


def test_lint_follows_claims_into_a_call_sub_journey() -> None:
    # REST-Token outputs bearerToken in the user journey; the sub journey it then invokes uses it.
    token = f"""<TechnicalProfile Id="REST-Token"><DisplayName>t</DisplayName>
      <Protocol Name="Proprietary" Handler="{HANDLER}" /><Metadata>
      <Item Key="ServiceUrl">https://login.example.com/token</Item><Item Key="AuthenticationType">None</Item>
      <Item Key="AllowInsecureAuthInProduction">true</Item></Metadata>
      <OutputClaims><OutputClaim ClaimTypeReferenceId="BearerToken" PartnerClaimType="access_token" /></OutputClaims>
    </TechnicalProfile>"""
    body = """<Metadata><Item Key="ServiceUrl">https://api.example.com/x</Item>
        <Item Key="AuthenticationType">Bearer</Item><Item Key="UseClaimAsBearerToken">bearerToken</Item></Metadata>
        <InputClaims><InputClaim ClaimTypeReferenceId="bearerToken" /></InputClaims>
    </TechnicalProfile>""" + token + "<TechnicalProfile Id=\"Unused\"><DisplayName>u</DisplayName>"
    journeys = """
  <UserJourneys><UserJourney Id="J"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges>
      <ClaimsExchange Id="a" TechnicalProfileReferenceId="REST-Token" /></ClaimsExchanges></OrchestrationStep>
    <OrchestrationStep Order="2" Type="InvokeSubJourney"><JourneyList>
      <Candidate SubJourneyReferenceId="S" /></JourneyList></OrchestrationStep>
    <OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
  </OrchestrationSteps></UserJourney></UserJourneys>
  <SubJourneys><SubJourney Id="S" Type="Call"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges>
      <ClaimsExchange Id="b" TechnicalProfileReferenceId="REST-T" /></ClaimsExchanges></OrchestrationStep>
  </OrchestrationSteps></SubJourney></SubJourneys>"""
    text = policy(body, journeys=journeys).replace(
        '<ClaimType Id="lcid">', '<ClaimType Id="bearerToken"><DisplayName>b</DisplayName><DataType>string</DataType>'
        '</ClaimType><ClaimType Id="lcid">')
    assert findings(text, "AADB2C90194") == []
    alone = text.replace('<ClaimsExchange Id="a" TechnicalProfileReferenceId="REST-Token" />',
                         '<ClaimsExchange Id="a" TechnicalProfileReferenceId="Unused" />')
    assert [f.code for f in findings(alone, "AADB2C90194")] == ["AADB2C90194"]  # nothing produces it there
