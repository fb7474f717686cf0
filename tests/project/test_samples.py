"""The samples run as written: each script, and the sample pytest suite with the connector_sim plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import List

import pytest

pytest.importorskip("flask", reason="the samples need Flask: pip install -e '.[samples]' (the test extra has it)")

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
PLUGIN = "connector_sim.pytest_plugin"


def run(args: List[str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a command from the repository root with the repository importable, as a user would."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


# Script -> lines its output must contain.
SCRIPTS = {
    "call_basic.py": ["claims: {'loyaltyNumber': 'LN-", "'Authorization': 'Basic ***'", "form: {'loyaltyNumber'",
                      "B2C shows the user: 'This email address is not eligible for the loyalty program.' "
                      "(HTTP 409, code NOT_ELIGIBLE)"],
    "call_client_certificate.py": ["certificate: CN=", "claims: {'loyaltyNumber': 'LN-", "refused: AADB2C90028 401"],
    "call_client_credentials.py": ["msal: {'loyaltyNumber': 'LN-", "step 1 REST-AcquireAccessToken: success 200",
                                   "step 2 REST-GetProfile: success 200", "'bearerToken': '***'"],
    "call_static_bearer.py": ["claims: {'loyaltyNumber': 'LN-", "Authorization sent: Bearer ***",
                              "refused: AADB2C90261 401"],
    "call_api_key.py": ["claims: {'loyaltyNumber': 'LN-", "sent: GET https://127.0.0.1:",
                        "/api/key/profile?email=alice%40contoso.com {'x-functions-key': '***'}"],
    "run_policy.py": ["lint: no findings", "step 1 REST-AcquireAccessToken: success 200",
                      "step 2 REST-GetProfile-Bearer: success 200", "'bearerToken': '***'",
                      "Sign-up page, blocked e-mail: the self-asserted page 'SelfAsserted-LoyaltySignUp' is shown "
                      "again with the message \"This email address is not eligible for the loyalty program.\"",
                      *[f"REST-GetProfile-{kind}: success 200" for kind in
                        ("Basic", "ClientCertificate", "StaticBearer", "ApiKey")]],
}


def test_every_script_is_tested() -> None:
    assert sorted(p.name for p in (SAMPLES / "scripts").glob("*.py")) == sorted(SCRIPTS)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_script_runs_offline_as_written(script: str) -> None:
    done = run([sys.executable, str(SAMPLES / "scripts" / script)])

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
    for expected in SCRIPTS[script]:
        assert expected in done.stdout, f"{expected!r} not in:\n{done.stdout}"


def _plugin_is_installed() -> bool:
    """True when an installed distribution registers the plugin (pytest then loads it by itself)."""
    points = metadata.entry_points()
    group = points.select(group="pytest11") if hasattr(points, "select") else points.get("pytest11", [])
    return any(point.value.split(":")[0] == PLUGIN for point in group)


def test_the_sample_pytest_suite_passes() -> None:
    pytest.importorskip(PLUGIN, reason="the pytest plugin (connector_sim.pytest_plugin) is not built yet")
    args = [sys.executable, "-m", "pytest", "samples/tests", "-q", "-p", "no:cacheprovider"]
    if not _plugin_is_installed():
        args += ["-p", PLUGIN]  # running from a checkout without `pip install`
    done = run(args)

    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "failed" not in done.stdout and "skipped" not in done.stdout
