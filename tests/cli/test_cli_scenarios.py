"""CI gates on the CLI: --expect, scenario files and iteration data for run and connector, JUnit that a schema
accepts; and the CLI habits: typed --claim, a warning for an unused claim, -v/-q, one error object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List

import pytest

from connector_sim.cli import main
from connector_sim.testing import Reply
from tests.helpers import SECRETS
from tests.helpers.journeys import BLOCKED, JOURNEYS_POLICY, write_keys

SCHEMA = Path(__file__).resolve().parents[1] / "reporting" / "schemas" / "junit-10.xsd"


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


def _validate(path: Path) -> Any:
    xmlschema = pytest.importorskip("xmlschema")
    junitparser = pytest.importorskip("junitparser")
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(path))
    return {case.name: case for suite in junitparser.JUnitXml.fromfile(str(path)) for case in suite}


def test_expect_gates_a_negative_case(cli: Any, fake_api: Any, tmp_path: Path) -> None:
    junit = tmp_path / "gate.xml"
    code, out, _ = cli("REST-CheckBlocklist", "--claim", f"email={BLOCKED}", "--expect", "outcome=error",
                       "--expect", "status=409", "--expect", "code=BLOCKED", "--expect", "user_sees=is blocked",
                       "--junit", str(junit))

    assert code == 0, out  # the 409 was expected: the gate holds
    assert "PASS" in out and "1 of 1 scenario(s)" in out
    (case,) = _validate(junit).values()
    assert case.is_passed and "HTTP 409" in case.system_out


def test_expect_fails_when_an_expectation_does_not_hold(cli: Any, fake_api: Any, tmp_path: Path) -> None:
    junit = tmp_path / "gate.xml"
    code, out, _ = cli("REST-GetProfile", "REST-AcquireAccessToken", "--claim", "email=ada@contoso.com",
                       "--expect", "claim.loyaltyNumber=L-9999", "--expect", "status=200", "--junit", str(junit))

    assert code == 1
    assert "FAIL" in out and "claim loyaltyNumber: expected 'L-9999'" in out
    (case,) = _validate(junit).values()
    assert case.result[0].type == "ExpectationFailed" and "L-9999" in case.result[0].message


def test_a_scenario_file_with_iteration_data(cli: Any, fake_api: Any, tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios.json"
    scenarios.write_text(json.dumps({"scenarios": [
        {"name": "member", "profiles": ["REST-CheckBlocklist", "REST-Promo"],
         "expect": {"outcome": "success", "claim.promoCode": "SPRING-25"}},
        {"name": "blocked", "profiles": "REST-CheckBlocklist", "claims": {"email": BLOCKED},
         "expect": {"status": 409, "user_sees": "blocked"}},
    ]}), encoding="utf-8")
    data = tmp_path / "rows.csv"
    data.write_text("name,email\nada,ada@contoso.com\ngrace,grace@contoso.com\n", encoding="utf-8")
    junit, report = tmp_path / "s.xml", tmp_path / "s.json"

    code, out, _ = cli("REST-GetProfile", "--scenarios", str(scenarios), "--data", str(data), "--junit", str(junit),
                       "--report-json", str(report), "--json")

    # A row's claims are applied after the scenario's: "blocked" gets the row's email, so its 409 never comes.
    result = json.loads(out)
    by_name = {row["name"]: row for row in result["scenarios"]}
    assert sorted(by_name) == ["blocked [ada]", "blocked [grace]", "member [ada]", "member [grace]"]
    assert by_name["member [ada]"]["ok"] and by_name["member [grace]"]["ok"]
    blocked = by_name["blocked [ada]"]
    assert not blocked["ok"] and "status: expected 409, got 200" in blocked["problems"]
    assert code == 1 and result["passed"] == 2 and result["total"] == 4
    cases = _validate(junit)
    assert len(cases) == 4 and cases["member [ada]"].is_passed and not cases["blocked [ada]"].is_passed
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["tests"] == 4


def test_iteration_data_expectations_from_columns(cli: Any, fake_api: Any, tmp_path: Path) -> None:
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([{"email": "ada@contoso.com", "expect.outcome": "success"},
                                {"email": BLOCKED, "expect.status": "409", "expect.code": "BLOCKED"}]),
                    encoding="utf-8")

    code, out, _ = cli("REST-CheckBlocklist", "--data", str(rows))

    assert code == 0, out
    assert out.count("PASS") == 2


def test_a_run_that_cannot_start_is_an_error_testcase(cli: Any, fake_api: Any, tmp_path: Path) -> None:
    scenarios = tmp_path / "s.json"
    scenarios.write_text(json.dumps([{"name": "typo", "profiles": ["REST-GetProfil"], "expect": {"status": 200}}]),
                         encoding="utf-8")
    junit = tmp_path / "s.xml"

    code, _, err = cli("REST-GetProfile", "--scenarios", str(scenarios), "--junit", str(junit))

    assert code == 2 and "did you mean 'REST-GetProfile'" in err
    (case,) = _validate(junit).values()
    assert case.result[0].type == "PolicyError"


@pytest.mark.parametrize(("argv", "message"), [
    (["--expect", "colour=blue"], "--expect knows"),
    (["--expect", "status=abc"], "needs a number"),
    (["--expect", "claim.x:=nope"], "needs a JSON value"),
    (["--scenarios", "missing.json"], "cannot read scenario file"),
], ids=["unknown-key", "bad-status", "bad-json", "missing-file"])
def test_bad_expectations_are_usage_errors(cli: Any, fake_api: Any, argv: List[str], message: str) -> None:
    code, _, err = cli("REST-CheckBlocklist", "--claim", "email=a@b.c", *argv)

    assert code == 2 and message in err


def test_typed_claims_and_the_unused_claim_warning(cli: Any, fake_api: Any, api: Any) -> None:
    code, out, err = cli("REST-CheckBlocklist", "--claim", "email=ada@contoso.com", "--claim", "emial=typo@x.y",
                         "--claim", "postalCode:=98052", "--json")

    assert code == 0
    assert json.loads(out)["claims"]["postalCode"] == 98052  # a number, not the string "98052"
    assert "'emial' is not used by any step; did you mean --claim email=...?" in err
    assert "'postalCode' is not used by any step" in err


def test_verbose_prints_each_exchange_and_quiet_prints_only_the_result(cli: Any, fake_api: Any) -> None:
    _, _, err = cli("REST-CheckBlocklist", "--claim", "email=ada@contoso.com", "-v")
    assert "request sent (secrets masked)" in err and "x-functions-key: ***" in err and "answer:" in err

    _, out, err = cli("REST-CheckBlocklist", "--claim", "email=ada@contoso.com", "-q")
    assert err == "" and "What B2C would do" in out


def test_connector_gates_on_expectations(api: Any, certs: Any, capsys: Any, monkeypatch: Any,
                                         tmp_path: Path) -> None:
    api.handler = lambda request: (Reply(200, json={"version": "1.0.0", "action": "ShowBlockPage",
                                                    "userMessage": "Sign-ups are closed."})
                                   if request.json().get("email") == BLOCKED else
                                   Reply(200, json={"version": "1.0.0", "action": "Continue"}))
    monkeypatch.setenv("B2C_PASSWORD", SECRETS["password"])
    junit = tmp_path / "c.xml"
    scenarios = tmp_path / "c.json"
    scenarios.write_text(json.dumps([
        {"name": "open", "claims": {"email": "ada@contoso.com"}, "expect": {"outcome": "Continue"}},
        {"name": "closed", "claims": {"email": BLOCKED}, "expect": {"outcome": "ShowBlockPage",
                                                                  "user_sees": "closed"}},
    ]), encoding="utf-8")

    code = main(["connector", "PostAttributeCollection", api.url("/connector"), "--username", "b2c",
                 "--password-env", "B2C_PASSWORD", "--ca-bundle", str(certs.ca_pem), "--scenarios", str(scenarios),
                 "--junit", str(junit)])
    out, err = capsys.readouterr()

    assert code == 0, out + err
    assert "2 of 2 scenario(s)" in out and SECRETS["password"] not in out + err
    cases = _validate(junit)
    assert cases["closed"].is_passed and "Sign-ups are closed." in cases["closed"].system_out

    code = main(["connector", "PostAttributeCollection", api.url("/connector"), "--username", "b2c",
                 "--password-env", "B2C_PASSWORD", "--ca-bundle", str(certs.ca_pem), "--claim", f"email={BLOCKED}",
                 "--expect", "outcome=Continue"])
    assert code == 1 and "outcome: expected Continue, got ShowBlockPage" in capsys.readouterr().out


def test_extension_gates_on_scenarios(api: Any, certs: Any, capsys: Any, monkeypatch: Any, tmp_path: Path) -> None:
    def answer(request: Any) -> Reply:
        user = request.json()["data"]["authenticationContext"]["user"]
        role = "Admin" if user.get("mail") == "boss@x.y" else "Reader"
        return Reply(200, json={"data": {"@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData",
                                         "actions": [{"@odata.type": "microsoft.graph.tokenIssuanceStart."
                                                      "provideClaimsForToken", "claims": {"role": role}}]}})

    api.handler = answer
    monkeypatch.setenv("EXT_TOKEN", "static-extension-token-for-gate")
    scenarios = tmp_path / "x.json"
    scenarios.write_text(json.dumps([
        {"name": "reader", "claims": {"mail": "casey@x.y"}, "expect": {"claim.role": "Reader", "status": 200}},
        {"name": "boss", "claims": {"mail": "boss@x.y"}, "expect": {"claim.role": "Reader"}},
    ]), encoding="utf-8")
    junit = tmp_path / "x.xml"

    code = main(["extension", "OnTokenIssuanceStart", api.url("/api/claims"), "--token-env", "EXT_TOKEN",
                 "--ca-bundle", str(certs.ca_pem), "--scenarios", str(scenarios), "--junit", str(junit)])
    out = capsys.readouterr().out

    assert code == 1 and "PASS  reader" in out and "FAIL  boss" in out and "expected 'Reader', got 'Admin'" in out
    cases = _validate(junit)
    assert cases["reader"].is_passed and not cases["boss"].is_passed
    assert "static-extension-token-for-gate" not in junit.read_text(encoding="utf-8")
