"""Synthesize a starter-pack-sized policy set (base of about 150 KB, extensions, relying party).

Used by the policy speed test and by benchmarks. Import it by path (tests/ is not a package)::

    spec = importlib.util.spec_from_file_location("synth", "tests/policies/synth.py")

or run it to write the files: ``python tests/policies/synth.py OUTDIR [BASE_KB]``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict

NS = ('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
      'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"')
REST = ("Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
        "PublicKeyToken=null")
AAD = ("Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
       "PublicKeyToken=null")
SELF = ("Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
        "PublicKeyToken=null")
TYPES = ("string", "boolean", "int", "long", "dateTime", "stringCollection")


def _header(policy_id: str, base: str = "") -> str:
    base_xml = (f"\n  <BasePolicy>\n    <TenantId>yourtenant.onmicrosoft.com</TenantId>\n"
                f"    <PolicyId>{base}</PolicyId>\n  </BasePolicy>\n") if base else ""
    return (f'<?xml version="1.0" encoding="utf-8" ?>\n<TrustFrameworkPolicy {NS} PolicySchemaVersion="0.3.0.0" '
            f'TenantId="yourtenant.onmicrosoft.com" PolicyId="{policy_id}" '
            f'PublicPolicyUri="http://yourtenant.onmicrosoft.com/{policy_id}">{base_xml}\n')


def _claim_type(i: int) -> str:
    return (f'      <ClaimType Id="claim{i}">\n        <DisplayName>Claim number {i}</DisplayName>\n'
            f'        <DataType>{TYPES[i % len(TYPES)]}</DataType>\n'
            f'        <UserHelpText>Help text for claim {i}, shown next to the field on the page.</UserHelpText>\n'
            f'        <UserInputType>TextBox</UserInputType>\n      </ClaimType>\n')


def _profile(i: int, claims: int) -> str:
    kind = i % 3
    handler, metadata = {
        0: (REST, f'<Item Key="ServiceUrl">https://api.contoso.example/api/p{i}?code=abc</Item>\n'
                  '            <Item Key="AuthenticationType">ApiKeyHeader</Item>\n'
                  '            <Item Key="SendClaimsIn">Body</Item>'),
        1: (AAD, '<Item Key="Operation">Read</Item>\n'
                 '            <Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">true</Item>'),
        2: (SELF, '<Item Key="ContentDefinitionReferenceId">api.selfasserted</Item>'),
    }[kind]
    keys = '<Key Id="x-functions-key" StorageReferenceId="B2C_1A_RestApiKey" />' if kind == 0 else (
        '<Key Id="issuer_secret" StorageReferenceId="B2C_1A_TokenSigningKeyContainer" />')
    ins = "".join(f'            <InputClaim ClaimTypeReferenceId="claim{(i + j) % claims}" />\n' for j in range(4))
    outs = "".join(f'            <OutputClaim ClaimTypeReferenceId="claim{(i + j + 4) % claims}" '
                   f'PartnerClaimType="out{j}" />\n' for j in range(6))
    validations = (f'          <ValidationTechnicalProfiles>\n            <ValidationTechnicalProfile '
                   f'ReferenceId="TP-{i - 2}" />\n          </ValidationTechnicalProfiles>\n') if kind == 2 else ""
    return (f'        <TechnicalProfile Id="TP-{i}">\n          <DisplayName>Technical profile {i}</DisplayName>\n'
            f'          <Protocol Name="Proprietary" Handler="{handler}" />\n'
            f'          <Metadata>\n            {metadata}\n          </Metadata>\n'
            f'          <CryptographicKeys>\n            {keys}\n          </CryptographicKeys>\n'
            f'          <InputClaims>\n{ins}          </InputClaims>\n'
            f'          <OutputClaims>\n{outs}          </OutputClaims>\n{validations}'
            f'          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Noop" />\n'
            f'        </TechnicalProfile>\n')


def _journey(j: int, profiles: int) -> str:
    steps = "".join(
        f'        <OrchestrationStep Order="{k + 1}" Type="ClaimsExchange">\n          <ClaimsExchanges>\n'
        f'            <ClaimsExchange Id="Exchange{k}" TechnicalProfileReferenceId="TP-{(j * 7 + k) % profiles}" />\n'
        f'          </ClaimsExchanges>\n        </OrchestrationStep>\n' for k in range(8))
    return (f'    <UserJourney Id="Journey{j}">\n      <OrchestrationSteps>\n{steps}'
            f'      </OrchestrationSteps>\n    </UserJourney>\n')


def synthesize_policy_set(base_kb: int = 150) -> Dict[str, str]:
    """{file name: XML text} for a base of about ``base_kb`` KB, its extensions and a relying party."""
    claims = max(40, base_kb * 9 // 10)
    profiles = max(30, base_kb * 9 // 20)
    journeys = max(3, base_kb // 25)
    base = (_header("B2C_1A_TrustFrameworkBase") + "  <BuildingBlocks>\n    <ClaimsSchema>\n"
            + "".join(_claim_type(i) for i in range(claims)) + "    </ClaimsSchema>\n  </BuildingBlocks>\n"
            + "  <ClaimsProviders>\n    <ClaimsProvider>\n      <DisplayName>Generated</DisplayName>\n"
            + "      <TechnicalProfiles>\n" + "".join(_profile(i, claims) for i in range(profiles))
            + '        <TechnicalProfile Id="SM-Noop">\n          <Protocol Name="Proprietary" Handler="Web.TPEngine'
            + '.SSO.NoopSSOSessionProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />\n'
            + "        </TechnicalProfile>\n      </TechnicalProfiles>\n    </ClaimsProvider>\n  </ClaimsProviders>\n"
            + "  <UserJourneys>\n" + "".join(_journey(j, profiles) for j in range(journeys))
            + "  </UserJourneys>\n</TrustFrameworkPolicy>\n")
    overrides = "".join(
        f'        <TechnicalProfile Id="TP-{i}">\n          <Metadata>\n'
        f'            <Item Key="ServiceUrl">https://api-ext.contoso.example/api/p{i}</Item>\n'
        f'          </Metadata>\n        </TechnicalProfile>\n' for i in range(0, profiles, 3))
    extensions = (_header("B2C_1A_TrustFrameworkExtensions", "B2C_1A_TrustFrameworkBase")
                  + "  <ClaimsProviders>\n    <ClaimsProvider>\n      <DisplayName>REST APIs</DisplayName>\n"
                  + f"      <TechnicalProfiles>\n{overrides}      </TechnicalProfiles>\n    </ClaimsProvider>\n"
                  + "  </ClaimsProviders>\n</TrustFrameworkPolicy>\n")
    relying_party = (_header("B2C_1A_signup_signin", "B2C_1A_TrustFrameworkExtensions")
                     + '  <RelyingParty>\n    <DefaultUserJourney ReferenceId="Journey0" />\n  </RelyingParty>\n'
                     + "</TrustFrameworkPolicy>\n")
    return {"TrustFrameworkBase.xml": base, "TrustFrameworkExtensions.xml": extensions,
            "SignUpOrSignin.xml": relying_party}


def write_policy_set(directory: Path, base_kb: int = 150) -> Dict[str, Path]:
    """Write the synthesized files into ``directory``; return their paths by name."""
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, text in synthesize_policy_set(base_kb).items():
        out[name] = directory / name
        out[name].write_text(text, encoding="utf-8")
    return out


if __name__ == "__main__":
    written = write_policy_set(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 150)
    for path in written.values():
        print(f"{path} {path.stat().st_size / 1024:.0f} KB")
