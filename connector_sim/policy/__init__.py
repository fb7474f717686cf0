"""Custom policy files: parse, read, merge across the BasePolicy chain, build profiles, lint.

This ring is the only XML reader of connector_sim. Its face is what a user needs: ``load_policy``
and friends, the ``Policy`` model, ``Settings`` for ``{Settings:...}`` placeholders, and ``lint``.
"""

from __future__ import annotations

import typing as _typing

from ..faces import lazy_face

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


__getattr__, __dir__ = lazy_face(__name__, _LAZY, globals())
