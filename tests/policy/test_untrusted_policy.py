"""Policy files are untrusted input: every hostile file is refused quickly, clearly and in bounded memory.

Each case goes through ``load_policy`` (a file on disk) and must end in a ``PolicyError`` within 2 s,
with tracemalloc's peak far below the size of what the file would expand to. Files over B2C's
1024 KB limit are refused before they are read in full.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import pytest

from connector_sim import PolicyError, load_policy, load_policy_text
from connector_sim.cli import main
from connector_sim.policy._xml import MAX_DEPTH, MAX_POLICY_BYTES

NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"'
MB = 1024 * 1024


def policy(policy_id: str = "B2C_1A_Untrusted", body: str = "", base: str = "") -> str:
    base_xml = (f"<BasePolicy><TenantId>t.onmicrosoft.com</TenantId><PolicyId>{base}</PolicyId></BasePolicy>"
                if base else "")
    return (f'<TrustFrameworkPolicy {NS} TenantId="t.onmicrosoft.com" PolicyId="{policy_id}">{base_xml}'
            f"<BuildingBlocks><ClaimsSchema>{body}</ClaimsSchema></BuildingBlocks></TrustFrameworkPolicy>")


def laughs() -> str:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>' + policy(body="&lol9;")


def quadratic() -> str:
    # One 50 KB entity referenced 10,000 times: 500 MB once expanded, 30 KB of references on disk.
    body = "<ClaimType Id='x'>" + "&a;" * 10_000 + "</ClaimType>"
    return f'<!DOCTYPE p [<!ENTITY a "{"a" * 50_000}">]>' + policy(body=body)


def nested(depth: int) -> str:
    return policy(body="<ClaimType Id='deep'>" + "<x>" * depth + "</x>" * depth + "</ClaimType>")


HOSTILE: dict[str, tuple[Callable[[], Any], str]] = {
    "external-entity": (lambda: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                        + policy(body="&xxe;"), "refused"),
    "external-dtd": (lambda: '<!DOCTYPE TrustFrameworkPolicy SYSTEM "http://127.0.0.1:9/evil.dtd">' + policy(),
                     "refused"),
    "doctype": (lambda: "<!DOCTYPE TrustFrameworkPolicy>" + policy(), "DOCTYPE"),
    "billion-laughs": (laughs, "refused"),
    "quadratic-blowup": (quadratic, "refused"),
    "deep-nesting": (lambda: nested(100_000), f"nested more than {MAX_DEPTH} levels deep"),  # 700 KB
    "invalid-utf8": (lambda: policy(body="<ClaimType Id='caf\xe9'/>").encode("latin-1"), "malformed XML"),
    "truncated-utf8": (lambda: policy(body="<ClaimType Id='é'/>").encode("utf-8")[:-60] + b"\xc3", "malformed XML"),
    "nul-bytes": (lambda: policy(body="<ClaimType Id='a\x00b'/>"), "malformed XML"),
    "huge-50mb": (lambda: b"<TrustFrameworkPolicy>" + b" " * (50 * MB) + b"</TrustFrameworkPolicy>", "1024 KB"),
    "not-xml": (lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(2048), "malformed XML"),
    "empty": (lambda: b"", "malformed XML"),
}


def _measure(action: Callable[[], Any]) -> tuple[BaseException | None, float, int]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        action()
        error = None
    except Exception as exc:  # noqa: BLE001 - the test inspects whatever came out
        error = exc
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return error, elapsed, peak


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_policy_file_is_refused_quickly_in_bounded_memory(case: str, tmp_path: Path) -> None:
    make, fragment = HOSTILE[case]
    data = make()
    path = tmp_path / "TrustFrameworkExtensions.xml"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    del data

    error, elapsed, peak = _measure(lambda: load_policy(path))

    assert isinstance(error, PolicyError), repr(error)
    assert fragment in str(error) and str(path) in str(error)
    assert error.exit_code == 2
    assert elapsed < 2.0
    assert peak < 8 * MB, f"{peak / MB:.1f} MB"


@pytest.mark.parametrize("case", ["billion-laughs", "deep-nesting", "huge-50mb", "invalid-utf8"])
def test_hostile_policy_text_is_refused_too(case: str) -> None:
    make, fragment = HOSTILE[case]
    data = make()
    error, elapsed, peak = _measure(lambda: load_policy_text(data, name="upload.xml"))
    assert isinstance(error, PolicyError) and fragment in str(error) and elapsed < 2.0
    assert peak < 8 * MB


def test_a_huge_file_is_not_read_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024 * MB)  # a 2 GB sparse file: reading it all would show
    error, elapsed, peak = _measure(lambda: load_policy(path))
    assert isinstance(error, PolicyError) and "larger than 1024 KB" in str(error)
    assert elapsed < 2.0 and peak < 4 * MB


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_an_endless_stream_is_refused() -> None:
    error, elapsed, peak = _measure(lambda: load_policy("/dev/zero"))
    assert isinstance(error, PolicyError) and "a character device, not a regular file" in str(error)
    assert elapsed < 2.0 and peak < 4 * MB


def test_b2cs_size_limit_is_exact(tmp_path: Path) -> None:
    text = policy(body="<ClaimType Id='email'><DataType>string</DataType></ClaimType>")
    padding = MAX_POLICY_BYTES - len(text.encode()) - len("<!---->")
    at_limit = text.replace("<BuildingBlocks>", f"<!--{'x' * padding}--><BuildingBlocks>")
    assert len(at_limit.encode()) == MAX_POLICY_BYTES
    path = tmp_path / "at-limit.xml"
    path.write_text(at_limit, encoding="utf-8")
    assert "email" in load_policy(path).claim_types

    path.write_text(at_limit + " ", encoding="utf-8")
    with pytest.raises(PolicyError, match="larger than 1024 KB"):
        load_policy(path)


def test_nesting_at_the_limit_is_fine() -> None:
    # TrustFrameworkPolicy > BuildingBlocks > ClaimsSchema > ClaimType is 4 levels.
    load_policy_text(nested(MAX_DEPTH - 4))
    with pytest.raises(PolicyError, match="nested more than"):
        load_policy_text(nested(MAX_DEPTH - 3))


def test_base_policy_cycle_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text(policy("B2C_1A_A", base="B2C_1A_B"))
    (tmp_path / "b.xml").write_text(policy("B2C_1A_B", base="B2C_1A_A"))
    error, elapsed, _ = _measure(lambda: load_policy(tmp_path))
    assert isinstance(error, PolicyError) and "cycle" in str(error) and elapsed < 2.0


def test_an_inheritance_chain_deeper_than_b2cs_is_refused(tmp_path: Path) -> None:
    for level in range(12):
        base = f"B2C_1A_L{level - 1}" if level else ""
        (tmp_path / f"l{level}.xml").write_text(policy(f"B2C_1A_L{level}", base=base))
    with pytest.raises(PolicyError, match="levels deep"):
        load_policy(tmp_path)


@pytest.mark.parametrize("command", [["lint"], ["inspect", "REST-Anything"], ["run", "REST-Anything"]])
@pytest.mark.parametrize("case", ["billion-laughs", "huge-50mb", "invalid-utf8"])
def test_cli_refuses_hostile_files_with_exit_2(command: list[str], case: str, tmp_path: Path, capsys: Any) -> None:
    data = HOSTILE[case][0]()
    path = tmp_path / "hostile.xml"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    assert main([*command, "--policy", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and str(path) in err and HOSTILE[case][1] in err


# -- issue 15, items 13 and 14: odd encodings and endless include chains ----------------------------------

@pytest.mark.parametrize("encoding", ["utf-7", "shift_jis", "utf-32", "utf-16", "ebcdic", "x-unknown-" + "a" * 300],
                         ids=["utf-7", "shift_jis", "utf-32", "utf-16", "ebcdic", "unknown-long"])
def test_an_xml_declaration_with_an_unusable_encoding_is_a_policy_error(encoding: str, tmp_path: Path,
                                                                          capsys: Any) -> None:
    path = tmp_path / "odd-encoding.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + policy().encode())
    with pytest.raises(PolicyError, match="encoding") as caught:
        load_policy(path)
    assert str(path) in str(caught.value) and len(str(caught.value)) < 500
    assert main(["lint", "--policy", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and str(path) in err and "encoding" in err


def test_a_policy_text_with_a_lone_surrogate_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="surrogate"):
        load_policy_text(policy("B2C_1A_\ud800"), name="upload.xml")


def _include_chain(levels: int, *, base_last: bool = False) -> str:
    handler = ("Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
               "PublicKeyToken=null")
    profiles = [f'<TechnicalProfile Id="TP-0"><Protocol Name="Proprietary" Handler="{handler}"/></TechnicalProfile>']
    profiles += [f'<TechnicalProfile Id="TP-{i}"><IncludeTechnicalProfile ReferenceId="TP-{i - 1}"/>'
                 "</TechnicalProfile>" for i in range(1, levels + 1)]
    if base_last:  # the longest chain is resolved first: recursion would go all the way down at once
        profiles.reverse()
    return (policy().replace("</TrustFrameworkPolicy>", "") + "<ClaimsProviders><ClaimsProvider>"
            f"<DisplayName>x</DisplayName><TechnicalProfiles>{''.join(profiles)}</TechnicalProfiles>"
            "</ClaimsProvider></ClaimsProviders></TrustFrameworkPolicy>")


@pytest.mark.parametrize("base_last", [True, False], ids=["base-last", "base-first"])
def test_an_endless_include_chain_is_refused_quickly(base_last: bool, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "chain.xml"
    path.write_text(_include_chain(2000, base_last=base_last), encoding="utf-8")  # about 150 KB
    error, elapsed, _ = _measure(lambda: load_policy(path))
    assert isinstance(error, PolicyError), repr(error)
    assert "IncludeTechnicalProfile" in str(error) and "levels deep" in str(error) and str(path) in str(error)
    assert elapsed < 2.0
    assert main(["lint", "--policy", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "levels deep" in err


def test_an_include_chain_at_the_limit_loads() -> None:
    from connector_sim.policy._merge import MAX_INCLUDE_LEVELS

    for base_last in (True, False):
        loaded = load_policy_text(_include_chain(MAX_INCLUDE_LEVELS, base_last=base_last))
        assert loaded.technical_profiles[f"TP-{MAX_INCLUDE_LEVELS}"].includes[-1] == "TP-0"
        with pytest.raises(PolicyError, match="levels deep"):
            load_policy_text(_include_chain(MAX_INCLUDE_LEVELS + 1, base_last=base_last))
