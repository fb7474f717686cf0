"""``connector-sim connector STEP URL`` through ``cli.main``: exit codes, JSON shape, secrets never shown."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest

from connector_sim.cli import main
from connector_sim.testing import Reply, unused_port_url

from tests.helpers import SECRETS

APP = "0d4d5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
APP_HEX = APP.replace("-", "")
CONTINUE = {"version": "1.0.0", "action": "Continue", "postalCode": "98052"}
ENCODED = base64.b64encode(f"b2c:{SECRETS['password']}".encode()).decode()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_PASSWORD", SECRETS["password"])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no prompt


def _run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(["connector", *argv])
    captured = capsys.readouterr()
    for secret in (SECRETS["password"], ENCODED, SECRETS["api_key"]):
        assert secret not in captured.out and secret not in captured.err
    return code, captured.out, captured.err


def _basic(api: Any, certs: Any, step: str = "PostAttributeCollection", path: str = "/api/validate") -> list[str]:
    return [step, api.url(path), "--auth", "basic", "--username", "b2c", "--password-env", "API_PASSWORD",
            "--ca-bundle", str(certs.ca_pem)]


def test_continue_exits_0_with_one_json_object(api: Any, certs: Any, capsys: Any) -> None:
    api.handler = lambda request: Reply(200, json=CONTINUE)
    code, out, _ = _run(capsys, *_basic(api, certs, "post-attribute-collection", f"/v?code={SECRETS['api_key']}"),
                        "--claim", "givenName=Alice", "--claim", "surname=Smith", "--claim", "loyaltyId=L-1",
                        "--claim", "points:=42", "--claim", "client_id=app-1", "--claim", "ui_locales=en-US",
                        "--extensions-app-id", APP, "--json")
    assert code == 0
    data = json.loads(out)
    assert {"action", "claims", "user_sees", "violations", "status", "attempts", "request"} <= set(data)
    assert data["action"] == "Continue" and data["claims"] == {"postalCode": "98052"} and data["status"] == 200
    assert data["violations"] == [] and data["user_sees"] is None and len(data["attempts"]) == 1
    assert data["request"]["headers"]["Authorization"] == "Basic ***" and "code=***" in data["request"]["url"]
    assert api.requests[-1].json() == {"givenName": "Alice", "surname": "Smith",
                                       f"extension_{APP_HEX}_loyaltyId": "L-1", f"extension_{APP_HEX}_points": 42,
                                       "step": "PostAttributeCollection", "client_id": "app-1", "ui_locales": "en-US"}


def test_block_page_exits_1_and_says_what_the_user_sees(api: Any, certs: Any, capsys: Any) -> None:
    api.handler = lambda request: Reply(200, json={"version": "1", "action": "ShowBlockPage", "userMessage": "No."})
    code, out, _ = _run(capsys, *_basic(api, certs, "postfederationsignup"), "--claim", "email=a@b.c")
    assert code == 1
    assert "action: ShowBlockPage" in out and "user sees: No." in out and "contract: kept" in out


def test_validation_error_exits_1(api: Any, certs: Any, capsys: Any) -> None:
    api.handler = lambda request: Reply(400, json={"version": "1", "status": "400", "action": "ValidationError",
                                                   "userMessage": "Bad postal code."})
    code, out, _ = _run(capsys, *_basic(api, certs), "--json")
    assert code == 1 and json.loads(out)["user_sees"] == "Bad postal code."


def test_a_violation_exits_1_and_is_explained(api: Any, certs: Any, capsys: Any) -> None:
    api.handler = lambda request: Reply(200, json={"version": "1", "action": "Continue", "email": "x@y.z"})
    code, out, _ = _run(capsys, *_basic(api, certs, "PreTokenIssuance"))
    assert code == 1
    assert "[read-only-claim]" in out and "-> B2C ignores this claim" in out


def test_no_answer_exits_1(certs: Any, capsys: Any) -> None:
    code, out, _ = _run(capsys, "PreTokenIssuance", unused_port_url("/api"), "--username", "b2c",
                        "--password-env", "API_PASSWORD", "--ca-bundle", str(certs.ca_pem), "--json")
    data = json.loads(out)
    assert code == 1 and data["action"] is None and data["status"] is None
    assert data["violations"][0]["rule"] == "transport-error" and data["error"]["type"] == "ConnectionFailedError"


def test_client_certificate_from_a_pfx(mtls_api: Any, certs: Any, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("PFX_PASSWORD", certs.password)
    mtls_api.handler = lambda request: Reply(200, json=CONTINUE)
    code, out, _ = _run(capsys, "PostAttributeCollection", mtls_api.url("/api"), "--auth", "certificate",
                        "--pfx", str(certs.client_pfx), "--pfx-password-env", "PFX_PASSWORD",
                        "--ca-bundle", str(certs.ca_pem))
    assert code == 0 and "action: Continue" in out
    assert mtls_api.requests[-1].client_cert_subject == certs.subject_cn("client")


def test_the_password_is_prompted_for_on_a_terminal(api: Any, certs: Any, capsys: Any, monkeypatch: Any) -> None:
    api.handler = lambda request: Reply(200, json=CONTINUE)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: SECRETS["password"])
    code, _, _ = _run(capsys, "PostAttributeCollection", api.url("/api"), "--username", "b2c",
                      "--ca-bundle", str(certs.ca_pem))
    assert code == 0 and api.requests[-1].header("Authorization") == f"Basic {ENCODED}"


@pytest.mark.parametrize("extra, message", [
    (["--password-env", "UNSET_VAR"], "UNSET_VAR is not set"),
    ([], "--password-env VAR"),
], ids=["env-var-unset", "no-env-var"])
def test_a_missing_secret_without_a_terminal_is_a_usage_error(api: Any, certs: Any, capsys: Any, extra: list,
                                                              message: str) -> None:
    code, _, err = _run(capsys, "PostAttributeCollection", api.url("/api"), "--username", "b2c", *extra)
    assert code == 2 and message in err and api.requests == []


@pytest.mark.parametrize("argv, message", [
    (["Unknown", "https://a.b/c", "--username", "u", "--password-env", "API_PASSWORD"], "unknown API connector step"),
    (["PreTokenIssuance", "https://a.b/c", "--auth", "apikey"], "basic or certificate"),
    (["PreTokenIssuance", "https://a.b/c"], "--auth basic"),
    (["PreTokenIssuance", "https://a.b/c", "--auth", "basic"], "needs --username"),
    (["PreTokenIssuance", "https://a.b/c", "--auth", "certificate", "--pfx", "/no/such.pfx"], "is not a file"),
    (["PreTokenIssuance", "http://a.b/c", "--username", "u", "--password-env", "API_PASSWORD"], "https URL"),
    (["PreTokenIssuance", "https://a.b/c", "--username", "u", "--password-env", "API_PASSWORD", "--claim", "x=1"],
     "needs the extensions app id"),
    (["PreTokenIssuance", "https://a.b/c", "--username", "u", "--password-env", "API_PASSWORD", "--claim", "x"],
     "NAME=VALUE"),
    (["PreTokenIssuance", "https://a.b/c", "--username", "u", "--password-env", "API_PASSWORD", "--claim", "n:=nope"],
     "JSON value"),
    (["PreTokenIssuance", "https://a.b/c", "--username", "u", "--password-env", "API_PASSWORD", "--timing", "slow"],
     "unknown timing profile"),
], ids=["step", "auth-type", "no-auth", "no-username", "no-pfx-file", "http", "custom-without-app-id", "claim-syntax",
        "typed-claim", "timing"])
def test_usage_errors_exit_2(capsys: Any, argv: list, message: str) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2 and message in err and out == ""


def test_usage_errors_under_json_are_one_json_object(capsys: Any) -> None:
    code, out, _ = _run(capsys, "PreTokenIssuance", "https://a.b/c", "--auth", "apikey", "--json")
    data = json.loads(out)
    assert code == 2 and data["action"] is None and data["error"]["type"] == "ConfigurationError"


def test_legacy_timing_is_accepted(api: Any, certs: Any, capsys: Any) -> None:
    api.handler = lambda request: Reply(200, json=CONTINUE)
    code, _, _ = _run(capsys, *_basic(api, certs), "--timing", "legacy-user-flow")
    assert code == 0
