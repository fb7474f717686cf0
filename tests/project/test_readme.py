"""Every example in README.md runs, and the README's first two lines are the two fresh-machine commands.

Conventions (an HTML comment on the line before a fenced block):

* ```python blocks run in order, in one namespace, like a notebook (a block may use names an earlier
  block defined), from an empty temporary folder where ``connector-sim init b2c-tests`` ran: outside
  the clone, as a pip user runs them. ``<!-- test: pytest -->`` instead writes the block
  to a test file and runs pytest on it (with the connector_sim plugin).
* ```console blocks run only when marked ``<!-- test: run -->`` (options: ``exit=N``, the expected
  exit code of each command, default 0; every block runs in an empty directory, outside the clone
  (``cwd=tmp`` is still accepted); ``output``, the
  lines shown under a command are exactly the start of its stdout). Lines starting with ``$ `` are
  commands: ``connector-sim ...`` runs ``python -m connector_sim ...`` and ``export NAME=VALUE``
  sets a variable for the next commands of the block.
* ```json and ```text blocks are documentation and are not run.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

from connector_sim.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
TEXT = README.read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\s*$")
MARK = re.compile(r"^<!--\s*test:\s*(.*?)\s*-->$")


@dataclass
class Block:
    """One fenced code block of the README."""

    language: str
    line: int  # 1-based line of the opening fence
    code: str
    options: Dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"README.md:{self.line}"


def blocks() -> List[Block]:
    """Every fenced block, with the options of a ``<!-- test: ... -->`` comment just above it."""
    found: List[Block] = []
    lines = TEXT.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        start = index
        end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "```")
        options: Dict[str, str] = {}
        above = MARK.match(lines[start - 1].strip()) if start else None
        if above:
            for word in above.group(1).split():
                key, _, value = word.partition("=")
                options[key] = value
        found.append(Block(match.group(1), start + 1, "\n".join(lines[start + 1:end]) + "\n", options))
        index = end + 1
    return found


BLOCKS = blocks()
PYTHON = [b for b in BLOCKS if b.language == "python" and "pytest" not in b.options]
PYTEST = [b for b in BLOCKS if b.language == "python" and "pytest" in b.options]
CONSOLE_RUN = [b for b in BLOCKS if b.language in ("console", "bash", "shell") and "run" in b.options]


def _env() -> Dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))


# -- the first lines -------------------------------------------------------------------------------

def ci_command() -> str:
    """The commands of .ci/run, joined as one shell line."""
    commands = []
    for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "set ", "cd ")):
            continue
        commands.append(line)
    return " && ".join(commands)


def test_the_first_two_lines_are_the_fresh_machine_commands() -> None:
    first, second = (line.strip() for line in TEXT.splitlines()[:2])

    assert first == 'python3 -m venv .venv && . .venv/bin/activate && pip install ".[testing]" && connector-sim demo'
    assert second == ci_command(), "the README's test command must be exactly what .ci/run runs"
    assert TEXT.splitlines()[2] == ""


def test_the_demo_needs_no_extra_and_the_testing_extra_brings_pytest() -> None:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    extras = config["options.extras_require"]
    testing = [line.split(">")[0].strip() for line in extras["testing"].splitlines() if line.strip()]
    assert "pytest" in testing and "trustme" not in testing
    assert all("trustme" not in extras[name] for name in extras)
    # The demo imports nothing outside the core dependencies: trustme blocked, it still builds its servers.
    code = ("import sys; sys.modules['trustme'] = None; from connector_sim.demo import SampleApi; "
            "api = SampleApi().start(); api.stop(); print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60)
    assert done.stdout.strip() == "ok", done.stderr


# -- python examples -------------------------------------------------------------------------------

@pytest.fixture
def outside_the_clone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """An empty folder holding only what `connector-sim init b2c-tests` writes, as a pip user has it."""
    from connector_sim.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["init", "b2c-tests", "-q"]) == 0
    yield


def test_python_examples_run_in_order_and_print_no_secret(outside_the_clone: None, capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    capsys.readouterr()  # what init printed
    from connector_sim.demo import SampleApi

    assert len(PYTHON) >= 10
    namespace: Dict[str, object] = {"__name__": "readme"}
    printed = io.StringIO()
    try:
        for block in PYTHON:
            output = io.StringIO()
            try:
                with contextlib.redirect_stdout(output):
                    exec(compile(block.code, block.name, "exec"), namespace)  # noqa: S102 (our own README)
            except Exception as exc:
                raise AssertionError(f"the example at {block.name} fails: {type(exc).__name__}: {exc}\n"
                                     f"its output so far:\n{output.getvalue()}") from exc
            finally:
                printed.write(output.getvalue())
    finally:
        apis = [value for value in namespace.values() if isinstance(value, SampleApi)]
        for api in apis:
            api.stop()
    text = printed.getvalue()
    assert apis and "LN-2290" in text
    for api in apis:
        for secret in api.credentials.secret_values():
            assert secret not in text
    assert not re.search(r"eyJ[\w-]+\.[\w-]+\.[\w-]+", text)  # no JWT


def _plugin_installed() -> bool:
    points = metadata.entry_points()
    group = points.select(group="pytest11") if hasattr(points, "select") else points.get("pytest11", [])
    return any(p.value.split(":")[0] == "connector_sim.pytest_plugin" for p in group)


@pytest.mark.parametrize("block", PYTEST, ids=[b.name for b in PYTEST])
def test_pytest_examples_pass(block: Block, tmp_path: Path) -> None:
    test_file = tmp_path / f"test_readme_{block.line}.py"
    test_file.write_text(block.code, encoding="utf-8")
    args = [sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider", "-W", "error",
            "--rootdir", str(tmp_path)]
    if not _plugin_installed():
        args += ["-p", "connector_sim.pytest_plugin"]
    done = subprocess.run(args, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, f"{block.name}:\n{done.stdout}{done.stderr}"
    assert " passed" in done.stdout and "failed" not in done.stdout


# -- console examples ------------------------------------------------------------------------------

def commands(block: Block) -> List[Tuple[str, List[str]]]:
    """The ``$ `` lines of a console block (continuation lines joined), each with the lines shown under it."""
    found: List[Tuple[str, List[str]]] = []
    for line in block.code.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif found and found[-1][0].endswith("\\") and not found[-1][1]:
            found[-1] = (found[-1][0][:-1] + " " + line.strip(), [])
        elif found:
            found[-1][1].append(line)
    return found


@pytest.mark.parametrize("block", CONSOLE_RUN, ids=[b.name for b in CONSOLE_RUN])
def test_console_examples_run(block: Block, tmp_path: Path) -> None:
    env = _env()
    cwd = tmp_path  # every example runs outside the clone, as a pip user runs it
    expected = int(block.options.get("exit", "0"))
    for command, shown in commands(block):
        words = shlex.split(command, comments=True)
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            env[name] = value
            continue
        assert words[0] in ("connector-sim", "python"), f"{block.name}: cannot run {command!r} in a test"
        argv = [sys.executable, "-m", "connector_sim", *words[1:]] if words[0] == "connector-sim" else \
            [sys.executable, *words[1:]]
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == expected, f"{block.name}: {command}\n{done.stdout}{done.stderr}"
        if "output" in block.options:
            assert done.stdout.splitlines()[:len(shown)] == shown, f"{block.name}: the output shown is not real"


def test_every_console_block_is_run_or_clearly_not_runnable() -> None:
    # A command block not run by this test must not be mistaken for a tested one: only the install
    # commands (network) and commands aimed at your own API stay unmarked.
    for block in BLOCKS:
        if block.language in ("console", "bash", "shell") and "run" not in block.options:
            for command, _ in commands(block):
                assert command.startswith(("pip install", "connector-sim demo")), \
                    f"{block.name}: mark {command!r} with <!-- test: run --> or show it as ```text"


# -- the CLI reference covers every command and option ---------------------------------------------

def _options(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[tuple]:
    for action in parser._actions:  # argparse has no public walk of its actions
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (prefix + name).strip(), None
                yield from _options(sub, prefix + name + " ")
        for option in action.option_strings:
            if option.startswith("--") and option not in ("--help", "--version"):
                yield prefix.strip(), option


def test_the_cli_reference_names_every_command_and_option() -> None:
    reference = TEXT[TEXT.index("## Command line reference"):TEXT.index("## How B2C behaves")]
    missing: Set[str] = set()
    for command, option in _options(build_parser()):
        if option is None:
            if f"connector-sim {command}" not in reference and f"`{command}`" not in reference:
                missing.add(f"command {command}")
        elif option not in reference:
            missing.add(f"{command} {option}")
    assert not missing, f"the README's CLI reference lacks: {sorted(missing)}"


def test_the_behaviour_table_links_microsoft_learn() -> None:
    table = TEXT[TEXT.index("## How B2C behaves"):TEXT.index("## Where B2C is undocumented")]
    links = re.findall(r"\((https://learn\.microsoft\.com/azure/active-directory-b2c/[a-z0-9-]+)\)", table)
    assert len(set(links)) >= 10
    for code in ("AADB2C90075", "AADB2C90261", "AADB2C90027", "AADB2C90028", "AADB2C90194"):
        assert code in table


@pytest.mark.parametrize("document", ["README.md", "samples/README.md"])
def test_relative_links_point_at_files_that_exist(document: str) -> None:
    path = REPO / document
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8"))
    assert targets
    missing = [t for t in targets if not (path.parent / t).exists()]
    assert not missing, f"{document} links to missing files: {missing}"
