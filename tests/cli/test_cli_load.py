"""``connector-sim load``: exit codes (0 within the threshold, 1 over it, 2 usage), the report, no secret.

Usage errors are found before any Locust process starts, so they are checked in-process; the runs
themselves go through ``python -m connector_sim load`` in a child process with a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

from connector_sim.cli import main
from connector_sim.testing import Reply

from tests.helpers import SECRETS

ROOT = Path(__file__).resolve().parents[2]
BASIC_POLICY = ROOT / "tests" / "policies" / "secure-rest-api" / "01-rest-getprofile-basic.xml"


@pytest.fixture
def files(tmp_path: Path) -> Any:
    """A keys file and a data file for the Basic GetProfile profile of the article."""
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"B2C_1A_RestApiUsername": "api-user", "B2C_1A_RestApiPassword": SECRETS["password"]}),
                    encoding="utf-8")
    data = tmp_path / "users.csv"
    data.write_text("email\nada@contoso.com\ngrace@contoso.com\n", encoding="utf-8")
    return keys, data


def _load(api: Any, certs: Any, files: Any, *argv: str, run_time: str = "1s") -> List[str]:
    keys, data = files
    return ["load", "REST-GetProfile", "--policy", str(BASIC_POLICY), "--keys", str(keys), "--data", str(data),
            "--service-url", f"REST-GetProfile={api.url('/api/GetProfile')}", "--ca-bundle", str(certs.ca_pem),
            "--users", "3", "--run-time", run_time, *argv]


def _cli(argv: List[str], env: Any = None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "connector_sim", *argv], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})), timeout=90)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    for secret in SECRETS.values():
        assert secret not in done.stdout + done.stderr
    return done


def test_a_healthy_api_exits_0_with_the_table_progress_and_reports(api: Any, certs: Any, files: Any,
                                                                  tmp_path: Path) -> None:
    api.handler = lambda r: Reply(200, json={"loyaltyNumber": "L-1"})
    done = _cli(_load(api, certs, files, "--csv", str(tmp_path / "out" / "run"), "--html", str(tmp_path / "run.html"),
                      run_time="2.5s"))

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "REST-GetProfile" in out and "p95 ms" in out and "req/s" in out
    assert "Over B2C's 10 s timeout: 0 of" in out and "is within --max-failure-ratio 0" in out
    assert "users 3/3" in done.stderr  # a progress line every couple of seconds
    stats = (tmp_path / "out" / "run_stats.csv").read_text(encoding="utf-8").splitlines()
    assert stats[0].startswith("Type,Name,Request Count") and stats[1].startswith("POST,REST-GetProfile,")
    assert int(stats[1].split(",")[2]) > 0
    assert "<html" in (tmp_path / "run.html").read_text(encoding="utf-8").lower()
    assert {r.json().get("email") for r in api.requests} <= {"ada@contoso.com", "grace@contoso.com", None}


def _every_third_fails(counter: List[int]) -> Any:
    def handler(request: Any) -> Reply:
        counter.append(1)
        return Reply(500, json={"error": "boom"}) if len(counter) % 3 == 0 else Reply(200, json={"loyaltyNumber": "L"})
    return handler


def test_failures_over_the_threshold_exit_1_with_reasons_in_json(api: Any, certs: Any, files: Any) -> None:
    api.handler = _every_third_fails([])
    done = _cli(_load(api, certs, files, "--max-failure-ratio", "0.05", "--json"))

    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)  # exactly one JSON object on stdout
    assert data["passed"] is False and data["max_failure_ratio"] == 0.05
    assert set(data["failures_by_reason"]) == {"http-500"}
    assert 0.2 < data["failure_ratio"] < 0.45
    assert data["failure_groups"][0]["text"].startswith("http-500: HTTP 500; B2C fails the step")
    assert data["timing"] == {"name": "custom-policy", "timeout_s": 10.0, "retries": 1}


def test_failures_within_the_threshold_exit_0(api: Any, certs: Any, files: Any) -> None:
    api.handler = _every_third_fails([])
    done = _cli(_load(api, certs, files, "--max-failure-ratio", "0.5"))

    assert done.returncode == 0, done.stderr
    assert "Failures by reason:" in done.stdout and "http-500" in done.stdout


def test_an_api_connector_step_is_a_target(api: Any, certs: Any) -> None:
    api.handler = lambda r: Reply(200, json={"version": "1.0.0", "action": "Continue"})
    done = _cli(["load", "--connector", "PostAttributeCollection", api.url("/api/connector"), "--auth", "basic",
                 "--username", "api-user", "--password-env", "LOAD_CONNECTOR_PW", "--ca-bundle", str(certs.ca_pem),
                 "--users", "2", "--run-time", "1s", "--claim", "email=ada@contoso.com", "--json"],
                env={"LOAD_CONNECTOR_PW": SECRETS["password"]})

    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["timing"]["name"] == "user-flow" and data["requests"] > 0
    assert [e["name"] for e in data["entries"]] == ["PostAttributeCollection"]
    assert api.requests[-1].json()["email"] == "ada@contoso.com"


def test_a_configuration_error_found_in_the_child_exits_2(certs: Any, files: Any, api: Any) -> None:
    argv = _load(api, certs, files)
    argv[1] = "REST-GetProfil"
    done = _cli(argv)

    assert done.returncode == 2
    assert "REST-GetProfil" in done.stderr and "did you mean 'REST-GetProfile'" in done.stderr


@pytest.mark.parametrize("argv, message", [
    (["--users", "0"], "--users must be at least 1"),
    (["--spawn-rate", "0"], "--spawn-rate must be positive"),
    (["--run-time", "soon"], "--run-time must look like"),
    (["--run-time", "0s"], "more than 0 seconds"),
    (["--max-failure-ratio", "1.5"], "between 0 and 1"),
    (["--rps", "-3"], "--rps must be positive"),
    (["--row-per", "day"], "row_per"),
    (["--wait", "later"], "wait must be"),
    (["--timing", "fast"], "unknown timing profile"),
    (["--data", "/nonexistent/users.csv"], "is not a file"),
    (["--username", "u"], "go with --connector"),
    (["--connector", "PostAttributeCollection", "https://127.0.0.1:1/"], "not both"),
])
def test_usage_errors_exit_2_before_any_run(argv: List[str], message: str, capsys: Any) -> None:
    code = main(["load", "REST-GetProfile", "--policy", str(BASIC_POLICY), *argv])

    assert code == 2
    assert message in capsys.readouterr().err


def test_nothing_to_load_exits_2(capsys: Any) -> None:
    assert main(["load"]) == 2
    assert "name what to load" in capsys.readouterr().err
    assert main(["load", "REST-GetProfile"]) == 2
    assert "--policy" in capsys.readouterr().err


def test_usage_errors_under_json_are_one_json_object(capsys: Any) -> None:
    assert main(["load", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["error"]["type"] == "ConfigurationError"


def test_argparse_errors_exit_2(capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["load", "REST-GetProfile", "--users", "many"])
    assert exited.value.code == 2


def test_without_locust_the_command_says_which_extra_to_install(monkeypatch: Any, capsys: Any) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "locust" else real(name, *a))
    code = main(["load", "REST-GetProfile", "--policy", str(BASIC_POLICY)])

    assert code == 2
    assert "connector_sim[load]" in capsys.readouterr().err


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("2m", 120), ("1h30m", 5400), ("1m30s", 90),
                                           ("0.5s", 0.5)])
def test_run_time_forms(text: str, seconds: float) -> None:
    from connector_sim.cli.load import parse_duration

    assert parse_duration(text) == seconds


def test_help_lists_the_load_options(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        main(["load", "--help"])
    out = capsys.readouterr().out
    for option in ("--users", "--spawn-rate", "--run-time", "--data", "--timing", "--csv", "--html", "--service-url",
                   "--ca-bundle", "--max-failure-ratio", "--connector"):
        assert option in out
