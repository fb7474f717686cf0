"""Hostile input stays bounded: size, depth, backtracking regexes, huge collections and formats."""

from __future__ import annotations

import json
import time
from typing import Any, Iterator

import pytest

from connector_sim.errors import ClaimsTransformationError
from connector_sim.transformations import (
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_REGEX_INPUT,
    MAX_TEXT,
    ClaimsTransformation,
    Predicate,
    PredicateGroup,
    TransformationContext,
    run,
)

#: Every hostile case must end (result or error) within this many seconds.
BOUND = 5.0


@pytest.fixture
def timer() -> Iterator[None]:
    start = time.perf_counter()
    yield
    assert time.perf_counter() - start < BOUND


def _extract(name: str = "a") -> ClaimsTransformation:
    return ClaimsTransformation(
        "g", "GetClaimFromJson", [("j", "inputJson")], [("claimToExtract", "string", name)], [("o", "extractedClaim")]
    )


def test_one_megabyte_json_claim_is_read(timer: None) -> None:
    document = json.dumps({"a": "x" * 999_000, "b": list(range(1000))})
    assert len(document) < MAX_TEXT
    assert len(run(_extract(), {"j": document})["o"]) == 999_000


def test_json_claim_over_the_bound_is_refused(timer: None) -> None:
    with pytest.raises(ClaimsTransformationError, match="more than the"):
        run(_extract(), {"j": json.dumps({"a": "x" * (MAX_TEXT + 10)})})


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 10_000, 400_000], ids=["just-over", "deep", "very-deep"])
def test_deep_json_nesting_is_refused(timer: None, depth: int) -> None:
    document = '{"a": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(ClaimsTransformationError, match="nested more than"):
        run(_extract(), {"j": document[:MAX_TEXT] if len(document) > MAX_TEXT else document})


def test_nesting_within_the_bound_is_read() -> None:
    depth = MAX_DEPTH - 1
    document = '{"a": ' + "[" * depth + "]" * depth + "}"
    assert run(_extract(), {"j": document})["o"].startswith("[[")


def test_huge_integer_text_is_refused_not_a_crash(timer: None) -> None:
    with pytest.raises(ClaimsTransformationError, match="JSON"):
        run(_extract(), {"j": '{"a": ' + "9" * 100_000 + "}"})


def test_xml_entity_expansion_and_depth_are_refused(timer: None) -> None:
    t = ClaimsTransformation("x", "XmlStringToJsonString", [("x", "xml")], [], [("j", "json")])
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<lolz>&lol2;</lolz>"
    )
    with pytest.raises(ClaimsTransformationError, match="not usable XML"):
        run(t, {"x": laughs})
    with pytest.raises(ClaimsTransformationError, match="nested more than"):
        run(t, {"x": "<a>" * 1000 + "</a>" * 1000})


BACKTRACKING = [
    pytest.param(r"(a+)+$", "a" * 5000 + "!", id="nested-quantifier"),
    pytest.param(r"(a|aa)+b", "a" * 20_000, id="ambiguous-alternation"),
    pytest.param(r"(x+x+)+y", "x" * 3000, id="double-plus"),
    pytest.param(r"^\+?(?:[-()\s]*\d[-()\s]*){4,16}$", "1" + "          1" * 300 + "x", id="UT-phone-predicate"),
    pytest.param(r"^(\w+\s?)*$", "word " * 2000 + "!", id="words"),
]


@pytest.mark.parametrize(("pattern", "text"), BACKTRACKING)
def test_backtracking_regex_is_bounded(timer: None, pattern: str, text: str) -> None:
    t = ClaimsTransformation(
        "r",
        "SetClaimsIfRegexMatch",
        [("s", "claimToMatch")],
        [("matchTo", "string", pattern), ("outputClaimIfMatched", "string", "yes")],
        [("o", "outputClaim"), ("m", "regexCompareResultClaim")],
    )
    assert run(t, {"s": text}) == {"o": None, "m": False}


def test_predicate_regex_is_bounded_too(timer: None) -> None:
    pattern = r"^\+?(?:[-()\s]*\d[-()\s]*){4,16}$"
    context = TransformationContext(
        predicate_validations={"phone": [PredicateGroup((Predicate("MatchesRegex", {"RegularExpression": pattern}),))]}
    )
    t = ClaimsTransformation("p", "CopyClaimIfPredicateMatch", [("s", "inputClaim")], [], [("phone", "outputClaim")])
    assert run(t, {"s": "1" + "      1" * 300 + "x"}, context=context) == {}


@pytest.mark.parametrize(
    ("pattern", "text", "fragment"),
    [
        pytest.param(r"a", "a" * (MAX_REGEX_INPUT + 1), "too long", id="input-over-the-bound"),
        pytest.param(r"(?:(?=.*x).)*y", "a" * 3000, "steps", id="step-budget"),
        pytest.param(r"a{1,100000}", "a", "repeat count", id="huge-repeat"),
        pytest.param("(" * 3000 + ")" * 3000, "a", "characters", id="pattern-too-long"),
        pytest.param(r"(?P<x>a)(?P=x)", "aa", "not supported", id="backreference"),
        pytest.param(r"[", "a", "not a valid regular expression", id="invalid"),
    ],
)
def test_regex_limits_end_as_transformation_errors(timer: None, pattern: str, text: str, fragment: str) -> None:
    t = ClaimsTransformation(
        "r",
        "SetClaimsIfRegexMatch",
        [("s", "claimToMatch")],
        [("matchTo", "string", pattern), ("outputClaimIfMatched", "string", "yes")],
        [("o", "outputClaim")],
    )
    with pytest.raises(ClaimsTransformationError, match=fragment) as caught:
        run(t, {"s": text})
    assert caught.value.claim == "s" and caught.value.transformation_id == "r"


def test_huge_hash_input_is_refused_and_a_large_one_hashed(timer: None) -> None:
    t = ClaimsTransformation("h", "Hash", [("p", "plaintext")], [("randomizerSecret", "string", "k")], [("o", "hash")])
    context = TransformationContext(keys={"k": "secret"})
    assert len(run(t, {"p": "x" * MAX_TEXT}, context=context)["o"]) == 44
    with pytest.raises(ClaimsTransformationError, match="characters"):
        run(t, {"p": "x" * (MAX_TEXT + 1)}, context=context)


def test_collections_are_bounded(timer: None) -> None:
    join = ClaimsTransformation(
        "j", "StringJoin", [("c", "inputClaim")], [("delimiter", "string", ",")], [("o", "outputClaim")]
    )
    with pytest.raises(ClaimsTransformationError, match="items"):
        run(join, {"c": ["x"] * (MAX_ITEMS + 1)})
    split = ClaimsTransformation(
        "s", "StringSplit", [("s", "inputClaim")], [("delimiter", "string", ",")], [("o", "outputClaim")]
    )
    with pytest.raises(ClaimsTransformationError, match="items"):
        run(split, {"s": "," * (MAX_ITEMS + 1)})


def test_format_alignment_is_capped(timer: None) -> None:
    t = ClaimsTransformation(
        "f",
        "FormatStringClaim",
        [("a", "inputClaim")],
        [("stringFormat", "string", "{0,999999}")],
        [("o", "outputClaim")],
    )
    assert len(run(t, {"a": "x"})["o"]) == 4000
    huge = ClaimsTransformation(
        "f",
        "FormatStringClaim",
        [("a", "inputClaim")],
        [("stringFormat", "string", "{0,99999999999}")],
        [("o", "outputClaim")],
    )
    with pytest.raises(ClaimsTransformationError, match="not a valid format"):
        run(huge, {"a": "x"})


def test_generate_json_deep_path_is_refused() -> None:
    path = ".".join(["a"] * (MAX_DEPTH + 1))
    t = ClaimsTransformation("g", "GenerateJson", [("x", path)], [], [("o", "outputClaim")])
    from connector_sim.transformations import check

    assert [p.code for p in check(t)] == ["method-rule"]


@pytest.mark.parametrize("value", [object(), {"a": 1}, 1.5, b"bytes"], ids=["object", "dict", "float", "bytes"])
def test_wrong_typed_bag_values_are_errors_not_tracebacks(value: Any) -> None:
    t = ClaimsTransformation(
        "c", "ChangeCase", [("s", "inputClaim1")], [("toCase", "string", "UPPER")], [("s", "outputClaim")]
    )
    try:
        out = run(t, {"s": value})
    except ClaimsTransformationError as exc:
        assert exc.claim == "s"
    else:
        assert out == {"s": str(value).upper()}  # a float is text to a string claim
