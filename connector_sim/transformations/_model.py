"""The ClaimsTransformation element as data, and the findings of its upload-time check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["ClaimsTransformation", "Problem"]


@dataclass(frozen=True)
class ClaimsTransformation:
    """One ``<ClaimsTransformation Id=... TransformationMethod=...>`` of a policy.

    ``input_claims`` / ``output_claims``: (ClaimTypeReferenceId, TransformationClaimType) pairs, TCT "" when
    the element has none; ``input_parameters``: (Id, DataType, Value) triples, Value as written.
    ``file`` / ``line`` say where it is defined, for messages.
    """

    id: str
    method: str
    input_claims: tuple[tuple[str, str], ...] = ()
    input_parameters: tuple[tuple[str, str, str], ...] = ()
    output_claims: tuple[tuple[str, str], ...] = ()
    file: str | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        # Accept lists (and None for a missing TCT) from callers, store hashable tuples.
        def pairs(items: Sequence[Sequence[Any]]) -> tuple[tuple[str, str], ...]:
            return tuple((str(item[0]), str(item[1] or "") if len(item) > 1 else "") for item in items)

        object.__setattr__(self, "input_claims", pairs(self.input_claims))
        object.__setattr__(self, "output_claims", pairs(self.output_claims))
        object.__setattr__(self, "input_parameters",
                           tuple((str(i), str(d or "string"), "" if v is None else str(v))
                                 for i, d, v in self.input_parameters))

    @property
    def where(self) -> str:
        """ "file:line: " (or "file: ") for message prefixes; "" when unknown."""
        if self.file and self.line:
            return f"{self.file}:{self.line}: "
        return f"{self.file}: " if self.file else ""


@dataclass(frozen=True)
class Problem:
    """One upload-time finding: B2C would refuse the policy (severity "error") or it looks wrong ("warning").

    ``code`` is one of: unknown-method, unexpected-claim, missing-claim, claim-data-type, undefined-claim,
    unexpected-parameter, missing-parameter, parameter-data-type, parameter-value, method-rule.
    ``subject`` is the TCT, parameter Id or claim id concerned.
    """

    code: str
    message: str
    transformation_id: str
    subject: str | None = None
    severity: str = "error"
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "<policy>")
        return f"{where}: {self.severity}: {self.code}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)
