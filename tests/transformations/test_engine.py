"""The engine around the methods: bags, sequences, data types, context and expressions (spec §2)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from typing import Any

import pytest

from connector_sim.transformations import ClaimsTransformation, TransformationContext, run, run_sequence


def test_run_sequence_each_output_is_visible_to_the_next(context: TransformationContext) -> None:
    steps = [
        ClaimsTransformation(
            "lower",
            "ChangeCase",
            [("email", "inputClaim1")],
            [("toCase", "string", "LOWER")],
            [("email", "outputClaim")],
        ),
        ClaimsTransformation("domain", "ParseDomain", [("email", "emailAddress")], [], [("domain", "domain")]),
        ClaimsTransformation(
            "body",
            "GenerateJson",
            [("email", "user.email"), ("domain", "user.domain")],
            [],
            [("requestBody", "outputClaim")],
        ),
        ClaimsTransformation("drop", "NullClaim", [], [], [("Email", "claim_to_null")]),
    ]
    bag = run_sequence(steps, {"Email": "Joe@Contoso.COM", "other": 1}, context=context)
    assert bag == {
        "other": 1,
        "domain": "contoso.com",
        "requestBody": '{"user":{"email":"joe@contoso.com","domain":"contoso.com"}}',
    }


def test_claims_are_read_without_regard_to_case_and_outputs_keep_the_written_id() -> None:
    t = ClaimsTransformation("c", "CopyClaim", [("EMAIL", "inputClaim")], [], [("copiedEmail", "outputClaim")])
    assert run(t, {"email": "a@b.c"}, data_types={"Email": "string", "CopiedEmail": "string"}) == {
        "copiedEmail": "a@b.c"
    }


def test_run_sequence_keeps_the_bag_spelling_of_an_existing_claim() -> None:
    t = ClaimsTransformation(
        "c", "ChangeCase", [("email", "inputClaim1")], [("toCase", "string", "UPPER")], [("EMAIL", "outputClaim")]
    )
    assert run_sequence([t], {"Email": "a@b.c"}) == {"Email": "A@B.C"}


def test_values_are_normalized_from_text() -> None:
    # A REST answer may give "true" or "3": the claim's data type reads them.
    t = ClaimsTransformation("a", "AndClaims", [("x", "inputClaim1"), ("y", "inputClaim2")], [], [("z", "outputClaim")])
    assert run(t, {"x": "TRUE", "y": "true"}, data_types={"x": "boolean", "y": "boolean", "z": "boolean"}) == {
        "z": True
    }
    n = ClaimsTransformation("n", "AdjustNumber", [("n", "inputClaim")], [], [("n", "outputClaim")])
    assert run(n, {"n": "3"}, data_types={"n": "int"}) == {"n": 4}


def test_outputs_take_the_claim_data_type() -> None:
    t = ClaimsTransformation(
        "g", "GetClaimFromJson", [("j", "inputJson")], [("claimToExtract", "string", "id")], [("id", "extractedClaim")]
    )
    assert run(t, {"j": '{"id": "6353399"}'}, data_types={"id": "long"}) == {"id": 6353399}
    assert run(t, {"j": '{"id": 6353399}'}) == {"id": "6353399"}  # no schema type: the documented string
    contains = ClaimsTransformation(
        "s", "StringContains", [("r", "inputClaim")], [("contains", "string", "a")], [("o", "outputClaim")]
    )
    assert run(contains, {"r": "abc"}, data_types={"o": "string"}) == {"o": "true"}
    assert run(contains, {"r": "abc"}) == {"o": True}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"a": 1, "b": [1, 2]}, '{"a":1,"b":[1,2]}', id="object-as-compact-json"),
        pytest.param(True, "true", id="boolean-as-json-text"),
        pytest.param(None, None, id="null-writes-nothing"),
        pytest.param("ü€", "ü€", id="non-ascii-kept"),
    ],
)
def test_get_claim_from_json_value_forms(value: Any, expected: Any) -> None:
    import json

    t = ClaimsTransformation(
        "g", "GetClaimFromJson", [("j", "inputJson")], [("claimToExtract", "string", "v")], [("o", "extractedClaim")]
    )
    out = run(t, {"j": json.dumps({"v": value})})
    assert out == ({} if expected is None else {"o": expected})


def test_claims_from_json_array_without_schema_types_keep_json_types() -> None:
    t = ClaimsTransformation(
        "g",
        "GetClaimsFromJsonArray",
        [("j", "jsonSource")],
        [("jsonSourceKeyName", "string", "k"), ("jsonSourceValueName", "string", "v")],
        [("n", ""), ("b", ""), ("s", "")],
    )
    out = run(t, {"j": '[{"k": "n", "v": 7}, {"k": "b", "v": false}, {"k": "s", "v": "x"}, {"k": "n", "v": 8}]'})
    assert out == {"n": 7, "b": False, "s": "x"}  # the first item with a key wins


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("{TechnicalProfileId}", "Facebook-OAUTH", id="TechnicalProfileId"),
        pytest.param("{RelyingPartyTenantId}", "b2cdemo.onmicrosoft.com", id="RelyingPartyTenantId"),
        pytest.param("{TrustFrameworkTenantId}", "root.onmicrosoft.com", id="TrustFrameworkTenantId"),
        pytest.param("{AuthenticatorIssuer} stays", "{AuthenticatorIssuer} stays", id="other-braces-as-written"),
    ],
)
def test_create_string_claim_expressions(context: TransformationContext, fmt: str, expected: str) -> None:
    t = ClaimsTransformation("c", "CreateStringClaim", [], [("value", "string", fmt)], [("o", "createdClaim")])
    assert run(t, {}, context=context) == {"o": expected}


@pytest.mark.parametrize(
    ("fmt", "args", "expected"),
    [
        pytest.param("{{{0}}}", ["x"], "{x}", id="escaped-braces"),
        pytest.param("[{0,5}]", ["ab"], "[   ab]", id="right-aligned"),
        pytest.param("[{0,-5}]", ["ab"], "[ab   ]", id="left-aligned"),
        pytest.param("{0:D4}", ["ab"], "ab", id="format-string-ignored-for-text"),
        pytest.param("{1}-{0}", ["a", "b"], "b-a", id="reordered"),
    ],
)
def test_format_string_multiple_claims_net_rules(fmt: str, args: list, expected: str) -> None:
    t = ClaimsTransformation(
        "f",
        "FormatStringMultipleClaims",
        [("a", "inputClaim1"), ("b", "inputClaim2")],
        [("stringFormat", "string", fmt)],
        [("o", "outputClaim")],
    )
    assert run(t, {"a": args[0], "b": args[-1]}) == {"o": expected}


def test_format_string_claim_tenant_with_braces_is_not_a_format_item() -> None:
    t = ClaimsTransformation(
        "f",
        "FormatStringClaim",
        [("a", "inputClaim")],
        [("stringFormat", "string", "{0}@{RelyingPartyTenantId}")],
        [("o", "outputClaim")],
    )
    context = TransformationContext(relying_party_tenant_id="{odd}")
    assert run(t, {"a": "x"}, context=context) == {"o": "x@{odd}"}


def test_default_context_uses_the_system_clock() -> None:
    t = ClaimsTransformation("now", "GetCurrentDateTime", [], [], [("now", "currentDateTime")])
    value = run(t, {})["now"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", value)
    moment = dt.datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    assert abs((dt.datetime.now(dt.timezone.utc) - moment).total_seconds()) < 60


@pytest.mark.parametrize(
    ("first", "second", "operator", "span", "expected"),
    [
        pytest.param(
            "2022-01-01T00:00:00Z", "2022-01-01T01:00:00+01:00", "same", "0", True, id="same-instant-other-offset"
        ),
        pytest.param("2022-01-01T00:00:00Z", "2022-01-01T00:00:01Z", "earlier than", "0", True, id="earlier"),
        pytest.param("2022-01-01T00:00:00Z", "2022-01-01T00:00:01Z", "LATER THAN", "2", True, id="later-with-span"),
        pytest.param(
            "2022-01-01T00:00:00.1234567Z", "2022-01-01T00:00:00.123456Z", "same", "0", True, id="seven-digits"
        ),
    ],
)
def test_date_time_comparison_operators(first: str, second: str, operator: str, span: str, expected: bool) -> None:
    t = ClaimsTransformation(
        "d",
        "DateTimeComparison",
        [("a", "firstDateTime"), ("b", "secondDateTime")],
        [("operator", "string", operator), ("timeSpanInSeconds", "int", span)],
        [("r", "result")],
    )
    assert run(t, {"a": first, "b": second}) == {"r": expected}


def test_assert_date_time_equal_values_pass_when_assert_if_equal_to_is_false() -> None:
    t = ClaimsTransformation(
        "d",
        "AssertDateTimeIsGreaterThan",
        [("l", "leftOperand"), ("r", "rightOperand")],
        [("AssertIfEqualTo", "boolean", "false"), ("TreatAsEqualIfWithinMillseconds", "int", "300000")],
    )
    assert run(t, {"l": "2022-01-01T15:00:00", "r": "2022-01-01T15:04:00"}) == {}


def test_add_item_to_string_collection_keeps_values_unique() -> None:
    t = ClaimsTransformation(
        "a", "AddItemToStringCollection", [("e", "item"), ("c", "collection")], [], [("c", "collection")]
    )
    assert run(t, {"e": "x", "c": ["x", "y"]}, data_types={"c": "stringCollection"}) == {"c": ["x", "y"]}


def test_string_split_keeps_empty_entries_like_dotnet() -> None:
    t = ClaimsTransformation(
        "s", "StringSplit", [("s", "inputClaim")], [("delimiter", "string", ",")], [("c", "outputClaim")]
    )
    assert run(t, {"s": "a,,b,"}) == {"c": ["a", "", "b", ""]}


def test_change_case_is_invariant_and_keeps_length() -> None:
    t = ClaimsTransformation(
        "c", "ChangeCase", [("s", "inputClaim1")], [("toCase", "string", "upper")], [("s", "outputClaim")]
    )
    assert run(t, {"s": "straße"}) == {"s": "STRAßE"}  # .NET ToUpperInvariant keeps ß


def test_set_claims_if_regex_match_no_match_and_group_by_claim_name() -> None:
    t = ClaimsTransformation(
        "r",
        "SetClaimsIfRegexMatch",
        [("s", "claimToMatch")],
        [
            ("matchTo", "string", r"^(?<user>\w+)@(?'host'[\w.]+)$"),
            ("outputClaimIfMatched", "string", "ok"),
            ("extractGroups", "boolean", "true"),
        ],
        [("o", "outputClaim"), ("m", "regexCompareResultClaim"), ("User", ""), ("host", "")],
    )
    assert run(t, {"s": "emily@contoso.com"}) == {"o": "ok", "m": True, "User": "emily", "host": "contoso.com"}
    assert run(t, {"s": "not an address"}) == {"o": None, "m": False}


def test_copy_claim_if_predicate_match_groups_and_match_at_least(make_ctx: Any) -> None:
    from connector_sim.transformations import Predicate, PredicateGroup

    groups = [
        PredicateGroup((Predicate("IsLengthRange", {"Minimum": "8", "Maximum": "64"}),)),
        PredicateGroup(
            (
                Predicate("IncludesCharacters", {"CharacterSet": "a-z"}),
                Predicate("IncludesCharacters", {"CharacterSet": "A-Z"}),
                Predicate("IncludesCharacters", {"CharacterSet": "0-9"}),
                Predicate("IncludesCharacters", {"CharacterSet": "@#$%^&*\\-_+=[]{}|\\\\:',?/`~\"();!"}),
            ),
            match_at_least=3,
        ),
    ]
    context = make_ctx(predicate_validations={"Password": groups})
    t = ClaimsTransformation(
        "p", "CopyClaimIfPredicateMatch", [("candidate", "inputClaim")], [], [("password", "outputClaim")]
    )
    assert run(t, {"candidate": "abcDEF12"}, context=context) == {"password": "abcDEF12"}
    assert run(t, {"candidate": "abcdefgh"}, context=context) == {}
    assert run(t, {"candidate": "aB1!"}, context=context) == {}  # too short
    dates = make_ctx(
        predicate_validations={
            "password": [PredicateGroup((Predicate("IsDateRange", {"Minimum": "1970-01-01", "Maximum": "Today"}),))]
        }
    )
    assert run(t, {"candidate": "2000-02-29"}, context=dates) == {"password": "2000-02-29"}
    assert run(t, {"candidate": "2030-01-01"}, context=dates) == {}


def test_get_mapped_value_prefers_the_localized_collection(make_ctx: Any) -> None:
    t = ClaimsTransformation(
        "m",
        "GetMappedValueFromLocalizedCollection",
        [("c", "mapFromClaim")],
        [],
        [("responseMsg", "restrictionValueClaim")],
    )
    context = make_ctx(localized_collections={"responsemsg": [("B2C_V1_90001", "Vous êtes mineur")]})
    assert run(t, {"c": "B2C_V1_90001"}, context=context) == {"responseMsg": "Vous êtes mineur"}


def test_localized_strings_missing_in_language_are_empty(make_ctx: Any) -> None:
    t = ClaimsTransformation("l", "GetLocalizedStringsTransformation", [], [], [("subject", "email_subject")])
    assert run(t, {}, context=make_ctx(localized_strings={})) == {"subject": ""}


def test_import_does_not_load_phonenumbers_or_xml_parsers() -> None:
    code = (
        "import sys, connector_sim.transformations; "
        "print([m for m in ('phonenumbers', 'defusedxml') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
