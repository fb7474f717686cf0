"""``run --supplied PROFILE=claims.json`` and the ``transform`` command's usage errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List

import pytest

from connector_sim.cli import main
from tests.helpers import SECRETS
from tests.helpers.journeys import JOURNEYS_POLICY, called_paths, write_keys


@pytest.fixture
def cli(tmp_path: Path, service_urls: Any, certs: Any, capsys: Any) -> Any:
    """Run ``connector-sim run ...`` against the local servers; return (code, out, err)."""
    keys = write_keys(tmp_path)

    def go(*argv: str) -> Any:
        args: List[str] = ["run", "--ca-bundle", str(certs.ca_pem), "--timing", "user-flow", "--policy",
                           str(JOURNEYS_POLICY), "--keys", str(keys), *argv]
        for profile_id, url in service_urls.items():
            args += ["--service-url", f"{profile_id}={url}"]
        code = main(args)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        for secret in SECRETS.values():
            assert secret not in out + err
        return code, out, err

    return go


def test_supplied_answers_another_profile_kind(cli: Any, fake_api: Any, api: Any, tmp_path: Path) -> None:
    # SignUpWithApi: the self-asserted page, AAD-UserWriteUsingEmail, then REST-Audit only if objectId exists.
    answer = tmp_path / "aad.json"
    answer.write_text(json.dumps({"objectId": "0001-aad"}), encoding="utf-8")
    code, out, _ = cli("SignUpWithApi", "--claim", "email=ada@contoso.com", "--json",
                       "--supplied", f"AAD-UserWriteUsingEmail={answer}")

    data = json.loads(out)
    assert code == 0, data
    steps = {s["profile"]: s["outcome"] for s in data["steps"]}
    assert steps["AAD-UserWriteUsingEmail"] == "supplied" and steps["REST-Audit"] == "success"
    assert data["claims"]["objectId"] == "0001-aad" and "/api/audit" in called_paths(api)


def test_without_supplied_the_guarded_step_is_skipped(cli: Any, fake_api: Any, api: Any) -> None:
    code, out, _ = cli("SignUpWithApi", "--claim", "email=ada@contoso.com", "--json")

    steps = {s["profile"]: s["outcome"] for s in json.loads(out)["steps"]}
    assert code == 0 and steps["AAD-UserWriteUsingEmail"] == "skipped" and steps["REST-Audit"] == "skipped"
    assert "/api/audit" not in called_paths(api)


@pytest.mark.parametrize("value, words", [
    ("AAD-UserWriteUsingEmail", "NAME=VALUE"),
    ("AAD-UserWriteUsingEmail={missing}", "cannot read"),
    ("AAD-UserWriteUsingEmail={list}", "JSON object"),
    ("AAD-UserWriteUsingEmai={object}", "AAD-UserWriteUsingEmail"),
], ids=["no-file", "missing-file", "not-an-object", "misspelt-profile"])
def test_bad_supplied_values_exit_2(cli: Any, fake_api: Any, api: Any, tmp_path: Path, value: str,
                                    words: str) -> None:
    (tmp_path / "list.json").write_text("[1]", encoding="utf-8")
    (tmp_path / "object.json").write_text("{}", encoding="utf-8")
    paths = {name: str(tmp_path / f"{name}.json") for name in ("missing", "list", "object")}
    code, _, err = cli("SignUpWithApi", "--supplied", value.format(**paths))

    assert code == 2 and words in err
    assert api.requests == []


def test_transform_usage_errors_exit_2(capsys: Any) -> None:
    code = main(["transform", "NoSuchTransformation", "--policy", str(JOURNEYS_POLICY), "--json"])
    out, err = capsys.readouterr()

    assert code == 2
    assert json.loads(out)["error"]["message"].startswith("'NoSuchTransformation' is neither")
    assert "Traceback" not in err


NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"'
REST = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
POLICY = f"""<TrustFrameworkPolicy {NS} PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com"
  PolicyId="B2C_1A_T" PublicPolicyUri="http://contoso.onmicrosoft.com/B2C_1A_T">
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="email"><DisplayName>e</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="domain"><DisplayName>d</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="isMinor"><DisplayName>m</DisplayName><DataType>boolean</DataType></ClaimType>
    </ClaimsSchema>
    <ClaimsTransformations>
      <ClaimsTransformation Id="DomainOf" TransformationMethod="ParseDomain">
        <InputClaims><InputClaim ClaimTypeReferenceId="email" TransformationClaimType="emailAddress" /></InputClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="domain" TransformationClaimType="domain" /></OutputClaims>
      </ClaimsTransformation>
      <ClaimsTransformation Id="AssertNotMinor" TransformationMethod="AssertBooleanClaimIsEqualToValue">
        <InputClaims><InputClaim ClaimTypeReferenceId="isMinor" TransformationClaimType="inputClaim" /></InputClaims>
        <InputParameters><InputParameter Id="valueToCompareTo" DataType="boolean" Value="false" /></InputParameters>
      </ClaimsTransformation>
    </ClaimsTransformations>
  </BuildingBlocks>
  <ClaimsProviders><ClaimsProvider><DisplayName>x</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="REST-ByDomain"><DisplayName>d</DisplayName><Protocol Name="Proprietary" Handler="{REST}" />
      <Metadata><Item Key="ServiceUrl">https://api.example.com/tenants/{{domain}}</Item>
        <Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item>
        <Item Key="SendClaimsIn">Url</Item></Metadata>
      <InputClaimsTransformations><InputClaimsTransformation ReferenceId="DomainOf" /></InputClaimsTransformations>
      <InputClaims><InputClaim ClaimTypeReferenceId="domain" /></InputClaims>
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
</TrustFrameworkPolicy>
"""


def test_inspect_shows_the_request_after_input_transformations(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "p.xml"
    path.write_text(POLICY, encoding="utf-8")
    code = main(["inspect", "REST-ByDomain", "--policy", str(path), "--claim", "email=ada@contoso.com", "--json"])
    report = json.loads(capsys.readouterr().out)

    assert code == 0, report
    assert report["request"]["url"] == "https://api.example.com/tenants/contoso.com"
    assert any("InputClaimsTransformations ran first (DomainOf); they set domain" in n for n in report["notes"])


@pytest.mark.parametrize("argv, code, outputs", [
    (["DomainOf", "--claim", "email=ada@contoso.com"], 0, {"domain": "contoso.com"}),
    (["REST-ByDomain", "--claim", "email=ada@contoso.com"], 0, {"domain": "contoso.com"}),
    (["AssertNotMinor", "--claim", "isMinor=true"], 1, {}),
], ids=["transformation", "profile", "assertion-fails"])
def test_transform_prints_the_outputs(tmp_path: Path, capsys: Any, argv: List[str], code: int,
                                      outputs: dict) -> None:
    path = tmp_path / "p.xml"
    path.write_text(POLICY, encoding="utf-8")
    assert main(["transform", *argv, "--policy", str(path), "--json"]) == code
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["outputs"] == outputs and "Traceback" not in err
    if code:
        error = data["error"]
        assert error["user_message"] == 'Boolean claim value comparison failed for claim type "inputClaim".'
