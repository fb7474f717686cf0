"""How the CLI talks: control characters neutralised, colour and NO_COLOR, CLI option names in hints,
the one error object and its schema, shell completion generated from the parser."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from typing import Any

import pytest

from connector_sim.cli import build_parser, main
from connector_sim.cli._common import Output
from connector_sim.cli._output import (
    ERROR_SCHEMA,
    cli_words,
    colour,
    error_object,
    neutralise,
    normalise_errors,
    use_colour,
)
from connector_sim.errors import ConfigurationError, RestApiError


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text\nand a tab\t", "plain text\nand a tab\t"),
    ("\x1b[2J\x1b]0;pwned\x07", "\\x1b[2J\\x1b]0;pwned\\x07"),
    ("nul \x00 del \x7f c1 \x9b", "nul \\x00 del \\x7f c1 \\x9b"),
    ("bidi \u202e gnp.exe", "bidi \\u202e gnp.exe"),
], ids=["kept", "escape-sequences", "nul-del-c1", "bidi-override"])
def test_control_characters_are_shown_as_escapes(text: str, shown: str) -> None:
    assert neutralise(text) == shown
    stream = io.StringIO()
    Output(stdout=stream).out(text)
    assert stream.getvalue() == shown + "\n"


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert use_colour(Tty()) and not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Tty())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_colour(io.StringIO())
    assert colour("FAIL", "red", True) == "\x1b[31mFAIL\x1b[0m" and colour("FAIL", "red", False) == "FAIL"


def test_hints_name_cli_options() -> None:
    assert cli_words("for a local CA pass ca_bundle") == "for a local CA pass --ca-bundle PEM"
    assert cli_words("set service_urls= to aim at a local server") == "set --service-url to aim at a local server"
    assert cli_words("--ca-bundle and my_ca_bundle") == "--ca-bundle and my_ca_bundle"


def test_one_error_object_in_one_key_casing() -> None:
    api = RestApiError("REST-X answered HTTP 409", status=409, http_status=409, user_message="No.",
                       profile_id="REST-X")
    data = error_object(api)
    assert {k: data[k] for k in ("type", "user_message", "profile", "status")} == {
        "type": "RestApiError", "user_message": "No.", "profile": "REST-X", "status": 409}
    assert all(key == key.lower() for key in data)
    config = error_object(ConfigurationError("bad option"))
    assert set(ERROR_SCHEMA["required"]) <= set(config) and config["user_message"] is None
    assert normalise_errors({"steps": [{"error": {"userMessage": "x", "apiCode": "A"}}]}) == {
        "steps": [{"error": {"user_message": "x", "api_code": "A"}}]}


def test_every_command_prints_the_same_error_object(capsys: Any, tmp_path: Any) -> None:
    cases = [["run", "REST-X", "--policy", str(tmp_path / "missing.xml"), "--json"],
             ["lint", "--policy", str(tmp_path / "missing.xml"), "--json"],
             ["cert", "check", str(tmp_path / "missing.pfx"), "--json"],
             ["init", str(tmp_path / "init"), "--json"]]
    (tmp_path / "init").mkdir()
    (tmp_path / "init" / "keys.json").write_text("{}", encoding="utf-8")
    for argv in cases:
        assert main(argv) == 2, argv
        error = json.loads(capsys.readouterr().out)["error"]
        assert set(ERROR_SCHEMA["required"]) <= set(error), (argv, error)
        assert error["type"].endswith("Error") and error["message"]


def test_quiet_drops_progress_but_not_errors(capsys: Any, tmp_path: Any) -> None:
    assert main(["lint", "--policy", str(tmp_path / "missing.xml"), "-q"]) == 2
    assert "connector-sim: error:" in capsys.readouterr().err


def test_completion_scripts_are_generated_from_the_parser(capsys: Any) -> None:
    parser = build_parser()
    commands = [name for name in parser._subparsers._group_actions[0].choices]  # type: ignore[union-attr]
    assert main(["completion", "fish"]) == 0
    fish = capsys.readouterr().out
    for name in commands:
        assert f"-a {name} " in fish
    assert "-l expect" in fish and "-l public-cert" in fish and "-s v -l verbose" in fish

    pytest.importorskip("shtab")
    assert main(["completion", "bash"]) == 0
    bash = capsys.readouterr().out
    assert all(name in bash for name in commands) and "--scenarios" in bash
    if shutil.which("bash"):
        done = subprocess.run(["bash", "-n"], input=bash, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
    assert main(["completion", "zsh"]) == 0 and "#compdef connector-sim" in capsys.readouterr().out
    assert main(["completion", "tcsh"]) == 2


def test_verdict_lines_are_coloured_only_when_asked_and_api_text_stays_inert(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = io.StringIO()
    Output(stdout=stream).verdict("PASS", True, "  blocked \x1b[2J")
    assert stream.getvalue() == "\x1b[32mPASS\x1b[0m  blocked \\x1b[2J\n"

    monkeypatch.setenv("NO_COLOR", "1")
    stream = io.StringIO()
    Output(stdout=stream).verdict("FAIL", False, "  x")
    assert stream.getvalue() == "FAIL  x\n"
