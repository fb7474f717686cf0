"""Fuzz the curl export (issue 15, item 1): whatever a policy or an API puts in it, the script is inert.

Any profile id, claim name, claim value, secret, policy-key name and "not sent" reason goes into an
exported script; ``sh -n`` accepts it, and ``sh`` runs it in a scratch directory with a PATH that
holds only a recording ``curl`` (which hands over to the real one, aimed at a local HTTPS server)
and a ``pwned`` tracer that the payloads try to call. The run creates no file, calls nothing but
curl (once per command), and the server gets the request that was exported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, Union

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from connector_sim import Basic, ConnectorSimError, InputClaim, RestfulProfile
from connector_sim.encoding import encode_request
from connector_sim.reporting._curl import (
    EnvRef,
    comment_line,
    curl_command,
    curl_for_result,
    curl_script,
    secret_table,
)
from connector_sim.testing import Reply, TlsServer
from tests.helpers import FAST

CURL, SH = shutil.which("curl"), shutil.which("sh")
pytestmark = pytest.mark.skipif(CURL is None or SH is None, reason="needs curl and sh")

# Each payload tries one way out of a shell word, a comment or curl's own option syntax.
PAYLOADS = [
    "$(pwned dollar)", "`pwned backtick`", "'; pwned quote; '", "'\"'\"'; pwned", "\npwned newline\n",
    "\r\npwned crlf\r\n", '"; pwned dq; "', "\\", "\\\n pwned", "#", "${HOME}", "${X:?}", "$$", "&& pwned",
    "| pwned", "; pwned", "& pwned &", "> created-by-redirect", "< /etc/passwd", "*", "~", "{a,b}", "[1-9]",
    "@/etc/passwd", "-K/etc/passwd", "--next", "\x00", "%s%n", "\u2028pwned\u2029", "\x85pwned",
    "\x1b]0;title\x07", "\u202e", "é✓", "' \\\n  --header '", "$'\\n'", "EOF",
]
piece = st.one_of(st.sampled_from(PAYLOADS), st.text(st.characters(blacklist_categories=["Cs"]), max_size=6))
hostile = st.lists(piece, min_size=1, max_size=4).map("".join)
secret = hostile.filter(lambda s: len(s) >= 4)
MODES = ["Body", "Form", "QueryString", "Header"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Path]]:
    """A bin folder with the recording curl and the ``pwned`` tracer, and the logs they write."""
    root = tmp_path_factory.mktemp("curl-fuzz")
    bin_dir, logs = root / "bin", root / "logs"
    bin_dir.mkdir()
    logs.mkdir()
    curl_log, pwned_log = logs / "curl.jsonl", logs / "pwned.log"
    (bin_dir / "curl").write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"with open({str(curl_log)!r}, 'a') as log:\n    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"os.execv({CURL!r}, [{CURL!r}, *sys.argv[1:]])\n")
    (bin_dir / "pwned").write_text(f"#!/bin/sh\necho \"$@\" >> {pwned_log}\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    yield {"root": root, "bin": bin_dir, "curl_log": curl_log, "pwned_log": pwned_log}


def _run(script: str, scratch: Path, sandbox: Dict[str, Path], env: Dict[str, str]) -> subprocess.CompletedProcess:
    path = scratch / "export.sh"
    path.write_bytes(script.encode("utf-8", "surrogateescape"))
    checked = subprocess.run([str(SH), "-n", str(path)], capture_output=True, timeout=20)
    assert checked.returncode == 0, checked.stderr
    clean = {"PATH": str(sandbox["bin"]), "HOME": str(scratch), **env}
    return subprocess.run([str(SH), str(path)], cwd=scratch, env=clean, capture_output=True, timeout=20)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(profile_id=hostile, claim_name=hostile, claim_value=hostile, password=secret, key_name=hostile,
       key_value=secret, reason=hostile, mode=st.sampled_from(MODES))
def test_any_export_is_inert_in_a_posix_shell(api: TlsServer, certs: Any, sandbox: Dict[str, Path],
                                              tmp_path_factory: pytest.TempPathFactory, profile_id: str,
                                              claim_name: str, claim_value: str, password: str, key_name: str,
                                              key_value: str, reason: str, mode: str) -> None:
    api.handler = lambda request: Reply(200, json={"ok": True})
    claims = {claim_name: claim_value, "password": password[::-1] + "-claim"}
    try:
        profile = RestfulProfile(id=profile_id, service_url=api.url("/api/x?tenant=contoso"),
                                 auth=Basic("api-user", password), send_claims_in=mode,
                                 input_claims=(InputClaim(claim_name), InputClaim("password")), timing=FAST,
                                 allow_insecure_auth_in_production=True, ca_bundle=str(certs.ca_pem))
        request = profile.auth.apply(encode_request(profile, claims), claims, profile_id=profile.id)
    except ConnectorSimError:
        assume(False)  # refused before anything is sent (a header claim B2C cannot send either)
        raise
    secrets: Dict[Union[str, EnvRef], str] = {EnvRef(key_name, f"the policy key {key_name}"): key_value}
    command = curl_command(request, auth=profile.auth, claims=claims, secrets=secrets, ca_bundle=str(certs.ca_pem),
                           timeout=5, profile_id=profile_id)
    script = curl_script([comment_line(f"{profile_id}: not sent ({reason})") + "\n", command], title=reason)
    # The values the user would put in each variable the script reads: where two written forms of a
    # secret share a variable ("URL-encoded"), the form the request holds.
    table = secret_table(request, auth=profile.auth, claims=claims, secrets=secrets)
    sent = request.url + (request.body or b"").decode("utf-8", "replace")
    known: Dict[str, str] = {}
    for value, ref in sorted(table.items(), key=lambda item: item[0] not in sent):
        known.setdefault(ref.name, value)
    env = {name: known.get(name, "unused") for name in command.variables}
    assert all(name.isidentifier() and name.isascii() for name in env), env
    assume(all("\x00" not in value for value in env.values()))  # an environment variable cannot hold NUL

    scratch = tmp_path_factory.mktemp("scratch")
    sandbox["curl_log"].write_text("")
    api.clear()
    done = _run(script, scratch, sandbox, env)

    assert not sandbox["pwned_log"].exists(), sandbox["pwned_log"].read_text()
    assert sorted(p.name for p in scratch.iterdir()) == ["export.sh"]
    assert b"not found" not in done.stderr, done.stderr  # no other command was even tried
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in sandbox["curl_log"].read_text().splitlines()]
    assert len(calls) == 1 and calls[0][-1].startswith(api.base_url)
    got = api.requests[-1]
    assert (got.method, got.body) == (request.method, request.body or b"")
    for header, raw in request.headers.items():  # the server reads header bytes as Latin-1
        assert got.header(header) == (raw.decode("latin-1") if isinstance(raw, bytes) else raw), header
    assert os.listdir(scratch) == ["export.sh"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(profile_id=hostile, claim_name=hostile, claim_value=hostile, password=secret, mode=st.sampled_from(MODES))
def test_the_export_of_a_recorded_call_is_inert_too(api: TlsServer, certs: Any, sandbox: Dict[str, Path],
                                                    tmp_path_factory: pytest.TempPathFactory, profile_id: str,
                                                    claim_name: str, claim_value: str, password: str,
                                                    mode: str) -> None:
    # What ``run --export curl`` writes: the redacted record of a call that went over the wire, its
    # masked values ("***") turned into variables, every variable set to a hostile value.
    api.handler = lambda request: Reply(200, json={"echo": request.raw_query, "claim": claim_value})
    claims = {claim_name: claim_value, "password": password}
    try:
        profile = RestfulProfile(id=profile_id, service_url=api.url("/api/x?code=" + password[:8]),
                                 auth=Basic("api-user", password), send_claims_in=mode,
                                 input_claims=(InputClaim(claim_name), InputClaim("password")), timing=FAST,
                                 allow_insecure_auth_in_production=True, ca_bundle=str(certs.ca_pem))
    except ConnectorSimError:
        assume(False)
        raise
    try:
        result = profile.call(claims)
    except ConnectorSimError:
        assume(False)  # refused before sending, as B2C would
        raise
    finally:
        profile.close()
    command = curl_for_result(result, auth=profile.auth, ca_bundle=str(certs.ca_pem), timeout=5)
    script = curl_script([command], title=profile_id)
    env = {name: claim_value.replace("\x00", "") or "x" for name in command.variables}

    scratch = tmp_path_factory.mktemp("scratch")
    sandbox["curl_log"].write_text("")
    done = _run(script, scratch, sandbox, env)

    assert not sandbox["pwned_log"].exists(), sandbox["pwned_log"].read_text()
    assert sorted(p.name for p in scratch.iterdir()) == ["export.sh"]
    assert b"not found" not in done.stderr, done.stderr
    assert len(sandbox["curl_log"].read_text().splitlines()) == 1, done.stderr
