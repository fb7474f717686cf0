"""Claims transformations in journeys and calls, as B2C runs them (spec §2): order, failures, messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector_sim import ClaimsTransformationError
from connector_sim.journey import JourneyResult
from connector_sim.policy._policy import load_policy_text
from connector_sim.testing import Reply
from tests.helpers import FAST

NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"'
REST = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
CT = ("Web.TPEngine.Providers.ClaimsTransformationProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
      "PublicKeyToken=null")
SELF = ("Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
        "PublicKeyToken=null")
NONE_AUTH = ('<Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item>')


def claim(claim_id: str, data_type: str = "string") -> str:
    return (f'<ClaimType Id="{claim_id}"><DisplayName>{claim_id}</DisplayName><DataType>{data_type}</DataType>'
            "</ClaimType>")


POLICY = f"""<TrustFrameworkPolicy {NS} PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com"
  PolicyId="B2C_1A_CT" PublicPolicyUri="http://contoso.onmicrosoft.com/B2C_1A_CT">
  <BuildingBlocks>
    <ClaimsSchema>{claim("email")}{claim("otp")}{claim("requestBody")}{claim("domain")}{claim("isMinor", "boolean")}
      {claim("answerJson")}{claim("displayName")}{claim("greeting")}{claim("objectId")}</ClaimsSchema>
    <ClaimsTransformations>
      <ClaimsTransformation Id="GenerateBody" TransformationMethod="GenerateJson">
        <InputClaims>
          <InputClaim ClaimTypeReferenceId="Email" TransformationClaimType="personalizations.0.to.0.email" />
          <InputClaim ClaimTypeReferenceId="otp"
            TransformationClaimType="personalizations.0.dynamic_template_data.otp" />
        </InputClaims>
        <InputParameters><InputParameter Id="template_id" DataType="string" Value="d-123" /></InputParameters>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="requestBody" TransformationClaimType="outputClaim" />
          </OutputClaims>
      </ClaimsTransformation>
      <ClaimsTransformation Id="DomainOf" TransformationMethod="ParseDomain">
        <InputClaims><InputClaim ClaimTypeReferenceId="email" TransformationClaimType="emailAddress" /></InputClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="domain" TransformationClaimType="domain" /></OutputClaims>
      </ClaimsTransformation>
      <ClaimsTransformation Id="AssertNotMinor" TransformationMethod="AssertBooleanClaimIsEqualToValue">
        <InputClaims><InputClaim ClaimTypeReferenceId="isMinor" TransformationClaimType="inputClaim" /></InputClaims>
        <InputParameters><InputParameter Id="valueToCompareTo" DataType="boolean" Value="false" /></InputParameters>
      </ClaimsTransformation>
      <ClaimsTransformation Id="ReadName" TransformationMethod="GetClaimFromJson">
        <InputClaims><InputClaim ClaimTypeReferenceId="answerJson" TransformationClaimType="inputJson" /></InputClaims>
        <InputParameters><InputParameter Id="claimToExtract" DataType="string" Value="name" /></InputParameters>
        <OutputClaims>
          <OutputClaim ClaimTypeReferenceId="displayName" TransformationClaimType="extractedClaim" /></OutputClaims>
      </ClaimsTransformation>
      <ClaimsTransformation Id="Greet" TransformationMethod="FormatStringClaim">
        <InputClaims><InputClaim ClaimTypeReferenceId="displayName" TransformationClaimType="inputClaim" />
          </InputClaims>
        <InputParameters><InputParameter Id="stringFormat" DataType="string" Value="Hello {{0}}" /></InputParameters>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="greeting" TransformationClaimType="outputClaim" />
          </OutputClaims>
      </ClaimsTransformation>
    </ClaimsTransformations>
    <ContentDefinitions><ContentDefinition Id="api.selfasserted"><LocalizedResourcesReferences>
      <LocalizedResourcesReference Language="en" LocalizedResourcesReferenceId="api.selfasserted.en" />
    </LocalizedResourcesReferences></ContentDefinition></ContentDefinitions>
    <Localization Enabled="true">
      <SupportedLanguages DefaultLanguage="en"><SupportedLanguage>en</SupportedLanguage></SupportedLanguages>
      <LocalizedResources Id="api.selfasserted.en"><LocalizedStrings>
        <LocalizedString ElementType="ErrorMessage"
          StringId="UserMessageIfClaimsTransformationBooleanValueIsNotEqual">Sorry, adults only.</LocalizedString>
      </LocalizedStrings></LocalizedResources>
    </Localization>
  </BuildingBlocks>
  <ClaimsProviders><ClaimsProvider><DisplayName>x</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="REST-SendOtp"><DisplayName>d</DisplayName><Protocol Name="Proprietary" Handler="{REST}" />
      <Metadata><Item Key="ServiceUrl">https://api.example.com/send</Item>{NONE_AUTH}
        <Item Key="SendClaimsIn">Body</Item><Item Key="ClaimUsedForRequestPayload">requestBody</Item></Metadata>
      <InputClaimsTransformations><InputClaimsTransformation ReferenceId="generatebody" /></InputClaimsTransformations>
      <InputClaims><InputClaim ClaimTypeReferenceId="requestBody" /></InputClaims>
    </TechnicalProfile>
    <TechnicalProfile Id="REST-ByDomain"><DisplayName>d</DisplayName><Protocol Name="Proprietary" Handler="{REST}" />
      <Metadata><Item Key="ServiceUrl">https://api.example.com/tenants/{{domain}}</Item>{NONE_AUTH}
        <Item Key="SendClaimsIn">Url</Item></Metadata>
      <InputClaimsTransformations><InputClaimsTransformation ReferenceId="DomainOf" /></InputClaimsTransformations>
      <InputClaims><InputClaim ClaimTypeReferenceId="domain" /></InputClaims>
      <OutputClaims><OutputClaim ClaimTypeReferenceId="answerJson" PartnerClaimType="profile" /></OutputClaims>
      <OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="ReadName" />
        <OutputClaimsTransformation ReferenceId="Greet" /></OutputClaimsTransformations>
    </TechnicalProfile>
    <TechnicalProfile Id="REST-Minor"><DisplayName>d</DisplayName><Protocol Name="Proprietary" Handler="{REST}" />
      <Metadata><Item Key="ServiceUrl">https://api.example.com/minor</Item>{NONE_AUTH}</Metadata>
      <InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>
      <OutputClaims><OutputClaim ClaimTypeReferenceId="isMinor" /></OutputClaims>
      <OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="AssertNotMinor" />
        </OutputClaimsTransformations>
    </TechnicalProfile>
    <TechnicalProfile Id="REST-Guarded"><DisplayName>d</DisplayName><Protocol Name="Proprietary" Handler="{REST}" />
      <Metadata><Item Key="ServiceUrl">https://api.example.com/guarded</Item>{NONE_AUTH}</Metadata>
      <InputClaimsTransformations><InputClaimsTransformation ReferenceId="AssertNotMinor" />
        </InputClaimsTransformations>
      <InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>
    </TechnicalProfile>
    <TechnicalProfile Id="CT-AssertNotMinor"><DisplayName>d</DisplayName><Protocol Name="Proprietary" Handler="{CT}" />
      <OutputClaims><OutputClaim ClaimTypeReferenceId="isMinor" /></OutputClaims>
      <OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="AssertNotMinor" />
        </OutputClaimsTransformations>
    </TechnicalProfile>
    <TechnicalProfile Id="CT-Greet"><DisplayName>d</DisplayName><Protocol Name="Proprietary" Handler="{CT}" />
      <OutputClaims><OutputClaim ClaimTypeReferenceId="displayName" DefaultValue="Ada" /></OutputClaims>
      <OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="Greet" /></OutputClaimsTransformations>
    </TechnicalProfile>
    <TechnicalProfile Id="SelfAsserted-Age"><DisplayName>d</DisplayName><Protocol Name="Proprietary" Handler="{SELF}" />
      <Metadata><Item Key="UserMessageIfClaimsTransformationBooleanValueIsNotEqual">You must be 18 or older.</Item>
      </Metadata>
      <OutputClaims><OutputClaim ClaimTypeReferenceId="isMinor" /></OutputClaims>
      <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="CT-AssertNotMinor" />
      </ValidationTechnicalProfiles>
    </TechnicalProfile>
    <TechnicalProfile Id="SelfAsserted-AgeLocalized"><DisplayName>d</DisplayName>
      <Protocol Name="Proprietary" Handler="{SELF}" />
      <Metadata><Item Key="ContentDefinitionReferenceId">api.selfasserted</Item>
        <Item Key="UserMessageIfClaimsTransformationBooleanValueIsNotEqual">You must be 18 or older.</Item></Metadata>
      <OutputClaims><OutputClaim ClaimTypeReferenceId="isMinor" /></OutputClaims>
      <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="CT-AssertNotMinor" />
      </ValidationTechnicalProfiles>
    </TechnicalProfile>
    <TechnicalProfile Id="SelfAsserted-AgeDefault"><DisplayName>d</DisplayName>
      <Protocol Name="Proprietary" Handler="{SELF}" />
      <OutputClaims><OutputClaim ClaimTypeReferenceId="isMinor" /></OutputClaims>
      <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="CT-AssertNotMinor" />
      </ValidationTechnicalProfiles>
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
  <UserJourneys><UserJourney Id="GreetThenMinor"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges>
      <ClaimsExchange Id="a" TechnicalProfileReferenceId="CT-Greet" /></ClaimsExchanges></OrchestrationStep>
    <OrchestrationStep Order="2" Type="ClaimsExchange"><ClaimsExchanges>
      <ClaimsExchange Id="b" TechnicalProfileReferenceId="CT-AssertNotMinor" /></ClaimsExchanges></OrchestrationStep>
    <OrchestrationStep Order="3" Type="ClaimsExchange"><ClaimsExchanges>
      <ClaimsExchange Id="c" TechnicalProfileReferenceId="REST-Minor" /></ClaimsExchanges></OrchestrationStep>
  </OrchestrationSteps></UserJourney></UserJourneys>
</TrustFrameworkPolicy>
"""


@pytest.fixture
def run(api: Any, certs: Any) -> Any:
    """run_journey on POLICY with every RESTful profile pointed at the local API."""
    policy = load_policy_text(POLICY, name="ct.xml")
    urls = {pid: api.base_url for pid in policy.restful_profile_ids}

    def go(target: Any, claims: Any = None, **kw: Any) -> JourneyResult:
        return policy.run(target, claims=claims or {}, service_urls=urls, ca_bundle=str(certs.ca_pem), timing=FAST,
                          **kw)

    return go


def test_generate_json_feeds_claim_used_for_request_payload(run: Any, api: Any) -> None:
    result = run(["REST-SendOtp"], {"email": "ada@contoso.com", "otp": "346349"})

    assert result.ok, result.error
    body = api.requests[-1].json()
    assert body == {"personalizations": [{"to": [{"email": "ada@contoso.com"}],
                                          "dynamic_template_data": {"otp": "346349"}}], "template_id": "d-123"}
    assert json.loads(result.claims["requestBody"]) == body


def test_an_input_transformation_fills_a_url_placeholder(run: Any, api: Any) -> None:
    api.handler = lambda request: Reply(200, json={"profile": json.dumps({"name": "Ada"})})
    result = run(["REST-ByDomain"], {"email": "ada@contoso.com"})

    assert result.ok, result.error
    assert api.requests[-1].path == "/tenants/contoso.com"
    # Output transformations run in order after the answer's claims are in the bag.
    assert (result.claims["displayName"], result.claims["greeting"]) == ("Ada", "Hello Ada")
    assert set(result.steps[0].claims_added) >= {"domain", "answerJson", "displayName", "greeting"}


def test_a_failing_input_transformation_sends_nothing(run: Any, api: Any) -> None:
    result = run(["REST-Guarded"], {"email": "ada@contoso.com", "isMinor": True})

    assert not result.ok and isinstance(result.error, ClaimsTransformationError)
    assert (result.error.transformation_id, result.error.profile_id) == ("AssertNotMinor", "REST-Guarded")
    assert api.requests == [] and result.steps[0].attempts == 0


def test_invalid_json_in_an_output_transformation_fails_after_the_call(run: Any, api: Any) -> None:
    api.handler = lambda request: Reply(200, json={"profile": "not json"})
    result = run(["REST-ByDomain"], {"email": "ada@contoso.com"})

    assert not result.ok and isinstance(result.error, ClaimsTransformationError)
    assert result.error.transformation_id == "ReadName" and result.error.profile_id == "REST-ByDomain"
    assert len(api.requests) == 1  # the request went out; the step failed after it
    assert "redirected to the relying party" in (result.user_sees or "")


def test_a_failing_output_assertion_fails_the_step_after_the_call(run: Any, api: Any) -> None:
    api.handler = lambda request: Reply(200, json={"isMinor": True})
    result = run(["REST-Minor"], {"email": "ada@contoso.com"})

    assert [(s.profile, s.outcome, s.status) for s in result.steps] == [("REST-Minor", "error", 200)]
    assert isinstance(result.error, ClaimsTransformationError) and len(api.requests) == 1
    assert result.claims["isMinor"] is True  # the answer's claim landed before the assertion ran


def test_claims_transformation_profiles_run_as_orchestration_steps(run: Any, api: Any) -> None:
    api.handler = lambda request: Reply(200, json={"isMinor": False})
    result = run("GreetThenMinor", {"email": "ada@contoso.com", "isMinor": False})

    assert result.ok, result.error
    assert [(s.profile, s.outcome) for s in result.steps] == [
        ("CT-Greet", "success"), ("CT-AssertNotMinor", "success"), ("REST-Minor", "success")]
    assert result.claims["greeting"] == "Hello Ada"  # the output claim's DefaultValue, then Greet


def test_a_failing_assertion_step_stops_the_journey_before_any_call(run: Any, api: Any) -> None:
    result = run("GreetThenMinor", {"email": "ada@contoso.com", "isMinor": True})

    assert [(s.profile, s.outcome) for s in result.steps] == [("CT-Greet", "success"), ("CT-AssertNotMinor", "error")]
    assert api.requests == []


@pytest.mark.parametrize("page, message", [
    ("SelfAsserted-Age", "You must be 18 or older."),
    ("SelfAsserted-AgeLocalized", "Sorry, adults only."),
    ("SelfAsserted-AgeDefault", 'Boolean claim value comparison failed for claim type "inputClaim".'),
], ids=["metadata-key", "localized-string-first", "b2c-default"])
def test_assertion_in_a_validation_profile_shows_the_pages_message(run: Any, page: str, message: str) -> None:
    result = run(page, {"isMinor": True})

    assert not result.ok and result.error.user_message == message
    assert f"the self-asserted page {page!r} is shown again" in result.user_sees
    assert message in result.user_sees


def test_policy_transform_runs_one_transformation_or_a_profile() -> None:
    policy = load_policy_text(POLICY, name="ct.xml")

    assert policy.transform("DomainOf", {"email": "ada@contoso.com"}) == {"domain": "contoso.com"}
    assert policy.transform("CT-Greet", {}) == {"displayName": "Ada", "greeting": "Hello Ada"}
    assert policy.transform("REST-ByDomain", {"EMAIL": "ada@contoso.com"}) == {"domain": "contoso.com"}
    with pytest.raises(ClaimsTransformationError) as caught:
        policy.transform("CT-AssertNotMinor", {"isMinor": True})
    assert caught.value.transformation_id == "AssertNotMinor"
