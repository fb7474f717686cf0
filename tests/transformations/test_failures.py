"""Throwing methods and unusable input (spec §2.5, §4): a ClaimsTransformationError naming what failed."""

from __future__ import annotations

from typing import Any

import pytest

from connector_sim.errors import CallError, ClaimsTransformationError, MissingKeyError
from connector_sim.transformations import FAILURE_MESSAGES, ClaimsTransformation, TransformationContext, run

S, B, INT = "string", "boolean", "int"
TYPES = {
    "accountEnabled": B,
    "attempts": INT,
    "when": "dateTime",
    "first": "dateTime",
    "birth": "date",
    "items": "stringCollection",
}


def _fails(
    method: str, inputs: list, params: list, claims: dict, outputs: list = (), **kw: Any
) -> ClaimsTransformationError:
    t = ClaimsTransformation(
        "failing", method, inputs, params, list(outputs), file="TrustFrameworkExtensions.xml", line=42
    )
    with pytest.raises(ClaimsTransformationError) as caught:
        run(t, claims, data_types=TYPES, **kw)
    error = caught.value
    assert isinstance(error, CallError) and error.b2c_code is None
    assert error.transformation_id == "failing" and error.method == method
    assert error.message.startswith("TrustFrameworkExtensions.xml:42: The claims transformation 'failing'")
    return error


ASSERTIONS = [
    pytest.param(
        "AssertBooleanClaimIsEqualToValue",
        [("accountEnabled", "inputClaim")],
        [("valueToCompareTo", B, "true")],
        {"accountEnabled": False},
        "accountEnabled",
        id="AssertBooleanClaimIsEqualToValue-false-vs-true",
    ),
    pytest.param(
        "AssertDateTimeIsGreaterThan",
        [("approved", "leftOperand"), ("current", "rightOperand")],
        [
            ("AssertIfEqualTo", B, "false"),
            ("AssertIfRightOperandIsNotPresent", B, "true"),
            ("TreatAsEqualIfWithinMillseconds", INT, "300000"),
        ],
        {"approved": "2022-01-01T15:00:00", "current": "2022-01-22T15:00:00"},
        "current",
        id="AssertDateTimeIsGreaterThan-right-later",
    ),
    pytest.param(
        "AssertDateTimeIsGreaterThan",
        [("approved", "leftOperand"), ("current", "rightOperand")],
        [("TreatAsEqualIfWithinMillseconds", INT, "300000")],
        {"approved": "2022-01-01T15:04:00", "current": "2022-01-01T15:00:00"},
        "approved",
        id="AssertDateTimeIsGreaterThan-equal-within-window-default-asserts",
    ),
    pytest.param(
        "AssertStringClaimsAreEqual",
        [("a", "inputClaim1"), ("b", "inputClaim2")],
        [("stringComparison", S, "ordinalIgnoreCase")],
        {"a": "someone@contoso.com", "b": "someone@outlook.com"},
        "b",
        id="AssertStringClaimsAreEqual-differ",
    ),
    pytest.param(
        "AssertStringClaimsAreEqual",
        [("a", "inputClaim1"), ("b", "inputClaim2")],
        [("stringComparison", S, "Ordinal")],
        {"a": "A@contoso.com", "b": "a@contoso.com"},
        "b",
        id="AssertStringClaimsAreEqual-ordinal-is-case-sensitive",
    ),
    pytest.param(
        "AssertNumber",
        [("attempts", "inputClaim")],
        [("Operator", S, "GreaterThan"), ("CompareToValue", INT, "5"), ("throwError", B, "true")],
        {"attempts": 10},
        "attempts",
        id="AssertNumber-10-GreaterThan-5",
    ),
    pytest.param(
        "LookupValue",
        [("domain", "inputParameterId")],
        [("test.com", S, "c7026f88-4299-4cdb-965d-3f166464b8a9"), ("errorOnFailedLookup", B, "true")],
        {"domain": "live.com"},
        "domain",
        id="LookupValue-not-found",
    ),
    pytest.param(
        "ConvertStringToPhoneNumberClaim",
        [("phoneString", "phoneNumberString")],
        [],
        {"phoneString": "not a phone"},
        "phoneString",
        id="ConvertStringToPhoneNumberClaim-invalid",
    ),
    pytest.param(
        "ConvertStringToPhoneNumberClaim",
        [("phoneString", "phoneNumberString")],
        [],
        {"phoneString": "033 456-7890"},
        "phoneString",
        id="ConvertStringToPhoneNumberClaim-national-no-country",
    ),
    pytest.param(
        "GetNationalNumberAndCountryCodeFromPhoneNumberString",
        [("phone", "phoneNumber")],
        [("throwExceptionOnFailure", B, "true")],
        {"phone": "12"},
        "phone",
        id="GetNationalNumber-throws",
    ),
]


@pytest.mark.parametrize(("method", "inputs", "params", "claims", "claim"), ASSERTIONS)
def test_throwing_method_fails_with_its_section_2_5_message(
    method: str, inputs: list, params: list, claims: dict, claim: str
) -> None:
    error = _fails(method, inputs, params, claims)
    assert error.claim == claim
    key, default = FAILURE_MESSAGES[method]
    assert key
    if default is not None:
        assert error.user_message == default
    else:  # UNCONFIRMED default: a sentence naming the transformation and the reason
        assert error.user_message.startswith(f"The claims transformation 'failing' ({method}) failed: ")


def test_assert_number_default_sentence() -> None:
    error = _fails(
        "AssertNumber",
        [("attempts", "inputClaim")],
        [("Operator", S, "GreaterThan"), ("CompareToValue", INT, "5")],
        {"attempts": 10},
    )
    assert error.user_message == "The claims transformation 'failing' (AssertNumber) failed: 10 is GreaterThan 5."


@pytest.mark.parametrize(
    ("method", "inputs", "params", "claims", "outputs", "fragment"),
    [
        pytest.param(
            "GetClaimFromJson",
            [("j", "inputJson")],
            [("claimToExtract", S, "a")],
            {"j": "{not json"},
            [("o", "extractedClaim")],
            "not valid JSON",
            id="GetClaimFromJson-invalid-json",
        ),
        pytest.param(
            "GetClaimFromJson",
            [("j", "inputJson")],
            [("claimToExtract", S, "a")],
            {"j": '{"b": 1}'},
            [("o", "extractedClaim")],
            'no element "a"',
            id="GetClaimFromJson-missing-element",
        ),
        pytest.param(
            "GetClaimFromJson",
            [("j", "inputJson")],
            [("claimToExtract", S, "a")],
            {"j": "[1]"},
            [("o", "extractedClaim")],
            "not a JSON object",
            id="GetClaimFromJson-not-an-object",
        ),
        pytest.param(
            "GetNumericClaimFromJson",
            [("j", "inputJson")],
            [("claimToExtract", S, "id")],
            {"j": '{"id": 1.5}'},
            [("o", "extractedClaim")],
            "not a whole number",
            id="GetNumericClaimFromJson-fraction",
        ),
        pytest.param(
            "GetSingleItemFromJson",
            [("j", "inputJson")],
            [],
            {"j": '"text"'},
            [("k", "key")],
            "not a JSON object",
            id="GetSingleItemFromJson-not-an-object",
        ),
        pytest.param(
            "GetSingleValueFromJsonArray",
            [("j", "inputJsonClaim")],
            [],
            {"j": '{"a": 1}'},
            [("o", "extractedClaim")],
            "not a JSON array",
            id="GetSingleValueFromJsonArray-not-an-array",
        ),
        pytest.param(
            "GetClaimsFromJsonArray",
            [("j", "jsonSource")],
            [("errorOnMissingClaims", B, "true"), ("jsonSourceKeyName", S, "key"), ("jsonSourceValueName", S, "value")],
            {"j": '[{"key": "email", "value": "a@b.c"}]'},
            [("email", ""), ("displayName", "")],
            'whose "key" is "displayName"',
            id="GetClaimsFromJsonArray-errorOnMissingClaims",
        ),
        pytest.param(
            "GetClaimsFromJsonArrayV2",
            [("items", "jsonSource")],
            [("jsonSourceKeyName", S, "key"), ("jsonSourceValueName", S, "value")],
            {"items": ["{oops"]},
            [("email", "")],
            "not valid JSON",
            id="GetClaimsFromJsonArrayV2-invalid-item",
        ),
        pytest.param(
            "XmlStringToJsonString",
            [("x", "xml")],
            [],
            {"x": "<user><name>Someone</user>"},
            [("j", "json")],
            "not usable XML",
            id="XmlStringToJsonString-invalid-xml",
        ),
        pytest.param(
            "AddItemToAlternativeSecurityIdCollection",
            [("i", "item"), ("c", "collection")],
            [],
            {"i": "nope"},
            [("c", "collection")],
            "not valid JSON",
            id="AddItemToAlternativeSecurityIdCollection-bad-item",
        ),
        pytest.param(
            "StringSubstring",
            [("s", "inputClaim")],
            [("startIndex", INT, "3"), ("length", INT, "5")],
            {"s": "abcd"},
            [("o", "outputClaim")],
            "outside",
            id="StringSubstring-out-of-range",
        ),
        pytest.param(
            "StringReplace",
            [("s", "inputClaim")],
            [("oldValue", S, ""), ("newValue", S, "x")],
            {"s": "abc"},
            [("o", "outputClaim")],
            "oldValue must not be empty",
            id="StringReplace-empty-oldValue",
        ),
        pytest.param(
            "FormatStringClaim",
            [("s", "inputClaim")],
            [("stringFormat", S, "{0} {1}")],
            {"s": "a"},
            [("o", "outputClaim")],
            "has no argument",
            id="FormatStringClaim-index-without-argument",
        ),
        pytest.param(
            "FormatStringClaim",
            [("s", "inputClaim")],
            [("stringFormat", S, "{0} {AuthenticatorIssuer}")],
            {"s": "a"},
            [("o", "outputClaim")],
            "not a valid format",
            id="FormatStringClaim-unknown-placeholder",
        ),
        pytest.param(
            "FormatStringMultipleClaims",
            [("a", "inputClaim1"), ("b", "inputClaim2")],
            [("stringFormat", S, "{0 {1}")],
            {"a": "x", "b": "y"},
            [("o", "outputClaim")],
            "not a valid format",
            id="FormatStringMultipleClaims-malformed",
        ),
        pytest.param(
            "FormatLocalizedString",
            [("email", "")],
            [("stringFormatId", S, "NoSuchString")],
            {"email": "a"},
            [("o", "outputClaim")],
            "no LocalizedString",
            id="FormatLocalizedString-unknown-string-id",
        ),
        pytest.param(
            "SetClaimsIfRegexMatch",
            [("s", "claimToMatch")],
            [("matchTo", S, "(a)\\1"), ("outputClaimIfMatched", S, "x")],
            {"s": "aa"},
            [("o", "outputClaim")],
            "not supported",
            id="SetClaimsIfRegexMatch-backreference-unsupported",
        ),
        pytest.param(
            "DateTimeComparison",
            [("first", "firstDateTime")],
            [("operator", S, "same")],
            {"first": "14/01/2022"},
            [("r", "result")],
            "cannot be read as dateTime",
            id="DateTimeComparison-date-in-another-format",
        ),
        pytest.param(
            "ConvertDateToDateTimeClaim",
            [("birth", "inputClaim")],
            [],
            {"birth": "01/03/2022"},
            [("o", "outputClaim")],
            "cannot be read as date",
            id="ConvertDateToDateTimeClaim-bad-date",
        ),
        pytest.param(
            "AssertDateTimeIsGreaterThan",
            [("l", "leftOperand"), ("r", "rightOperand")],
            [],
            {"l": "yesterday", "r": "2022-01-01"},
            [],
            "leftOperand",
            id="AssertDateTimeIsGreaterThan-bad-text",
        ),
        pytest.param(
            "AdjustNumber",
            [("attempts", "inputClaim")],
            [],
            {"attempts": "many"},
            [("o", "outputClaim")],
            "cannot be read as int",
            id="AdjustNumber-not-a-number",
        ),
        pytest.param(
            "AdjustNumber",
            [("attempts", "inputClaim")],
            [],
            {"attempts": 2**31 - 1},
            [("attempts", "outputClaim")],
            "cannot hold",
            id="AdjustNumber-overflows-int",
        ),
        pytest.param(
            "GetClaimFromJson",
            [("j", "inputJson")],
            [("claimToExtract", S, "a")],
            {"j": '{"a": "abc"}'},
            [("attempts", "extractedClaim")],
            "cannot hold",
            id="GetClaimFromJson-text-into-int-claim",
        ),
        pytest.param(
            "StringJoin",
            [("items", "inputClaim")],
            [("delimiter", S, ",")],
            {"items": [1, 2]},
            [("o", "outputClaim")],
            "cannot be read as stringCollection",
            id="StringJoin-not-strings",
        ),
        pytest.param(
            "CreateRandomString",
            [],
            [("randomGeneratorType", S, "INTEGER"), ("maximumNumber", INT, "0")],
            {},
            [("o", "outputClaim")],
            "maximumNumber",
            id="CreateRandomString-maximum-0",
        ),
        pytest.param(
            "CreateStringClaim",
            [],
            [("value", S, "{TechnicalProfileId}")],
            {},
            [("o", "createdClaim")],
            "has no value",
            id="CreateStringClaim-expression-without-context",
        ),
    ],
)
def test_unusable_input_fails_naming_the_transformation(
    method: str, inputs: list, params: list, claims: dict, outputs: list, fragment: str
) -> None:
    error = _fails(method, inputs, params, claims, outputs, context=TransformationContext())
    assert fragment in error.message and fragment in error.user_message


@pytest.mark.parametrize(
    ("method", "inputs", "params", "claims", "outputs"),
    [
        pytest.param(
            "LookupValue",
            [("d", "inputParameterId")],
            [("test.com", S, "x"), ("errorOnFailedLookup", B, "false")],
            {"d": "live.com"},
            [("o", "outputClaim")],
            id="LookupValue-no-error-no-output",
        ),
        pytest.param(
            "GetNationalNumberAndCountryCodeFromPhoneNumberString",
            [("p", "phoneNumber")],
            [],
            {"p": "12"},
            [("n", "nationalNumber"), ("c", "countryCode")],
            id="GetNationalNumber-invalid-no-error",
        ),
        pytest.param(
            "GetClaimsFromJsonArray",
            [("j", "jsonSource")],
            [("jsonSourceKeyName", S, "key"), ("jsonSourceValueName", S, "value")],
            {"j": '[{"key": "email", "value": ""}]'},
            [("email", ""), ("name", "")],
            id="GetClaimsFromJsonArray-lenient",
        ),
        pytest.param(
            "ParseDomain",
            [("e", "emailAddress")],
            [],
            {"e": "not-an-address"},
            [("d", "domain")],
            id="ParseDomain-no-at-sign",
        ),
        pytest.param(
            "GetMappedValueFromLocalizedCollection",
            [("c", "mapFromClaim")],
            [],
            {"c": "B2C_V1_99999"},
            [("responseMsg", "restrictionValueClaim")],
            id="GetMappedValue-no-match",
        ),
        pytest.param(
            "SetClaimIfBooleansMatch",
            [("f", "claimToMatch")],
            [("matchTo", B, "true"), ("outputClaimIfMatched", S, "x")],
            {"f": False},
            [("o", "outputClaim")],
            id="SetClaimIfBooleansMatch-no-match",
        ),
    ],
)
def test_lenient_cases_write_nothing(method: str, inputs: list, params: list, claims: dict, outputs: list) -> None:
    types = {"f": B}
    context = TransformationContext(restrictions={"responseMsg": [("B2C_V1_90001", "minor")]})
    assert (
        run(ClaimsTransformation("t", method, inputs, params, outputs), claims, data_types=types, context=context) == {}
    )


def test_get_claims_from_json_array_include_empty_claims() -> None:
    t = ClaimsTransformation(
        "t",
        "GetClaimsFromJsonArray",
        [("j", "jsonSource")],
        [("includeEmptyClaims", B, "true"), ("jsonSourceKeyName", S, "key"), ("jsonSourceValueName", S, "value")],
        [("email", ""), ("name", "")],
    )
    assert run(t, {"j": '[{"key": "email", "value": null}, {"key": "name", "value": "Jo"}]'}) == {
        "email": "",
        "name": "Jo",
    }


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        pytest.param({"v": "abc"}, {"o": None, "r": False}, id="no-match-nulls-the-output"),
        pytest.param({"v": "Minor"}, {"o": "B2C_V1_90001", "r": True}, id="match"),
    ],
)
def test_set_claims_if_strings_match_null_when_not_matched(claims: dict, expected: dict) -> None:
    t = ClaimsTransformation(
        "t",
        "SetClaimsIfStringsMatch",
        [("v", "claimToMatch")],
        [
            ("matchTo", S, "minor"),
            ("stringComparison", S, "OrdinalIgnoreCase"),
            ("outputClaimIfMatched", S, "B2C_V1_90001"),
        ],
        [("o", "outputClaim"), ("r", "stringCompareResultClaim")],
    )
    assert run(t, claims) == expected


def test_hash_without_the_policy_key_is_a_missing_key_error() -> None:
    t = ClaimsTransformation(
        "h", "Hash", [("p", "plaintext")], [("randomizerSecret", S, "B2C_1A_AccountTransformSecret")], [("o", "hash")]
    )
    with pytest.raises(MissingKeyError) as caught:
        run(t, {"p": "x"}, context=TransformationContext(keys={}))
    assert caught.value.key == "B2C_1A_AccountTransformSecret"
    # A key stored without the portal's B2C_1A_ prefix is found, as KeyStore finds it.
    out = run(t, {"p": "x"}, context=TransformationContext(keys={"AccountTransformSecret": "k"}))
    assert len(out["o"]) == 44
