"""ClaimsSchema data types: how a claim's value is checked, sent and read back.

B2C does not document the wire form of non-string claims (behaviour file §3.2, §12.1); the choice
made here is the "typed" mapping of §12.1, with a "stringly" switch that sends every value as text.
Functions raise ``ValueError`` with a reason; callers turn it into the right ``ConnectorSimError``.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Iterable

__all__ = ["DATA_TYPES", "JSON_TYPES_MODES", "from_json", "normalize", "to_json", "to_text"]

DATA_TYPES = frozenset(
    {
        "alternativeSecurityIdCollection", "boolean", "date", "dateTime", "duration", "int", "long",
        "phoneNumber", "string", "stringCollection", "userIdentity", "userIdentityCollection",
    }
)
JSON_TYPES_MODES = ("typed", "stringly")
# Sent as JSON structures even in "stringly" mode, and as JSON text in a Form, Header or Url.
_STRUCTURED = frozenset({"stringCollection", "userIdentity", "userIdentityCollection",
                         "alternativeSecurityIdCollection"})

_INT_RANGE = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{value!r} is not a boolean (true or false)")


def _integer(value: Any, data_type: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean, not an {data_type}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not an {data_type}") from None
    if not isinstance(value, int):
        raise ValueError(f"{value!r} is not an {data_type}")
    low, high = _INT_RANGE[data_type]
    if not low <= value <= high:
        raise ValueError(f"{value} does not fit in a {data_type}")
    return value


def _date_time(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        text = value.strip()
        try:
            _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO-8601 dateTime") from None
        return text
    raise ValueError(f"{value!r} is not a dateTime")


def _date(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO-8601 date (YYYY-MM-DD)") from None
    raise ValueError(f"{value!r} is not a date")


def _collection(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        items = list(value)
        if all(isinstance(item, str) for item in items):
            return items
    raise ValueError(f"{value!r} is not a collection of strings")


def _alternative_security_ids(value: Any) -> list[dict[str, str]]:
    # B2C's social-account links: a list of {"issuer", "issuerUserId"} (claims-transformations §2.8).
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            raise ValueError(f"{value!r} is not a JSON array of alternative security ids") from None
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return [{str(k): str(v) for k, v in item.items()} for item in value]
    raise ValueError(f"{value!r} is not a list of {{issuer, issuerUserId}} objects")


def normalize(value: Any, data_type: str) -> Any:
    """Check a claims-bag value against its data type and return it in canonical Python form."""
    if data_type == "boolean":
        return _boolean(value)
    if data_type in _INT_RANGE:
        return _integer(value, data_type)
    if data_type == "dateTime":
        return _date_time(value)
    if data_type == "date":
        return _date(value)
    if data_type == "stringCollection":
        return _collection(value)
    if data_type == "alternativeSecurityIdCollection":
        return _alternative_security_ids(value)
    if data_type in ("userIdentity", "userIdentityCollection"):
        return value  # structured Graph objects; passed through as given
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise ValueError(f"{type(value).__name__} value cannot be sent as a {data_type} claim")


def to_json(value: Any, data_type: str, mode: str = "typed") -> Any:
    """The JSON value of a claim in a Body request (§12.1)."""
    value = normalize(value, data_type)
    if mode == "typed" or data_type in _STRUCTURED:
        return value
    return to_text(value, data_type)


def to_text(value: Any, data_type: str) -> str:
    """The text of a claim in a Form, Header, QueryString or Url request."""
    value = normalize(value, data_type)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) or data_type in _STRUCTURED - {"stringCollection"}:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def from_json(value: Any, data_type: str) -> Any:
    """The claim value B2C would store for a JSON value read from an answer."""
    if data_type == "string":
        if isinstance(value, (dict, list)):
            raise ValueError(f"a JSON {'object' if isinstance(value, dict) else 'array'} cannot fill a string claim")
        return normalize(value, "string")
    if data_type == "stringCollection" and isinstance(value, list):
        # Arrays of objects arrive as one JSON-serialized string per element (§6.3).
        return [v if isinstance(v, str) else json.dumps(v, separators=(",", ":")) for v in value]
    if data_type in ("boolean", "int", "long", "dateTime", "date", "stringCollection",
                     "alternativeSecurityIdCollection"):
        return normalize(value, data_type)
    return value if isinstance(value, (dict, list)) else normalize(value, "string")
