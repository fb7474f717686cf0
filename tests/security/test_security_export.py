"""``connector-sim run --export curl`` with a hostile policy (issue 15, item 1): the script runs nothing.

The red team's reproduction: a technical profile id holding a line break and a command, in a step
that fails before it is sent, so its id lands in the "not sent" comment. Other policy texts (the
ServiceUrl, claim names, key names) are driven through the same export by the hypothesis fuzz test
next to this one; here the CLI path is held end to end.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from connector_sim.cli import main
from connector_sim.reporting._curl import comment_line, curl_script

SH = shutil.which("sh")
needs_sh = pytest.mark.skipif(SH is None, reason="needs sh")
RESTFUL = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
HOSTILE_IDS = [
    "REST-X&#10;touch PWNED&#10;#",  # the red team's
    "REST-X&#13;touch PWNED&#13;#",
    "REST-X&#10;$(touch PWNED)",
    "REST-X&#x2028;touch PWNED",
    "REST-X&#10;`touch PWNED`&#10;'",
]


def _policy(profile_id: str, service_url: str) -> str:
    # Bearer with a claim that is not in the bag: the step fails before anything is sent.
    return f"""<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"
  TenantId="t.onmicrosoft.com" PolicyId="B2C_1A_Hostile">
 <BuildingBlocks><ClaimsSchema><ClaimType Id="bearerToken"><DataType>string</DataType></ClaimType></ClaimsSchema>
 </BuildingBlocks>
 <ClaimsProviders><ClaimsProvider><DisplayName>x</DisplayName><TechnicalProfiles>
  <TechnicalProfile Id="{profile_id}">
   <Protocol Name="Proprietary" Handler="{RESTFUL}" />
   <Metadata><Item Key="ServiceUrl">{service_url}</Item><Item Key="SendClaimsIn">Body</Item>
    <Item Key="AuthenticationType">Bearer</Item><Item Key="UseClaimAsBearerToken">bearerToken</Item></Metadata>
   <InputClaims><InputClaim ClaimTypeReferenceId="bearerToken" /></InputClaims>
  </TechnicalProfile>
 </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
</TrustFrameworkPolicy>"""


def _unescape(xml_id: str) -> str:
    return xml_id.replace("&#10;", "\n").replace("&#13;", "\r").replace("&#x2028;", "\u2028")


@needs_sh
@pytest.mark.parametrize("xml_id", HOSTILE_IDS, ids=range(len(HOSTILE_IDS)))
def test_a_hostile_profile_id_in_the_not_sent_comment_runs_nothing(xml_id: str, tmp_path: Path,
                                                                    capsys: Any) -> None:
    policy = tmp_path / "hostile.xml"
    policy.write_text(_policy(xml_id, "https://127.0.0.1:9/api?x=$(touch%20PWNED)"), encoding="utf-8")
    code = main(["run", _unescape(xml_id), "--policy", str(policy), "--export", "curl"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert "not sent" in out
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "r.sh").write_text(out, encoding="utf-8")
    assert subprocess.run([str(SH), "-n", "r.sh"], cwd=scratch, capture_output=True).returncode == 0
    done = subprocess.run([str(SH), "r.sh"], cwd=scratch, capture_output=True, timeout=20)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in scratch.iterdir()) == ["r.sh"]


@pytest.mark.parametrize("text", ["a\nb", "a\rb", "a\x00b", "a\x1b[2Jb", "a\u2028b", "a\u0085b", "a\ud800b"],
                         ids=["lf", "cr", "nul", "escape", "line-separator", "nel", "surrogate"])
def test_a_comment_line_stays_one_printable_line(text: str) -> None:
    line = comment_line(text)
    assert line.startswith("# ") and line.isprintable() and "\n" not in line
    assert line.encode("utf-8")  # writable whatever the text held
    assert curl_script([line + "\n"], title=text).count("\n") == 5


@needs_sh
@pytest.mark.parametrize("secret", ["' \\\n", "1' \\\n  --header", "' \\\n  --header '", "'\"'\"'", " \\\n  "],
                         ids=["quote-joint", "close-and-option", "whole-joint", "escaped-quote", "line-joint"])
def test_a_secret_that_looks_like_the_quoting_cannot_unquote_a_word(secret: str, tmp_path: Path) -> None:
    # A secret the substitutions missed used to be masked in the finished text, where it could cut
    # through the quoting and leave the next header's value unquoted.
    from connector_sim import WireRequest
    from connector_sim.reporting._curl import curl_command

    request = WireRequest("POST", "https://127.0.0.1:9/x", {"A": "1", "B": "$(touch PWNED)", "C": "'"}, b"{}")
    command = curl_command(request, secrets={"B2C_S": secret}).text
    done = subprocess.run([str(SH), "-c", command], cwd=tmp_path, capture_output=True, timeout=20)
    assert list(tmp_path.iterdir()) == [], command
    assert b"Syntax error" not in done.stderr, command
    assert "'B: $(touch PWNED)'" in command


def test_a_header_curl_would_read_as_a_file_is_left_out_with_a_note() -> None:
    from connector_sim import WireRequest
    from connector_sim.reporting._curl import curl_command

    request = WireRequest("GET", "https://127.0.0.1:9/x?a=[1-9]&b={c,d}", {"@/etc/passwd": "x", "X-Ok": "1"})
    command = curl_command(request).text
    assert "--header '@" not in command and "# header '@/etc/passwd' is left out" in command
    assert "--header 'X-Ok: 1'" in command and "--globoff" in command  # no URL globbing of [] and {}
