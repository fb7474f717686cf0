"""The upload-time checks (spec §2.6): each kind of finding, with B2C's own text where it is known."""

from __future__ import annotations

import pytest

from connector_sim.errors import PolicyError
from connector_sim.transformations import ClaimsTransformation, Problem, check, run

ISS_515 = (
    'The InputClaims mismatched in ClaimsTransformation with id "AssertApprovedDateTimeLaterThanCurrentDateTime" '
    'with TransformationMethod "AssertDateTimeIsGreaterThan". The following InputClaims were declared in the '
    "Policy but were not expected by the TransformMethod: [DateTime]rightOperand. The following InputClaims "
    "were expected by the TransformMethod but were not declared in the Policy: [String]rightOperand."
)


def _codes(problems: list) -> list:
    return [p.code for p in problems]


def test_data_type_mismatch_gives_the_exact_iss_515_text() -> None:
    t = ClaimsTransformation(
        "AssertApprovedDateTimeLaterThanCurrentDateTime",
        "AssertDateTimeIsGreaterThan",
        [("approvedDateTime", "leftOperand"), ("currentDateTime", "rightOperand")],
    )
    problems = check(t, claim_types={"approvedDateTime": "string", "currentDateTime": "dateTime"})
    assert _codes(problems) == ["claim-data-type"]
    assert problems[0].message == ISS_515 and problems[0].subject == "rightOperand"


def test_missing_collection_of_add_item_gives_iss_71139_text() -> None:
    t = ClaimsTransformation(
        "AddEmail", "AddItemToStringCollection", [("email", "item")], [], [("otherMails", "collection")]
    )
    problems = check(t)
    assert _codes(problems) == ["missing-claim"]
    assert problems[0].message.endswith(
        "were expected by the TransformMethod but were not declared in the Policy: [StringCollection]collection."
    )


@pytest.mark.parametrize(
    ("transformation", "claim_types", "code", "subject"),
    [
        pytest.param(
            ClaimsTransformation("x", "ChangeCaze", [("a", "inputClaim1")]),
            None,
            "unknown-method",
            "ChangeCaze",
            id="unknown-method",
        ),
        pytest.param(
            ClaimsTransformation(
                "x", "ChangeCase", [("a", "inputClaim")], [("toCase", "string", "LOWER")], [("a", "outputClaim")]
            ),
            None,
            "unexpected-claim",
            "inputClaim",
            id="tct-the-method-does-not-have",
        ),
        pytest.param(
            ClaimsTransformation("x", "ChangeCase", [], [("toCase", "string", "LOWER")], [("a", "outputClaim")]),
            None,
            "missing-claim",
            "inputClaim1",
            id="missing-required-tct",
        ),
        pytest.param(
            ClaimsTransformation("x", "ChangeCase", [("a", "inputClaim1")], [], [("a", "outputClaim")]),
            None,
            "missing-parameter",
            "toCase",
            id="missing-required-parameter",
        ),
        pytest.param(
            ClaimsTransformation(
                "x",
                "ChangeCase",
                [("a", "inputClaim1")],
                [("toCase", "string", "LOWER"), ("culture", "string", "tr")],
                [("a", "outputClaim")],
            ),
            None,
            "unexpected-parameter",
            "culture",
            id="parameter-the-method-does-not-have",
        ),
        pytest.param(
            ClaimsTransformation(
                "x", "ChangeCase", [("a", "inputClaim1")], [("toCase", "string", "TITLE")], [("a", "outputClaim")]
            ),
            None,
            "parameter-value",
            "toCase",
            id="enumerated-value-not-allowed",
        ),
        pytest.param(
            ClaimsTransformation(
                "x",
                "AssertNumber",
                [("n", "inputClaim")],
                [("Operator", "string", "Equal"), ("CompareToValue", "boolean", "true")],
            ),
            None,
            "parameter-data-type",
            "CompareToValue",
            id="parameter-data-type",
        ),
        pytest.param(
            ClaimsTransformation(
                "x",
                "CompareBooleanClaimToValue",
                [("b", "inputClaim")],
                [("valueToCompareTo", "boolean", "yes")],
                [("r", "compareResult")],
            ),
            None,
            "parameter-value",
            "valueToCompareTo",
            id="boolean-value-not-true-or-false",
        ),
        pytest.param(
            ClaimsTransformation(
                "x", "StringSubstring", [("s", "inputClaim")], [("startIndex", "int", "one")], [("s", "outputClaim")]
            ),
            None,
            "parameter-value",
            "startIndex",
            id="int-value-not-a-number",
        ),
        pytest.param(
            ClaimsTransformation("x", "NotClaims", [("flag", "inputClaim")], [], [("flag", "outputClaim")]),
            {"flag": "string"},
            "claim-data-type",
            "inputClaim",
            id="input-claim-data-type",
        ),
        pytest.param(
            ClaimsTransformation(
                "x",
                "CompareClaims",
                [("a", "inputClaim1"), ("b", "inputClaim2")],
                [("operator", "string", "EQUAL")],
                [("r", "outputClaim")],
            ),
            {"a": "string", "b": "string", "r": "int"},
            "claim-data-type",
            "outputClaim",
            id="output-claim-data-type",
        ),
        pytest.param(
            ClaimsTransformation("x", "NotClaims", [("flag", "inputClaim")], [], [("Flag2", "outputClaim")]),
            {"FLAG": "boolean"},
            "undefined-claim",
            "Flag2",
            id="undefined-claim",
        ),
        pytest.param(
            ClaimsTransformation("x", "CopyClaim", [("a", "inputClaim")], [], [("b", "outputClaim")]),
            {"a": "string", "b": "int"},
            "claim-data-type",
            "inputClaim",
            id="CopyClaim-types-differ",
        ),
        pytest.param(
            ClaimsTransformation(
                "x",
                "GenerateJson",
                [("a", "items.0.name")],
                [("items.2.name", "string", "x")],
                [("body", "outputClaim")],
            ),
            None,
            "method-rule",
            "GenerateJson",
            id="GenerateJson-array-index-gap",
        ),
        pytest.param(
            ClaimsTransformation(
                "x", "GenerateJson", [("a", "user")], [("user.name", "string", "x")], [("body", "outputClaim")]
            ),
            None,
            "method-rule",
            "GenerateJson",
            id="GenerateJson-value-and-object",
        ),
        pytest.param(
            ClaimsTransformation("x", "GenerateJson", [("a", "0.name")], [], [("body", "outputClaim")]),
            None,
            "method-rule",
            "GenerateJson",
            id="GenerateJson-root-array",
        ),
        pytest.param(
            ClaimsTransformation("x", "GenerateJson", [("a", "user..name")], [], [("body", "outputClaim")]),
            None,
            "method-rule",
            "GenerateJson",
            id="GenerateJson-empty-segment",
        ),
        pytest.param(
            ClaimsTransformation("x", "GenerateJson", [], [("id", "long", "one")], [("body", "outputClaim")]),
            None,
            "parameter-value",
            "id",
            id="GenerateJson-long-parameter-not-a-number",
        ),
        pytest.param(
            ClaimsTransformation(
                "x",
                "FormatStringClaim",
                [("a", "inputClaim")],
                [("stringFormat", "string", "x" * 4001)],
                [("b", "outputClaim")],
            ),
            None,
            "method-rule",
            "FormatStringClaim",
            id="stringFormat-over-4000",
        ),
    ],
)
def test_each_kind_of_finding(transformation: ClaimsTransformation, claim_types: dict, code: str, subject: str) -> None:
    problems = check(transformation, claim_types=claim_types)
    assert code in _codes(problems), problems
    found = next(p for p in problems if p.code == code)
    assert isinstance(found, Problem) and found.subject == subject and found.severity == "error"
    assert found.transformation_id == "x" and "x" in found.message


def test_unknown_method_suggests_the_spelling() -> None:
    (problem,) = check(ClaimsTransformation("x", "changecase"))
    assert 'did you mean "ChangeCase"' in problem.message


def test_claim_ids_compare_without_case() -> None:
    t = ClaimsTransformation("x", "NotClaims", [("userExists", "inputClaim")], [], [("USEREXISTS", "outputClaim")])
    assert check(t, claim_types={"UserExists": "boolean"}) == []


def test_valid_transformation_has_no_findings_and_where_is_reported() -> None:
    t = ClaimsTransformation(
        "x",
        "ChangeCase",
        [("a", "inputClaim1")],
        [("toCase", "string", "upper")],
        [("a", "outputClaim")],
        file="base.xml",
        line=7,
    )
    assert check(t, claim_types={"a": "string"}) == []
    bad = ClaimsTransformation("x", "ChangeCase", [("a", "inputClaim1")], [], [], file="base.xml", line=7)
    (problem,) = check(bad)
    assert (problem.file, problem.line) == ("base.xml", 7)
    assert str(problem).startswith("base.xml:7: error: missing-parameter: ")
    assert problem.to_dict()["code"] == "missing-parameter"


@pytest.mark.parametrize(
    ("transformation", "claim_types"),
    [
        pytest.param(ClaimsTransformation("x", "NoSuchMethod"), None, id="unknown-method"),
        pytest.param(ClaimsTransformation("x", "ChangeCase", [("a", "inputClaim1")]), None, id="missing-parameter"),
        pytest.param(
            ClaimsTransformation("x", "NotClaims", [("f", "inputClaim")], [], [("f", "outputClaim")]),
            {"f": "string"},
            id="data-type",
        ),
    ],
)
def test_run_refuses_what_upload_refuses(transformation: ClaimsTransformation, claim_types: dict) -> None:
    with pytest.raises(PolicyError):
        run(transformation, {"a": "A", "f": "true"}, data_types=claim_types)


def test_string_data_type_fits_any_parameter() -> None:
    # The articles write typed values with DataType="string" (SetClaimIfBooleansMatch matchTo="true").
    t = ClaimsTransformation(
        "x",
        "SetClaimIfBooleansMatch",
        [("b", "claimToMatch")],
        [("matchTo", "string", "true"), ("outputClaimIfMatched", "string", "y")],
        [("o", "outputClaim")],
    )
    assert check(t, claim_types={"b": "boolean", "o": "string"}) == []


def test_set_claims_if_regex_match_needs_no_output_claim_if_matched() -> None:
    # Microsoft's selectemail sample only wants the boolean result.
    from connector_sim.transformations import ClaimsTransformation, check, run

    transformation = ClaimsTransformation(
        "IsEmail", "SetClaimsIfRegexMatch", input_claims=(("signInName", "claimToMatch"),),
        input_parameters=(("matchTo", "string", "^[^@]+@[^@]+$"),),
        output_claims=(("isEmail", "regexCompareResultClaim"),))
    assert check(transformation, {"signInName": "string", "isEmail": "boolean"}) == []
    assert run(transformation, {"signInName": "ada@contoso.com"},
               data_types={"signInName": "string", "isEmail": "boolean"}) == {"isEmail": True}
