"""Properties that hold for any input (hypothesis): case, split/join, JSON building, dates, regex."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connector_sim.transformations import ClaimsTransformation, run

TEXT = st.text(min_size=1, max_size=40)


def _case(text: str, to: str) -> str:
    t = ClaimsTransformation(
        "c", "ChangeCase", [("s", "inputClaim1")], [("toCase", "string", to)], [("s", "outputClaim")]
    )
    return str(run(t, {"s": text})["s"])


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40))
def test_change_case_round_trip_on_ascii(text: str) -> None:
    assert _case(_case(text, "UPPER"), "LOWER") == text.lower()
    assert _case(_case(text, "LOWER"), "UPPER") == text.upper()


@given(TEXT)
def test_change_case_keeps_length_and_is_idempotent(text: str) -> None:
    for to in ("UPPER", "LOWER"):
        once = _case(text, to)
        assert len(once) == len(text)
        assert _case(once, to) == once


@given(st.lists(st.text(alphabet="abc ;", max_size=6), min_size=1, max_size=8), st.sampled_from([",", "|", "::"]))
def test_string_join_then_split_gives_the_items_back(items: list, delimiter: str) -> None:
    join = ClaimsTransformation(
        "j", "StringJoin", [("c", "inputClaim")], [("delimiter", "string", delimiter)], [("s", "outputClaim")]
    )
    split = ClaimsTransformation(
        "s", "StringSplit", [("s", "inputClaim")], [("delimiter", "string", delimiter)], [("c", "outputClaim")]
    )
    joined = run(join, {"c": items}).get("s")
    if not joined:  # [""] joins to "": no value, so the split is skipped (§2.4)
        assert all(item == "" for item in items)
        return
    assert run(split, {"s": joined}) == {"c": items}


@given(TEXT, st.sampled_from([",", ";", "--"]))
def test_string_split_then_join_gives_the_text_back(text: str, delimiter: str) -> None:
    split = ClaimsTransformation(
        "s", "StringSplit", [("s", "inputClaim")], [("delimiter", "string", delimiter)], [("c", "outputClaim")]
    )
    join = ClaimsTransformation(
        "j", "StringJoin", [("c", "inputClaim")], [("delimiter", "string", delimiter)], [("s", "outputClaim")]
    )
    assert run(join, {"c": run(split, {"s": text})["c"]}) == {"s": text}


KEYS = st.text(alphabet="abcdefgh_-", min_size=1, max_size=8)


@given(
    st.dictionaries(KEYS, st.text(max_size=20).filter(bool), min_size=1, max_size=6),
    st.dictionaries(KEYS, st.integers(-(2**40), 2**40), max_size=4),
)
def test_generate_json_builds_the_object_of_its_paths(claims: dict, numbers: dict) -> None:
    numbers = {k: v for k, v in numbers.items() if k not in claims}
    inputs = [(f"c{i}", f"doc.{key}") for i, key in enumerate(claims)]
    bag = {f"c{i}": value for i, value in enumerate(claims.values())}
    params = [(f"doc.{key}", "long", str(value)) for key, value in numbers.items()]
    t = ClaimsTransformation("g", "GenerateJson", inputs, params, [("o", "outputClaim")])
    assert json.loads(run(t, bag)["o"]) == {"doc": {**claims, **numbers}}


@given(st.text(max_size=30))
def test_create_json_array_then_read_it_back(text: str) -> None:
    create = ClaimsTransformation("c", "CreateJsonArray", [("s", "inputClaim")], [], [("j", "outputClaim")])
    read = ClaimsTransformation(
        "r", "GetSingleValueFromJsonArray", [("j", "inputJsonClaim")], [], [("s", "extractedClaim")]
    )
    if not text:
        assert run(create, {"s": text}) == {}
        return
    assert run(read, run(create, {"s": text})) == {"s": text}


@given(st.datetimes(timezones=st.just(__import__("datetime").timezone.utc)))
def test_date_time_round_trip_form_is_stable(moment: Any) -> None:
    to_date = ClaimsTransformation("d", "ConvertDateTimeToDateClaim", [("t", "inputClaim")], [], [("d", "outputClaim")])
    text = moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "0Z"
    assert run(to_date, {"t": text}, data_types={"t": "dateTime", "d": "date"}) == {"d": moment.date().isoformat()}
    same = ClaimsTransformation(
        "s",
        "DateTimeComparison",
        [("a", "firstDateTime"), ("b", "secondDateTime")],
        [("operator", "string", "same")],
        [("r", "result")],
    )
    assert run(same, {"a": text, "b": moment.isoformat()}) == {"r": True}


ATOMS = ["a", "b", "[ab]", ".", r"\d", "(?:a|b)", "(?:ab|a)", "x", "[^a]", r"\b", "^", "$"]


@st.composite
def patterns(draw: Any, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 9))
        if kind == 0 and depth < 2:
            atom = f"(?<g{draw(st.integers(0, 10**6))}>{draw(patterns(depth + 1))})"
        elif kind == 1 and depth < 2:
            atom = f"(?:{draw(patterns(depth + 1))}|{draw(patterns(depth + 1))})"
        else:
            atom = draw(st.sampled_from(ATOMS))
        quantifier = (
            "" if atom in ("^", "$", r"\b") else draw(st.sampled_from(["", "", "*", "+", "?", "{1,3}", "*?", "+?"]))
        )
        parts.append(atom + quantifier)
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(patterns(), st.text(alphabet="abx1 ", max_size=10))
def test_bounded_regex_finds_a_match_exactly_when_re_does(pattern: str, text: str) -> None:
    python = re.sub(r"\(\?<(g\d+)>", r"(?P<\1>", pattern)
    try:
        compiled = re.compile(python)
    except re.error:  # a group name drawn twice
        return
    t = ClaimsTransformation(
        "r",
        "SetClaimsIfRegexMatch",
        [("s", "claimToMatch")],
        [("matchTo", "string", pattern), ("outputClaimIfMatched", "string", "y")],
        [("m", "regexCompareResultClaim")],
    )
    expected = compiled.search(text) is not None
    assert run(t, {"s": text} if text else {"s": None}) == ({"m": expected} if text else {})
