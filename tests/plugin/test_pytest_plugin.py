"""The pytest plugin, run through ``pytester``: fixtures, markers, options, assertions, reports, loading."""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from connector_sim import pytest_plugin
from connector_sim.testing import Reply

from tests.helpers import SECRETS
from tests.helpers.journeys import JOURNEYS_POLICY

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
# In process, the plugin module is already imported (by this module, or by the outer run when installed),
# so the inner run cannot rewrite its asserts: say so quietly instead of failing on the warning.
# Hypothesis's plugin is not needed in the inner runs, and importing it costs half a second.
PLUGIN = ("-p", "connector_sim.pytest_plugin", "-W", "ignore::pytest.PytestAssertRewriteWarning",
          "-p", "no:hypothesispytest")
LOCAL_CONFTEST = '''
import pytest
from connector_sim.testing import Reply

SECRET = {secret!r}


@pytest.fixture
def b2c_token_clients():
    return {{"b2c-client": SECRET}}


@pytest.fixture
def b2c_service_urls(b2c_tls_server, b2c_token_endpoint):
    def handler(request):
        token = (request.header("Authorization") or "").partition(" ")[2]
        try:
            b2c_token_endpoint.verify(token)
        except ValueError:
            return Reply(401, json={{"error": "bad token"}})
        if request.json().get("email") == "blocked@contoso.com":
            return Reply(409, json={{"version": "1.0.0", "status": 409, "userMessage": "No profile for this email."}})
        return Reply(200, json={{"loyaltyNumber": "L-0042", "displayName": "Ada"}},
                     headers={{"Set-Cookie": "sid=session-cookie-value"}})

    api = b2c_tls_server(handler)
    return {{"REST-AcquireAccessToken": b2c_token_endpoint.token_url, "REST-GetProfile": api.url("/api/profile")}}
'''
JOURNEY_TESTS = '''
import pytest
from connector_sim.pytest_plugin import assert_b2c_error, assert_claims, assert_ok, assert_outcome, assert_user_sees

IDS = ["REST-AcquireAccessToken", "REST-GetProfile"]


def test_token_then_profile(b2c_run):
    result = assert_ok(b2c_run(IDS, claims={"email": "ada@contoso.com"}))
    assert_claims(result, {"loyaltyNumber": "L-0042", "displayName": "Ada"})
    assert_outcome(result, "success", profile="REST-GetProfile")
    assert b2c_run.last is result


@pytest.mark.b2c_profile(*IDS, claims={"email": "blocked@contoso.com"})
@pytest.mark.b2c_step("blocked user")
def test_blocked_user(b2c_run):
    result = b2c_run()
    assert_b2c_error(result, user_message="No profile for this email.", status=409, profile="REST-GetProfile")
    assert_user_sees(result, "redirected to the relying party")


def test_wrong_expectation_shows_the_calls(b2c_run):
    result = b2c_run(IDS, claims={"email": "ada@contoso.com"})
    assert_claims(result, {"loyaltyNumber": "L-9999", "bearerToken": "a-guess"})


def test_run_needs_ids(b2c_run):
    b2c_run()
'''


def _keys(directory: Path) -> Path:
    path = directory / "keys.json"
    path.write_text(json.dumps({"B2C_1A_SecureRESTClientId": "b2c-client",
                                "B2C_1A_SecureRESTClientSecret": SECRETS["client_secret"],
                                "B2C_1A_RestApiKey": SECRETS["api_key"]}), encoding="utf-8")
    return path


def _no_secret(*texts: str) -> None:
    for text in texts:
        for value in [*SECRETS.values(), "session-cookie-value"]:
            assert value not in text


def test_journeys_assertions_and_reports(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(LOCAL_CONFTEST.format(secret=SECRETS["client_secret"]))
    pytester.makepyfile(test_api=JOURNEY_TESTS)
    keys = _keys(pytester.path)
    # "--option=PATH": a separate PATH argument would take part in pytest's rootdir discovery.
    result = pytester.runpytest(*PLUGIN, f"--b2c-policy={JOURNEYS_POLICY}", f"--b2c-keys={keys}",
                                "--b2c-junit", "out/junit.xml", "--b2c-report-json", "out/calls.json",
                                "--strict-markers")

    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    _no_secret(out)
    # The failure shows the claims compared (token-like ones masked), the request sent and the answer.
    assert "loyaltyNumber: expected 'L-9999', got 'L-0042'" in out
    assert "bearerToken: expected ***, got ***" in out
    assert not [line for line in out.splitlines() if line.startswith("E ") and "a-guess" in line]
    assert "request sent (secrets masked)" in out and "Authorization: Basic ***" in out
    assert "Authorization: Bearer ***" in out and "200 OK" in out
    assert "b2c_run() needs technical profile ids" in out
    assert "connector-sim: 4 test(s), 6 B2C call(s) written to" in out

    junit = (pytester.path / "out" / "junit.xml").read_text(encoding="utf-8")
    calls = (pytester.path / "out" / "calls.json").read_text(encoding="utf-8")
    _no_secret(junit, calls)
    # A testcase per test, failed only when the test failed; the B2C verdicts in system-out.
    cases = {c.get("name"): c for c in ET.fromstring(junit.encode()).findall("testsuite/testcase")}
    assert sorted(cases) == ["test_blocked_user", "test_run_needs_ids", "test_token_then_profile",
                             "test_wrong_expectation_shows_the_calls"]
    assert {c.get("classname") for c in cases.values()} == {"test_api"}
    blocked = cases["test_blocked_user"]
    assert blocked.find("failure") is None and blocked.find("error") is None
    assert "No profile for this email." in blocked.find("system-out").text
    assert "REST-GetProfile [blocked user]: error, HTTP 409" in blocked.find("system-out").text
    wrong = cases["test_wrong_expectation_shows_the_calls"].find("failure")
    assert wrong.get("type") == "AssertionError" and "L-9999" in wrong.get("message")
    assert cases["test_run_needs_ids"].find("failure").get("type") == "Failed"
    assert cases["test_token_then_profile"].find("failure") is None
    data = json.loads(calls)
    assert data["summary"]["calls"] == 6 and data["summary"]["failed"] == 1
    assert data["summary"]["tests"] == 4 and data["summary"]["tests_failed"] == 2


def test_servers_certificates_keys_and_own_records(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_fixtures='''
        import requests
        from connector_sim import Basic, InputClaim, RestfulProfile


        def test_server(b2c_tls_server, b2c_ca_bundle, b2c_certificates):
            server = b2c_tls_server(lambda request: (200, {"hello": request.path}))
            session = requests.Session()
            session.trust_env = False
            assert session.get(server.url("/x"), verify=b2c_ca_bundle).json() == {"hello": "/x"}
            assert b2c_ca_bundle == str(b2c_certificates.ca_pem)
            strict = b2c_tls_server(require_client_cert=True)
            assert strict.base_url != server.base_url


        def test_keys_from_the_environment(b2c_keys, monkeypatch):
            monkeypatch.setenv("CONNECTOR_SIM_KEY_RestApiUsername", "svc-user")
            assert b2c_keys["B2C_1A_RestApiUsername"] == "svc-user"


        def test_own_records(b2c_report, b2c_tls_server, b2c_ca_bundle):
            server = b2c_tls_server(lambda request: (200, {"loyaltyNumber": "L-1"}))
            profile = RestfulProfile(service_url=server.url("/api"), auth=Basic("u", "own-password-5521"),
                                     input_claims=(InputClaim("email"),), ca_bundle=b2c_ca_bundle)
            result = b2c_report.add(profile.call({"email": "a@b.c"}), label="direct")
            assert result.ok and [r.label for r in b2c_report.records] == ["direct"]


        def test_policy_is_skipped_without_files(b2c_policy):
            pass
    ''')
    result = pytester.runpytest(*PLUGIN, "--b2c-report-json", "calls.json", "-rs")

    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(["*no B2C policy given: pass --b2c-policy FILE*"])
    calls = (pytester.path / "calls.json").read_text(encoding="utf-8")
    assert "own-password-5521" not in calls and json.loads(calls)["calls"][0]["label"] == "direct"


def test_options_markers_and_usage_errors(pytester: pytest.Pytester) -> None:
    help_text = pytester.runpytest(*PLUGIN, "--help").stdout.str()
    for option in ("--b2c-policy", "--b2c-keys", "--b2c-settings", "--b2c-environment", "--b2c-report-json",
                   "--b2c-junit"):
        assert option in help_text
    assert "connector_sim: call your API as Azure AD B2C does" in help_text
    markers = pytester.runpytest(*PLUGIN, "--markers").stdout.str()
    assert "@pytest.mark.b2c_profile(*ids" in markers and "@pytest.mark.b2c_step(name)" in markers

    bad = pytester.runpytest(*PLUGIN, "--b2c-environment", "Development")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    assert "--b2c-environment needs --b2c-settings" in bad.stderr.str()


def test_policy_settings_and_ini_keys(pytester: pytest.Pytester) -> None:
    starter = ROOT / "tests" / "policies" / "starter"
    pytester.makeini(f"""
        [pytest]
        b2c_policy =
            {starter / "TrustFrameworkBase.xml"}
            {starter / "TrustFrameworkLocalization.xml"}
            {starter / "TrustFrameworkExtensions.xml"}
        b2c_settings = {starter / "appsettings.json"}
        b2c_environment = Production
    """)
    pytester.makepyfile(test_policy='''
        def test_settings_applied(b2c_policy):
            assert not b2c_policy.unresolved_settings
            assert any("loyalty.contoso.example" in str(d.metadata.get("ServiceUrl", ""))
                       for d in b2c_policy.technical_profiles.values())
    ''')
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)

    pytester.makepyfile(test_policy='''
        def test_bad(b2c_policy):
            pass
    ''')
    broken = pytester.path / "broken.xml"
    broken.write_text("<TrustFrameworkPolicy><oops></TrustFrameworkPolicy>", encoding="utf-8")
    result = pytester.runpytest(*PLUGIN, f"--b2c-policy={broken}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*connector-sim: *broken.xml*"])


def test_nothing_runs_unless_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pytester.runpytest(*PLUGIN, "--setup-show")

    result.assert_outcomes(passed=1)
    assert "b2c_" not in result.stdout.str()  # no autouse fixture
    assert not list(pytester.path.glob("*.json")) and not list(pytester.path.glob("*.xml"))


def test_names_stay_clear_of_locust_and_pytest_httpserver() -> None:
    fixtures = [name for name in vars(pytest_plugin) if name.startswith("b2c_")]
    assert sorted(fixtures) == ["b2c_app_server", "b2c_ca_bundle", "b2c_certificates", "b2c_keys", "b2c_policy", "b2c_report",
                                "b2c_run", "b2c_service_urls", "b2c_tls_server", "b2c_token_clients",
                                "b2c_token_endpoint"]
    for name in ("session", "fastsession", "httpserver", "make_httpserver"):
        assert not hasattr(pytest_plugin, name)
    source = Path(pytest_plugin.__file__).read_text(encoding="utf-8")
    assert "autouse" not in source.replace("no autouse", "") and '"--host"' not in source and '"-H"' not in source


def test_importing_the_plugin_stays_light() -> None:
    code = ("import sys, connector_sim.pytest_plugin; "
            "print([m for m in ('connector_sim.testing', 'msal', 'trustme', 'locust', 'gevent') if m in sys.modules])")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _entry_point_line() -> str:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    (line,) = [x.strip() for x in parser["options.entry_points"]["pytest11"].splitlines() if x.strip()]
    return line


def test_entry_point_loads_once_even_with_p_or_pytest_plugins(pytester: pytest.Pytester,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert _entry_point_line() == "connector_sim.pytest_plugin = connector_sim.pytest_plugin"
    site = pytester.path / "site"
    info = site / "connector_sim_installed-0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: connector-sim-installed\nVersion: 0.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[pytest11]\n{_entry_point_line()}\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(ROOT)]))
    pytester.makepyfile(test_loaded='''
        def test_loaded(pytestconfig):
            assert pytestconfig.pluginmanager.hasplugin("connector_sim.pytest_plugin")
            assert pytestconfig.getoption("b2c_policies") == []
    ''')

    pytester.runpytest_subprocess().assert_outcomes(passed=1)  # loaded by the entry point alone
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=1)  # and -p does not register it twice
    pytester.makeconftest('pytest_plugins = ["connector_sim.pytest_plugin"]\n')
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


# -- the assertion helpers, directly -------------------------------------------------------------------------


def _basic_profile(api: Any, certs: Any) -> Any:
    from connector_sim import Basic, InputClaim, OutputClaim, RestfulProfile

    from tests.helpers import FAST

    return RestfulProfile(service_url=api.url("/api/check?code=url-code-9090"),
                          auth=Basic("api-user", SECRETS["password"]), input_claims=(InputClaim("email"),),
                          output_claims=(OutputClaim("tier"), OutputClaim("accessToken")),
                          ca_bundle=str(certs.ca_pem), timing=FAST)


def _message(excinfo: Any) -> str:
    text = str(excinfo.value)
    for value in [*SECRETS.values(), "url-code-9090", "answer-token-777"]:
        assert value not in text
    return text


def test_assert_b2c_error_calls_checks_and_explains(api: Any, certs: Any) -> None:
    import re

    from connector_sim import RestApiError
    from connector_sim.pytest_plugin import assert_b2c_error

    api.handler = lambda request: Reply(409, json={"version": "1.0.0", "status": 409, "code": "TAKEN",
                                                   "userMessage": "That email is taken."})
    profile = _basic_profile(api, certs)
    call = lambda: profile.call({"email": "ada@contoso.com"})  # noqa: E731

    error = assert_b2c_error(call, code="TAKEN", user_message="That email is taken.", status=409,
                             error_type=RestApiError, profile="RestfulProfile")
    assert isinstance(error, RestApiError)
    assert_b2c_error(error, user_message=re.compile(r"email is \w+"), error_type="CallError")
    with pytest.raises(AssertionError) as excinfo:
        assert_b2c_error(call, code="AADB2C90075", user_message="Other.", status=500, error_type="TlsError")
    text = _message(excinfo)
    for expected in ("code: expected 'AADB2C90075', got 'TAKEN'", "userMessage: expected to contain 'Other.'",
                     "status: expected 500, got 409", "type: expected TlsError, got RestApiError",
                     "Authorization: Basic ***", "code=***", "409 Conflict", "That email is taken."):
        assert expected in text, expected


def test_assertions_on_success_failures_and_outcomes(api: Any, certs: Any) -> None:
    from connector_sim import ApiConnector, Basic
    from connector_sim.pytest_plugin import (
        assert_b2c_error, assert_claims, assert_ok, assert_outcome, assert_user_sees, explain,
    )

    api.handler = lambda request: Reply(200, json={"tier": "gold", "accessToken": "answer-token-777"})
    result = _basic_profile(api, certs).call({"email": "ada@contoso.com"})
    assert assert_ok(result) is result
    assert_claims(result, {"tier": "gold"})
    with pytest.raises(AssertionError) as excinfo:
        assert_b2c_error(result)
    assert "but it succeeded" in _message(excinfo)
    with pytest.raises(AssertionError) as excinfo:
        assert_claims(result, {"tier": 1, "accessToken": "wrong"}, exact=True)
    text = _message(excinfo)
    assert "tier: expected 1, got 'gold' (str)" in text and "accessToken: expected ***, got ***" in text

    api.handler = lambda request: Reply(400, json={"version": "1.0.0", "action": "ValidationError", "status": "400",
                                                   "userMessage": "Check the postal code."})
    outcome = ApiConnector(api.url("/api/v"), Basic("b2c", SECRETS["password"]),
                           ca_bundle=str(certs.ca_pem)).post_attribute_collection(email="ada@contoso.com")
    assert_outcome(outcome, "ValidationError")
    assert_user_sees(outcome, "postal code")
    assert_user_sees(outcome, "Check the postal code.", exact=True)
    with pytest.raises(AssertionError) as excinfo:
        assert_ok(outcome)
    assert "Check the postal code." in _message(excinfo)
    with pytest.raises(AssertionError) as excinfo:
        assert_outcome(outcome, "Continue")
    assert "expected the outcome to be 'Continue', got 'ValidationError'" in _message(excinfo)
    with pytest.raises(AssertionError) as excinfo:
        assert_user_sees(outcome, "blocked")
    assert "but the user sees 'Check the postal code.'" in _message(excinfo)
    assert explain(object()) == "(no calls to show: got object)"
