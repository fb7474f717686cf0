"""Integer transformations [INT]: AdjustNumber, AssertNumber, ConvertNumberToStringClaim."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from ._signature import BOOL, INT, Call, Method, Outputs, Signature, inp, out, par

__all__ = ["METHODS"]

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "LessThan": operator.lt, "GreaterThan": operator.gt, "GreaterThanOrEqual": operator.ge,
    "LessThanOrEqual": operator.le, "Equal": operator.eq, "NotEqual": operator.ne,
}


def _adjust(call: Call) -> Outputs:
    value = call.value("inputClaim") or 0  # a null claim counts as 0 [INT]
    return {"outputClaim": value + (1 if call.params["Operator"] == "INCREMENT" else -1)}


def _assert(call: Call) -> Outputs:
    value, name, limit = call.value("inputClaim"), call.params["Operator"], call.params["CompareToValue"]
    result = _OPERATORS[name](value, limit)
    if not call.params["throwError"]:
        return {"outputClaim": result}
    if result:  # assertion mode fails when the comparison holds [INT]
        call.fail(f"{value} is {name} {limit}", tct="inputClaim", assertion=True)
    return {}


def _to_string(call: Call) -> Outputs:
    return {"outputClaim": str(call.value("inputClaim"))}  # invariant culture: no separators


METHODS = (
    Method(
        "AdjustNumber", "Integer",
        Signature((inp("inputClaim", *INT, missing="call"),),
                  (par("Operator", default="INCREMENT", choices=("INCREMENT", "DECREMENT")),),
                  (out("outputClaim", *INT),)),
        _adjust,
    ),
    Method(
        "AssertNumber", "Integer",
        Signature(
            (inp("inputClaim", *INT, missing="fail"),),
            (par("CompareToValue", *INT), par("Operator", choices=tuple(_OPERATORS)),
             par("throwError", *BOOL, default=True)),
            (out("outputClaim", *BOOL),),
        ),
        _assert, "AssertNumberError",
    ),
    Method("ConvertNumberToStringClaim", "Integer",
           Signature((inp("inputClaim", "long", "int"),), outputs=(out("outputClaim"),)), _to_string),
)
