"""``connector-sim lint`` and ``connector-sim inspect`` through the entry point: exit codes, shapes, no secret."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from connector_sim.cli import main

from tests.helpers import SECRETS
from tests.helpers.journeys import ARTICLE, CLIENT_ID, JOURNEYS_POLICY, KEYS, write_keys

BAD_POLICY = """<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" PolicySchemaVersion="0.3.0.0"
  TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_Lint" PublicPolicyUri="http://contoso.onmicrosoft.com/B2C_1A_Lint">
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="email"><DataType>string</DataType></ClaimType>
      <ClaimType Id="city"><DataType>string</DataType></ClaimType>
    </ClaimsSchema>
  </BuildingBlocks>
  <ClaimsProviders>
    <ClaimsProvider>
      <DisplayName>REST</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="REST-Validate">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata>
            <Item Key="ServiceUrl">SERVICE_URL</Item>
            <Item Key="AuthenticationType">None</Item>
            <Item Key="SendClaimsIn">Body</Item>INSECURE
          </Metadata>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="email" />
          </InputClaims>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="city" PartnerClaimType="address.0.city" />
          </OutputClaims>
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
</TrustFrameworkPolicy>
"""


def _policy(tmp_path: Path, url: str, insecure: bool) -> Path:
    text = BAD_POLICY.replace("SERVICE_URL", url).replace(
        "INSECURE", '\n            <Item Key="AllowInsecureAuthInProduction">true</Item>' if insecure else "")
    path = tmp_path / "TrustFrameworkExtensions.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def cli(capsys: Any) -> Any:
    """Run the CLI; return (code, stdout, stderr); never a traceback nor a secret."""

    def go(*argv: str) -> Any:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        basic = base64.b64encode(f"{CLIENT_ID}:{SECRETS['client_secret']}".encode()).decode()
        for secret in [*SECRETS.values(), basic]:
            assert secret not in out + err
        return code, out, err

    return go


# -- lint ----------------------------------------------------------------------------------------------------

def test_lint_clean_policy_exits_0(cli: Any) -> None:
    code, out, _ = cli("lint", "--policy", str(JOURNEYS_POLICY))
    assert code == 0 and "0 error(s), 0 warning(s)" in out


def test_lint_errors_exit_1_with_file_and_line(cli: Any, tmp_path: Path) -> None:
    policy = _policy(tmp_path, "http://api.contoso.com/validate", insecure=False)
    code, out, _ = cli("lint", "--policy", str(policy))

    assert code == 1
    assert f"{policy}:17: error: AADB2C90256 [REST-Validate]" in out
    assert "AADB2C90258" in out and "address.0.city" in out


def test_lint_json_shape(cli: Any, tmp_path: Path) -> None:
    policy = _policy(tmp_path, "http://api.contoso.com/validate", insecure=False)
    code, out, _ = cli("lint", "--policy", str(policy), "--json")

    data = json.loads(out)
    assert code == 1 and set(data) == {"findings", "errors", "warnings", "error"} and data["error"] is None
    assert data["errors"] == sum(f["severity"] == "error" for f in data["findings"]) >= 2
    codes = {f["code"]: f for f in data["findings"]}
    assert codes["AADB2C90256"]["file"] == str(policy) and codes["AADB2C90256"]["line"] == 17


def test_lint_warnings_only_exit_0(cli: Any, tmp_path: Path) -> None:
    policy = _policy(tmp_path, "https://api.contoso.com/validate", insecure=True)
    code, out, _ = cli("lint", "--policy", str(policy), "--json")

    data = json.loads(out)
    assert code == 0 and data["errors"] == 0 and data["warnings"] >= 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [("<TrustFrameworkPolicy>\n<a>\n</TrustFrameworkPolicy>", ":3:"),
     ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "boom">]>\n<TrustFrameworkPolicy>&e;</TrustFrameworkPolicy>',
      "DOCTYPE"),
     (None, "cannot read")],
    ids=["malformed", "doctype", "missing-file"],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_lint_unreadable_policy_exits_2(cli: Any, tmp_path: Path, content: Any, expected: str, as_json: bool) -> None:
    path = tmp_path / "policy.xml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = cli("lint", "--policy", str(path), *(["--json"] if as_json else []))

    assert code == 2 and expected in err
    if as_json:
        data = json.loads(out)
        assert data["findings"] == [] and expected in data["error"]["message"]


# -- inspect -------------------------------------------------------------------------------------------------

def test_inspect_shows_the_request_with_secrets_masked(cli: Any, tmp_path: Path) -> None:
    keys = write_keys(tmp_path)
    code, out, _ = cli("inspect", "REST-AcquireAccessToken", "--policy", str(JOURNEYS_POLICY), "--keys", str(keys))

    assert code == 0
    assert "POST https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" in out
    assert "Authorization: Basic ***" in out
    assert "grant_type=client_credentials&scope=api%3A%2F%2Fcontoso-api%2F.default" in out
    assert "B2C_1A_SecureRESTClientSecret" in out and "nothing was sent" in out


def test_inspect_json_shape_and_missing_keys(cli: Any) -> None:
    code, out, _ = cli("inspect", "REST-Promo", "--policy", str(JOURNEYS_POLICY), "--claim", "email=a@contoso.com",
                       "--service-url", "REST-Promo=https://127.0.0.1:8443", "--json")

    data = json.loads(out)
    assert code == 0 and set(data) == {"profile", "request", "notes", "error"}
    assert data["profile"]["cryptographicKeys"] == [
        {"id": "x-functions-key", "storageReferenceId": "B2C_1A_RestApiKey", "value": "<missing: B2C_1A_RestApiKey>"}]
    assert data["request"] == {"method": "POST", "url": "https://127.0.0.1:8443/api/promo",
                               "headers": {"Content-Type": "application/json",
                                           "x-functions-key": "<missing: B2C_1A_RestApiKey>"},
                               "body": '{"email":"a@contoso.com"}'}


def test_inspect_with_api_key_masks_it(cli: Any, tmp_path: Path) -> None:
    code, out, _ = cli("inspect", "REST-Promo", "--policy", str(JOURNEYS_POLICY), "--keys", str(write_keys(tmp_path)),
                       "--json")
    data = json.loads(out)
    assert code == 0 and data["request"]["headers"]["x-functions-key"] == "***"
    assert data["profile"]["cryptographicKeys"][0]["value"] == "***"


def test_inspect_bearer_claim(cli: Any) -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    argv = ["inspect", "REST-GetProfile", "--policy", str(JOURNEYS_POLICY), "--claim", "email=a@contoso.com"]
    code, out, _ = cli(*argv, "--claim", f"bearerToken={token}")
    assert code == 0 and "Authorization: Bearer ***" in out and token not in out

    code, out, _ = cli(*argv)
    assert code == 0 and "not present in the available claims" in out  # B2C's message when the order is wrong


def test_inspect_client_certificate(cli: Any, certs: Any, tmp_path: Path) -> None:
    policy = ["--policy", str(ARTICLE / "03-rest-getprofile-client-certificate.xml")]
    code, out, _ = cli("inspect", "REST-GetProfile", *policy)
    assert code == 0 and "<missing: B2C_1A_RestApiClientCertificate>" in out
    assert "code=***" in out and "your-code" not in out  # the Azure Functions key in the URL
    assert "POST https://your-account.azurewebsites.net/api/GetProfile" in out

    keys = write_keys(tmp_path, {"B2C_1A_RestApiClientCertificate": {"pfx": str(certs.client_pfx),
                                                                     "password": certs.password}})
    code, out, _ = cli("inspect", "REST-GetProfile", *policy, "--keys", str(keys))
    assert code == 0 and "TLS client certificate" in out and certs.password not in out


def test_inspect_other_kinds_send_nothing(cli: Any) -> None:
    code, out, _ = cli("inspect", "SelfAsserted-ProfileUpdate", "--policy", str(JOURNEYS_POLICY), "--json")
    data = json.loads(out)
    assert code == 0 and data["request"] is None
    assert data["profile"]["validationTechnicalProfiles"] == ["REST-AcquireAccessToken", "REST-GetProfile"]
    assert "not HTTP calls" in data["notes"][0]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_inspect_unknown_profile_exits_2(cli: Any, as_json: bool) -> None:
    code, out, err = cli("inspect", "REST-Prom", "--policy", str(JOURNEYS_POLICY), *(["--json"] if as_json else []))
    assert code == 2 and "REST-Promo" in err
    if as_json:
        assert json.loads(out)["error"]["profile"] == "REST-Prom"


def test_keys_file_values_never_printed(cli: Any, tmp_path: Path) -> None:
    keys = write_keys(tmp_path, {**KEYS, "B2C_1A_Unused": SECRETS["password"]})
    for profile_id in ("REST-AcquireAccessToken", "REST-CheckBlocklist", "REST-GetProfile"):
        code, _, _ = cli("inspect", profile_id, "--policy", str(JOURNEYS_POLICY), "--keys", str(keys),
                         "--claim", f"bearerToken={SECRETS['static_token']}")
        assert code == 0


def test_inspect_fills_settings_placeholders(cli: Any, tmp_path: Path) -> None:
    text = JOURNEYS_POLICY.read_text(encoding="utf-8").replace(
        "https://api.contoso.com/api/promo", "https://{Settings:ApiHost}/api/promo")
    policy = tmp_path / "policy.xml"
    policy.write_text(text, encoding="utf-8")
    settings = tmp_path / "appsettings.json"
    settings.write_text(json.dumps({"Environments": [
        {"Name": "Test", "Production": False, "Tenant": "contoso.onmicrosoft.com",
         "PolicySettings": {"ApiHost": "promo.test.contoso.com"}},
        {"Name": "Prod", "Production": True, "Tenant": "contoso.onmicrosoft.com",
         "PolicySettings": {"ApiHost": "promo.contoso.com"}}]}), encoding="utf-8")
    argv = ["inspect", "REST-Promo", "--policy", str(policy), "--json"]

    code, out, _ = cli(*argv, "--settings", str(settings), "--environment", "Test")
    assert code == 0 and json.loads(out)["request"]["url"] == "https://promo.test.contoso.com/api/promo"
    code, _, err = cli(*argv, "--environment", "Test")
    assert code == 2 and "--settings" in err
    code, _, err = cli(*argv, "--settings", str(settings))
    assert code == 2 and "Test" in err and "Prod" in err  # two environments: say which to choose
