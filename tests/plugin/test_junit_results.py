"""``--b2c-junit`` reports test results: schema-valid, read by junitparser, merged across pytest-xdist workers;
and the plugin's failure modes: ``--b2c-require-policy``, a profile-id typo, matching of user messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import SECRETS
from tests.helpers.journeys import JOURNEYS_POLICY

pytest_plugins = ["pytester"]
xmlschema = pytest.importorskip("xmlschema")
junitparser = pytest.importorskip("junitparser")

SCHEMA = Path(__file__).resolve().parents[1] / "reporting" / "schemas" / "junit-10.xsd"
PLUGIN = ("-p", "connector_sim.pytest_plugin", "-W", "ignore::pytest.PytestAssertRewriteWarning",
          "-p", "no:hypothesispytest")
TESTS = '''
import pytest
from connector_sim import Basic, InputClaim, OutputClaim, RestfulProfile
from connector_sim.pytest_plugin import assert_b2c_error, assert_claims
from connector_sim.testing import Reply

PASSWORD = {password!r}


def api(request):
    if request.json()["email"].startswith("taken"):
        return Reply(409, json={{"version": "1.0.0", "status": 409, "userMessage": "That email is taken."}})
    return Reply(200, json={{"loyaltyNumber": "LN-1"}})


@pytest.fixture
def profile(b2c_tls_server, b2c_ca_bundle, b2c_report):
    b2c_report.add_secrets([PASSWORD])
    server = b2c_tls_server(api)
    return RestfulProfile(server.url("/p"), auth=Basic("u", PASSWORD), input_claims=[InputClaim("email")],
                          output_claims=[OutputClaim("loyaltyNumber")], ca_bundle=b2c_ca_bundle)


@pytest.fixture
def broken():
    raise RuntimeError("the fixture broke")


def recorded(b2c_report, call):
    try:
        return b2c_report.add(call())
    except Exception as error:
        b2c_report.add(error)
        raise


@pytest.mark.parametrize("n", [1, 2])
def test_expects_a_409_and_gets_it(profile, b2c_report, n):
    assert_b2c_error(lambda: recorded(b2c_report, lambda: profile.call({{"email": "taken@contoso.com"}})),
                     user_message="email is taken", status=409)


def test_expects_a_409_and_gets_it_by_result(profile, b2c_report):
    try:
        profile.call({{"email": "taken@contoso.com"}})
    except Exception as error:
        b2c_report.add(error)
        assert_b2c_error(error, user_message="That email is taken.", exact=True)


def test_assertion_fails_on_a_successful_call(profile, b2c_report):
    assert_claims(b2c_report.add(profile.call({{"email": "ada@contoso.com"}})), {{"loyaltyNumber": "LN-2"}})


def test_error_in_a_fixture(broken):
    pass


def test_skipped():
    pytest.skip("not today")


@pytest.mark.xfail(reason="known bug")
def test_expected_failure():
    assert False
'''


def _run(pytester: pytest.Pytester, *extra: str) -> pytest.RunResult:
    pytester.makepyfile(test_calls=TESTS.format(password=SECRETS["password"]))
    return pytester.runpytest_subprocess(*PLUGIN, "--b2c-junit", "out/junit.xml", "--b2c-report-json",
                                         "out/calls.json", *extra)


def _check(pytester: pytest.Pytester, result: pytest.RunResult) -> None:
    result.assert_outcomes(passed=3, failed=1, errors=1, skipped=1, xfailed=1)
    path = pytester.path / "out" / "junit.xml"
    text = path.read_text(encoding="utf-8")
    assert SECRETS["password"] not in text
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(path))  # raises on any departure from the schema

    suites = junitparser.JUnitXml.fromfile(str(path))
    cases = {case.name: case for suite in suites for case in suite}
    assert len(cases) == 7
    for name in ("test_expects_a_409_and_gets_it[1]", "test_expects_a_409_and_gets_it[2]",
                 "test_expects_a_409_and_gets_it_by_result"):
        assert cases[name].is_passed, name
        assert "That email is taken." in cases[name].system_out and "HTTP 409" in cases[name].system_out
    failed = cases["test_assertion_fails_on_a_successful_call"]
    (failure,) = failed.result
    assert isinstance(failure, junitparser.Failure) and failure.type == "AssertionError"
    assert "LN-2" in failure.message and "success, HTTP 200" in failed.system_out
    (error,) = cases["test_error_in_a_fixture"].result
    assert isinstance(error, junitparser.Error) and error.type == "RuntimeError"
    assert isinstance(cases["test_skipped"].result[0], junitparser.Skipped)
    assert "not today" in cases["test_skipped"].result[0].message
    assert isinstance(cases["test_expected_failure"].result[0], junitparser.Skipped)
    assert {c.classname for c in cases.values()} == {"test_calls"}

    data = json.loads((pytester.path / "out" / "calls.json").read_text(encoding="utf-8"))
    assert data["summary"]["calls"] == 4 and data["summary"]["tests"] == 7
    assert {t["test"].split("::")[1] for t in data["tests"]} >= {"test_skipped", "test_error_in_a_fixture"}


def test_junit_reports_test_results_and_validates(pytester: pytest.Pytester) -> None:
    _check(pytester, _run(pytester))


def test_xdist_workers_merge_into_the_one_file(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    result = _run(pytester, "-n", "2", "-p", "xdist")

    _check(pytester, result)
    assert sorted(p.name for p in (pytester.path / "out").iterdir()) == ["calls.json", "junit.xml"]


def test_require_policy_fails_instead_of_skipping(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_needs_policy="def test_it(b2c_policy):\n    pass\n")

    assert pytester.runpytest(*PLUGIN).ret == 0  # skipped
    result = pytester.runpytest(*PLUGIN, "--b2c-require-policy")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no B2C policy given*--b2c-require-policy*"])

    pytester.makeini("[pytest]\nb2c_require_policy = true\n")
    pytester.runpytest(*PLUGIN).assert_outcomes(errors=1)


def test_a_profile_id_typo_is_one_line_with_did_you_mean(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_typo="def test_it(b2c_run):\n    b2c_run('REST-GetProfil')\n")

    result = pytester.runpytest(*PLUGIN, f"--b2c-policy={JOURNEYS_POLICY}")

    result.assert_outcomes(failed=1)
    lines = [line for line in result.stdout.lines if "b2c_run:" in line]
    assert lines and "did you mean 'REST-GetProfile'" in lines[0]
    assert "Traceback" not in result.stdout.str() and "run_journey" not in result.stdout.str()


def test_user_message_and_user_sees_match_the_same_way() -> None:
    from connector_sim import RestApiError
    from connector_sim.pytest_plugin import assert_b2c_error, assert_user_sees

    error = RestApiError("RestfulProfile answered HTTP 409", status=409, http_status=409,
                         user_message="That email is taken.")
    for check in (lambda **kw: assert_b2c_error(error, user_message="email is taken", **kw),
                  lambda **kw: assert_user_sees(error, "email is taken", **kw)):
        check()  # a substring by default
        with pytest.raises(AssertionError):
            check(exact=True)
    assert_b2c_error(error, user_message="That email is taken.", exact=True)
    assert_user_sees(error, "That email is taken.", exact=True)
