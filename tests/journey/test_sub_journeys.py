"""Sub journeys as B2C runs them, and claim type ids matched without regard to case in journeys."""

from __future__ import annotations

from typing import Any

import pytest

from connector_sim.journey import JourneyResult, run_journey
from connector_sim.policy._policy import load_policy_sources
from tests.helpers import FAST
from tests.helpers.journeys import JOURNEYS_POLICY, KEYS

REST = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
EXTENSION = f"""<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"
  PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_JourneysExt"
  PublicPolicyUri="http://contoso.onmicrosoft.com/B2C_1A_JourneysExt">
  <BasePolicy><TenantId>contoso.onmicrosoft.com</TenantId><PolicyId>B2C_1A_Journeys</PolicyId></BasePolicy>
  <ClaimsProviders><ClaimsProvider><DisplayName>x</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="REST-PromoUpper">
      <Protocol Name="Proprietary" Handler="{REST}" />
      <Metadata>
        <Item Key="ServiceUrl">https://api.contoso.com/api/promo</Item>
        <Item Key="AuthenticationType">ApiKeyHeader</Item>
        <Item Key="SendClaimsIn">Body</Item>
      </Metadata>
      <CryptographicKeys><Key Id="x-functions-key" StorageReferenceId="B2C_1A_RestApiKey" /></CryptographicKeys>
      <InputClaims><InputClaim ClaimTypeReferenceId="EMAIL" /><InputClaim ClaimTypeReferenceId="isvip" /></InputClaims>
      <OutputClaims><OutputClaim ClaimTypeReferenceId="PROMOCODE" PartnerClaimType="promoCode" /></OutputClaims>
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
  <UserJourneys>
    <UserJourney Id="GuardedSubJourney">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="InvokeSubJourney">
          <Preconditions>
            <Precondition Type="ClaimsExist" ExecuteActionsIf="false">
              <Value>OBJECTID</Value>
              <Action>SkipThisOrchestrationStep</Action>
            </Precondition>
          </Preconditions>
          <JourneyList><Candidate SubJourneyReferenceId="AcquireAndRead" /></JourneyList>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="Promo" TechnicalProfileReferenceId="REST-Promo" /></ClaimsExchanges>
        </OrchestrationStep>
      </OrchestrationSteps>
    </UserJourney>
    <UserJourney Id="TransferThenPromo">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="InvokeSubJourney">
          <JourneyList><Candidate SubJourneyReferenceId="ReadAndLeave" /></JourneyList>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="Promo" TechnicalProfileReferenceId="REST-Promo" /></ClaimsExchanges>
        </OrchestrationStep>
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>
  <SubJourneys>
    <SubJourney Id="ReadAndLeave" Type="Transfer">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="Audit" TechnicalProfileReferenceId="REST-Audit" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </SubJourney>
  </SubJourneys>
</TrustFrameworkPolicy>
"""


@pytest.fixture
def run(service_urls: Any, certs: Any, fake_api: Any) -> Any:
    """run_journey on the journeys policy plus EXTENSION, pointed at the local servers."""
    policy = load_policy_sources([(str(JOURNEYS_POLICY), JOURNEYS_POLICY.read_bytes()), ("ext.xml", EXTENSION)])
    urls = {**service_urls, "REST-PromoUpper": service_urls["REST-Promo"]}

    def go(target: Any, claims: Any = None, **kw: Any) -> JourneyResult:
        return run_journey(policy, target, claims=claims or {}, keys=KEYS, service_urls=urls,
                           ca_bundle=str(certs.ca_pem), timing=FAST, **kw)

    return go


def outcomes(result: JourneyResult) -> list[tuple[str, str]]:
    return [(s.profile, s.outcome) for s in result.steps]


def test_invoke_sub_journey_preconditions_skip_the_whole_sub_journey(run: Any, api: Any) -> None:
    result = run("GuardedSubJourney", {"email": "ada@contoso.com"})

    assert result.ok
    assert outcomes(result) == [("SubJourney AcquireAndRead", "skipped"), ("REST-Promo", "success")]
    assert "ClaimsExist" in result.steps[0].note
    assert [r.path for r in api.requests] == ["/api/promo"]  # B2C would not call the token endpoint


def test_invoke_sub_journey_runs_when_its_precondition_holds(run: Any) -> None:
    # The precondition names OBJECTID; the bag holds objectId: the same claim in B2C.
    result = run("GuardedSubJourney", {"email": "ada@contoso.com", "objectId": "0001"})

    assert outcomes(result) == [("REST-AcquireAccessToken", "success"), ("REST-GetProfile", "success"),
                                ("REST-Promo", "success")]


def test_transfer_sub_journey_does_not_return(run: Any, api: Any) -> None:
    result = run("TransferThenPromo", {"email": "ada@contoso.com"})

    assert result.ok
    assert outcomes(result) == [("REST-Audit", "success")]
    assert [r.path for r in api.requests] == ["/api/audit"]


def test_claim_references_match_whatever_the_case(run: Any, api: Any) -> None:
    # The profile lists EMAIL and isvip; the ClaimsSchema declares email and isVip (boolean).
    result = run(["REST-PromoUpper"], {"Email": "ada@contoso.com", "ISVIP": "true"})

    assert result.ok, result.error
    body = api.requests[-1].json()
    assert body == {"EMAIL": "ada@contoso.com", "isvip": True}  # the profile's spelling; boolean from the schema
    assert list(result.claims) == ["email", "isVip", "promoCode"]  # spelled as the ClaimsSchema declares them
    assert result.claims["PROMOCODE"] == result.claims["promoCode"] == "SPRING-25"
