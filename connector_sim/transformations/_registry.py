"""The one registry: TransformationMethod name -> Method, gathered from the group modules."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import (
    _boolean,
    _collection,
    _date,
    _general,
    _integer,
    _json,
    _localized,
    _phone,
    _social,
    _string,
    _string_match,
)
from ._signature import Method

__all__ = ["FAILURE_MESSAGES", "METHODS", "get_method"]

_GROUPS = (_boolean, _date, _general, _integer, _json, _phone, _social, _string, _string_match, _localized, _collection)

#: Every documented TransformationMethod (64), by its exact name.
METHODS: Mapping[str, Method] = MappingProxyType({m.name: m for group in _GROUPS for m in group.METHODS})

#: §2.5: method -> (metadata key of the calling self-asserted profile, documented default text or None).
#: The journey runner looks the key up in the self-asserted profile (localized string first, then
#: metadata) and falls back to the error's ``user_message``, which already holds the default text.
FAILURE_MESSAGES: Mapping[str, tuple[str, str | None]] = MappingProxyType(
    {m.name: (m.metadata_key, m.default_message) for m in METHODS.values() if m.metadata_key}
)


def get_method(name: str) -> Method | None:
    """The registry entry for a TransformationMethod name (exact spelling), or None."""
    return METHODS.get(name)
