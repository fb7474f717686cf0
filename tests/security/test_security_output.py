"""What an API returns reaches the terminal safely (issue 15, items 11 and 17).

A lone surrogate in an answer (``{"loyaltyNumber": "\\ud800"}``, valid JSON) used to crash
``connector-sim run`` with a UnicodeEncodeError in every output mode; escape sequences in a
``userMessage`` were printed raw, so an API could rewrite the developer's terminal. Human output shows
every such character as its escape; ``--json`` stays valid JSON that parses back to the exact text,
with no raw control character in its bytes either.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from connector_sim.cli._output import json_text, terminal_text
from connector_sim.testing import Reply

ROOT = Path(__file__).resolve().parents[2]
RESTFUL = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
# Raw bytes no terminal output may hold: C0 controls but newline and tab, ESC, DEL, C1 (UTF-8 encoded),
# bidirectional overrides and isolates.
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
HOSTILE_MESSAGE = "Blocked\x1b[2J\x1b]0;owned\x07 \x85 \u202eevil\u202c \x9b31m \x00 end"


def _policy(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "policy.xml"
    path.write_text(f"""<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"
  TenantId="t.onmicrosoft.com" PolicyId="B2C_1A_Output">
 <BuildingBlocks><ClaimsSchema><ClaimType Id="email"><DataType>string</DataType></ClaimType>
  <ClaimType Id="loyaltyNumber"><DataType>string</DataType></ClaimType></ClaimsSchema></BuildingBlocks>
 <ClaimsProviders><ClaimsProvider><DisplayName>x</DisplayName><TechnicalProfiles>
  <TechnicalProfile Id="REST-GetProfile"><Protocol Name="Proprietary" Handler="{RESTFUL}" />
   <Metadata><Item Key="ServiceUrl">{url}</Item><Item Key="SendClaimsIn">Body</Item>
    <Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item></Metadata>
   <InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>
   <OutputClaims><OutputClaim ClaimTypeReferenceId="loyaltyNumber" /></OutputClaims>
  </TechnicalProfile></TechnicalProfiles></ClaimsProvider></ClaimsProviders>
</TrustFrameworkPolicy>""", encoding="utf-8")
    return path


@pytest.fixture
def run_cli(api: Any, certs: Any, tmp_path: Path) -> Any:
    policy = _policy(tmp_path, api.url("/api/profile"))

    def run(*extra: str, encoding: str = "utf-8") -> subprocess.CompletedProcess:
        # A real process: its stdout is a real stream (UTF-8 unless told), as in a terminal or a pipe.
        argv = [sys.executable, "-m", "connector_sim", "run", "REST-GetProfile", "--policy", str(policy),
                "--claim", "email=ada@contoso.com", "--ca-bundle", str(certs.ca_pem), *extra]
        done = subprocess.run(argv, capture_output=True, cwd=tmp_path, timeout=60,
                              env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING=encoding))
        assert b"Traceback" not in done.stdout + done.stderr, done.stderr.decode("utf-8", "replace")[-3000:]
        assert not RAW_CONTROL.search(done.stdout + done.stderr), done.stdout + done.stderr
        return done

    return run


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)
    elif isinstance(data, str):
        yield data


SURROGATE_ANSWER = b'{"loyaltyNumber": "L-\\ud800-1"}'  # JSON escapes: a lone surrogate once decoded


@pytest.mark.parametrize("mode", [[], ["-v"], ["--export", "curl"]], ids=["human", "verbose", "export"])
def test_a_lone_surrogate_in_an_answer_is_shown_escaped(mode: List[str], run_cli: Any, api: Any) -> None:
    api.handler = lambda request: Reply(200, body=SURROGATE_ANSWER, headers={"Content-Type": "application/json"})
    done = run_cli(*mode)
    assert done.returncode == 0
    if mode != ["--export", "curl"]:
        assert "L-\\ud800-1" in done.stdout.decode("utf-8")


def test_a_lone_surrogate_keeps_its_exact_value_in_json(run_cli: Any, api: Any) -> None:
    api.handler = lambda request: Reply(200, body=SURROGATE_ANSWER, headers={"Content-Type": "application/json"})
    done = run_cli("--json")
    assert done.returncode == 0
    data = json.loads(done.stdout.decode("utf-8"))
    assert data["claims"]["loyaltyNumber"] == "L-\ud800-1"


def test_escape_sequences_in_a_user_message_are_neutralised_for_humans(run_cli: Any, api: Any) -> None:
    api.handler = lambda request: Reply(409, json={"version": "1.0.0", "status": 409, "userMessage": HOSTILE_MESSAGE})
    done = run_cli()
    assert done.returncode == 1
    out = done.stdout.decode("utf-8")
    assert "Blocked\\x1b[2J\\x1b]0;owned\\x07" in out and "\\u202eevil" in out


def test_json_keeps_the_exact_user_message(run_cli: Any, api: Any) -> None:
    api.handler = lambda request: Reply(409, json={"version": "1.0.0", "status": 409, "userMessage": HOSTILE_MESSAGE})
    done = run_cli("--json")
    assert done.returncode == 1
    data = json.loads(done.stdout.decode("utf-8"))
    assert HOSTILE_MESSAGE in list(_strings(data))


def test_a_stream_that_is_not_utf8_gets_escapes_too(run_cli: Any, api: Any) -> None:
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "Lovelace é ✓ \U0001f600"})
    human = run_cli(encoding="ascii")
    assert human.returncode == 0 and "Lovelace \\xe9 \\u2713 \\U0001f600" in human.stdout.decode("ascii")
    data = json.loads(run_cli("--json", encoding="ascii").stdout.decode("ascii"))
    assert data["claims"]["loyaltyNumber"] == "Lovelace é ✓ \U0001f600"


@pytest.mark.parametrize("text", ["a\ud800b", "\x1b[31mred", "a\x85b\u202ec", "line\u2028sep", "é ✓ \\ \" '"],
                         ids=["surrogate", "escape", "c1-bidi", "line-separator", "ordinary"])
def test_json_text_is_valid_json_with_the_exact_value(text: str) -> None:
    shown = json_text(json.dumps({"k": text}, ensure_ascii=False))
    assert json.loads(shown) == {"k": text}
    assert shown.encode("utf-8") and not RAW_CONTROL.search(shown.encode("utf-8"))
    assert terminal_text(text).encode("utf-8") and not RAW_CONTROL.search(terminal_text(text).encode("utf-8"))
