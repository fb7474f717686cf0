"""Boolean claims transformations [BOOL]: AndClaims, OrClaims, NotClaims and the two comparisons."""

from __future__ import annotations

from ._signature import BOOL, Call, Method, Outputs, Signature, inp, out, par

__all__ = ["METHODS"]


def _and(call: Call) -> Outputs:
    return {"outputClaim": call.value("inputClaim1") and call.value("inputClaim2")}


def _or(call: Call) -> Outputs:
    return {"outputClaim": call.value("inputClaim1") or call.value("inputClaim2")}


def _not(call: Call) -> Outputs:
    return {"outputClaim": not call.value("inputClaim")}


def _assert_equal(call: Call) -> Outputs:
    value, expected = call.value("inputClaim"), call.params["valueToCompareTo"]
    if value != expected:
        call.fail(f"the claim is {str(value).lower()}, not {str(expected).lower()}", tct="inputClaim", assertion=True)
    return {}


def _compare(call: Call) -> Outputs:
    return {"compareResult": call.value("inputClaim") == call.params["valueToCompareTo"]}


_TWO = (inp("inputClaim1", *BOOL), inp("inputClaim2", *BOOL))

METHODS = (
    Method("AndClaims", "Boolean", Signature(_TWO, outputs=(out("outputClaim", *BOOL),)), _and),
    Method(
        "AssertBooleanClaimIsEqualToValue", "Boolean",
        Signature((inp("inputClaim", *BOOL, missing="fail"),), (par("valueToCompareTo", *BOOL),)),
        _assert_equal, "UserMessageIfClaimsTransformationBooleanValueIsNotEqual",
        'Boolean claim value comparison failed for claim type "inputClaim".',
    ),
    Method(
        "CompareBooleanClaimToValue", "Boolean",
        Signature((inp("inputClaim", *BOOL),), (par("valueToCompareTo", *BOOL),), (out("compareResult", *BOOL),)),
        _compare,
    ),
    Method("NotClaims", "Boolean", Signature((inp("inputClaim", *BOOL),), outputs=(out("outputClaim", *BOOL),)), _not),
    Method("OrClaims", "Boolean", Signature(_TWO, outputs=(out("outputClaim", *BOOL),)), _or),
)
