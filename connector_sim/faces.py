"""Package faces that import each public name on first use (PEP 562).

A face maps its public names to the private module that defines them; ``import connector_sim``
(or a ring's face) then costs nothing for what a program never touches, and ``dir()`` still lists
every name.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping, MutableMapping

__all__ = ["lazy_face"]


def lazy_face(module: str, names: Mapping[str, str], namespace: MutableMapping[str, Any],
              on_load: Callable[[Any], None] | None = None) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a face: ``names`` maps each name to its module (``"._lint"``,
    relative to the face's package)."""
    package = namespace.get("__package__") or module

    def __getattr__(name: str) -> Any:
        source = names.get(name)
        if source is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source, package), name)
        if on_load is not None:
            on_load(value)
        namespace[name] = value  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
