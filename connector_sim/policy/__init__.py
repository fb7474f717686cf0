"""Custom policy files: parse, read, merge across the BasePolicy chain, build profiles, lint.

This ring is the only XML reader of connector_sim. Its face is what a user needs: ``load_policy``
and friends, the ``Policy`` model, ``Settings`` for ``{Settings:...}`` placeholders, and ``lint``.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from ._lint import Finding, lint
    from ._model import ClaimType, KeyReference, OrchestrationStep, TechnicalProfileDefinition, ValidationReference
    from ._policy import Policy, load_policy, load_policy_sources, load_policy_text
    from ._settings import Settings

__all__ = [
    "ClaimType",
    "Finding",
    "KeyReference",
    "OrchestrationStep",
    "Policy",
    "Settings",
    "TechnicalProfileDefinition",
    "ValidationReference",
    "lint",
    "load_policy",
    "load_policy_sources",
    "load_policy_text",
]

# Each name is imported on first use (PEP 562): loading a policy does not pay for lint, and a module
# that reads only the model does not pay for the XML parser.
_LAZY = {"Finding": "._lint", "lint": "._lint", "ClaimType": "._model", "KeyReference": "._model",
         "OrchestrationStep": "._model", "TechnicalProfileDefinition": "._model", "ValidationReference": "._model",
         "Policy": "._policy", "load_policy": "._policy", "load_policy_sources": "._policy",
         "load_policy_text": "._policy", "Settings": "._settings"}


def __getattr__(name: str) -> _typing.Any:
    """Import a public name's module on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Every name of the module, the ones not imported yet included."""
    return sorted(set(globals()) | set(_LAZY))
