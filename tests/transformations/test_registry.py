"""The registry holds exactly the 64 documented methods, each a complete entry (spec §0, §3-§11)."""

from __future__ import annotations

import inspect
import pathlib
from collections import Counter

import pytest

import connector_sim.transformations as engine
from connector_sim.datatypes import DATA_TYPES
from connector_sim.transformations import FAILURE_MESSAGES, METHODS, get_method

SPEC_METHODS = {
    "Boolean": ["AndClaims", "AssertBooleanClaimIsEqualToValue", "CompareBooleanClaimToValue", "NotClaims", "OrClaims"],
    "Date": [
        "AssertDateTimeIsGreaterThan",
        "ConvertDateTimeToDateClaim",
        "ConvertDateToDateTimeClaim",
        "DateTimeComparison",
        "IsTermsOfUseConsentRequired",
        "GetCurrentDateTime",
    ],
    "General": ["CopyClaim", "DoesClaimExist", "Hash"],
    "Integer": ["AdjustNumber", "AssertNumber", "ConvertNumberToStringClaim"],
    "JSON": [
        "CreateJsonArray",
        "GenerateJson",
        "GetClaimFromJson",
        "GetClaimsFromJsonArray",
        "GetClaimsFromJsonArrayV2",
        "GetNumericClaimFromJson",
        "GetSingleItemFromJson",
        "GetSingleValueFromJsonArray",
        "XmlStringToJsonString",
    ],
    "Phone": [
        "ConvertPhoneNumberClaimToString",
        "ConvertStringToPhoneNumberClaim",
        "GetNationalNumberAndCountryCodeFromPhoneNumberString",
    ],
    "Social": [
        "AddItemToAlternativeSecurityIdCollection",
        "CreateAlternativeSecurityId",
        "GetIdentityProvidersFromAlternativeSecurityIdCollectionTransformation",
        "RemoveAlternativeSecurityIdByIdentityProvider",
    ],
    "String": [
        "AssertStringClaimsAreEqual",
        "BuildUri",
        "ChangeCase",
        "CompareClaims",
        "CompareClaimToValue",
        "CopyClaimIfPredicateMatch",
        "CreateOtpSecret",
        "CreateRandomString",
        "CreateStringClaim",
        "FormatLocalizedString",
        "FormatStringClaim",
        "FormatStringMultipleClaims",
        "GetLocalizedStringsTransformation",
        "GetMappedValueFromLocalizedCollection",
        "LookupValue",
        "NullClaim",
        "ParseDomain",
        "SetClaimIfBooleansMatch",
        "SetClaimsIfRegexMatch",
        "SetClaimsIfStringsAreEqual",
        "SetClaimsIfStringsMatch",
        "StringContains",
        "StringSubstring",
        "StringReplace",
        "StringJoin",
        "StringSplit",
    ],
    "StringCollection": [
        "AddItemToStringCollection",
        "AddParameterToStringCollection",
        "GetSingleItemFromStringCollection",
        "StringCollectionContains",
        "StringCollectionContainsClaim",
    ],
}
KNOWN_TYPES = set(DATA_TYPES) | {"alternativeSecurityIdCollection", "*"}


def test_registry_holds_exactly_the_64_methods_of_the_spec() -> None:
    expected = {name for names in SPEC_METHODS.values() for name in names}
    assert len(expected) == 64
    assert set(METHODS) == expected


def test_groups_have_the_spec_counts() -> None:
    counts = Counter(method.group for method in METHODS.values())
    assert counts == {group: len(names) for group, names in SPEC_METHODS.items()}
    for group, names in SPEC_METHODS.items():
        assert all(METHODS[name].group == group for name in names)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_entry_is_complete(name: str) -> None:
    method = get_method(name)
    assert method is not None and method.name == name and callable(method.function)
    signature = method.signature
    for spec in signature.inputs + signature.outputs:
        assert spec.tct and set(spec.data_types) <= KNOWN_TYPES, spec
    for spec in signature.params:
        assert spec.id and set(spec.data_types) <= KNOWN_TYPES, spec
        assert not (spec.required and spec.default is not None), spec
        if spec.default is not None and spec.choices:
            assert spec.default in spec.choices
    assert len({s.tct for s in signature.inputs}) == len(signature.inputs)


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        METHODS["Nope"] = METHODS["AndClaims"]  # type: ignore[index]


def test_failure_messages_are_the_section_2_5_table() -> None:
    assert {name: key for name, (key, _) in FAILURE_MESSAGES.items()} == {
        "AssertBooleanClaimIsEqualToValue": "UserMessageIfClaimsTransformationBooleanValueIsNotEqual",
        "AssertDateTimeIsGreaterThan": "DateTimeGreaterThan",
        "AssertStringClaimsAreEqual": "UserMessageIfClaimsTransformationStringsAreNotEqual",
        "AssertNumber": "AssertNumberError",
        "LookupValue": "LookupNotFound",
        "ConvertStringToPhoneNumberClaim": "UserMessageIfClaimsTransformationInvalidPhoneNumber",
        "GetNationalNumberAndCountryCodeFromPhoneNumberString": "UserMessageIfPhoneNumberParseFailure",
    }
    documented = {name: text for name, (_, text) in FAILURE_MESSAGES.items() if text}
    assert documented == {
        "AssertBooleanClaimIsEqualToValue": 'Boolean claim value comparison failed for claim type "inputClaim".',
        "AssertDateTimeIsGreaterThan": (
            "Claim value comparison failed: The provided left operand is greater than the right operand."
        ),
        "AssertStringClaimsAreEqual": 'Claim value comparison failed using StringComparison "OrdinalIgnoreCase".',
    }


def test_public_names_have_docstrings() -> None:
    assert len(set(engine.__all__)) == len(engine.__all__)
    for name in engine.__all__:
        value = getattr(engine, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert (value.__doc__ or "").strip(), name


def test_every_module_stays_under_300_lines() -> None:
    folder = pathlib.Path(engine.__file__).parent
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in folder.glob("*.py")}
    assert lengths and all(n < 300 for n in lengths.values()), lengths
