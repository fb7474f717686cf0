"""What each method does when an input claim has no value (spec §2.4): documented cases and the default."""

from __future__ import annotations

from typing import Any, List, Tuple

import pytest

from connector_sim.errors import ClaimsTransformationError
from connector_sim.transformations import METHODS, ClaimsTransformation, ParamSpec, run

# Methods whose missing-input behaviour is documented (or an assertion that cannot be evaluated).
SPECIAL = {
    "DoesClaimExist",
    "AdjustNumber",
    "AssertNumber",
    "DateTimeComparison",
    "IsTermsOfUseConsentRequired",
    "SetClaimIfBooleansMatch",
    "AssertDateTimeIsGreaterThan",
    "AddItemToStringCollection",
    "AddParameterToStringCollection",
    "AddItemToAlternativeSecurityIdCollection",
    "AssertBooleanClaimIsEqualToValue",
    "AssertStringClaimsAreEqual",
}


def _value(spec: ParamSpec) -> str:
    if spec.choices:
        return spec.choices[0]
    return {"boolean": "false", "int": "1", "long": "1", "dateTime": "2021-01-01"}.get(spec.reads_as, "x")


def _skeleton(name: str) -> ClaimsTransformation:
    """The method with every required input, parameter and every output declared (claim id = TCT)."""
    signature = METHODS[name].signature
    inputs = [(spec.tct, spec.tct) for spec in signature.inputs if spec.required]
    params: List[Tuple[str, str, str]] = [(s.id, s.data_types[0], _value(s)) for s in signature.params if s.required]
    outputs = [(spec.tct, spec.tct) for spec in signature.outputs]
    return ClaimsTransformation("t", name, inputs, params, outputs)


SKIPPING = sorted(
    name
    for name, m in METHODS.items()
    if name not in SPECIAL and any(s.required and s.when_missing == "skip" for s in m.signature.inputs)
)


@pytest.mark.parametrize("empty", [None, "", []], ids=["absent", "empty-string", "empty-collection"])
@pytest.mark.parametrize("name", SKIPPING)
def test_default_a_required_input_without_value_skips_the_transformation(name: str, empty: Any) -> None:
    transformation = _skeleton(name)
    claims = {} if empty is None else {claim: empty for claim, _ in transformation.input_claims}
    assert run(transformation, claims) == {}


def test_format_localized_string_skips_when_an_argument_has_no_value() -> None:
    t = ClaimsTransformation(
        "t", "FormatLocalizedString", [("email", "")], [("stringFormatId", "string", "x")], [("msg", "outputClaim")]
    )
    assert run(t, {}) == {}


def test_generate_json_leaves_out_a_claim_without_value() -> None:
    t = ClaimsTransformation(
        "t",
        "GenerateJson",
        [("email", "user.email"), ("name", "user.name")],
        [("user.id", "long", "7")],
        [("body", "outputClaim")],
    )
    assert run(t, {"name": "Joe"}) == {"body": '{"user":{"name":"Joe","id":7}}'}


@pytest.mark.parametrize(
    ("method", "inputs", "params", "outputs", "claims", "expected"),
    [
        pytest.param(
            "DoesClaimExist",
            [("email", "inputClaim")],
            [],
            [("exists", "outputClaim")],
            {},
            {"exists": False},
            id="DoesClaimExist-absent-is-false",
        ),
        pytest.param(
            "DoesClaimExist",
            [("email", "inputClaim")],
            [],
            [("exists", "outputClaim")],
            {"email": ""},
            {"exists": False},
            id="DoesClaimExist-empty-is-false",
        ),
        pytest.param(
            "AdjustNumber",
            [("n", "inputClaim")],
            [("Operator", "string", "INCREMENT")],
            [("n", "outputClaim")],
            {},
            {"n": 1},
            id="AdjustNumber-null-counts-as-0",
        ),
        pytest.param(
            "IsTermsOfUseConsentRequired",
            [("consent", "termsOfUseConsentDateTime")],
            [("termsOfUseTextUpdateDateTime", "dateTime", "2021-11-15T00:00:00")],
            [("required", "result")],
            {},
            {"required": True},
            id="IsTermsOfUseConsentRequired-undefined-is-true",
        ),
        pytest.param(
            "DateTimeComparison",
            [("first", "firstDateTime"), ("second", "secondDateTime")],
            [("operator", "string", "earlier than")],
            [("earlier", "result")],
            {"first": "2022-01-14T11:40:34Z"},
            {"earlier": True},
            id="DateTimeComparison-second-null-is-now",
        ),
        pytest.param(
            "AssertDateTimeIsGreaterThan",
            [("left", "leftOperand"), ("right", "rightOperand")],
            [("AssertIfRightOperandIsNotPresent", "boolean", "false")],
            [],
            {"left": "2022-01-01T00:00:00"},
            {},
            id="AssertDateTimeIsGreaterThan-right-missing-passes-when-false",
        ),
        pytest.param(
            "AssertDateTimeIsGreaterThan",
            [("left", "leftOperand"), ("right", "rightOperand")],
            [],
            [],
            {"left": "2022-01-01T00:00:00"},
            {},
            id="AssertDateTimeIsGreaterThan-right-missing-passes-by-default",
        ),
        pytest.param(
            "AddItemToStringCollection",
            [("email", "item"), ("mails", "collection")],
            [],
            [("mails", "collection")],
            {"email": "a@b.c"},
            {"mails": ["a@b.c"]},
            id="AddItemToStringCollection-new-collection",
        ),
        pytest.param(
            "AddParameterToStringCollection",
            [("mails", "collection")],
            [("item", "string", "a@b.c")],
            [("mails", "collection")],
            {},
            {"mails": ["a@b.c"]},
            id="AddParameterToStringCollection-new-collection",
        ),
        pytest.param(
            "AddItemToAlternativeSecurityIdCollection",
            [("id", "item"), ("ids", "collection")],
            [],
            [("ids", "collection")],
            {"id": '{"issuer": "x.com", "issuerUserId": "MQ=="}'},
            {"ids": [{"issuer": "x.com", "issuerUserId": "MQ=="}]},
            id="AddItemToAlternativeSecurityIdCollection-new-collection",
        ),
    ],
)
def test_documented_missing_input_behaviour(
    make_ctx: Any, method: str, inputs: list, params: list, outputs: list, claims: dict, expected: dict
) -> None:
    types = {
        "ids": "alternativeSecurityIdCollection",
        "mails": "stringCollection",
        "n": "int",
        "consent": "dateTime",
        "first": "dateTime",
        "second": "dateTime",
    }
    t = ClaimsTransformation("t", method, inputs, params, outputs)
    assert run(t, claims, data_types=types, context=make_ctx()) == expected


@pytest.mark.parametrize(
    ("method", "inputs", "params", "claims", "claim"),
    [
        pytest.param(
            "AssertNumber",
            [("n", "inputClaim")],
            [("Operator", "string", "Equal"), ("CompareToValue", "int", "1")],
            {},
            "n",
            id="AssertNumber-null-throws",
        ),
        pytest.param(
            "DateTimeComparison",
            [("first", "firstDateTime")],
            [("operator", "string", "same")],
            {},
            "first",
            id="DateTimeComparison-first-null-throws",
        ),
        pytest.param(
            "SetClaimIfBooleansMatch",
            [("flag", "claimToMatch")],
            [("matchTo", "boolean", "true"), ("outputClaimIfMatched", "string", "x")],
            {},
            "flag",
            id="SetClaimIfBooleansMatch-null-throws",
        ),
        pytest.param(
            "AssertDateTimeIsGreaterThan",
            [("left", "leftOperand"), ("right", "rightOperand")],
            [("AssertIfRightOperandIsNotPresent", "boolean", "true")],
            {"left": "2022-01-01T00:00:00"},
            "right",
            id="AssertDateTimeIsGreaterThan-right-missing-fails-when-true",
        ),
        pytest.param(
            "AssertDateTimeIsGreaterThan",
            [("left", "leftOperand"), ("right", "rightOperand")],
            [],
            {"right": "2022-01-01T00:00:00"},
            "left",
            id="AssertDateTimeIsGreaterThan-left-missing-fails",
        ),
        pytest.param(
            "AssertBooleanClaimIsEqualToValue",
            [("flag", "inputClaim")],
            [("valueToCompareTo", "boolean", "true")],
            {},
            "flag",
            id="AssertBooleanClaimIsEqualToValue-missing-fails",
        ),
        pytest.param(
            "AssertStringClaimsAreEqual",
            [("a", "inputClaim1"), ("b", "inputClaim2")],
            [("stringComparison", "string", "Ordinal")],
            {"a": "x"},
            "b",
            id="AssertStringClaimsAreEqual-missing-fails",
        ),
    ],
)
def test_missing_input_that_throws(method: str, inputs: list, params: list, claims: dict, claim: str) -> None:
    t = ClaimsTransformation("myTransformation", method, inputs, params, [])
    with pytest.raises(ClaimsTransformationError) as caught:
        run(t, claims)
    assert caught.value.transformation_id == "myTransformation" and caught.value.method == method
    assert caught.value.claim == claim
