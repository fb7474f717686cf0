"""Reports: JSON and JUnit XML of every call, well-formed whatever the API answers, and free of secrets."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, List

import pytest

from connector_sim import ApiConnector, Basic, CallError, InputClaim, OutputClaim, RestfulProfile, StaticBearer
from connector_sim.journey import run_journey
from connector_sim.reporting._reports import CallRecord, Report, describe_record, records_from
from connector_sim.testing import Reply, unused_port_url

from tests.helpers import FAST, SECRETS
from tests.helpers.journeys import BLOCKED, JOURNEYS_POLICY, KEYS

CALL_KEYS = {"test", "label", "profile", "kind", "step", "validation_of", "outcome", "ok", "status", "elapsed_ms",
             "attempts", "request", "response", "error", "user_sees", "claims", "violations", "warnings", "note",
             "continued", "recorded_at"}


def _profile(url: str, certs: Any, **fields: Any) -> RestfulProfile:
    fields.setdefault("auth", Basic("api-user", SECRETS["password"]))
    return RestfulProfile(service_url=url, input_claims=(InputClaim("email"), InputClaim("password")),
                          output_claims=(OutputClaim("loyaltyNumber"),), ca_bundle=str(certs.ca_pem), timing=FAST,
                          **fields)


def _call(profile: RestfulProfile, claims: Any = None) -> Any:
    try:
        return profile.call(claims or {"email": "ada@contoso.com", "password": "user-password-31"})
    except CallError as exc:
        return exc


def _no_secret(text: str) -> None:
    for value in [*SECRETS.values(), "user-password-31", "session-cookie-value"]:
        assert value not in text


def _junit(report: Report) -> ET.Element:
    text = report.to_junit_xml()
    _no_secret(text)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))  # raises on anything ill-formed


def test_success_and_b2c_error_in_json_and_junit(api: Any, certs: Any) -> None:
    def handler(request: Any) -> Reply:
        if request.json()["email"] == BLOCKED:
            return Reply(409, json={"version": "1.0.0", "status": 409, "code": "BLOCKED",
                                    "userMessage": "This email address is blocked."})
        return Reply(200, json={"loyaltyNumber": "L-7", "access_token": "answer-token-0042"},
                     headers={"Set-Cookie": "sid=session-cookie-value"})

    api.handler = handler
    profile = _profile(api.url("/api/x"), certs)
    report = Report("nightly")
    report.add(_call(profile), test="suite::ok")
    report.add(_call(profile, {"email": BLOCKED}), test="suite::blocked", label="sign-up")

    data = json.loads(report.to_json())
    _no_secret(report.to_json())
    assert "answer-token-0042" not in report.to_json()
    assert data["summary"] == {"calls": 2, "failed": 1, "skipped": 0, "elapsed_ms": data["summary"]["elapsed_ms"]}
    ok, blocked = data["calls"]
    assert set(ok) == CALL_KEYS
    assert (ok["outcome"], ok["status"], ok["claims"]) == ("success", 200, {"loyaltyNumber": "L-7"})
    assert ok["request"]["method"] == "POST" and ok["request"]["headers"]["Authorization"] == "Basic ***"
    assert ok["response"]["headers"]["Set-Cookie"] == "***"
    assert len(ok["attempts"]) == 1 and ok["attempts"][0]["elapsed_ms"] >= 0
    assert blocked["error"]["userMessage"] == "This email address is blocked." and blocked["status"] == 409
    assert blocked["label"] == "sign-up" and blocked["user_sees"] == "This email address is blocked."

    root = _junit(report)
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "nightly"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("suite::ok", "RestfulProfile"), ("suite::blocked", "RestfulProfile [sign-up]")]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == "This email address is blocked."
    assert "409" in (failure.text or "") and "request sent (secrets masked)" in (failure.text or "")
    assert cases[0].find("failure") is None and cases[0].find("system-out") is not None


def test_control_characters_and_markup_in_answers_keep_the_xml_well_formed(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(500, body=b"boom \x00\x01\x1b[31m <tag> & \xff \"q\" ]]>",
                                        headers={"Content-Type": "text/plain"})
    report = Report("ctrl \x07 <suite>")
    report.add(_call(_profile(api.url("/api/x"), certs)))
    api.handler = lambda request: Reply(409, json={"version": "1.0.0", "status": 409,
                                                   "userMessage": "bell \x07 and <b>bold</b> \ud83d\ude00"})
    report.add(_call(_profile(api.url("/api/x"), certs)))

    root = _junit(report)
    failures = root.findall("testsuite/testcase/failure")
    assert len(failures) == 2
    assert "\\x00" in (failures[0].text or "") and "<tag> &" in (failures[0].text or "")
    assert failures[1].get("message") == "bell \\x07 and <b>bold</b> \U0001F600"
    json.loads(report.to_json())


def test_transport_failure_without_an_answer(certs: Any) -> None:
    error = _call(_profile(unused_port_url("/api/x"), certs))
    report = Report()
    (record,) = report.add(error)

    assert record.outcome == "error" and record.response is None and len(record.attempts) == 2
    assert record.error is not None and record.error["type"] == "ConnectionFailedError"
    text = describe_record(record)
    assert "answer: none" in text and "attempt 2: connection-error" in text
    failure = _junit(report).find("testsuite/testcase/failure")
    assert failure is not None and "Failed to establish connection" in (failure.get("message") or "")


def test_journey_steps_skipped_and_continue_on_error(fake_api: Any, policy: Any, service_urls: Any,
                                                     certs: Any) -> None:
    report = Report("journeys")
    report.add(run_journey(policy, "SignUpWithApi", claims={"email": "ada@contoso.com"}, keys=KEYS,
                           service_urls=service_urls, ca_bundle=str(certs.ca_pem)))
    report.add(run_journey(policy, "SelfAsserted-BlocklistContinue", claims={"email": BLOCKED}, keys=KEYS,
                           service_urls=service_urls, ca_bundle=str(certs.ca_pem)))

    outcomes = [(r.profile, r.outcome) for r in report.records]
    assert ("REST-CheckBlocklist", "error") in outcomes and outcomes.count(("REST-Audit", "skipped")) >= 1
    continued = [r for r in report.records if r.continued]
    assert [r.profile for r in continued] == ["REST-CheckBlocklist"] and report.failures == 0
    root = _junit(report)
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert int(suite.get("skipped") or 0) == sum(1 for r in report.records if r.outcome == "skipped") > 0
    assert root.findall("testsuite/testcase/skipped")[0].get("message")
    validation = [c for c in root.iter("testcase")
                  if "validation of SelfAsserted-BlocklistContinue" in (c.get("name") or "")]
    assert validation and all(c.find("failure") is None for c in validation)
    _no_secret(report.to_json())
    assert SECRETS["api_key"] not in report.to_json()


def test_journey_failure_records_what_the_user_sees(fake_api: Any, policy: Any, service_urls: Any, certs: Any) -> None:
    result = run_journey(policy, "TokenThenProfile", claims={"email": BLOCKED}, keys=KEYS,
                         service_urls=service_urls, ca_bundle=str(certs.ca_pem))
    records = records_from(result, test="t")

    failed = [r for r in records if not r.ok]
    assert len(failed) == 1 and failed[0].user_sees is not None
    assert failed[0].user_sees.startswith("the user is redirected to the relying party")
    token_step = records[0]
    assert token_step.profile == "REST-AcquireAccessToken" and token_step.claims["bearerToken"] == "***"
    text = json.dumps([r.to_dict() for r in records])
    assert fake_api.tokens[0] not in text and SECRETS["client_secret"] not in text


def test_connector_outcomes_and_violations(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"version": "1.0.0", "action": "ShowBlockPage",
                                                   "userMessage": "Sign-ups are closed."})
    connector = ApiConnector(api.url("/api/validate"), Basic("b2c", SECRETS["password"]), ca_bundle=str(certs.ca_pem))
    outcome = connector.post_attribute_collection(email="ada@contoso.com")
    (record,) = Report().add(outcome)

    assert (record.kind, record.profile, record.outcome) == ("b2c-user-flow", "PostAttributeCollection",
                                                            "ShowBlockPage")
    assert record.user_sees == "Sign-ups are closed." and not record.ok


def test_secrets_given_to_the_report_are_masked_everywhere(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(400, json={"version": "1.0.0", "status": 400,
                                                   "userMessage": f"bad key {SECRETS['static_token']}"})
    report = Report(secrets=[SECRETS["static_token"]])
    report.add(_call(_profile(api.url("/x"), certs, auth=StaticBearer("another-static-token"))))
    report.add_secrets(["another-static-token"])

    for text in (report.to_json(), report.to_junit_xml()):
        _no_secret(text)
        assert "another-static-token" not in text


def test_write_files_and_refuse_unknown_objects(tmp_path: Path) -> None:
    report = Report()
    json_path = report.write_json(tmp_path / "deep" / "calls.json")
    xml_path = report.write_junit(tmp_path / "deep" / "junit.xml")

    assert json.loads(json_path.read_text(encoding="utf-8"))["calls"] == []
    assert ET.parse(xml_path).getroot().find("testsuite").get("tests") == "0"  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="cannot report a dict"):
        report.add({"not": "a result"})


def test_a_record_describes_itself_readably() -> None:
    record = CallRecord(profile="REST-X", outcome="error", ok=False, status=503, elapsed_ms=3.0, attempts=(
        {"number": 1, "status": 503, "elapsed_ms": 3.0, "outcome": "answered", "error": None},),
        request={"method": "GET", "url": "https://x.example/a?code=***", "headers": {}, "body": None},
        response={"status": 503, "reason": "Service Unavailable", "headers": {}, "body": "x" * 5000},
        error={"type": "HttpStatusError", "code": "AADB2C90075", "message": "the service failed",
               "userMessage": "Try again."})
    lines: List[str] = describe_record(record).splitlines()

    assert lines[0] == "REST-X: error, HTTP 503 after 1 attempt in 3.0 ms"
    assert "    GET https://x.example/a?code=***" in lines
    assert any(line.endswith("(1000 more characters)") for line in lines)
    assert "  error: HttpStatusError AADB2C90075: the service failed" in lines


# -- connector-sim run --junit / --report-json ----------------------------------------------------------------


def _cli(tmp_path: Path, certs: Any, urls: Any, capsys: Any, *argv: str, keys: Any = KEYS) -> Any:
    from connector_sim.cli import main

    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(keys), encoding="utf-8")
    args = ["run", "--policy", str(JOURNEYS_POLICY), "--keys", str(keys_file), "--ca-bundle", str(certs.ca_pem),
            "--timing", "user-flow", *argv]
    for profile_id, url in urls.items():
        args += ["--service-url", f"{profile_id}={url}"]
    code = main(args)
    out, err = capsys.readouterr()
    _no_secret(out + err)
    return code, out, err


def test_run_writes_junit_and_json_reports(tmp_path: Path, certs: Any, service_urls: Any, fake_api: Any,
                                           capsys: Any) -> None:
    junit, report = tmp_path / "out" / "junit.xml", tmp_path / "out" / "calls.json"
    code, out, _ = _cli(tmp_path, certs, service_urls, capsys, "REST-AcquireAccessToken", "REST-GetProfile",
                        "--claim", "email=ada@contoso.com", "--junit", str(junit), "--report-json", str(report))

    assert code == 0 and "What B2C would do: carry on" in out  # the summary is unchanged
    for path in (junit, report):
        text = path.read_text(encoding="utf-8")
        _no_secret(text)
        assert fake_api.tokens[0] not in text
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "connector-sim run REST-AcquireAccessToken REST-GetProfile"
    assert [c.get("name") for c in suite.findall("testcase")] == ["REST-AcquireAccessToken", "REST-GetProfile"]
    calls = json.loads(report.read_text(encoding="utf-8"))["calls"]
    assert [c["status"] for c in calls] == [200, 200]
    assert calls[1]["request"]["headers"]["Authorization"] == "Bearer ***"


def test_run_reports_a_failure_and_a_configuration_error(tmp_path: Path, certs: Any, service_urls: Any,
                                                         fake_api: Any, capsys: Any) -> None:
    junit = tmp_path / "junit.xml"
    code, _, _ = _cli(tmp_path, certs, service_urls, capsys, "SelfAsserted-Blocklist", "--claim",
                      f"email={BLOCKED}", "--junit", str(junit))
    failure = ET.parse(junit).getroot().find("testsuite/testcase/failure")
    assert code == 1 and failure is not None and failure.get("message") == "This email address is blocked."

    keys = {k: v for k, v in KEYS.items() if k != "B2C_1A_RestApiKey"}
    code, out, _ = _cli(tmp_path, certs, service_urls, capsys, "REST-Promo", "--junit", str(junit), "--json",
                        keys=keys)
    failure = ET.parse(junit).getroot().find("testsuite/testcase/failure")
    assert code == 2 and json.loads(out)["error"]["code"] == "AADB2C90130"
    # <failure type> is always the exception class; the B2C code leads the message.
    assert failure is not None and failure.get("type") == "MissingKeyError"
    assert failure.get("message").startswith("AADB2C90130")


def test_run_refuses_an_unwritable_report(tmp_path: Path, certs: Any, service_urls: Any, fake_api: Any,
                                          capsys: Any) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = _cli(tmp_path, certs, service_urls, capsys, "REST-Promo", "--claim", "email=a@b.c",
                        "--report-json", str(blocker / "calls.json"))

    assert code == 2 and "--report-json: cannot write" in err


def test_a_lone_surrogate_from_an_api_still_writes_a_utf8_json_report() -> None:
    from connector_sim.reporting._reports import Report

    text = Report("suite \ud800").to_json()
    text.encode("utf-8")  # no UnicodeEncodeError when the file is written
    assert json.loads(text)["name"] == "suite \ud800"  # JSON's own escape: the exact text comes back
