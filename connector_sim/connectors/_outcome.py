"""What one API connector (or External ID extension) call came to: ``ConnectorOutcome`` and ``Violation``.

Shared by both connector kinds, so a team migrating from B2C to Entra External ID reads one object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..redact import redact_claims
from ..wire import Attempt, RecordedResponse, WireRequest

__all__ = ["CONTINUING_ACTIONS", "CONTINUING_EXTENSION_ACTIONS", "ConnectorOutcome", "Violation"]

#: Actions after which the flow goes on (B2C's and External ID's names).
#: External ID actions after which the flow goes on (the others block, retry or show an error).
CONTINUING_EXTENSION_ACTIONS = frozenset({"continueWithDefaultBehavior", "setPrefillValues", "modifyAttributeValues",
                                          "provideClaimsForToken", "MigratePassword", "UpdatePassword", "pass"})
#: Every action after which the flow goes on: a user-flow connector's Continue and the extensions'.
CONTINUING_ACTIONS = CONTINUING_EXTENSION_ACTIONS | {"Continue"}


@dataclass(frozen=True)
class Violation:
    """One way an answer breaks the connector contract: a rule id, why, and what B2C does instead."""

    rule: str
    reason: str
    b2c_does: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.reason} -> {self.b2c_does}"

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"rule": self.rule, "reason": self.reason, "b2c_does": self.b2c_does}


@dataclass(frozen=True)
class ConnectorOutcome:
    """The action B2C (or Entra) would take, the claims it keeps, what the user sees, and every violation.

    ``action`` is None when the service would show its generic error page instead of acting on the
    answer (transport failure, unusable answer). ``error`` holds the transport error, if any.
    """

    step: str
    action: str | None
    claims: Mapping[str, Any]
    user_sees: str | None
    violations: tuple[Violation, ...]
    attempts: tuple[Attempt, ...]
    request: WireRequest  # redacted: safe to print
    response: RecordedResponse | None = None
    kind: str = "b2c-user-flow"  # or "external-id"
    warnings: tuple[str, ...] = ()
    attribute_errors: Mapping[str, str] = field(default_factory=dict)  # External ID showValidationError
    error: Any = None

    def __repr__(self) -> str:
        return (f"ConnectorOutcome(step={self.step!r}, action={self.action!r}, status={self.status}, "
                f"claims={redact_claims(self.claims)!r}, user_sees={self.user_sees!r}, "
                f"violations={len(self.violations)})")

    @property
    def status(self) -> int | None:
        """The HTTP status of the answer, or None when no answer came."""
        return self.response.status if self.response is not None else (
            self.attempts[-1].status if self.attempts else None)

    @property
    def ok(self) -> bool:
        """True when the flow goes on and the answer keeps the contract."""
        return self.action in CONTINUING_ACTIONS and not self.violations

    @property
    def elapsed_ms(self) -> float:
        """Time spent over all attempts."""
        return sum(a.elapsed_ms for a in self.attempts)

    def to_dict(self, *, redact: bool = True) -> dict[str, Any]:
        """JSON-ready form (the CLI's ``--json`` object); secret-like claims masked unless ``redact`` is False."""
        return {
            "kind": self.kind,
            "step": self.step,
            "action": self.action,
            "claims": redact_claims(self.claims) if redact else dict(self.claims),
            "user_sees": self.user_sees,
            "attribute_errors": dict(self.attribute_errors),
            "violations": [v.to_dict() for v in self.violations],
            "warnings": list(self.warnings),
            "status": self.status,
            "attempts": [a.to_dict() for a in self.attempts],
            "request": {"method": self.request.method, "url": self.request.url,
                        "headers": dict(self.request.headers), "body": self.request.text()},
            "response": self.response.to_dict() if self.response is not None else None,
            "error": self.error.to_dict() if self.error is not None else None,
        }
