"""Date transformations [DATE]: assertions, comparisons, conversions, the clock."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ._signature import BOOL, DATETIME, Call, Method, Outputs, Signature, inp, out, par
from ._values import UTC, format_datetime, parse_date, parse_datetime

__all__ = ["METHODS"]


def _moment(call: Call, tct: str, value: Any) -> _dt.datetime:
    try:
        return parse_datetime(value)
    except (TypeError, ValueError) as exc:
        call.fail(f"{tct} {exc}", tct=tct)


def _assert_greater(call: Call) -> Outputs:
    left = _moment(call, "leftOperand", call.value("leftOperand"))
    right_value = call.value("rightOperand")
    if right_value is None:
        # AssertIfRightOperandIsNotPresent true: a missing right operand fails; false (default) passes.
        if call.params["AssertIfRightOperandIsNotPresent"]:
            call.fail("the right operand has no value", tct="rightOperand", assertion=True)
        return {}
    right = _moment(call, "rightOperand", right_value)
    difference_ms = (left - right) / _dt.timedelta(milliseconds=1)
    if abs(difference_ms) <= call.params["TreatAsEqualIfWithinMillseconds"]:
        if call.params["AssertIfEqualTo"]:
            call.fail("the left operand is equal to the right operand", tct="leftOperand", assertion=True)
    elif right > left:
        call.fail("the right operand is later than the left operand", tct="rightOperand", assertion=True)
    return {}


def _to_date(call: Call) -> Outputs:
    return {"outputClaim": _moment(call, "inputClaim", call.value("inputClaim")).date().isoformat()}


def _to_date_time(call: Call) -> Outputs:
    day = parse_date(call.value("inputClaim"))
    return {"outputClaim": format_datetime(_dt.datetime(day.year, day.month, day.day, tzinfo=UTC))}


def _compare(call: Call) -> Outputs:
    first = _moment(call, "firstDateTime", call.value("firstDateTime"))
    second_value = call.value("secondDateTime")
    second = call.context.now() if second_value is None else _moment(call, "secondDateTime", second_value)
    first += _dt.timedelta(seconds=call.params["timeSpanInSeconds"])
    operator = call.params["operator"]
    result = first == second if operator == "same" else first > second if operator == "later than" else first < second
    return {"result": result}


def _terms_of_use(call: Call) -> Outputs:
    consent = call.value("termsOfUseConsentDateTime")
    if consent is None:
        return {"result": True}
    updated = parse_datetime(call.params["termsOfUseTextUpdateDateTime"])
    return {"result": _moment(call, "termsOfUseConsentDateTime", consent) < updated}


def _now(call: Call) -> Outputs:
    return {"currentDateTime": format_datetime(call.context.now())}


METHODS = (
    Method(
        "AssertDateTimeIsGreaterThan", "Date",
        Signature(
            # String, not dateTime: B2C refuses [DateTime]rightOperand at upload (ISS-515).
            (inp("leftOperand", missing="fail"), inp("rightOperand", missing="call")),
            (par("AssertIfEqualTo", *BOOL, default=True), par("AssertIfRightOperandIsNotPresent", *BOOL, default=False),
             par("TreatAsEqualIfWithinMillseconds", "int", default=0)),
        ),
        _assert_greater, "DateTimeGreaterThan",
        "Claim value comparison failed: The provided left operand is greater than the right operand.",
    ),
    Method("ConvertDateTimeToDateClaim", "Date",
           Signature((inp("inputClaim", *DATETIME),), outputs=(out("outputClaim", "date"),)), _to_date),
    Method("ConvertDateToDateTimeClaim", "Date",
           Signature((inp("inputClaim", "date"),), outputs=(out("outputClaim", *DATETIME),)), _to_date_time),
    Method(
        "DateTimeComparison", "Date",
        Signature(
            (inp("firstDateTime", *DATETIME, missing="fail"), inp("secondDateTime", *DATETIME, required=False)),
            (par("operator", choices=("same", "later than", "earlier than")),
             par("timeSpanInSeconds", "int", default=0)),
            (out("result", *BOOL),),
        ),
        _compare,
    ),
    Method(
        "IsTermsOfUseConsentRequired", "Date",
        Signature((inp("termsOfUseConsentDateTime", *DATETIME, missing="call"),),
                  (par("termsOfUseTextUpdateDateTime", "dateTime", "string", kind="dateTime"),),
                  (out("result", *BOOL),)),
        _terms_of_use,
    ),
    Method("GetCurrentDateTime", "Date", Signature(outputs=(out("currentDateTime", *DATETIME),)), _now),
)
