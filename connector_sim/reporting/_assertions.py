"""Assertions for tests of an API called as B2C calls it; a failure shows the request sent and the answer.

Each helper takes what a call returned (``JourneyResult``, ``CallResult``, ``StepResult``,
``ConnectorOutcome``) or raised (``CallError``), returns it when the check passes, and otherwise
raises ``AssertionError`` with the calls spelt out: request (secrets masked), answer, error and what
the user would see. Token-like claims are never shown, in either the expected or the received values.
Usable with pytest (``from connector_sim.pytest_plugin import assert_claims``) or unittest.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Pattern, Union

from ..errors import ConnectorSimError
from ..redact import REDACTED, is_sensitive_claim, redact_claims
from ._reports import describe_record, records_from

__all__ = ["assert_b2c_error", "assert_claims", "assert_ok", "assert_outcome", "assert_user_sees", "explain"]

Text = Union[str, Pattern[str]]
_MISSING = object()


def explain(result: Any) -> str:
    """Every call in ``result`` as readable text: request (secrets masked), answer, error, what the user sees."""
    try:
        records = records_from(result)
    except TypeError:
        return f"(no calls to show: got {type(result).__name__})"
    if not records:
        return "(no calls were made)"
    text = "\n".join(describe_record(r) for r in records)
    user_sees = getattr(result, "user_sees", None)
    if user_sees and hasattr(result, "steps"):
        text += f"\nwhat B2C does: {user_sees}"
    return text


def _fail(headline: str, result: Any) -> AssertionError:
    return AssertionError(f"{headline}\n\ncalls:\n{explain(result)}")


def _claims(result: Any) -> Mapping[str, Any]:
    if hasattr(result, "claims_added"):
        return result.claims_added
    if isinstance(result, BaseException):
        return {}
    return result.claims


def _error(result: Any) -> Any:
    return result if isinstance(result, BaseException) else getattr(result, "error", None)


def _matches(actual: str | None, expected: Text, exact: bool = True) -> bool:
    if actual is None:
        return False
    if isinstance(expected, re.Pattern):
        return expected.search(actual) is not None
    return actual == expected if exact else expected in actual


def _shown(name: str, value: Any) -> str:
    return REDACTED if is_sensitive_claim(name) and value not in (None, "") else repr(value)


def assert_ok(result: Any) -> Any:
    """``result`` went through as B2C would carry on (no error, no contract violation)."""
    __tracebackhide__ = True
    if isinstance(result, BaseException) or not getattr(result, "ok", False):
        error = _error(result)
        reason = f": {type(error).__name__}: {error}" if error is not None else ""
        raise _fail(f"expected the call to succeed, but it failed{reason}", result)
    return result


def assert_claims(result: Any, expected: Mapping[str, Any], *, exact: bool = False) -> Any:
    """The claims have these values (``exact``: and no others). Token-like claims are compared, never shown."""
    __tracebackhide__ = True
    claims = _claims(result)
    problems = []
    for name, want in expected.items():
        got = claims.get(name, _MISSING)
        if got is _MISSING:
            problems.append(f"  {name}: expected {_shown(name, want)}, but the claim is missing")
        elif got != want:
            problems.append(f"  {name}: expected {_shown(name, want)}, got {_shown(name, got)}"
                            + (f" ({type(got).__name__})" if type(got) is not type(want) else ""))
    if exact:
        problems += [f"  {name}: not expected, got {_shown(name, claims[name])}" for name in claims
                     if name not in expected]
    if problems:
        headline = "claims differ from what was expected:\n" + "\n".join(problems)
        headline += f"\nclaims received (token-like ones masked): {redact_claims(claims)!r}"
        error = _error(result)
        if error is not None:
            headline += f"\nthe call failed: {type(error).__name__}: {error}"
        raise _fail(headline, result)
    return result


def _outcome(result: Any, profile: str | None) -> str:
    if profile is not None:
        return result.step(profile).outcome
    if hasattr(result, "action"):  # ConnectorOutcome: Continue, ShowBlockPage, ValidationError...
        return str(result.action)
    if hasattr(result, "outcome"):  # StepResult
        return str(result.outcome)
    return "success" if getattr(result, "ok", False) else "error"


def assert_outcome(result: Any, expected: str, *, profile: str | None = None) -> Any:
    """The connector's action (``Continue``, ``ShowBlockPage``...) or the step's outcome (``success``, ``skipped``...).

    A journey's outcome is ``success`` or ``error``; ``profile`` picks one of its steps instead.
    """
    __tracebackhide__ = True
    try:
        actual = _outcome(result, profile)
    except KeyError as exc:
        raise _fail(str(exc.args[0]), result) from None
    if actual != expected:
        where = f" of {profile}" if profile else ""
        raise _fail(f"expected the outcome{where} to be {expected!r}, got {actual!r}", result)
    return result


def _user_sees(result: Any) -> str | None:
    if isinstance(result, BaseException):
        return getattr(result, "user_sees", None) or getattr(result, "user_message", None)
    seen = getattr(result, "user_sees", None)
    error = _error(result)
    if seen is None and error is not None:
        return getattr(error, "user_sees", None) or getattr(error, "user_message", None)
    return seen


def assert_user_sees(result: Any, text: Text, *, exact: bool = False) -> Any:
    """What the end user would see contains ``text`` (equals it with ``exact``; a regex is searched)."""
    __tracebackhide__ = True
    seen = _user_sees(result)
    if not _matches(seen, text, exact):
        how = "to be" if exact else "to contain"
        raise _fail(f"expected what the user sees {how} {getattr(text, 'pattern', text)!r}, "
                    f"but the user sees {seen!r}", result)
    return result


def assert_b2c_error(
    target: Any,
    *,
    code: str | None = None,
    user_message: Text | None = None,
    status: int | None = None,
    error_type: type | str | None = None,
    profile: str | None = None,
    exact: bool = False,
) -> ConnectorSimError:
    """The call fails as B2C would fail it; checks the B2C or API ``code``, ``userMessage``, HTTP status, type.

    ``target`` is a result, an error, or a callable making the call (its exception is caught).
    Returns the error. ``user_message`` matches as in ``assert_user_sees``: contained in the message (equal to
    it with ``exact=True``; a compiled regex is searched).
    """
    __tracebackhide__ = True
    result: Any = target
    if callable(target) and not isinstance(target, BaseException):
        try:
            result = target()
        except ConnectorSimError as exc:
            result = exc
    error = _error(result)
    shown = (getattr(error, "result", None) or error) if isinstance(result, BaseException) else result
    if error is None:
        raise _fail("expected the call to fail the way B2C would fail it, but it succeeded", result)
    problems = []
    codes = {getattr(error, "b2c_code", None), getattr(error, "code", None)}
    if code is not None and code not in codes:
        problems.append(f"code: expected {code!r}, got {' / '.join(repr(c) for c in codes if c) or 'none'}")
    message = getattr(error, "user_message", None)
    if user_message is not None and not _matches(message, user_message, exact):
        how = "" if exact else "to contain "
        problems.append(f"userMessage: expected {how}{getattr(user_message, 'pattern', user_message)!r}, "
                        f"got {message!r}")
    actual_status = getattr(error, "http_status", None) or getattr(error, "status", None)
    if status is not None and actual_status != status:
        problems.append(f"status: expected {status}, got {actual_status}")
    if error_type is not None:
        names = {cls.__name__ for cls in type(error).__mro__}
        ok = error_type in names if isinstance(error_type, str) else isinstance(error, error_type)
        if not ok:
            wanted = error_type if isinstance(error_type, str) else error_type.__name__
            problems.append(f"type: expected {wanted}, got {type(error).__name__}")
    if profile is not None and getattr(error, "profile_id", None) != profile:
        problems.append(f"profile: expected {profile!r}, got {getattr(error, 'profile_id', None)!r}")
    if problems:
        raise _fail(f"the call failed, but not as expected ({type(error).__name__}: {error}):\n  "
                    + "\n  ".join(problems), shown)
    return error
