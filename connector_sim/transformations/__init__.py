"""The claims-transformation engine: every documented TransformationMethod of B2C custom policies.

A ``ClaimsTransformation`` is the policy element as data. ``check`` gives the upload-time findings of
spec §2.6; ``run`` executes one transformation on a claims bag and returns its output claims (None:
the claim is removed; {} when skipped for a missing input, §2.4); ``run_sequence`` runs a profile's
list in order. ``METHODS`` is the registry (name -> ``Method``: signature and pure function), and
``FAILURE_MESSAGES`` the §2.5 metadata key and default text of each throwing method.

    >>> t = ClaimsTransformation("lower", "ChangeCase", [("email", "inputClaim1")],
    ...                          [("toCase", "string", "LOWER")], [("email", "outputClaim")])
    >>> run(t, {"email": "SomeOne@contoso.com"})
    {'email': 'someone@contoso.com'}

Values are connector_sim's canonical forms (``datatypes.normalize``); dateTime outputs use .NET's
round-trip text (``2022-01-14T11:40:35.0000000Z``); an alternativeSecurityIdCollection is a list of
``{"issuer", "issuerUserId"}`` dicts. Bounds on hostile input: string claims up to ``MAX_TEXT``
characters, collections up to ``MAX_ITEMS`` items, JSON/XML nesting up to ``MAX_DEPTH``; regular
expressions run on a matcher that visits each (instruction, position) once, on at most
``MAX_REGEX_INPUT`` characters and ``MAX_REGEX_STEPS`` steps. Anything over a bound is a
``ClaimsTransformationError`` naming the transformation and the claim.
"""

from __future__ import annotations

from ._check import check, mismatch_message
from ._context import (
    EnumerationItem,
    Predicate,
    PredicateGroup,
    RandomSource,
    SecretLookup,
    TransformationContext,
)
from ._engine import run, run_sequence
from ._model import ClaimsTransformation, Problem
from ._regex import MAX_INPUT as MAX_REGEX_INPUT
from ._regex import MAX_STEPS as MAX_REGEX_STEPS
from ._registry import FAILURE_MESSAGES, METHODS, get_method
from ._signature import (
    Bound,
    Call,
    ClaimSpec,
    Extra,
    Method,
    ParamSpec,
    Signature,
    Slot,
)
from ._values import MAX_DEPTH, MAX_ITEMS, MAX_TEXT

__all__ = [
    "FAILURE_MESSAGES", "MAX_DEPTH", "MAX_ITEMS", "MAX_REGEX_INPUT", "MAX_REGEX_STEPS", "MAX_TEXT", "METHODS",
    "Bound", "Call", "ClaimSpec", "ClaimsTransformation", "EnumerationItem", "Extra", "Method", "ParamSpec",
    "Predicate", "PredicateGroup", "Problem", "RandomSource", "SecretLookup", "Signature", "Slot",
    "TransformationContext", "check", "get_method", "mismatch_message", "run", "run_sequence",
]
