"""Every file a user names is read with a cap, and only if it is a regular file (issue 15, item 15).

``/dev/zero`` given as a keys, settings, claims, .pfx, load configuration or load data file used to be
read whole (until MemoryError); a FIFO hung the process. Each reader is driven with each hostile
source in a child process with a 3 GB address-space limit (so a regression fails instead of eating the
machine's memory) and a watchdog that unblocks a hung FIFO after 3 s: each must end in a clear
``ConfigurationError`` within 2 s, with a small tracemalloc peak.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

from connector_sim import ConfigurationError
from connector_sim.userfiles import MAX_CONFIG_BYTES, open_user_file, read_user_file, read_user_text

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                                reason="needs FIFOs and /dev/zero")

READERS = {
    "keys": ("keys.json", "from connector_sim import KeyStore\nKeyStore.from_file(PATH)"),
    "settings": ("appsettings.json", "from connector_sim.policy import Settings\nSettings.from_file(PATH)"),
    "pfx": ("client.pfx", "from connector_sim.auth._certificates import load_pfx\nload_pfx(PATH, 'pw')"),
    "policy": ("policy.xml", "from connector_sim import load_policy\nload_policy(PATH)"),
    "load-config": ("load.json", "from connector_sim.load.config import LoadConfig\nLoadConfig.from_file(PATH)"),
    "load-data": ("users.csv", "from connector_sim.load.data import ClaimRows\nClaimRows.from_file(PATH)"),
    "claims-cli": ("claims.json", "from connector_sim.cli import main\n"
                   "code = main(['run', 'REST-X', '--policy', 'absent.xml', '--claims-file', PATH])\n"
                   "assert code == 2, code"),
}
SOURCES = ["dev-zero", "fifo", "directory", "huge", "not-utf8"]
TEXT_READERS = {"keys", "settings", "load-config", "load-data", "claims-cli"}

_CHILD = r"""
import contextlib, io, json, os, resource, sys, threading, time, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024 ** 3, 3 * 1024 ** 3))
# Imported before the clock starts: only the reading is timed.
import connector_sim, connector_sim.auth._certificates, connector_sim.cli, connector_sim.load.config
results = {}
for case in json.loads(sys.argv[1]):
    path = case["path"]
    if case["source"] == "fifo":
        # The watchdog: a reader stuck in open() is released after 3 s (the test then fails on time).
        def release(path=path):
            time.sleep(3)
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        threading.Thread(target=release, daemon=True).start()
    tracemalloc.start()
    started = time.monotonic()
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            exec(case["code"], {"PATH": path})
        outcome = {"type": None, "message": stderr.getvalue()}
    except BaseException as exc:
        outcome = {"type": type(exc).__name__, "mro": [c.__name__ for c in type(exc).__mro__],
                   "message": str(exc)}
    outcome["elapsed"] = time.monotonic() - started
    outcome["peak"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    results[case["id"]] = outcome
print(json.dumps(results))
"""


def _source(kind: str, folder: Path, name: str) -> Path:
    path = folder / kind / name
    path.parent.mkdir(parents=True)
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "huge":
        with path.open("wb") as handle:
            handle.truncate(2 * 1024 ** 3)  # a 2 GB sparse file
    else:
        path.write_bytes(b'{"a": "caf\xe9"}')  # Latin-1, not UTF-8
    return path


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Dict[str, Any]]:
    """Every reader with every hostile source, run once in a memory-limited child process."""
    cases = []
    for reader, (name, code) in READERS.items():
        for source in SOURCES:
            if source == "not-utf8" and reader not in TEXT_READERS:
                continue
            folder = tmp_path_factory.mktemp(f"{reader}-{source}")
            cases.append({"id": f"{reader}/{source}", "source": source, "code": code,
                          "path": str(_source(source, folder, name))})
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(cases)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path_factory.mktemp("cwd"))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


CASES = [f"{r}/{s}" for r in READERS for s in SOURCES if s != "not-utf8" or r in TEXT_READERS]


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_user_file_is_refused_quickly_and_clearly(outcomes: Dict[str, Dict[str, Any]], case: str) -> None:
    outcome = outcomes[case]
    reader, source = case.split("/")
    if reader == "claims-cli":  # the CLI prints the error and exits 2
        assert outcome["type"] is None, outcome
        assert "Traceback" not in outcome["message"] and "claims file" in outcome["message"]
    else:
        assert "ConfigurationError" in outcome.get("mro", []), outcome
    expected = {"dev-zero": "a character device", "fifo": "a FIFO", "directory": "a directory",
                "huge": "larger than", "not-utf8": "UTF-8"}[source]
    if reader == "policy" and source == "huge":
        expected = "larger than 1024 KB"  # B2C's own limit, checked before parsing
    if reader == "policy" and source == "directory":
        expected = "no *.xml policy files"  # a folder of policy files, as load_policy reads folders
    assert expected in outcome["message"], outcome
    assert outcome["elapsed"] < 2.0, outcome
    assert outcome["peak"] < 8 * 1024 * 1024, outcome


def test_a_regular_file_at_the_cap_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_bytes(b" " * MAX_CONFIG_BYTES)
    assert len(read_user_file(path, what="keys file")) == MAX_CONFIG_BYTES
    path.write_bytes(b" " * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(ConfigurationError, match="keys file is larger than 1 MB"):
        read_user_file(path, what="keys file")


def test_text_drops_a_bom_and_the_error_class_is_the_callers(tmp_path: Path) -> None:
    from connector_sim import PolicyError

    path = tmp_path / "settings.json"
    path.write_bytes(b"\xef\xbb\xbf{}")
    assert read_user_text(path, what="settings file") == "{}"
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(PolicyError, match="pipe.*a FIFO") as caught:
        open_user_file(tmp_path / "pipe", what="the policy file", error=lambda m, **kw: PolicyError(
            m, file=str(tmp_path / "pipe"), **kw))
    assert caught.value.hint


def test_a_missing_file_is_still_an_os_error_for_the_caller_to_word(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_user_file(tmp_path / "absent.json", what="keys file")


def test_a_fifo_as_the_ca_bundle_is_refused_not_waited_on(tmp_path: Path) -> None:
    from connector_sim import NoAuth, RestfulProfile

    fifo = tmp_path / "ca.pem"
    os.mkfifo(fifo)
    profile = RestfulProfile("https://127.0.0.1:9/api", auth=NoAuth(), deployment_mode="Development",
                             ca_bundle=str(fifo))
    with pytest.raises(ConfigurationError) as caught:
        profile.caller().transport  # the transport, made on first use, reads the bundle
    assert "FIFO" in str(caught.value)
