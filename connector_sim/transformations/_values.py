"""Claim values in canonical form: coercion by data type, dateTime text, JSON and size bounds."""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Mapping
from typing import Any

from connector_sim import datatypes

__all__ = [
    "ALT_SEC_IDS", "MAX_DEPTH", "MAX_ITEMS", "MAX_TEXT", "UTC", "Folded", "coerce", "format_datetime", "is_empty",
    "json_text", "load_json", "parse_date", "parse_datetime", "parse_value", "store", "text_of", "type_name",
]

#: Longest string claim a transformation reads (characters). 1 MiB: a 1 MB JSON answer still fits,
#: while a claim that would make a parser or hash work for seconds is refused.
MAX_TEXT = 1_048_576
#: Most items in a stringCollection or alternativeSecurityIdCollection read or produced.
MAX_ITEMS = 100_000
#: Deepest nesting of JSON or XML accepted (objects/arrays/elements), and of GenerateJson paths.
MAX_DEPTH = 64

ALT_SEC_IDS = "alternativeSecurityIdCollection"
#: UTC as a tzinfo (datetime.UTC is Python 3.11+; the package supports 3.9).
UTC = _dt.timezone.utc
_UTC = UTC
# ISO-8601 as B2C and .NET write it: date, optional time with any fraction (.NET has 7 digits), offset.
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)


class Folded:
    """Read a mapping keyed by claim id without regard to case (B2C compares claim ids so).

    The exact key is tried first (a case-insensitive mapping answers at once); the folded index is
    built only on a miss, so a large ClaimsSchema costs nothing per run in the usual case.
    """

    def __init__(self, mapping: Mapping[str, Any] | None) -> None:
        self.mapping: Mapping[str, Any] = mapping if mapping is not None else {}
        self._folded: dict[str, str] | None = None

    def get(self, key: str) -> Any:
        """The value for ``key`` in any case, or None."""
        value = self.mapping.get(key)
        if value is not None or not self.mapping:
            return value
        if self._folded is None:
            self._folded = {name.lower(): name for name in self.mapping}
        found = self._folded.get(key.lower())
        return None if found is None else self.mapping[found]


def is_empty(value: Any) -> bool:
    """True for what B2C treats as "no value": absent, None, empty string or empty collection."""
    return value is None or (isinstance(value, (str, list, tuple)) and len(value) == 0)


def parse_datetime(value: Any) -> _dt.datetime:
    """An aware UTC datetime from a datetime or ISO-8601 text (no offset means UTC); ValueError if not."""
    if isinstance(value, _dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=_UTC)).astimezone(_UTC)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_UTC)
    text = value.strip() if isinstance(value, str) else None
    match = _ISO.fullmatch(text) if text is not None and len(text) <= 64 else None
    if match is None:
        raise ValueError(f"{value!r} is not an ISO-8601 date and time")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = _UTC
    if offset and offset not in ("Z", "z"):
        digits = offset[1:].replace(":", "")
        delta = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        tz = _dt.timezone(delta if offset[0] == "+" else -delta)
    try:
        moment = _dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                              int(second or 0), micro, tzinfo=tz)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid date and time") from None
    return moment.astimezone(_UTC)


def format_datetime(moment: _dt.datetime) -> str:
    """.NET round-trip ("o") text of a UTC instant: 2022-01-14T11:40:35.0000000Z (§2.8)."""
    moment = parse_datetime(moment)
    # Not strftime: its %Y does not pad years below 1000 on every platform.
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:"
            f"{moment.second:02d}.{moment.microsecond:06d}0Z")


def parse_date(value: Any) -> _dt.date:
    """A date from YYYY-MM-DD text (or a date/datetime); ValueError if not."""
    if isinstance(value, _dt.datetime):
        return parse_datetime(value).date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(datatypes.normalize(value, "date"))


def _alt_sec_ids(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        value = load_json(value)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{type(value).__name__} is not an alternativeSecurityIdCollection")
    items: list[dict[str, Any]] = []
    for item in value:
        if isinstance(item, str):
            item = load_json(item)
        if not isinstance(item, dict):
            raise ValueError("an alternativeSecurityIdCollection item is not an object")
        items.append(dict(item))
    return items


def coerce(value: Any, data_type: str) -> Any:
    """A bag value checked against its claim's data type, in canonical form; ValueError if unusable."""
    if data_type == "dateTime":
        parse_datetime(value)
        return value.strip() if isinstance(value, str) else format_datetime(value)
    if data_type == ALT_SEC_IDS:
        result: Any = _alt_sec_ids(value)
    elif data_type in datatypes.DATA_TYPES:
        result = datatypes.normalize(value, data_type)
    else:  # a DataType datatypes does not know: pass it through like B2C's opaque claims
        result = value
    if isinstance(result, str) and len(result) > MAX_TEXT:
        raise ValueError(f"the value has {len(result)} characters, more than the {MAX_TEXT} accepted")
    if isinstance(result, list) and len(result) > MAX_ITEMS:
        raise ValueError(f"the collection has {len(result)} items, more than the {MAX_ITEMS} accepted")
    return result


def store(value: Any, data_type: str) -> Any:
    """An output value in the canonical form of the claim it is written to; ValueError if it cannot be."""
    if value is None:
        return None
    if data_type == "dateTime":
        return format_datetime(parse_datetime(value))
    if data_type == "date":
        try:
            return parse_date(value).isoformat()
        except ValueError:  # a dateTime written into a date claim keeps its UTC date
            return parse_datetime(value).date().isoformat()
    if data_type in ("string", "phoneNumber") and isinstance(value, (list, dict)):
        return json_text(value)
    return coerce(value, data_type)


def text_of(value: Any) -> str:
    """The text of a canonical value, as String.Format or a JSON string would show it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(v if isinstance(v, str) else json_text(v) for v in value)
    if isinstance(value, dict):
        return json_text(value)
    return str(value)


def parse_value(text: str, data_type: str) -> Any:
    """An InputParameter Value (always text in XML) read as its DataType; ValueError if it is not one."""
    if data_type == "boolean":
        if text.strip().lower() not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return text.strip().lower() == "true"
    if data_type in ("int", "long"):
        return datatypes.normalize(text, data_type)
    if data_type == "dateTime":
        parse_datetime(text)
    return text


def type_name(data_type: str | None) -> str:
    """The DataType as B2C's upload errors print it: [String], [DateTime], [StringCollection] (ISS-515)."""
    return (data_type[:1].upper() + data_type[1:]) if data_type else "Unknown"


def json_text(value: Any) -> str:
    """Compact JSON text, non-ASCII kept as is (the form Json.NET writes by default)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _depth(value: Any) -> int:
    # Iterative, so a document nested deeper than Python's recursion limit is measured safely.
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def load_json(text: str) -> Any:
    """Parse JSON text within the size and depth bounds; ValueError with a reason otherwise."""
    if len(text) > MAX_TEXT:
        raise ValueError(f"the JSON text has {len(text)} characters, more than the {MAX_TEXT} accepted")
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # JSONDecodeError, or an integer too long to convert
        raise ValueError(f"the value is not valid JSON ({exc})") from None
    if _depth(value) > MAX_DEPTH:
        raise ValueError(f"the JSON is nested more than {MAX_DEPTH} levels deep")
    return value
