"""String transformations [STR], part 2: comparing, matching and looking up values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._context import Predicate, PredicateGroup
from ._regex import RegexError, search
from ._signature import BOOL, Call, Extra, Method, Outputs, Signature, inp, out, par
from ._text import IGNORE_CASE, equal, fold
from ._values import parse_date

__all__ = ["METHODS", "predicate_passes"]

_COMPARISON = ("Ordinal", "OrdinalIgnoreCase")
_OPERATOR = par("operator", choices=("EQUAL", "NOT EQUAL"))


def _ignore(call: Call) -> bool:
    return bool(call.params["stringComparison"] == "OrdinalIgnoreCase")


def _assert_equal(call: Call) -> Outputs:
    if not equal(call.value("inputClaim1"), call.value("inputClaim2"), _ignore(call)):
        call.fail(f"the two claims differ ({call.params['stringComparison']})", tct="inputClaim2", assertion=True)
    return {}


def _compared(call: Call, left: str, right: str) -> bool:
    same = equal(left, right, call.params["ignoreCase"])
    return same if call.params["operator"] == "EQUAL" else not same


def _compare_claims(call: Call) -> Outputs:
    return {"outputClaim": _compared(call, call.value("inputClaim1"), call.value("inputClaim2"))}


def _compare_to_value(call: Call) -> Outputs:
    return {"outputClaim": _compared(call, call.value("inputClaim1"), call.params["compareTo"])}


def _characters(charset: str) -> Any:
    # CharacterSet is a list of characters and ranges ("a-z", "0-9"); "\x" is the character x.
    singles, ranges, i = set(), [], 0
    while i < len(charset):
        char = charset[i + 1] if charset[i] == "\\" and i + 1 < len(charset) else charset[i]
        i += 2 if charset[i] == "\\" and i + 1 < len(charset) else 1
        if i + 1 < len(charset) and charset[i] == "-":
            ranges.append((char, charset[i + 1]))
            i += 2
        else:
            singles.add(char)
    return lambda c: c in singles or any(low <= c <= high for low, high in ranges)


def _predicate(predicate: Predicate, value: str, today: Any) -> bool:
    params, method = predicate.parameters, predicate.method
    if method == "IsLengthRange":
        return int(params.get("Minimum", 0)) <= len(value) <= int(params.get("Maximum", len(value)))
    if method == "MatchesRegex":
        return search(params.get("RegularExpression", ""), value) is not None
    if method == "IncludesCharacters":
        test = _characters(params.get("CharacterSet", ""))
        return any(test(c) for c in value)
    if method == "IsDateRange":
        def bound(name: str, fallback: Any) -> Any:
            text = params.get(name)
            return fallback if text is None else today if text.strip().lower() == "today" else parse_date(text)
        day = parse_date(value)
        return bool(bound("Minimum", day) <= day <= bound("Maximum", day))
    raise ValueError(f"the predicate method {method!r} is not known")


def predicate_passes(groups: Sequence[PredicateGroup], value: str, today: Any) -> bool:
    """Whether a value satisfies a PredicateValidation: every group passes (all, or MatchAtLeast, of its own)."""
    for group in groups:
        passed = sum(_predicate(p, value, today) for p in group.predicates)
        needed = len(group.predicates) if group.match_at_least is None else group.match_at_least
        if passed < needed:
            return False
    return True


def _lookup_ci(mapping: Any, key: str) -> Any | None:
    if key in mapping:
        return mapping[key]
    return next((v for k, v in mapping.items() if k.lower() == key.lower()), None)


def _copy_if_predicate(call: Call) -> Outputs:
    slot = call.output("outputClaim")
    groups = _lookup_ci(call.context.predicate_validations, slot.claim_id) if slot else None
    value = call.value("inputClaim")
    try:
        ok = groups is None or predicate_passes(groups, value, call.context.now().date())
    except (RegexError, ValueError) as exc:
        call.fail(f"the predicate of {slot.claim_id if slot else 'outputClaim'} cannot be evaluated: {exc}")
    return {"outputClaim": value} if ok else {}  # not copied: the output keeps its previous value


def _lookup(call: Call) -> Outputs:
    key = call.value("inputParameterId")
    table = {id: value for id, _, value in call.raw_params if id != "errorOnFailedLookup"}
    if key in table:
        return {"outputClaim": table[key]}
    if call.params["errorOnFailedLookup"]:
        call.fail(f'no parameter has the Id "{key}"', tct="inputParameterId", assertion=True)
    return {}


def _if_booleans_match(call: Call) -> Outputs:
    value = call.value("claimToMatch")
    if isinstance(value, str):  # a string claim (the article's table) holding "true" or "false"
        if value.strip().lower() not in ("true", "false"):
            call.fail(f"claimToMatch {value!r} is not true or false", tct="claimToMatch")
        value = value.strip().lower() == "true"
    if value == call.params["matchTo"]:
        return {"outputClaim": call.params["outputClaimIfMatched"]}
    return {}


def _if_regex_match(call: Call) -> Outputs:
    try:
        groups = search(call.params["matchTo"], call.value("claimToMatch"))
    except RegexError as exc:
        call.fail(f"matchTo cannot be used: {exc}", tct="claimToMatch")
    if groups is None:
        return {"outputClaim": None, "regexCompareResultClaim": False}
    result: Outputs = {"outputClaim": call.params["outputClaimIfMatched"], "regexCompareResultClaim": True}
    if call.params["extractGroups"]:
        named = {fold(name): text for name, text in groups.items() if text is not None}
        for slot in call.outputs:
            if slot.tct not in ("outputClaim", "regexCompareResultClaim") and fold(slot.claim_id) in named:
                result[slot.claim_id] = named[fold(slot.claim_id)]
    return result


def _if_strings_equal(call: Call) -> Outputs:
    if not equal(call.value("inputClaim"), call.params["matchTo"], _ignore(call)):
        return {"stringCompareResultClaim": False}
    return {"outputClaim1": call.params["stringMatchMsg"], "outputClaim2": call.params["stringMatchMsgCode"],
            "stringCompareResultClaim": True}


def _if_strings_match(call: Call) -> Outputs:
    if not equal(call.value("claimToMatch"), call.params["matchTo"], _ignore(call)):
        return {"outputClaim": None, "stringCompareResultClaim": False}
    return {"outputClaim": call.params["outputClaimIfMatched"], "stringCompareResultClaim": True}


def _contains(call: Call) -> Outputs:
    text, part = call.value("inputClaim"), call.params["contains"]
    return {"outputClaim": fold(part) in fold(text) if call.params["ignoreCase"] else part in text}


_STRING_COMPARISON = par("stringComparison", choices=_COMPARISON)
_OUT = (out("outputClaim"),)
_BOOL_OUT = (out("outputClaim", *BOOL),)

METHODS = (
    Method(
        "AssertStringClaimsAreEqual", "String",
        Signature((inp("inputClaim1", missing="fail"), inp("inputClaim2", missing="fail")), (_STRING_COMPARISON,)),
        _assert_equal, "UserMessageIfClaimsTransformationStringsAreNotEqual",
        'Claim value comparison failed using StringComparison "OrdinalIgnoreCase".',
    ),
    Method("CompareClaims", "String",
           Signature((inp("inputClaim1"), inp("inputClaim2")), (_OPERATOR, IGNORE_CASE), _BOOL_OUT), _compare_claims),
    Method("CompareClaimToValue", "String",
           Signature((inp("inputClaim1"),), (par("compareTo"), _OPERATOR, IGNORE_CASE), _BOOL_OUT), _compare_to_value),
    Method("CopyClaimIfPredicateMatch", "String", Signature((inp("inputClaim"),), outputs=_OUT), _copy_if_predicate),
    Method(
        "LookupValue", "String",
        Signature((inp("inputParameterId"),), (par("errorOnFailedLookup", *BOOL, default=False),), _OUT,
                  extra_params=Extra()),
        _lookup, "LookupNotFound",
    ),
    Method(
        "SetClaimIfBooleansMatch", "String",
        # The article's table says string; UT declares boolean: accept both.
        Signature((inp("claimToMatch", "boolean", "string", missing="fail"),),
                  (par("matchTo", *BOOL), par("outputClaimIfMatched")), _OUT),
        _if_booleans_match,
    ),
    Method(
        "SetClaimsIfRegexMatch", "String",
        Signature((inp("claimToMatch"),),
                  # outputClaimIfMatched is optional: Microsoft's own samples (selectemail) leave it out.
                  (par("matchTo"), par("outputClaimIfMatched", required=False),
                   par("extractGroups", *BOOL, default=False)),
                  (out("outputClaim"), out("regexCompareResultClaim", *BOOL)),
                  extra_outputs=Extra(keyed_by="claim")),
        _if_regex_match,
    ),
    Method(
        "SetClaimsIfStringsAreEqual", "String",
        Signature((inp("inputClaim"),),
                  (par("matchTo"), _STRING_COMPARISON, par("stringMatchMsg"), par("stringMatchMsgCode")),
                  (out("outputClaim1"), out("outputClaim2"), out("stringCompareResultClaim", *BOOL))),
        _if_strings_equal,
    ),
    Method(
        "SetClaimsIfStringsMatch", "String",
        Signature((inp("claimToMatch"),), (par("matchTo"), _STRING_COMPARISON, par("outputClaimIfMatched")),
                  (out("outputClaim"), out("stringCompareResultClaim", *BOOL))),
        _if_strings_match,
    ),
    Method(
        "StringContains", "String",
        # Output boolean in UT, string in the table: a string claim receives "true"/"false".
        Signature((inp("inputClaim"),), (par("contains"), IGNORE_CASE), (out("outputClaim", "boolean", "string"),)),
        _contains,
    ),
)
