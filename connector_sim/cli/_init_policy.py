"""The policy files ``connector-sim init`` writes: the article's REST profiles, split as B2C's starter pack splits them.

Claim types, session management and the token issuer in the base; REST-AcquireAccessToken and
REST-GetProfile (the demo's policy, connector_sim/demo/policy.py, with ``{Settings:...}`` for what
differs per environment), a sign-up page that validates with them and the LoyaltyLookup journey in
the extensions; a relying party that runs the journey.
"""

from __future__ import annotations

__all__ = ["BASE", "EXTENSIONS", "RELYING_PARTY"]


def _protocol(handler: str) -> str:
    """A ``<Protocol>`` element naming one of B2C's built-in providers (one line, as the starter pack writes it)."""
    return (f'<Protocol Name="Proprietary" Handler="{handler}, Web.TPEngine, Version=1.0.0.0, Culture=neutral, '
            'PublicKeyToken=null" />')


_HEADER = """<?xml version="1.0" encoding="utf-8" ?>
<TrustFrameworkPolicy
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"
  PolicySchemaVersion="0.3.0.0"
  TenantId="yourtenant.onmicrosoft.com"
  PolicyId="{policy_id}"
  PublicPolicyUri="http://yourtenant.onmicrosoft.com/{policy_id}">
"""

BASE = _HEADER.format(policy_id="B2C_1A_TrustFrameworkBase") + """
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="bearerToken"><DisplayName>Bearer token</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="grant_type"><DisplayName>Grant type</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="scope"><DisplayName>scope</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="email"><DisplayName>Email address</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="loyaltyNumber"><DisplayName>Loyalty number</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="loyaltyTier"><DisplayName>Loyalty tier</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="objectId"><DisplayName>User's Object ID</DisplayName><DataType>string</DataType></ClaimType>
    </ClaimsSchema>
  </BuildingBlocks>

  <ClaimsProviders>
    <ClaimsProvider>
      <DisplayName>Session Management</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="SM-Noop">
          <DisplayName>Noop Session Management Provider</DisplayName>
          @NOOP@
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
    <ClaimsProvider>
      <DisplayName>Token Issuer</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="JwtIssuer">
          <DisplayName>JWT Issuer</DisplayName>
          <Protocol Name="OpenIdConnect" />
          <OutputTokenFormat>JWT</OutputTokenFormat>
          <Metadata>
            <Item Key="client_id">{service:te}</Item>
            <Item Key="issuer_refresh_token_user_identity_claim_type">objectId</Item>
          </Metadata>
          <CryptographicKeys>
            <Key Id="issuer_secret" StorageReferenceId="B2C_1A_TokenSigningKeyContainer" />
            <Key Id="issuer_refresh_token_key" StorageReferenceId="B2C_1A_TokenEncryptionKeyContainer" />
          </CryptographicKeys>
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
</TrustFrameworkPolicy>
""".replace("@NOOP@", _protocol("Web.TPEngine.SSO.NoopSSOSessionProvider"))

EXTENSIONS = _HEADER.format(policy_id="B2C_1A_TrustFrameworkExtensions") + """
  <BasePolicy>
    <TenantId>yourtenant.onmicrosoft.com</TenantId>
    <PolicyId>B2C_1A_TrustFrameworkBase</PolicyId>
  </BasePolicy>

  <ClaimsProviders>
    <ClaimsProvider>
      <DisplayName>REST APIs</DisplayName>
      <TechnicalProfiles>
        <!-- "Secure your API used for API connectors", section "Using OAuth2 Bearer". -->
        <TechnicalProfile Id="REST-AcquireAccessToken">
          <DisplayName></DisplayName>
          @PROTOCOL@
          <Metadata>
            <Item Key="ServiceUrl">https://login.microsoftonline.com/{Settings:Tenant}/oauth2/v2.0/token</Item>
            <Item Key="AuthenticationType">Basic</Item>
            <Item Key="SendClaimsIn">Form</Item>
          </Metadata>
          <CryptographicKeys>
            <Key Id="BasicAuthenticationUsername" StorageReferenceId="B2C_1A_SecureRESTClientId" />
            <Key Id="BasicAuthenticationPassword" StorageReferenceId="B2C_1A_SecureRESTClientSecret" />
          </CryptographicKeys>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="grant_type" DefaultValue="client_credentials"
                        AlwaysUseDefaultValue="true" />
            <InputClaim ClaimTypeReferenceId="scope" DefaultValue="{Settings:LoyaltyApiScope}"
                        AlwaysUseDefaultValue="true" />
          </InputClaims>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="bearerToken" PartnerClaimType="access_token" />
          </OutputClaims>
          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Noop" />
        </TechnicalProfile>

        <TechnicalProfile Id="REST-GetProfile">
          <DisplayName>Get user extended profile Azure Function web hook</DisplayName>
          @PROTOCOL@
          <Metadata>
            <Item Key="ServiceUrl">{Settings:LoyaltyApiUrl}</Item>
            <Item Key="SendClaimsIn">Body</Item>
            <Item Key="AuthenticationType">Bearer</Item>
            <Item Key="UseClaimAsBearerToken">bearerToken</Item>
            <Item Key="AllowInsecureAuthInProduction">false</Item>
          </Metadata>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="bearerToken" />
            <InputClaim ClaimTypeReferenceId="email" />
          </InputClaims>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="loyaltyNumber" />
            <OutputClaim ClaimTypeReferenceId="loyaltyTier" PartnerClaimType="tier" />
          </OutputClaims>
          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Noop" />
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
    <ClaimsProvider>
      <DisplayName>Self Asserted</DisplayName>
      <TechnicalProfiles>
        <!-- A sign-up page: on submit, B2C runs the validation profiles in order. -->
        <TechnicalProfile Id="SelfAsserted-LoyaltySignUp">
          <DisplayName>Join the loyalty program</DisplayName>
          @SELF_ASSERTED@
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="email" Required="true" />
            <OutputClaim ClaimTypeReferenceId="loyaltyNumber" />
            <OutputClaim ClaimTypeReferenceId="loyaltyTier" />
          </OutputClaims>
          <ValidationTechnicalProfiles>
            <ValidationTechnicalProfile ReferenceId="REST-AcquireAccessToken" />
            <ValidationTechnicalProfile ReferenceId="REST-GetProfile" />
          </ValidationTechnicalProfiles>
          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Noop" />
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>

  <UserJourneys>
    <!-- The article's orchestration steps: the token first, then the call that uses it. -->
    <UserJourney Id="LoyaltyLookup">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsExchange">
          <ClaimsExchanges>
            <ClaimsExchange Id="REST-AcquireAccessTokens" TechnicalProfileReferenceId="REST-AcquireAccessToken" />
          </ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges>
            <ClaimsExchange Id="REST-GetProfile" TechnicalProfileReferenceId="REST-GetProfile" />
          </ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>
</TrustFrameworkPolicy>
""".replace("@PROTOCOL@", _protocol("Web.TPEngine.Providers.RestfulProvider")).replace(
    "@SELF_ASSERTED@", _protocol("Web.TPEngine.Providers.SelfAssertedAttributeProvider"))

RELYING_PARTY = _HEADER.format(policy_id="B2C_1A_LoyaltyLookup") + """
  <BasePolicy>
    <TenantId>yourtenant.onmicrosoft.com</TenantId>
    <PolicyId>B2C_1A_TrustFrameworkExtensions</PolicyId>
  </BasePolicy>

  <RelyingParty>
    <DefaultUserJourney ReferenceId="LoyaltyLookup" />
    <TechnicalProfile Id="PolicyProfile">
      <DisplayName>PolicyProfile</DisplayName>
      <Protocol Name="OpenIdConnect" />
      <OutputClaims>
        <OutputClaim ClaimTypeReferenceId="email" />
        <OutputClaim ClaimTypeReferenceId="loyaltyNumber" />
        <OutputClaim ClaimTypeReferenceId="loyaltyTier" />
        <OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub"
                     DefaultValue="00000000-0000-0000-0000-000000000000" />
      </OutputClaims>
      <SubjectNamingInfo ClaimType="sub" />
    </TechnicalProfile>
  </RelyingParty>
</TrustFrameworkPolicy>
"""
