"""``connector-sim demo``: the README's first command runs offline, quickly, and shows no secret."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from typing import Any, List

import pytest

from connector_sim.cli import main
from connector_sim.demo import SCENARIOS, DemoCredentials, SampleApi, run_demo
from connector_sim.demo import sample_api as sample_api_module
from connector_sim.testing import FakeTokenEndpoint, Reply

MARKED = DemoCredentials(
    username="b2c-demo", password="demo-PASSWORD-4f1e", static_token="demo-STATIC-TOKEN-77ab",
    api_key="demo-API-KEY-0c9d", client_id="9d1a2b3c-0000-4000-8000-00000000beef",
    client_secret="demo-CLIENT-SECRET-e3e3", pfx_password="demo-PFX-PASSWORD-5a5a",
)
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
ROWS = [
    "Basic auth", "Form post", "Client certificate", "Client credentials (msal)", "Policy: REST-AcquireAccessToken",
    "Policy: REST-GetProfile", "Static bearer token", "API key header", "Error contract (409)",
    "Wrong Basic password", "API answers 500", "Timeout", "Connector: Continue", "Connector: ValidationError",
]


@pytest.fixture
def issued_tokens(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Every access token the fake Entra endpoint mints during the test."""
    tokens: List[str] = []
    original = FakeTokenEndpoint.issue_token

    def recording(self: Any, *args: Any, **kwargs: Any) -> str:
        token = original(self, *args, **kwargs)
        tokens.append(token)
        return token

    monkeypatch.setattr(FakeTokenEndpoint, "issue_token", recording)
    return tokens


@pytest.fixture
def marked_secrets(monkeypatch: pytest.MonkeyPatch) -> DemoCredentials:
    """Make the demo use recognisable secrets, so the output can be searched for them."""
    monkeypatch.setattr(DemoCredentials, "generate", classmethod(lambda cls: MARKED))
    return MARKED


def assert_no_secret(text: str, credentials: DemoCredentials, tokens: List[str]) -> None:
    """None of the demo's secrets, nor any token the fake Entra minted, nor any JWT, is in ``text``."""
    assert len(tokens) >= 2  # msal's token and REST-AcquireAccessToken's
    for secret in (*credentials.secret_values(), *tokens):
        assert secret not in text
    assert not JWT.search(text)


def test_demo_runs_every_scenario_and_exits_0(capsys: pytest.CaptureFixture[str], marked_secrets: DemoCredentials,
                                              issued_tokens: List[str]) -> None:
    started = time.monotonic()
    code = main(["demo"])
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert_no_secret(out + err, marked_secrets, issued_tokens)

    assert code == 0, out + err
    assert elapsed < 15
    lines = out.splitlines()
    for number, name in enumerate(ROWS, start=1):
        row = next((line for line in lines if re.match(rf"\s+{number}\s+{re.escape(name)}\s", line)), None)
        assert row is not None, f"row {number} {name!r} missing from:\n{out}"
        assert " ok " in row and "UNEXPECTED" not in row
    assert "what B2C would do" in out
    assert f"All {len(ROWS)} scenarios ended the way B2C would end them (5 fail on purpose)" in out
    assert "B2C's real timeout is 10 s" in out
    # What B2C would do, in B2C's words.
    assert "continues with claims loyaltyNumber=LN-" in out
    assert 'shows the user "This email address is not eligible for the loyalty program."' in out
    assert "AADB2C90027" in out and "AADB2C90075" in out
    assert "within timeout limit 0.4 seconds" in out
    assert 'keeps the user on the sign-up page, showing "Please enter a valid 5-digit postal code."' in out
    # Progress: one line per scenario on stderr when it is not a terminal.
    progress = [line for line in err.splitlines() if line.startswith("connector-sim demo: [")]
    assert len(progress) == len(ROWS)
    assert progress[0].startswith(f"connector-sim demo: [1/{len(SCENARIOS)}] Basic auth: success HTTP 200")


def test_json_output_is_one_object_with_every_row(capsys: pytest.CaptureFixture[str], marked_secrets: DemoCredentials,
                                                  issued_tokens: List[str]) -> None:
    threads = set(threading.enumerate())
    assert main(["demo", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)

    assert set(threading.enumerate()) - threads == set()  # servers stopped, slow answers cut short
    assert_no_secret(out + err, marked_secrets, issued_tokens)

    assert data["ok"] is True and data["elapsed_s"] < 15
    assert [row["scenario"] for row in data["scenarios"]] == ROWS
    assert all(row["as_expected"] for row in data["scenarios"])
    by_name = {row["scenario"]: row for row in data["scenarios"]}
    assert by_name["Basic auth"]["claims"]["loyaltyNumber"].startswith("LN-")
    assert by_name["Policy: REST-AcquireAccessToken"]["claims"] == {"bearerToken": "***"}
    contract = by_name["Error contract (409)"]
    assert (contract["outcome"], contract["status"]) == ("RestApiError", 409)
    assert by_name["Wrong Basic password"]["code"] == "AADB2C90027"
    timeout = by_name["Timeout"]
    assert (timeout["outcome"], timeout["attempts"], timeout["status"]) == ("RequestTimeoutError", 2, None)
    assert by_name["Connector: ValidationError"]["outcome"] == "ValidationError"
    assert any("10 s" in note for note in data["notes"])
    assert err.count("connector-sim demo: [") == len(ROWS)  # progress stays on stderr


def test_a_scenario_that_misbehaves_makes_the_demo_exit_1(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    # The API forgets the error contract: B2C would no longer show the user a message.
    monkeypatch.setattr(sample_api_module, "error_contract", lambda status, message, code: Reply(status, body="nope"))
    assert main(["demo"]) == 1
    out, _ = capsys.readouterr()
    row = next(line for line in out.splitlines() if "Error contract (409)" in line)
    assert "UNEXPECTED" in row
    assert "did NOT end the way B2C would: Error contract (409)" in out


def test_demo_needs_no_extra(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # testing builds its certificates on cryptography alone (testing/_pki.py): a plain install runs the demo.
    for name in [n for n in sys.modules if n.startswith(("connector_sim.demo", "connector_sim.testing"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "trustme", None)  # as if trustme were not installed

    assert main(["demo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_run_demo_reuses_a_running_sample_api() -> None:
    with SampleApi() as api:
        report = run_demo(api, scenarios=SCENARIOS[:1])
        assert api.requests  # still running: the caller owns it
    assert report.ok and [r.scenario for r in report.results] == ["Basic auth"]
    assert "secrets=***" in repr(api.credentials) and api.credentials.password not in repr(api)
