"""load.data, load.config and load.report: rows of claims, the run's configuration, the end-of-run report.

Also the import rule: the core and the CLI never import Locust or gevent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from connector_sim.errors import ConfigurationError
from connector_sim.load import ClaimRows, LoadConfig, LoadReport
from connector_sim.load.config import parse_wait
from connector_sim.timing import timing_profile

ROOT = Path(__file__).resolve().parents[2]


def test_csv_rows_are_handed_out_in_turn_and_cycle(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text("\ufeffemail,givenName\nada@contoso.com,Ada\ngrace@contoso.com,\n", encoding="utf-8")
    rows = ClaimRows.from_file(path)

    assert len(rows) == 2
    # An empty cell leaves the claim out, so a DefaultValue applies as when B2C has no such claim.
    assert [rows.next() for _ in range(3)] == [
        {"email": "ada@contoso.com", "givenName": "Ada"}, {"email": "grace@contoso.com"},
        {"email": "ada@contoso.com", "givenName": "Ada"}]


def test_json_rows_keep_their_types(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"rows": [{"email": "a@b.c", "age": 42, "member": True}]}), encoding="utf-8")
    row = ClaimRows.from_file(path).next()

    assert row == {"email": "a@b.c", "age": 42, "member": True}
    row["email"] = "changed"
    assert ClaimRows.from_file(path).next()["email"] == "a@b.c"  # every user gets a copy


@pytest.mark.parametrize("name, text, message", [
    ("u.csv", "", "name every column"),
    ("u.csv", "email\n", "no rows"),
    ("u.csv", "email\na@b.c,extra\n", "more cells"),
    ("u.json", "[1, 2]", "not an object"),
    ("u.json", "{", "not valid JSON"),
    ("u.json", "{}", "JSON list"),
    ("u.txt", "email\n", ".csv or .json"),
])
def test_bad_data_files_are_refused(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        ClaimRows.from_file(path)


def test_a_missing_data_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        ClaimRows.from_file(tmp_path / "nope.csv")


@pytest.mark.parametrize("text, pair", [("0", (0.0, 0.0)), ("0.5", (0.5, 0.5)), ("1-3", (1.0, 3.0))])
def test_wait_is_seconds_or_a_range(text: str, pair: Any) -> None:
    assert parse_wait(text) == pair


@pytest.mark.parametrize("text", ["x", "-1", "3-1", ""])
def test_bad_waits_are_refused(text: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_wait(text)


def test_config_file_paths_are_relative_to_the_file_and_env_wins(tmp_path: Path) -> None:
    (tmp_path / "p.xml").write_text("<x/>", encoding="utf-8")
    (tmp_path / "users.csv").write_text("email\na@b.c\n", encoding="utf-8")
    config_path = tmp_path / "load.json"
    config_path.write_text(json.dumps({"policies": "p.xml", "target": "REST-A", "data": "users.csv",
                                       "service_urls": {"REST-A": "https://127.0.0.1:1/a"}}), encoding="utf-8")
    env = {"CONNECTOR_SIM_LOAD_CONFIG": str(config_path), "CONNECTOR_SIM_LOAD_TARGET": "REST-A, REST-B",
           "CONNECTOR_SIM_LOAD_SERVICE_URLS": "REST-B=https://127.0.0.1:2/b", "CONNECTOR_SIM_LOAD_TIMING": "user-flow",
           "CONNECTOR_SIM_LOAD_THROUGHPUT": "2.5", "CONNECTOR_SIM_LOAD_ROW_PER": "call"}
    config = LoadConfig.from_env(env)

    assert config.policies == [str(tmp_path / "p.xml")] and config.data == str(tmp_path / "users.csv")
    assert config.target == ["REST-A", "REST-B"]
    assert config.service_urls == {"REST-A": "https://127.0.0.1:1/a", "REST-B": "https://127.0.0.1:2/b"}
    assert (config.timing, config.throughput, config.row_per) == ("user-flow", 2.5, "call")
    assert config.check() is config
    assert LoadConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config  # round-trips through JSON


@pytest.mark.parametrize("fields, message", [
    ({}, "name what to load"),
    ({"target": ["A"], "connector": {"step": "PostAttributeCollection", "url": "https://x"}}, "not both"),
    ({"target": ["A"]}, "policy file"),
    ({"connector": {"step": "PostAttributeCollection"}}, "step and url"),
    ({"connector": {"step": "s", "url": "u", "password": "x"}}, "unknown: password"),
    ({"target": ["A"], "policies": ["p"], "row_per": "day"}, "row_per"),
    ({"target": ["A"], "policies": ["p"], "wait": "soon"}, "wait"),
    ({"target": ["A"], "policies": ["p"], "timing": "fast"}, "unknown timing profile"),
    ({"target": ["A"], "policies": ["p"], "data": "/nonexistent/users.csv"}, "is not a file"),
])
def test_config_refuses_what_cannot_run(fields: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        LoadConfig(**fields).check()


def test_config_files_refuse_unknown_fields(tmp_path: Path) -> None:
    path = tmp_path / "load.json"
    path.write_text(json.dumps({"policy": "p.xml"}), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="unknown load configuration field 'policy'"):
        LoadConfig.from_file(str(path))


def test_a_connector_password_comes_only_from_the_named_variable(monkeypatch: Any) -> None:
    config = LoadConfig(connector={"step": "PostAttributeCollection", "url": "https://127.0.0.1:1/api",
                                   "auth": "basic", "username": "u", "password_env": "LOAD_TEST_PW"})
    monkeypatch.delenv("LOAD_TEST_PW", raising=False)
    with pytest.raises(ConfigurationError, match="LOAD_TEST_PW is not set"):
        config.build_target()
    monkeypatch.setenv("LOAD_TEST_PW", "pw-from-env-123")
    target, secrets = config.build_target()
    assert target.timing.name == "user-flow" and "pw-from-env-123" in secrets
    assert "pw-from-env-123" not in json.dumps(config.to_dict())


def _entry(name: str, method: str, requests: int, failures: int) -> Any:
    return SimpleNamespace(name=name, method=method, num_requests=requests, num_none_requests=0,
                           num_failures=failures, avg_response_time=12.5, total_rps=100.0,
                           get_response_time_percentile=lambda p: int(p * 100))


def test_the_report_counts_failures_by_reason_and_the_share_over_the_timeout() -> None:
    stats = SimpleNamespace(
        entries={("REST-A", "POST"): _entry("REST-A", "POST", 900, 30),
                 ("REST-B", "GET"): _entry("REST-B", "GET", 100, 0)},
        total=_entry("Aggregated", "", 1000, 30),
        errors={n: SimpleNamespace(name="REST-A", method="POST", error=text, occurrences=count) for n, (text, count) in
                enumerate([("timeout: no answer within B2C's 10 s", 10), ("slow-200: answered HTTP 200, but slower", 5),
                           ("http-500: HTTP 500; B2C fails the step", 15)])})
    report = LoadReport.from_stats(stats, target="REST-A", users=5, duration_s=10.0,
                                   timing=timing_profile("custom-policy"))

    assert report.failure_ratio == pytest.approx(0.03)
    assert report.failures_by_reason == {"http-500": 15, "timeout": 10, "slow-200": 5}
    assert report.over_timeout == 15 and report.over_timeout_ratio == pytest.approx(0.015)
    table = report.table()
    assert "REST-A" in table and "total" in table and "http-500" in table
    assert "Over B2C's 10 s timeout: 15 of 1,000 calls (1.50%)" in table
    data = report.to_dict()
    assert data["failures_by_reason"]["timeout"] == 10 and data["p95_ms"] == 95
    json.dumps(data)


def test_an_empty_report_has_no_ratio() -> None:
    stats = SimpleNamespace(entries={}, total=_entry("Aggregated", "", 0, 0), errors={})
    report = LoadReport.from_stats(stats, target="x", users=1, duration_s=1.0, timing=timing_profile("user-flow"))
    assert report.failure_ratio == 0.0 and report.total.p50_ms is None and "0 calls" in report.table()


def test_the_core_and_the_cli_never_import_locust_or_gevent() -> None:
    code = ("import sys, connector_sim, connector_sim.cli, connector_sim.load, connector_sim.load.targets; "
            "from connector_sim.cli import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('locust', 'gevent', 'greenlet')))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_locust_parts_explain_the_import_order() -> None:
    # In this process connector_sim (hence ssl and urllib3) came first: Locust cannot patch any more.
    import connector_sim.load as load

    with pytest.raises(ConfigurationError, match="import locust"):
        load.B2CUser  # noqa: B018
    assert "locust" not in sys.modules


def test_the_call_path_never_turns_certificate_checks_off() -> None:
    # requests-pkcs12's verify=False flips the shared SSL context for every concurrent request
    # (landscape 3.2): nothing on the path of a load run may ask for it.
    package = ROOT / "connector_sim"
    files = [package / "caller.py"]
    for room in ("auth", "transport", "connectors", "load"):
        files += sorted((package / room).glob("*.py"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in ("verify=False", "CERT_NONE", "check_hostname = False", "check_hostname=False"):
            assert pattern not in text, f"{path.name} contains {pattern}"
