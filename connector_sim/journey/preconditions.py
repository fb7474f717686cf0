"""B2C's Preconditions (``ClaimsExist``, ``ClaimEquals``) that skip a step or a validation profile."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ..errors import ConfigurationError

__all__ = ["claim_exists", "precondition_skips"]


def _field(precondition: Any, *names: str, default: Any = None) -> Any:
    # Preconditions come from policy.py as objects, or from Python users as plain dicts.
    for name in names:
        if isinstance(precondition, Mapping) and name in precondition:
            return precondition[name]
        if hasattr(precondition, name):
            return getattr(precondition, name)
    return default


def claim_exists(claims: Mapping[str, Any], name: str) -> bool:
    """True when the bag holds a value for ``name`` (None and empty values do not count)."""
    value = claims.get(name)
    return value is not None and value != "" and value != []


def _text(value: Any) -> str:
    # Booleans are compared the way policies write them: "true" / "false".
    return str(value).lower() if isinstance(value, bool) else str(value)


def _condition(kind: str, values: list[str], claims: Mapping[str, Any]) -> bool:
    if kind == "ClaimsExist":
        return bool(values) and all(claim_exists(claims, name) for name in values)
    if kind == "ClaimEquals":
        if len(values) < 2 or not claim_exists(claims, values[0]):
            return False
        return _text(claims[values[0]]) == values[1]
    raise ConfigurationError(f"unknown Precondition Type {kind!r}; B2C knows ClaimsExist and ClaimEquals")


def precondition_skips(preconditions: Iterable[Any], claims: Mapping[str, Any]) -> str | None:
    """Why the preconditions skip the step with this bag (a readable reason), or None to run it."""
    for precondition in preconditions or ():
        kind = str(_field(precondition, "type", "Type", default=""))
        values = [str(v) for v in _field(precondition, "values", "Values", default=()) or ()]
        execute_if = _field(precondition, "execute_actions_if", "ExecuteActionsIf", default=True)
        if isinstance(execute_if, str):
            execute_if = execute_if.strip().lower() == "true"
        # Skip...Step / SkipThisValidationTechnicalProfile are B2C's only actions; a missing one means skip.
        actions = _field(precondition, "actions", "action", "Action", default=None) or ["Skip"]
        actions = [actions] if isinstance(actions, str) else list(actions)
        if not any(str(a).startswith("Skip") for a in actions):
            continue
        if _condition(kind, values, claims) == bool(execute_if):
            shown = " ".join(values)
            return f"Precondition {kind} {shown!r} is {str(bool(execute_if)).lower()}: {', '.join(actions)}"
    return None
