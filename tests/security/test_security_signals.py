"""``connector-sim load`` and signals (issue 15, item 9): a signal to the CLI stops the whole run.

``kill -TERM`` on the CLI used to leave the Locust child loading the API for the rest of the run time,
and ``kill -INT`` on the CLI alone (not its process group, as a terminal's Ctrl-C would) waited the run
out. Each signal, sent to the CLI alone or to its process group, must stop the run within a couple of
seconds, also with calls in flight, print the report of what was done, and leave no process behind.
Each case is a real run (60 s requested) against the local HTTPS server, stopped after a second.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, List

import pytest

from connector_sim.testing import Reply
from tests.helpers import SECRETS

# Not imported here: Locust's gevent must patch ssl before requests is imported, in the CLI's child only.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("locust") is None or not os.path.exists("/proc/self/task"),
                                reason="needs Locust, and /proc to find the child")
ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "tests" / "policies" / "secure-rest-api" / "01-rest-getprofile-basic.xml"


def _children(pid: int) -> List[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _handler(counter: List[int]) -> Any:
    lock = threading.Lock()

    def handler(request: Any) -> Reply:
        with lock:
            counter.append(1)
            slow = len(counter) % 4 == 0
        if slow:  # some calls are in flight when the signal comes
            time.sleep(4)
        return Reply(200, json={"loyaltyNumber": "L-1"})

    return handler


@pytest.mark.parametrize("signum, group", [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True),
                                           (signal.SIGTERM, True)],
                         ids=["term-cli", "int-cli", "int-group", "term-group"])
def test_a_signal_to_the_cli_stops_the_run_and_reports(signum: int, group: bool, api: Any, certs: Any,
                                                       tmp_path: Path) -> None:
    counter: List[int] = []
    api.handler = _handler(counter)
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"B2C_1A_RestApiUsername": "api-user", "B2C_1A_RestApiPassword": SECRETS["password"]}))
    argv = [sys.executable, "-m", "connector_sim", "load", "REST-GetProfile", "--policy", str(POLICY),
            "--keys", str(keys), "--claim", "email=ada@contoso.com", "--ca-bundle", str(certs.ca_pem),
            "--service-url", f"REST-GetProfile={api.url('/api/GetProfile')}", "--users", "3", "--run-time", "60s",
            "--wait", "0.05"]
    cli = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                           env=dict(os.environ, PYTHONPATH=str(ROOT)), start_new_session=True)
    children: List[int] = []
    try:
        deadline = time.monotonic() + 30
        while len(counter) < 12 and time.monotonic() < deadline and cli.poll() is None:
            time.sleep(0.05)
        assert len(counter) >= 12, "the run did not start"
        children = _children(cli.pid)
        assert children, "the CLI runs its users in a child process"
        sent = time.monotonic()
        if group:
            os.killpg(cli.pid, signum)
        else:
            os.kill(cli.pid, signum)
        out, err = cli.communicate(timeout=30)
        stopped = time.monotonic() - sent
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()
        for child in children:
            if _running(child):
                os.kill(child, signal.SIGKILL)

    text = out.decode() + err.decode()
    assert stopped < 3.0, f"{stopped:.1f} s\n{text[-2000:]}"
    assert [c for c in children if _running(c)] == []
    assert cli.returncode == 128 + signum, text[-2000:]
    assert "Traceback" not in text and SECRETS["password"] not in text
    assert "(interrupted)" in out.decode() and "REST-GetProfile  POST" in out.decode()
    seen = len(counter)
    time.sleep(0.5)
    assert len(counter) == seen  # nothing loads the API any more
