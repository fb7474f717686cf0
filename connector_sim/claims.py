"""The claims bag: claim type ids are case-insensitive in B2C, so the bag is too.

The starter pack's own base declares ``surname`` and references ``surName`` (its issue #51, where a
maintainer confirms that B2C matches claim types without regard to case). The bag keeps the
spelling a claim was first stored under, so what is printed or sent keeps the policy's spelling.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping, MutableMapping, Tuple, Union

__all__ = ["ClaimsBag", "fold"]


def fold(claim_type_id: str) -> str:
    """The key two claim type ids share when B2C treats them as the same claim."""
    return claim_type_id.casefold()


_Items = Union[Mapping[str, Any], Iterable[Tuple[str, Any]]]


class ClaimsBag(MutableMapping[str, Any]):
    """A dict of claims whose keys match without regard to case, keeping the first spelling."""

    __slots__ = ("_data",)

    def __init__(self, claims: _Items | None = None, /, **more: Any) -> None:
        self._data: dict[str, tuple[str, Any]] = {}
        if claims is not None:
            self._add(claims.items() if isinstance(claims, Mapping) else claims)
        if more:
            self._add(more.items())

    def _add(self, items: Iterable[Tuple[str, Any]]) -> None:
        data = self._data  # one loop, not MutableMapping.update's __setitem__ per claim: this is per call
        for name, value in items:
            key = fold(name)
            held = data.get(key)
            data[key] = (held[0] if held is not None else name, value)

    def __getitem__(self, name: str) -> Any:
        return self._data[fold(name)][1]

    def __setitem__(self, name: str, value: Any) -> None:
        key = fold(name)
        spelled = self._data[key][0] if key in self._data else name
        self._data[key] = (spelled, value)

    def __delitem__(self, name: str) -> None:
        del self._data[fold(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and fold(name) in self._data

    def __iter__(self) -> Iterator[str]:
        return (spelled for spelled, _ in self._data.values())

    def __len__(self) -> int:
        return len(self._data)

    def spelling(self, name: str) -> str | None:
        """The spelling the bag holds this claim under, or None when it is not in the bag."""
        found = self._data.get(fold(name))
        return found[0] if found is not None else None

    def copy(self) -> ClaimsBag:
        """A shallow copy."""
        return ClaimsBag(self)

    def __repr__(self) -> str:
        return f"ClaimsBag({dict(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self) == dict(other)
        return NotImplemented
