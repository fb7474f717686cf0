"""``connector-sim extension EVENT URL`` and ``extension auth-check URL`` through ``cli.main``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from connector_sim.cli import main
from connector_sim.testing import (
    EntraAuthority,
    Reply,
    TlsServer,
    make_self_signed_pfx,
    unused_port_url,
)
from tests.helpers import SECRETS
from tests.helpers.extension_apis import validating_api

APP = "5528a4be-4453-44f1-82f6-2ce4130cac1b"
TOKEN = "static-extension-token-77aa"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXT_TOKEN", TOKEN)
    monkeypatch.setenv("USER_PASSWORD", SECRETS["password"])
    monkeypatch.setenv("PFX_PASSWORD", "pfx-pw-123")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no prompt


def _run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(["extension", *argv])
    captured = capsys.readouterr()
    for secret in (TOKEN, SECRETS["password"], "pfx-pw-123"):
        assert secret not in captured.out and secret not in captured.err
    return code, captured.out, captured.err


def _claims_answer(request: Any) -> Reply:
    return Reply(200, json={"data": {"@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData", "actions": [
        {"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken", "claims": {"role": "Reader"}}]}})


def test_an_event_call_with_a_token_from_the_environment(capsys: Any, api: TlsServer, certs: Any) -> None:
    api.handler = _claims_answer
    code, out, _ = _run(capsys, "token-issuance-start", api.url("/api/claims"), "--token-env", "EXT_TOKEN",
                        "--ca-bundle", str(certs.ca_pem), "--claim", "mail=casey@contoso.com")
    assert code == 0 and "provideClaimsForToken" in out and "flow: goes on" in out and "role" in out
    assert api.requests[-1].header("Authorization") == f"Bearer {TOKEN}"
    assert api.requests[-1].json()["data"]["authenticationContext"]["user"]["mail"] == "casey@contoso.com"


def test_json_and_junit_of_a_broken_answer(capsys: Any, api: TlsServer, certs: Any, tmp_path: Path) -> None:
    api.handler = lambda request: Reply(200, json={"data": {"actions": []}})
    junit = tmp_path / "report.xml"
    code, out, _ = _run(capsys, "OnTokenIssuanceStart", api.url("/api/claims"), "--token-env", "EXT_TOKEN",
                        "--ca-bundle", str(certs.ca_pem), "--json", "--junit", str(junit))
    data = json.loads(out)
    assert code == 1 and data["flow_goes_on"] is False and data["kind"] == "external-id"
    assert {v["rule"] for v in data["violations"]} >= {"response-data-type", "action-count"}
    assert "<failure" in junit.read_text() and TOKEN not in junit.read_text()


def test_a_minted_token_from_the_local_authority(capsys: Any, api: TlsServer, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"data": {
        "@odata.type": "microsoft.graph.OnOtpSendResponseData",
        "actions": [{"@odata.type": "microsoft.graph.OtpSend.continueWithDefaultBehavior"}]}})
    code, out, err = _run(capsys, "OnOtpSend", api.url("/api/otp"), "--app-id", APP, "--email", "casey@contoso.com",
                          "--ca-bundle", str(certs.ca_pem), "--issuer-format", "login")
    assert code == 0 and "continueWithDefaultBehavior" in out and "openid-configuration" in err
    sent = api.requests[-1]
    code_sent = sent.json()["data"]["otpContext"]["oneTimeCode"]
    assert code_sent not in out and sent.header("Authorization").startswith("Bearer ey")


def test_password_submit_from_the_cli(capsys: Any, api: TlsServer, certs: Any, tmp_path: Path) -> None:
    pfx = tmp_path / "jit.pfx"
    pfx.write_bytes(make_self_signed_pfx("CN=JitMigration", password="pfx-pw-123"))
    api.handler = lambda request: Reply(200, json={"data": {
        "@odata.type": "microsoft.graph.onPasswordSubmitResponseData", "nonce": "wrong",
        "actions": [{"@odata.type": "microsoft.graph.passwordSubmit.MigratePassword"}]}})
    code, out, _ = _run(capsys, "OnPasswordSubmit", api.url("/api/jit"), "--token-env", "EXT_TOKEN",
                        "--password-env", "USER_PASSWORD", "--username", "casey@contoso.com",
                        "--encryption-cert", str(pfx), "--encryption-cert-password-env", "PFX_PASSWORD",
                        "--ca-bundle", str(certs.ca_pem), "--json")
    data = json.loads(out)
    assert code == 1 and [v["rule"] for v in data["violations"]] == ["nonce-mismatch"]
    jwe = api.requests[-1].json()["data"]["encryptedPasswordContext"]
    assert jwe.count(".") == 4 and jwe not in out


def test_auth_check_with_an_authority_the_api_was_configured_to_trust(capsys: Any, api: TlsServer, certs: Any,
                                                                     tmp_path: Path) -> None:
    port = unused_port_url().rsplit(":", 1)[1].split("/")[0]
    state = tmp_path / "authority"
    with EntraAuthority(state_dir=state, port=int(port)) as first_run:  # the API is configured once, from this
        api.handler = validating_api(first_run, APP)
    argv = ["auth-check", api.url("/api/claims"), "--app-id", APP, "--port", port, "--authority-dir", str(state),
            "--ca-bundle", str(certs.ca_pem)]
    code, out, err = _run(capsys, *argv)
    assert code == 0, out + err
    assert "every wrong token refused" in out and f"127.0.0.1:{port}" in err
    code, out, _ = _run(capsys, *argv, "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["security_findings"] == [] and len(data["cases"]) == 12


def test_auth_check_reports_an_accepted_token_as_a_security_finding(capsys: Any, api: TlsServer, certs: Any,
                                                                   tmp_path: Path) -> None:
    api.handler = _claims_answer  # checks nothing at all
    junit = tmp_path / "auth.xml"
    code, out, _ = _run(capsys, "auth-check", api.url("/api/claims"), "--app-id", APP, "--ca-bundle",
                        str(certs.ca_pem), "--junit", str(junit))
    assert code == 1 and "SECURITY: the API accepted 11 wrong token(s)" in out
    assert junit.read_text().count("<failure") == 11


@pytest.mark.parametrize("argv, message", [
    (["OnPageRenderStart", "https://127.0.0.1:1/x", "--token-env", "EXT_TOKEN"], "unknown authentication event"),
    (["OnTokenIssuanceStart", "https://127.0.0.1:1/x"], "--app-id"),
    (["auth-check", "https://127.0.0.1:1/x", "--token-env", "EXT_TOKEN"], "--app-id"),
    (["OnTokenIssuanceStart", "https://127.0.0.1:1/x", "--app-id", "my-api"], "not an application"),
    (["OnTokenIssuanceStart", "https://127.0.0.1:1/x", "--app-id", APP, "--issuer-format", "b2c"], "issuer_format"),
    (["OnPasswordSubmit", "https://127.0.0.1:1/x", "--token-env", "EXT_TOKEN"], "password"),
    (["OnPasswordSubmit", "https://127.0.0.1:1/x", "--token-env", "EXT_TOKEN", "--password-env", "USER_PASSWORD"],
     "encryption_key"),
    (["OnOtpSend", "https://127.0.0.1:1/x", "--token-env", "EXT_TOKEN", "--claim", "a=b"], "takes no --claim"),
    (["OnTokenIssuanceStart", "https://127.0.0.1:1/x", "--token-env", "EXT_TOKEN", "--timeout-ms", "5000"],
     "200 to 2000"),
    (["OnTokenIssuanceStart", "https://127.0.0.1:1/x", "--app-id", APP, "--caller-version", "3"], "1 or 2"),
    (["OnTokenIssuanceStart", "https://127.0.0.1:1/x", "--app-id", APP, "--port", "70000"], "port"),
])
def test_mistakes_exit_2_with_one_clear_error(argv: list, message: str, capsys: Any) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err
    code, out, _ = _run(capsys, *argv, "--json")
    assert code == 2 and message in json.dumps(json.loads(out)["error"])


def test_the_final_token_under_a_claims_mapping_policy(capsys: Any, api: TlsServer, certs: Any,
                                                       tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"definition": [json.dumps({"ClaimsMappingPolicy": {"Version": 1, "ClaimsSchema": [
        {"Source": "CustomClaimsProvider", "ID": "Role", "JwtClaimType": "app_role"}]}})]}))
    api.handler = _claims_answer  # returns "role", the policy maps "Role"
    argv = ["OnTokenIssuanceStart", api.url("/api/claims"), "--token-env", "EXT_TOKEN", "--ca-bundle",
            str(certs.ca_pem), "--claims-mapping-policy", str(policy)]
    code, out, _ = _run(capsys, *argv)
    assert code == 0 and "token carries" in out and "[case-mismatch]" in out
    code, out, _ = _run(capsys, *argv, "--json")
    assert json.loads(out)["final_token"]["findings"][0]["rule"] == "case-mismatch"
    policy.write_text("{}")
    code, _, err = _run(capsys, *argv)
    assert code == 2 and "claims mapping policy" in err and len(api.requests) == 2  # refused before sending


def test_auth_check_of_a_v1_api(capsys: Any, api: TlsServer, certs: Any, tmp_path: Path) -> None:
    port = unused_port_url().rsplit(":", 1)[1].split("/")[0]
    with EntraAuthority(issuer_format="sts", state_dir=tmp_path, port=int(port)) as first_run:
        api.handler = validating_api(first_run, APP)  # a v1 API: sts issuer, App ID URI audience, appid
    code, out, err = _run(capsys, "auth-check", api.url("/api/claims"), "--app-id", APP, "--issuer-format", "sts",
                          "--port", port, "--authority-dir", str(tmp_path), "--ca-bundle", str(certs.ca_pem))
    assert code == 0, out + err
    assert "v1 tokens" in out and "sts.windows.net" in out
