"""The Locust user (connector_sim.load.user) under Locust, and the sample locustfile in distributed mode.

Locust's gevent must patch the standard library before connector_sim imports ssl, which this
pytest process did long ago, so every Locust run happens in a child process (bounded by a timeout)
against servers running here in ordinary threads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

from connector_sim.testing import Reply, ServerRequest
from tests.helpers import SECRETS
from tests.helpers.journeys import JOURNEYS_POLICY, KEYS, REST_IDS, FakeApi

ROOT = Path(__file__).resolve().parents[2]
BASIC_POLICY = ROOT / "tests" / "policies" / "secure-rest-api" / "01-rest-getprofile-basic.xml"


class LoadApi:
    """Fast answers, a retry-provoking path, a connector, and the journeys policy's fake API."""

    def __init__(self, journeys: FakeApi) -> None:
        self.journeys = journeys
        self.slow_calls = 0

    def __call__(self, request: ServerRequest) -> Reply:
        if request.path == "/api/ok":
            return Reply(200, json={"loyaltyNumber": "L-1"})
        if request.path == "/api/slow-retry":  # one user: every first attempt times out, every retry answers
            self.slow_calls += 1
            return Reply(200, json={"loyaltyNumber": "L-2"}, delay=0.35 if self.slow_calls % 2 else 0.0)
        if request.path == "/api/connector":
            return Reply(200, json={"version": "1.0.0", "action": "Continue"})
        return self.journeys(request)


def _child(code: str, stdin: str = "", env: Any = None, timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True, cwd=ROOT,
                          env=full_env, timeout=timeout)


@pytest.fixture(scope="module")
def scenarios(certs: Any, _api_server: Any, _mtls_server: Any, tmp_path_factory: Any) -> Dict[str, Any]:
    """Run tests/helpers/load_scenarios.py once under Locust; every test below reads its findings."""
    from connector_sim.testing import FakeTokenEndpoint

    with FakeTokenEndpoint(clients={"b2c-client": SECRETS["client_secret"]}, certificates=certs,
                           delay=0.2) as entra:
        _api_server.clear()
        _mtls_server.clear()
        _api_server.handler = LoadApi(FakeApi(entra))
        _mtls_server.handler = lambda r: Reply(200, json={"loyaltyNumber": "L-1"})
        urls = {pid: _api_server.base_url for pid in REST_IDS}
        urls["REST-AcquireAccessToken"] = entra.token_url
        cfg = {"api": _api_server.base_url, "mtls": _mtls_server.base_url, "ca": str(certs.ca_pem),
               "pfx": str(certs.client_pfx), "password": certs.password, "authority": entra.authority,
               "client_id": "b2c-client", "client_secret": SECRETS["client_secret"], "policy": str(JOURNEYS_POLICY),
               "keys": KEYS, "service_urls": urls}
        try:
            done = _child("import locust; from tests.helpers.load_scenarios import main; main()", json.dumps(cfg))
        finally:
            _api_server.handler = lambda r: Reply(200, json={})
            _mtls_server.handler = lambda r: Reply(200, json={})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    findings = json.loads(done.stdout.strip().splitlines()[-1])
    findings["stderr"] = done.stderr
    findings["mtls_emails"] = sorted({r.json()["email"] for r in _mtls_server.requests})
    findings["mtls_ports"] = len({r.client_address[1] for r in _mtls_server.requests})
    return findings


def test_the_child_runs_under_gevent(scenarios: Dict[str, Any]) -> None:
    assert scenarios["patched"] is True
    for secret in (SECRETS["client_secret"], SECRETS["api_key"]):
        assert secret not in json.dumps(scenarios)


def test_every_call_fires_one_request_event_named_by_profile(scenarios: Dict[str, Any]) -> None:
    run = scenarios["mtls"]
    report, events = run["report"], run["events"]
    assert report["requests"] > 20 and report["failures"] == 0
    assert {(e["type"], e["name"], e["failure"]) for e in events} == {("POST", "REST-Mtls", None)}
    assert report["requests"] == len(events)
    assert all(e["length"] > 0 and e["ms"] > 0 for e in events)
    assert "REST-Mtls" in run["table"] and "Over B2C's 10 s timeout: 0 of" in run["table"]


def test_rows_are_handed_out_per_user_and_each_user_keeps_a_connection(scenarios: Dict[str, Any]) -> None:
    assert scenarios["mtls_emails"] == ["user0@contoso.com", "user1@contoso.com", "user2@contoso.com"]
    assert scenarios["mtls_ports"] == 5  # five users, five keep-alive connections, however many calls


def test_one_decoded_pfx_per_process_and_verified_tls(scenarios: Dict[str, Any]) -> None:
    run = scenarios["mtls"]
    assert run["decodes"] == 1
    # Made after gevent patched ssl (cooperative), and never relaxed (verify=False is never used).
    assert run["context"] == {"gevent": True, "verify": True, "hostname": True}


def test_the_token_is_shared_by_concurrent_users(scenarios: Dict[str, Any]) -> None:
    run = scenarios["bearer"]
    assert run["report"]["failures"] == 0 and run["report"]["requests"] > 10
    assert run["token_requests"] == 1  # five users, one token request, no deadlock on the token lock


def test_a_200_slower_than_the_timeout_is_a_failure(scenarios: Dict[str, Any]) -> None:
    run = scenarios["slow"]
    reasons = run["report"]["failures_by_reason"]
    assert set(reasons) == {"slow-200"} and reasons["slow-200"] >= 2
    assert run["report"]["over_timeout"] == reasons["slow-200"]
    failures = {e["failure"] for e in run["events"]}
    assert failures == {"slow-200: answered HTTP 200, but slower than B2C's 0.2 s timeout (test-quick, 1 retry)"}
    assert all(e["ms"] > 200 for e in run["events"])  # the whole call, retry included


def test_a_journey_reports_each_step(scenarios: Dict[str, Any]) -> None:
    run = scenarios["journey"]
    names = [e["name"] for e in run["events"]]
    assert set(names) == {"REST-AcquireAccessToken", "REST-GetProfile"}
    assert run["report"]["failures"] == 0
    assert {e["name"] for e in run["report"]["entries"]} == {"REST-AcquireAccessToken", "REST-GetProfile"}


def test_an_api_connector_step_under_load(scenarios: Dict[str, Any]) -> None:
    run = scenarios["connector"]
    assert {(e["type"], e["name"], e["failure"]) for e in run["events"]} == {("POST", "PostAttributeCollection", None)}
    assert run["report"]["requests"] > 5


def test_a_tls_context_made_before_patching_is_refused(scenarios: Dict[str, Any]) -> None:
    assert "made before gevent patched ssl" in scenarios["early_context"]


def test_the_sample_locustfile_runs_distributed_with_processes(tmp_path: Path, api: Any, certs: Any) -> None:
    api.handler = lambda r: Reply(200, json={"loyaltyNumber": "L-1"})
    (tmp_path / "keys.json").write_text(json.dumps({"B2C_1A_RestApiUsername": "api-user",
                                                    "B2C_1A_RestApiPassword": SECRETS["password"]}), encoding="utf-8")
    (tmp_path / "users.csv").write_text("email\nada@contoso.com\ngrace@contoso.com\n", encoding="utf-8")
    (tmp_path / "load.json").write_text(json.dumps({
        "policies": [str(BASIC_POLICY)], "target": "REST-GetProfile", "keys": "keys.json", "data": "users.csv",
        "service_urls": {"REST-GetProfile": api.url("/api/GetProfile")}, "ca_bundle": str(certs.ca_pem)}),
        encoding="utf-8")
    env = {"CONNECTOR_SIM_LOAD_CONFIG": str(tmp_path / "load.json"), "CONNECTOR_SIM_LOAD_MAX_FAILURE_RATIO": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "samples" / "load" / "locustfile.py"), "--headless",
         "--processes", "2", "-u", "4", "-r", "4", "-t", "2s", "--only-summary"],
        capture_output=True, text=True, cwd=tmp_path, timeout=90,
        env=dict(os.environ, PYTHONPATH=str(ROOT), **env))

    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "Traceback" not in output and SECRETS["password"] not in output
    assert "Over B2C's 10 s timeout: 0 of" in output
    assert output.count("reported as ready") >= 2  # two worker processes joined the master
    ports = {r.client_address[1] for r in api.requests}
    assert len(ports) >= 4  # each simulated user in each worker holds its own connection
