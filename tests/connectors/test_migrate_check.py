"""Migration rehearsal: a B2C policy's REST calls mapped to External ID events, with what breaks (Python, CLI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector_sim import ConfigurationError
from connector_sim.cli import main
from connector_sim.connectors._migrate import migrate_check
from connector_sim.policy import load_policy_text

HANDLER = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
CLAIMS = ("email", "displayName", "password", "otpCode", "loyaltyNumber", "bearerToken", "upperEmail")


def _rest(profile_id: str, *, auth: str = "None", send: str = "Body", url: str = "https://api.contoso.com/x",
          inputs: tuple = ("email",), outputs: tuple = (), extra: str = "") -> str:
    ins = "".join(f'<InputClaim ClaimTypeReferenceId="{c}" />' for c in inputs)
    outs = "".join(f'<OutputClaim ClaimTypeReferenceId="{c}" />' for c in outputs)
    return f"""<TechnicalProfile Id="{profile_id}"><Protocol Name="Proprietary" Handler="{HANDLER}" />
      <Metadata><Item Key="ServiceUrl">{url}</Item><Item Key="AuthenticationType">{auth}</Item>
      <Item Key="SendClaimsIn">{send}</Item><Item Key="AllowInsecureAuthInProduction">true</Item></Metadata>
      <InputClaims>{ins}</InputClaims><OutputClaims>{outs}</OutputClaims>{extra}</TechnicalProfile>"""


POLICY = f"""<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" PolicySchemaVersion="0.3.0.0"
  TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_Migrate" PublicPolicyUri="http://contoso.onmicrosoft.com/x">
  <BuildingBlocks><ClaimsSchema>
    {''.join(f'<ClaimType Id="{c}"><DataType>string</DataType></ClaimType>' for c in CLAIMS)}
  </ClaimsSchema>
  <ClaimsTransformations><ClaimsTransformation Id="Upper" TransformationMethod="CopyClaim">
    <InputClaims><InputClaim ClaimTypeReferenceId="email" TransformationClaimType="inputClaim" /></InputClaims>
    <OutputClaims><OutputClaim ClaimTypeReferenceId="upperEmail" TransformationClaimType="outputClaim" />
    </OutputClaims></ClaimsTransformation></ClaimsTransformations></BuildingBlocks>
  <ClaimsProviders><ClaimsProvider><DisplayName>REST</DisplayName><TechnicalProfiles>
    {_rest("REST-Validate", auth="Basic", outputs=("displayName",))}
    {_rest("REST-Enrich", auth="ClientCertificate", send="QueryString", outputs=("loyaltyNumber",),
           url="https://api.contoso.com/{{email}}",
           extra='<InputClaimsTransformations><InputClaimsTransformation ReferenceId="Upper" />'
                 '</InputClaimsTransformations>')}
    {_rest("REST-LegacyPassword", inputs=("email", "password"), outputs=("displayName",))}
    {_rest("REST-SendOtp", inputs=("email", "otpCode"))}
    {_rest("REST-Audit", url="http://audit.contoso.com/log")}
    {_rest("REST-AcquireAccessToken", auth="Basic", send="Form", inputs=(), outputs=("bearerToken",))}
    <TechnicalProfile Id="SelfAsserted-SignUp"><Protocol Name="Proprietary"
      Handler="Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0" />
      <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-Validate" />
      </ValidationTechnicalProfiles></TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
  <UserJourneys><UserJourney Id="SignUp"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges>
      <ClaimsExchange Id="Form" TechnicalProfileReferenceId="SelfAsserted-SignUp" /></ClaimsExchanges>
    </OrchestrationStep>
    <OrchestrationStep Order="2" Type="ClaimsExchange"><ClaimsExchanges>
      <ClaimsExchange Id="Enrich" TechnicalProfileReferenceId="REST-Enrich" /></ClaimsExchanges></OrchestrationStep>
  </OrchestrationSteps></UserJourney></UserJourneys>
</TrustFrameworkPolicy>"""


@pytest.fixture(scope="module")
def report() -> Any:
    return migrate_check(load_policy_text(POLICY), ["pre-token-issuance"])


def _item(report: Any, source: str) -> Any:
    return next(item for item in report.items if item.source == source)


@pytest.mark.parametrize("source, event, used", [
    ("REST-Validate", "OnAttributeCollectionSubmit", "validation of SelfAsserted-SignUp"),
    ("REST-Enrich", "OnTokenIssuanceStart", "step 2 of journey SignUp"),
    ("REST-LegacyPassword", "OnPasswordSubmit", "not used in a journey"),
    ("REST-SendOtp", "OnOtpSend", "not used in a journey"),
    ("REST-Audit", None, "not used in a journey"),
    ("PreTokenIssuance", "OnTokenIssuanceStart", "user-flow API connector"),
])
def test_each_call_gets_the_event_that_could_carry_it(report: Any, source: str, event: Any, used: str) -> None:
    item = _item(report, source)
    assert item.event == event and item.used_as == used


def test_what_breaks_is_named(report: Any) -> None:
    enrich = " ".join(_item(report, "REST-Enrich").breaks)
    for expected in ("AuthenticationType ClientCertificate", "SendClaimsIn QueryString", "placeholders",
                     "claims transformations", "no error action", "10 s", "2 s", "claims mapping policy"):
        assert expected in enrich, expected
    validate = " ".join(_item(report, "REST-Validate").breaks)
    assert "showValidationError" in validate and "modifyAttributeValues cannot add claims" in validate
    assert "must be https" in " ".join(_item(report, "REST-Audit").breaks)
    assert "Retry or Block" in " ".join(_item(report, "REST-LegacyPassword").breaks)
    token = _item(report, "REST-AcquireAccessToken")
    assert token.obsolete and token.event is None and token.breaks == ()
    assert "5 s" in " ".join(_item(report, "PreTokenIssuance").breaks)


def test_the_report_is_ok_only_when_every_call_has_an_event(report: Any) -> None:
    assert not report.ok  # REST-Audit: a fire-and-forget call has no event
    assert migrate_check(None, ["PostFederationSignup", "PostAttributeCollection"]).ok
    with pytest.raises(ConfigurationError, match="unknown API connector step"):
        migrate_check(None, ["BeforeSignIn"])


def test_the_cli_prints_a_table_and_json(tmp_path: Path, capsys: Any) -> None:
    policy = tmp_path / "policy.xml"
    policy.write_text(POLICY, encoding="utf-8")
    code = main(["migrate-check", "--policy", str(policy), "--user-flow-step", "PostAttributeCollection"])
    out = capsys.readouterr().out
    assert code == 1 and "External ID event" in out and "REST-Enrich" in out and "(not needed)" in out
    code = main(["migrate-check", "--policy", str(policy), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and {i["source"] for i in data["items"]} >= {"REST-Validate", "REST-SendOtp"}
    assert main(["migrate-check", "--user-flow-step", "PreTokenIssuance"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("argv, message", [
    ([], "give policy files"),
    (["--user-flow-step", "Nope"], "unknown API connector step"),
    (["--policy", "/nonexistent/policy.xml"], "policy"),
])
def test_cli_mistakes_exit_2(argv: list, message: str, capsys: Any) -> None:
    assert main(["migrate-check", *argv]) == 2
    assert message in capsys.readouterr().err
    assert main(["migrate-check", *argv, "--json"]) == 2
    assert message in json.dumps(json.loads(capsys.readouterr().out)["error"])
