"""The bounded .NET-regex matcher against Python's re on known patterns (captures included)."""

from __future__ import annotations

import re
from typing import Optional

import pytest

from connector_sim.transformations import ClaimsTransformation, run

CASES = [
    (r"^[0-9]{4,16}$", "64854114520"),
    (r"(?<mailAlias>.*)@(.*)$", "emily@contoso.com"),
    (r"^\+?(?:[-()\s]*\d[-()\s]*){4,16}$", "+1 (123) 456-7890"),
    (r"^\+?(?:[-()\s]*\d[-()\s]*){4,16}$", "bob@contoso.com"),
    (r"(?i)(?<x>ABC)", "xabcx"),
    (r"(?<x>a|ab)(?<y>c|bcd)", "abcd"),
    (r"(?<x>a+?)b", "aaab"),
    (r"\bfoo\b", "a foo b"),
    (r"^(?=.*\d)(?=.*[a-z]).{8,}$", "abcdefg1"),
    (r"(?<=a)b", "ab"),
    (r"(?<!a)b", "ab"),
    (r"(?<x>a*)*b", "aaab"),
    (r"(?<x>[^a-c]+)", "abcdef"),
    (r"$", "abc\n"),
    (r"(?<x>a)|(?<y>b)", "b"),
    (r"(?<n>\d+)\.(?<f>\d*)", "v 12.5"),
    (r"(?<x>.?)*", "a1"),
    (r"(?m)^b$", "a\nb\nc"),
    (r"(?s)a.b", "a\nb"),
    (r"a.b", "a\nb"),
    (r"(?<x>é+)", "ÉÉéé"),
    (r"(?i)(?<x>é+)", "ÉÉéé"),
    (r"\w+@\w+\.com\z", "me@x.com"),
    (r"(?'host'[a-z]+)\.com", "contoso.com"),
    (r"[\d-]+", "12-34"),
    (r"[]a]+", "a]a"),
    (r"\\", "a\\b"),
]


def _named(pattern: str, text: str) -> Optional[dict]:
    python = re.sub(r"\(\?<(?![=!])(\w+)>", r"(?P<\1>", pattern).replace("(?'host'", "(?P<host>").replace(r"\z", r"\Z")
    found = re.search(python, text)
    return None if found is None else {k: v for k, v in found.groupdict().items() if v is not None}


@pytest.mark.parametrize(("pattern", "text"), CASES, ids=[f"{i}:{p}" for i, (p, _) in enumerate(CASES)])
def test_matches_and_captures_like_re(pattern: str, text: str) -> None:
    expected = _named(pattern, text)
    names = re.findall(r"\(\?(?:<(?![=!])|')(\w+)", pattern)
    outputs = [("o", "outputClaim"), ("m", "regexCompareResultClaim")] + [(name, "") for name in names]
    t = ClaimsTransformation(
        "r",
        "SetClaimsIfRegexMatch",
        [("s", "claimToMatch")],
        [("matchTo", "string", pattern), ("outputClaimIfMatched", "string", "y"), ("extractGroups", "boolean", "true")],
        outputs,
    )
    out = run(t, {"s": text})
    assert out["m"] is (expected is not None)
    if expected is not None:
        assert {k: v for k, v in out.items() if k not in ("o", "m")} == expected


def test_dotnet_capital_z_allows_a_final_newline() -> None:
    t = ClaimsTransformation(
        "r",
        "SetClaimsIfRegexMatch",
        [("s", "claimToMatch")],
        [("matchTo", "string", r"^abc\Z"), ("outputClaimIfMatched", "string", "y")],
        [("m", "regexCompareResultClaim")],
    )
    assert run(t, {"s": "abc\n"}) == {"m": True}
