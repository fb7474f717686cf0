"""``connector-sim run`` through its entry point: exit codes, the JSON shape, no traceback, no secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List

import pytest

from connector_sim.cli import main

from tests.helpers import SECRETS
from tests.helpers.journeys import BLOCKED, JOURNEYS_POLICY, KEYS, called_paths, write_keys

STEP_KEYS = {"profile", "outcome", "status", "attempts", "elapsed_ms"}
# The one error object of every command (connector_sim/cli/_output.py ERROR_SCHEMA).
ERROR_KEYS = {"type", "code", "message", "user_message", "profile", "status"}


@pytest.fixture
def cli(tmp_path: Path, service_urls: Any, certs: Any, capsys: Any) -> Any:
    """Run ``connector-sim run ...`` with the policy, keys and local service URLs; return (code, out, err)."""
    keys = write_keys(tmp_path)

    def go(*argv: str, keys_file: Any = keys, urls: Any = service_urls, policy: Any = JOURNEYS_POLICY) -> Any:
        args: List[str] = ["run", "--ca-bundle", str(certs.ca_pem), "--timing", "user-flow", *argv]
        if policy is not None:
            args += ["--policy", str(policy)]
        if keys_file is not None:
            args += ["--keys", str(keys_file)]
        for profile_id, url in (urls or {}).items():
            args += ["--service-url", f"{profile_id}={url}"]
        code = main(args)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        for secret in SECRETS.values():  # the keys file holds the client secret and the API key
            assert secret not in out + err
        return code, out, err

    return go


def _json(out: str) -> Any:
    data = json.loads(out)  # exactly one JSON object: loads refuses trailing text
    assert set(data) == {"claims", "steps", "error"}
    for step in data["steps"]:
        assert set(step) == STEP_KEYS
    if data["error"] is not None:
        assert ERROR_KEYS <= set(data["error"]) and all(k == k.lower() for k in data["error"])
    return data


def test_success_json(cli: Any, fake_api: Any) -> None:
    code, out, err = cli("REST-AcquireAccessToken", "REST-GetProfile", "--claim", "email=ada@contoso.com", "--json")

    assert code == 0
    data = _json(out)
    assert data["error"] is None
    assert [(s["profile"], s["outcome"], s["status"], s["attempts"]) for s in data["steps"]] == [
        ("REST-AcquireAccessToken", "success", 200, 1), ("REST-GetProfile", "success", 200, 1)]
    assert all(isinstance(s["elapsed_ms"], (int, float)) for s in data["steps"])
    assert data["claims"]["bearerToken"] == "***" and data["claims"]["loyaltyNumber"] == "L-0042"
    assert fake_api.tokens and fake_api.tokens[0] not in out + err  # the issued token never shows
    assert "REST-GetProfile" in err  # progress, one line per step, on stderr


def test_success_readable(cli: Any, fake_api: Any) -> None:
    code, out, _ = cli("TokenThenProfile", "--claim", "email=ada@contoso.com")

    assert code == 0
    assert "REST-AcquireAccessToken" in out and "success" in out and "L-0042" in out
    assert "bearerToken" in out and fake_api.tokens[0] not in out
    assert "What B2C would do: carry on" in out


def test_journey_failure_exits_1_with_the_error(cli: Any, fake_api: Any) -> None:
    code, out, _ = cli("SelfAsserted-Blocklist", "--claim", f"email={BLOCKED}", "--json")

    assert code == 1
    data = _json(out)
    assert {k: data["error"][k] for k in ("profile", "user_message", "status")} == {
        "profile": "REST-CheckBlocklist", "user_message": "This email address is blocked.", "status": 409}
    assert ERROR_KEYS <= set(data["error"])
    assert [s["outcome"] for s in data["steps"]] == ["error"]


def test_journey_failure_readable_says_what_b2c_does(cli: Any, fake_api: Any) -> None:
    code, out, _ = cli("TokenThenProfile", "--claim", f"email={BLOCKED}")

    assert code == 1
    assert "What B2C would do: the user is redirected to the relying party with error=server_error" in out
    assert "No profile for this email." in out


def test_claims_file_and_claim_override(cli: Any, fake_api: Any, api: Any, tmp_path: Path) -> None:
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps({"email": BLOCKED, "isVip": True}), encoding="utf-8")
    code, out, _ = cli("REST-Promo", "--claims-file", str(claims), "--claim", "email=ok@contoso.com", "--json")

    assert code == 0 and api.requests[-1].json() == {"email": "ok@contoso.com"}
    assert _json(out)["claims"] == {"email": "ok@contoso.com", "isVip": True, "promoCode": "SPRING-25"}


def test_skipped_steps_are_listed(cli: Any, fake_api: Any) -> None:
    code, out, _ = cli("SignUpWithApi", "--claim", "email=ada@contoso.com", "--json")

    assert code == 0
    assert [s["outcome"] for s in _json(out)["steps"]] == ["skipped", "success", "success", "skipped", "skipped"]


BAD_INPUT = {
    "unknown-profile": (["REST-GetProfil"], "REST-GetProfile"),
    "bad-claim-syntax": (["REST-Promo", "--claim", "email"], "NAME=VALUE"),
    "bad-timing": (["REST-Promo", "--timing", "fast"], "timing"),
    "bad-deployment-mode": (["REST-Promo", "--deployment-mode", "Staging"], "Production"),
    "bad-service-url-name": (["REST-Promo", "--service-url", "REST-Prom=https://127.0.0.1:1"], "REST-Promo"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_usage_errors_exit_2(cli: Any, fake_api: Any, api: Any, case: str, as_json: bool) -> None:
    argv, expected = BAD_INPUT[case]
    code, out, err = cli(*argv, *(["--json"] if as_json else []))

    assert code == 2 and expected in err
    if as_json:
        data = _json(out)
        assert data["steps"] == [] and data["error"]["message"] and data["error"]["type"]
    else:
        assert out == ""
    assert called_paths(api) == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_file_errors_exit_2(cli: Any, fake_api: Any, tmp_path: Path, as_json: bool) -> None:
    flag = ["--json"] if as_json else []
    not_json = _write(tmp_path / "bad.json", '{"B2C_1A_RestApiKey": "' + SECRETS["api_key"] + '",}')
    cases = [
        ({"keys_file": not_json}, "not valid JSON"),
        ({"keys_file": tmp_path / "absent.json"}, "cannot read keys file"),
        ({"policy": _write(tmp_path / "broken.xml", "<TrustFrameworkPolicy><oops></TrustFrameworkPolicy>")},
         "broken.xml"),
        ({"policy": None}, "--policy"),
    ]
    for kwargs, expected in cases:
        code, out, err = cli("REST-Promo", *flag, **kwargs)
        assert (code, expected in err) == (2, True), (kwargs, err)
        if as_json:
            assert _json(out)["error"] is not None
    for content in ("[1, 2]", "{not json"):
        claims = _write(tmp_path / "claims.json", content)
        code, out, err = cli("REST-Promo", "--claims-file", str(claims), *flag)
        assert code == 2 and "claims file" in err


def test_missing_key_exits_2_before_any_request(cli: Any, fake_api: Any, api: Any, entra: Any,
                                                 tmp_path: Path) -> None:
    keys = write_keys(tmp_path, {k: v for k, v in KEYS.items() if k != "B2C_1A_RestApiKey"})
    code, out, err = cli("REST-AcquireAccessToken", "REST-Promo", "--json", keys_file=keys)

    assert code == 2
    error = _json(out)["error"]
    assert error["profile"] == "REST-Promo" and error["code"] == "AADB2C90130"
    assert "B2C_1A_RestApiKey" in err and str(keys) in err  # names the key and the file to put it in
    assert entra.token_request_count == 0 and called_paths(api) == []


def test_continue_on_error_is_not_a_failure(cli: Any, fake_api: Any) -> None:
    code, out, _ = cli("SelfAsserted-BlocklistContinue", "--claim", f"email={BLOCKED}", "--json")

    data = _json(out)
    assert code == 0 and data["error"] is None  # B2C carries on past a ContinueOnError failure
    assert [(s["profile"], s["outcome"]) for s in data["steps"]] == [("REST-CheckBlocklist", "error"),
                                                                    ("REST-Promo", "success")]
