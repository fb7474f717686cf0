"""Custom policy files: parse, read, merge across the BasePolicy chain, build profiles, lint.

This ring is the only XML reader of connector_sim. Its face is what a user needs: ``load_policy``
and friends, the ``Policy`` model, ``Settings`` for ``{Settings:...}`` placeholders, and ``lint``.
"""

from __future__ import annotations

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
