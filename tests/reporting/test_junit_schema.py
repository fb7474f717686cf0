"""The JUnit XML of ``Report`` keeps to Jenkins xunit's schema, in both shapes: per call and per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector_sim import Basic, InputClaim, OutputClaim, RestfulProfile
from connector_sim.reporting import Report
from connector_sim.reporting._junit import TestVerdict, split_node_id
from connector_sim.testing import Reply
from tests.helpers import FAST, SECRETS

xmlschema = pytest.importorskip("xmlschema")
junitparser = pytest.importorskip("junitparser")

SCHEMA = xmlschema.XMLSchema(str(Path(__file__).resolve().parent / "schemas" / "junit-10.xsd"))


def _report(api: Any, certs: Any) -> Report:
    def handler(request: Any) -> Reply:
        email = request.json()["email"]
        if email == "blocked@contoso.com":
            return Reply(409, json={"version": "1.0.0", "status": 409, "userMessage": "Blocked \x01 here."})
        if email == "broken@contoso.com":
            return Reply(500, json={})
        return Reply(200, json={"loyaltyNumber": "LN-1"})

    api.handler = handler
    profile = RestfulProfile(api.url("/p"), auth=Basic("u", SECRETS["password"]), input_claims=[InputClaim("email")],
                             output_claims=[OutputClaim("loyaltyNumber")], ca_bundle=str(certs.ca_pem), timing=FAST)
    report = Report("schema check", secrets=[SECRETS["password"]])
    for email in ("ada@contoso.com", "blocked@contoso.com", "broken@contoso.com"):
        try:
            report.add(profile.call({"email": email}), test=f"t::{email}")
        except Exception as error:  # the CallError carries its result
            report.add(error, test=f"t::{email}")
    return report


def test_a_testcase_per_call_validates_and_types_are_class_names(api: Any, certs: Any, tmp_path: Path) -> None:
    path = _report(api, certs).write_junit(tmp_path / "calls.xml")

    SCHEMA.validate(str(path))
    cases = [case for suite in junitparser.JUnitXml.fromfile(str(path)) for case in suite]
    assert [bool(case.result) for case in cases] == [False, True, True]
    types = [case.result[0].type for case in cases if case.result]
    assert all(t.isidentifier() and t[0].isupper() for t in types), types
    assert "Blocked \\x01 here." in cases[1].result[0].message
    assert SECRETS["password"] not in path.read_text(encoding="utf-8")


def test_a_testcase_per_test_validates(api: Any, certs: Any, tmp_path: Path) -> None:
    verdicts = [TestVerdict("t::ada@contoso.com"), TestVerdict("t::blocked@contoso.com"),
                TestVerdict("t::broken@contoso.com", "failed", f"expected 200 ({SECRETS['password']})", "details",
                            "ExpectationFailed", 0.25),
                TestVerdict("t::not-run", "skipped", "no data")]
    path = _report(api, certs).write_junit(tmp_path / "tests.xml", verdicts)

    SCHEMA.validate(str(path))
    suite = next(iter(junitparser.JUnitXml.fromfile(str(path))))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (4, 1, 0, 1)
    cases = {case.name: case for case in suite}
    assert cases["blocked@contoso.com"].is_passed and "HTTP 409" in cases["blocked@contoso.com"].system_out
    assert cases["broken@contoso.com"].result[0].type == "ExpectationFailed"
    assert SECRETS["password"] not in path.read_text(encoding="utf-8")
    properties = {p.name: p.value for p in suite.properties()}
    assert properties["tool"] == "connector-sim" and properties["b2c.calls"] == "3"


@pytest.mark.parametrize(("node", "expected"), [
    ("tests/test_api.py::test_one", ("tests.test_api", "test_one")),
    ("tests/test_api.py::TestGroup::test_two[a-b]", ("tests.test_api.TestGroup", "test_two[a-b]")),
    ("scenario 3", ("", "scenario 3")),
], ids=["function", "method", "cli-scenario"])
def test_node_ids_split_as_pytest_names_them(node: str, expected: tuple) -> None:
    assert split_node_id(node) == expected
