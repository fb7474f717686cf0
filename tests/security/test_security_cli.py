"""The command line: no secret in any output (readable, ``--json``, reports, curl exports, logs), and no
command ever needs a secret on its command line (environment variables, files or a prompt instead)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any, Iterator, Tuple
from urllib.parse import quote

import pytest

from connector_sim.cli import build_parser, main
from connector_sim.testing import TlsServer
from tests.helpers.leaks import CHAIN, SECRET, Sweep, issued, key_material

SECRETISH = re.compile(r"pass|secret|token|api-?key|(^|-)code($|-)|credential|^--keys?$", re.IGNORECASE)
PATH_METAVARS = {"FILE", "FILE.pfx", "FILE.json", "PEM"}


def _parsers(parser: argparse.ArgumentParser, path: Tuple[str, ...] = ()) -> Iterator[Tuple[Tuple[str, ...], Any]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, path + (name,))
        else:
            yield path, action


def test_no_command_takes_a_secret_as_an_argument() -> None:
    seen = []
    for path, action in _parsers(build_parser()):
        names = action.option_strings or [action.dest]
        if not any(SECRETISH.search(n) for n in names):
            continue
        seen.append((" ".join(path), names[0]))
        # A secret-sounding option names an environment variable, or a file (keys file, .pfx, CA bundle).
        assert names[0].endswith("-env") or action.metavar in PATH_METAVARS, (path, names, action.metavar)
        if names[0].endswith("-env"):
            assert action.metavar == "VAR", (path, names)
    commands = {command for command, _ in seen}
    assert {"connector", "run", "tls-check"} <= commands  # the check did look at the commands with secrets


def test_help_texts_say_where_secrets_come_from() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    connector = subparsers.choices["connector"].format_help()
    assert "never from the command line" in connector and "--code-env" in connector
    assert "CONNECTOR_SIM_KEY_" in subparsers.choices["run"].format_help()


# -- every command's output ---------------------------------------------------------------------------------

@pytest.fixture
def cli(sweep: Sweep, capsys: Any, monkeypatch: Any) -> Any:
    monkeypatch.setenv("SEC_BASIC_PASSWORD", SECRET["basic_odd"])
    monkeypatch.setenv("SEC_PFX_PASSWORD", SECRET["pfx_password"])
    monkeypatch.setenv("SEC_CODE", SECRET["query_key"])

    def run(*argv: str) -> Tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        sweep.text(f"{argv[0]} stdout", out)
        sweep.text(f"{argv[0]} stderr", err)
        assert "Traceback" not in out + err
        return code, out, err

    return run


def test_run_inspect_and_lint_show_no_secret(cli: Any, sweep: Sweep, policy_files: Tuple[Path, Path],
                                             secret_certs: Any, echo_api: TlsServer, tmp_path: Path) -> None:
    policy, keys = policy_files
    common = ["--policy", str(policy), "--keys", str(keys), "--ca-bundle", str(secret_certs.ca_pem)]
    echo_api.clear()
    code, out, _ = cli("run", *CHAIN, *common, "--claim", "email=ada@contoso.com", "--json")
    assert code == 0, out
    assert json.loads(out)["claims"]["bearerToken"] == "***"
    assert cli("run", *CHAIN, *common, "--claim", "email=ada@contoso.com")[0] == 0
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    reports = ["--junit", str(junit), "--report-json", str(report), "--export", "curl"]
    code, _, _ = cli("run", "REST-AcquireAccessToken", "REST-Fail", *common, "--claim", "email=ada@contoso.com",
                     *reports)
    assert code == 1
    sweep.text("junit", junit.read_text(encoding="utf-8"))
    sweep.text("report json", report.read_text(encoding="utf-8"))
    assert cli("run", "REST-AcquireAccessToken", "REST-Fail", *common, "--claim", "email=ada@contoso.com",
               "--json")[0] == 1
    for profile_id in ("REST-Basic", "REST-Static", "REST-Cert", "REST-Fail"):
        assert cli("inspect", profile_id, *common, "--claim", "email=ada@contoso.com")[0] == 0
        assert cli("inspect", profile_id, *common, "--json")[0] == 0
        assert cli("inspect", profile_id, *common, "--export", "curl")[0] == 0
    assert cli("lint", "--policy", str(policy), "--keys", str(keys))[0] in (0, 1)
    assert cli("lint", "--policy", str(policy), "--keys", str(keys), "--json")[0] in (0, 1)
    issued(sweep, echo_api)
    key_material(sweep, secret_certs)
    sweep.check()


def test_keys_from_the_environment_show_no_secret(cli: Any, sweep: Sweep, policy_files: Tuple[Path, Path],
                                                  secret_certs: Any, echo_api: TlsServer, monkeypatch: Any) -> None:
    policy, _ = policy_files
    monkeypatch.setenv("CONNECTOR_SIM_KEY_RestApiUsername", "b2c-user")
    monkeypatch.setenv("CONNECTOR_SIM_KEY_B2C_1A_RestApiPassword", SECRET["basic_odd"])
    echo_api.clear()
    for extra in ([], ["--json"]):
        code, _, _ = cli("run", "REST-Basic", "REST-Fail", "--policy", str(policy), "--ca-bundle",
                         str(secret_certs.ca_pem), "--claim", "email=ada@contoso.com", *extra)
        assert code == 1
    issued(sweep, echo_api)
    sweep.check()


@pytest.mark.parametrize("path", ["/api/connector", "/api/error"])
def test_connector_command_shows_no_secret(cli: Any, sweep: Sweep, secret_certs: Any, echo_api: TlsServer,
                                           mtls_echo: TlsServer, path: str) -> None:
    ca = ["--ca-bundle", str(secret_certs.ca_pem)]
    in_url = echo_api.url(path) + "?code=" + quote(SECRET["query_key"], safe="")
    for extra in ([], ["--json"]):
        cli("connector", "PostAttributeCollection", in_url, "--username", "b2c-user", "--password-env",
            "SEC_BASIC_PASSWORD", "--claim", "email=ada@contoso.com", *ca, *extra)
        cli("connector", "PostAttributeCollection", echo_api.url(path), "--code-env", "SEC_CODE", "--username",
            "b2c-user", "--password-env", "SEC_BASIC_PASSWORD", *ca, *extra)
        cli("connector", "PostAttributeCollection", mtls_echo.url(path), "--code-env", "SEC_CODE", "--pfx",
            str(secret_certs.client_pfx), "--pfx-password-env", "SEC_PFX_PASSWORD", *ca, *extra)
    received = [r.raw_query for r in echo_api.requests]
    assert "code=" + quote(SECRET["query_key"], safe="") in received  # --code-env put the key on the wire
    issued(sweep, echo_api)
    key_material(sweep, secret_certs)
    sweep.check()


def test_tls_check_and_cert_commands_show_no_secret(cli: Any, sweep: Sweep, secret_certs: Any,
                                                    mtls_echo: TlsServer, monkeypatch: Any) -> None:
    url = mtls_echo.url("/api") + "?code=" + quote(SECRET["query_key"], safe="")
    for extra in ([], ["--json"]):
        code, _, _ = cli("tls-check", url, "--ca-bundle", str(secret_certs.ca_pem), "--pfx",
                         str(secret_certs.client_pfx), "--pfx-password-env", "SEC_PFX_PASSWORD", *extra)
        assert code == 0
        cli("cert", "check", str(secret_certs.client_pfx), "--password-env", "SEC_PFX_PASSWORD", *extra)
    monkeypatch.setenv("SEC_WRONG", SECRET["pfx_password"] + "-wrong")
    sweep.secret("wrong pfx password", SECRET["pfx_password"] + "-wrong")
    assert cli("cert", "check", str(secret_certs.client_pfx), "--password-env", "SEC_WRONG")[0] == 2
    key_material(sweep, secret_certs)
    sweep.check(logs=False)


def test_connector_code_env_must_be_set(cli: Any, echo_api: TlsServer, monkeypatch: Any) -> None:
    monkeypatch.delenv("SEC_CODE")
    code, _, err = cli("connector", "PostAttributeCollection", echo_api.url("/api/connector"), "--code-env",
                       "SEC_CODE", "--username", "u", "--password-env", "SEC_BASIC_PASSWORD")
    assert code == 2 and "SEC_CODE" in err
