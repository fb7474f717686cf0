"""What a transformation may read besides its claims: clock, randomness, tenant, keys, resources."""

from __future__ import annotations

import datetime as _dt
import random as _random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._values import UTC

__all__ = ["EnumerationItem", "Predicate", "PredicateGroup", "RandomSource", "SecretLookup", "TransformationContext"]

#: One ``<Enumeration Text=... Value=...>`` (or LocalizedCollection ``Item``): (text, value).
EnumerationItem = tuple[str, str]


class RandomSource(Protocol):
    """The part of ``random.Random`` the random methods use, so tests can pass a seeded one."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        """An integer start <= n < stop (0 <= n < start with one argument)."""

    def getrandbits(self, k: int) -> int:
        """An integer with k random bits."""


class SecretLookup(Protocol):
    """Anything with ``get(name, default)`` that gives a policy key's secret: a dict or a ``KeyStore``."""

    def get(self, name: str, default: Any = None) -> Any:
        """The secret of the policy key ``name``, or ``default``."""


@dataclass(frozen=True)
class Predicate:
    """One ``<Predicate Method=...>`` with its ``<Parameter Id=...>`` values (IsLengthRange, MatchesRegex...)."""

    method: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    id: str = ""


@dataclass(frozen=True)
class PredicateGroup:
    """A ``<PredicateGroup>``: passes when all its predicates pass, or at least ``match_at_least`` of them."""

    predicates: tuple[Predicate, ...]
    match_at_least: int | None = None


def _utc_now() -> _dt.datetime:
    return _dt.datetime.now(UTC)


@dataclass(frozen=True)
class TransformationContext:
    """Everything outside the claims bag a transformation may read; plain data apart from clock and random.

    * ``clock`` / ``random``: GetCurrentDateTime, DateTimeComparison's "now", CreateRandomString, CreateOtpSecret.
    * ``technical_profile_id``, ``relying_party_tenant_id``, ``trust_framework_tenant_id``: the §2.7 expressions.
    * ``keys``: policy keys for Hash's ``randomizerSecret`` (a dict or a ``KeyStore``).
    * ``localized_strings``: ElementType -> StringId -> text, for the current language
      (``FormatLocalizedStringTransformationClaimType``, ``GetLocalizedStringsTransformationClaimType``).
    * ``localized_collections``: claim id -> items of its ``LocalizedCollection`` for the current language.
    * ``restrictions``: claim id -> the ``<Restriction>`` ``<Enumeration>`` items of its ClaimType.
    * ``predicate_validations``: claim id -> the PredicateGroups of its ``PredicateValidationReference``.
    """

    clock: Callable[[], _dt.datetime] = field(default=_utc_now, repr=False, compare=False)
    random: RandomSource = field(default_factory=_random.SystemRandom, repr=False, compare=False)
    technical_profile_id: str = ""
    relying_party_tenant_id: str = ""
    trust_framework_tenant_id: str = ""
    keys: SecretLookup | None = field(default=None, repr=False, compare=False)
    localized_strings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    localized_collections: Mapping[str, Sequence[EnumerationItem]] = field(default_factory=dict)
    restrictions: Mapping[str, Sequence[EnumerationItem]] = field(default_factory=dict)
    predicate_validations: Mapping[str, Sequence[PredicateGroup]] = field(default_factory=dict)

    def now(self) -> _dt.datetime:
        """The clock's current instant as an aware UTC datetime (a naive clock counts as UTC)."""
        moment = self.clock()
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
