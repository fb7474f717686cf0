"""Load mode's fast transport (geventhttpclient) against the SDK's own (requests): same verdicts, same bytes.

Every load scenario (each auth strategy and SendClaimsIn, every failure kind a load run reports, a
policy journey, user-flow API connectors) runs in a child process under gevent through both
transports (tests/helpers/transport_scenarios.py); the recording servers here (tests/helpers/raw_tls.py)
keep each request's raw bytes, so the two transports are held to the same bytes on the wire, not
just the same parsed fields.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import urllib3

from connector_sim.errors import ConfigurationError
from connector_sim.load import ProfileTarget
from connector_sim.testing import FakeTokenEndpoint, Reply, ServerRequest
from tests.helpers import SECRETS
from tests.helpers.journeys import JOURNEYS_POLICY, KEYS, REST_IDS, FakeApi
from tests.helpers.raw_tls import RawTlsServer

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = [
    "basic-body", "basic-form", "apikey-querystring", "client-certificate", "bearer-client-credentials",
    "gzip-answer", "too-large", "trickled-answer", "error-contract", "http-500", "invalid-response", "slow-200",
    "timeout", "connection-refused", "tls-no-client-certificate", "journey", "connector-continue",
    "connector-block-page", "connector-contract-violation",
    # An answer's Set-Cookie (App Service's ARRAffinity) is sent back by neither transport, as by no B2C call.
    "set-cookie-answer",
]
#: What B2C makes of each scenario's calls (None: the flow goes on): the scenarios are not vacuous.
EXPECTED = {
    "too-large": "invalid-response", "trickled-answer": "timeout", "error-contract": "error-contract",
    "http-500": "http-500", "invalid-response": "invalid-response", "slow-200": "slow-200", "timeout": "timeout",
    "connection-refused": "connection-error", "connector-block-page": "block-page",
    "connector-contract-violation": "contract-violation",
}
_BEARER = re.compile(rb"(\r\nAuthorization: Bearer )[^\r]+")


class Api:
    """The scenarios' API: fixed answers by path, one stateful retry path, the journeys policy's routes."""

    def __init__(self, journeys: FakeApi) -> None:
        self.journeys = journeys
        self.slow_calls = 0

    def __call__(self, request: ServerRequest) -> Reply:
        path = request.path
        if path == "/control/mark":
            self.slow_calls = 0  # each transport's run starts from the same state
            return Reply(200, json={})
        fixed = {
            "/api/ok": Reply(200, json={"loyaltyNumber": "L-1"}),
            "/api/cookie": Reply(200, json={"loyaltyNumber": "L-c"}, headers={"Set-Cookie": "ARRAffinity=a1; Path=/"}),
            "/api/gzip": Reply(200, body=gzip.compress(b'{"loyaltyNumber":"L-gz"}', mtime=0),
                               headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}),
            "/api/conflict": Reply(409, json={"version": "1.0.0", "status": 409, "userMessage": "Taken."}),
            "/api/boom": Reply(500, json={"error": "boom"}),
            "/api/big": Reply(200, body_size=300_000),
            "/api/trickle": Reply(200, stream=_trickle(), headers={"Content-Type": "application/json"}),
            "/api/not-json": Reply(200, body=b"<html>not json</html>", headers={"Content-Type": "text/html"}),
            "/api/hang": Reply(200, json={"loyaltyNumber": "late"}, delay=0.4),
            "/api/connector": Reply(200, json={"version": "1.0.0", "action": "Continue"}),
            "/api/connector-block": Reply(200, json={"version": "1.0.0", "action": "ShowBlockPage",
                                                     "userMessage": "Blocked."}),
            "/api/connector-broken": Reply(200, json={"action": "Continue", "extension_x": 1}),
        }
        if path in fixed:
            return fixed[path]
        if path == "/api/slow-retry":  # every first attempt is too slow; every retry answers at once
            self.slow_calls += 1
            return Reply(200, json={"loyaltyNumber": "L-2"}, delay=0.4 if self.slow_calls % 2 else 0.0)
        return self.journeys(request)


def _trickle() -> Iterator[bytes]:
    """A valid JSON answer a byte every 20 ms: each read is quick, the whole is over B2C's timeout."""
    for byte in b'{"loyaltyNumber":"L-trickle"}' + b" " * 10:
        time.sleep(0.02)
        yield bytes([byte])


def _refused_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on (closed again before the calls)
        probe.bind(("127.0.0.1", 0))
        return f"https://127.0.0.1:{probe.getsockname()[1]}"


def _split(raw: List[bytes]) -> Dict[str, Dict[str, List[bytes]]]:
    """The API's raw requests by scenario and transport, cut at the marks the child sent."""
    found: Dict[str, Dict[str, List[bytes]]] = {}
    current: List[bytes] = []
    for request in raw:
        line = request.split(b"\r\n", 1)[0].decode("latin-1")
        if line.startswith("GET /control/mark?"):
            scenario, transport = re.findall(r"=([^&\s]+)", line)[:2]
            current = found.setdefault(scenario, {}).setdefault(transport, [])
            continue
        current.append(request)
    return found


@pytest.fixture(scope="module")
def both(certs: Any) -> Dict[str, Any]:
    """Run the scenarios once through both transports; every test below reads the findings."""
    with FakeTokenEndpoint(clients={"b2c-client": SECRETS["client_secret"]}, certificates=certs) as entra, \
            RawTlsServer(certs) as api, RawTlsServer(certs, require_client_cert=True) as mtls:
        api.handler = Api(FakeApi(entra))
        mtls.handler = lambda r: Reply(200, json={"loyaltyNumber": "L-m"})
        urls = {pid: api.base_url for pid in REST_IDS}
        urls["REST-AcquireAccessToken"] = entra.token_url
        cfg = {"api": api.base_url, "mtls": mtls.base_url, "refused": _refused_url(), "ca": str(certs.ca_pem),
               "pfx": str(certs.client_pfx), "pfx_password": certs.password, "password": SECRETS["password"],
               "api_key": SECRETS["api_key"], "authority": entra.authority, "client_id": "b2c-client",
               "client_secret": SECRETS["client_secret"], "policy": str(JOURNEYS_POLICY), "keys": KEYS,
               "service_urls": urls}
        done = subprocess.run(
            [sys.executable, "-c", "import locust; from tests.helpers.transport_scenarios import main; main()"],
            input=json.dumps(cfg), capture_output=True, text=True, cwd=ROOT, timeout=180,
            env=dict(os.environ, PYTHONPATH=str(ROOT)))
        raw_api, raw_mtls = list(api.raw), list(mtls.raw)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    findings = json.loads(done.stdout.strip().splitlines()[-1])
    findings["raw"] = _split(raw_api)
    findings["raw_mtls"] = raw_mtls
    findings["stderr"] = done.stderr
    return findings


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_both_transports_give_the_same_verdicts_and_bytes(both: Dict[str, Any], scenario: str) -> None:
    assert both["senders"][scenario] == {"requests": ["Transport"], "fast": ["FastTransport"]}
    verdicts = both["verdicts"][scenario]
    assert verdicts["fast"] == verdicts["requests"], verdicts
    reasons = {v["failure"].split(":", 1)[0] if v["failure"] else None for v in verdicts["fast"]}
    if scenario == "tls-no-client-certificate":  # TLS 1.3 reports a missing client certificate on first read
        assert reasons <= {"tls-error", "connection-error"} and None not in reasons
    else:
        assert reasons == {EXPECTED.get(scenario)}, verdicts["fast"]
    if scenario == "client-certificate":
        raw = both["raw_mtls"]
        assert len(raw) == 4 and raw[:2] == raw[2:]
    else:
        sent = both["raw"].get(scenario, {"requests": [], "fast": []})
        if scenario == "journey":  # REST-AcquireAccessToken gets a new token for every journey
            sent = {t: [_BEARER.sub(rb"\1<token>", r) for r in sent[t]] for t in sent}
        assert sent["fast"] == sent["requests"], sent
        expected_on_wire = 0 if scenario in ("connection-refused", "tls-no-client-certificate") else 1
        assert len(sent["fast"]) >= expected_on_wire


def test_the_bytes_are_what_b2c_sends(both: Dict[str, Any]) -> None:
    body = both["raw"]["basic-body"]["fast"][0]
    head, _, content = body.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"POST /api/ok HTTP/1.1"
    assert content == json.dumps({"email": "ada+load@contoso.com", "givenName": "Zoë"}, ensure_ascii=False,
                                 separators=(",", ":")).encode("utf-8")
    query = both["raw"]["apikey-querystring"]["fast"][0].split(b"\r\n", 1)[0]
    assert query.startswith(b"GET /api/ok?code=fixed&email=ada%2Bload%40contoso.com&givenName=Zo%C3%AB ")
    assert b"x-functions-key: " + SECRETS["api_key"].encode() in both["raw"]["apikey-querystring"]["fast"][0]


def test_the_retry_and_the_timeout_are_b2c_s(both: Dict[str, Any]) -> None:
    slow = both["verdicts"]["slow-200"]["fast"][0]
    assert [a[2] for a in slow["attempts"]] == [] and slow["slow"]  # answered on the retry, after the timeout
    hang = both["verdicts"]["timeout"]["fast"][0]
    assert [(a[0], a[2]) for a in hang["attempts"]] == [(1, "timeout"), (2, "timeout")]
    assert hang["b2c_code"] == "AADB2C90162"
    assert len(both["raw"]["slow-200"]["fast"]) == 2 * 2  # two calls, each a first attempt and a retry


def test_one_token_for_both_transports_and_the_child_was_patched(both: Dict[str, Any]) -> None:
    assert both["patched"] is True
    assert both["token_requests"] == 1
    for secret in (SECRETS["client_secret"], SECRETS["password"]):
        assert secret not in json.dumps(both["verdicts"]) and secret not in both["stderr"]


def test_b2c_user_runs_on_either_transport_under_locust(both: Dict[str, Any]) -> None:
    for transport in ("requests", "fast"):
        run = both["locust"][transport]
        assert run["requests"] > 10 and run["failures"] == 0
        assert run["events"] == run["requests"] and run["failed_events"] == 0


def test_an_unknown_transport_is_refused() -> None:
    from connector_sim import Basic, RestfulProfile

    with pytest.raises(ConfigurationError, match="transport must be one of requests, fast"):
        ProfileTarget(RestfulProfile("https://127.0.0.1:1/api", auth=Basic("u", "p")), transport="httpx")


def test_the_load_command_takes_transport_fast(api: Any, certs: Any, tmp_path: Path) -> None:
    api.handler = lambda r: Reply(200, json={"loyaltyNumber": "L-1"})
    api.clear()
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"B2C_1A_RestApiUsername": "api-user", "B2C_1A_RestApiPassword": SECRETS["password"]}),
                    encoding="utf-8")
    policy = ROOT / "tests" / "policies" / "secure-rest-api" / "01-rest-getprofile-basic.xml"
    done = subprocess.run(
        [sys.executable, "-m", "connector_sim", "load", "REST-GetProfile", "--policy", str(policy), "--keys", str(keys),
         "--claim", "email=ada@contoso.com", "--service-url", f"REST-GetProfile={api.url('/api/GetProfile')}",
         "--ca-bundle", str(certs.ca_pem), "--users", "2", "--run-time", "1s", "--transport", "fast", "--json"],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=90)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["requests"] > 5 and report["failures"] == 0 and report["passed"] is True
    assert SECRETS["password"] not in done.stdout + done.stderr
    assert {r.header("User-Agent") for r in api.requests} == {f"python-urllib3/{urllib3.__version__}"}
    assert main_exit(["load", "REST-GetProfile", "--policy", str(policy), "--transport", "httpx"]) == 2


def main_exit(argv: List[str]) -> int:
    """The CLI's exit code for argv, argparse's own exit included."""
    from connector_sim.cli import main

    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
