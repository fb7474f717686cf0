"""What a journey produced: the final claims bag, each step, and what the end user would see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote

from ..errors import CallError
from ..redact import redact_claims
from ..resolvers import ClaimResolverContext
from ..result import CallResult

__all__ = [
    "OUTCOMES", "JourneyResult", "StepResult", "error_description", "error_object", "page_message",
    "redirect_message",
]

#: What can happen to one step: called and succeeded or failed, not called, or answered by the user.
OUTCOMES = ("success", "error", "skipped", "supplied")


@dataclass(frozen=True)
class StepResult:
    """One technical profile of a journey: outcome, status, attempts, time and claims it added."""

    profile: str
    outcome: str
    status: int | None = None
    attempts: int = 0
    elapsed_ms: float = 0.0
    claims_added: Mapping[str, Any] = field(default_factory=dict)
    error: CallError | None = None
    result: CallResult | None = None
    step: int = 1  # the orchestration step (B2C names it in AADB2C90075)
    validation_of: str | None = None  # the self-asserted profile, when run as a validation profile
    note: str = ""  # why a step was skipped or answered

    def __repr__(self) -> str:
        return (f"StepResult(profile={self.profile!r}, outcome={self.outcome!r}, status={self.status}, "
                f"attempts={self.attempts}, elapsed_ms={self.elapsed_ms:.1f}, "
                f"claims_added={redact_claims(self.claims_added)!r})")

    @property
    def ok(self) -> bool:
        """False only for a call that failed."""
        return self.outcome != "error"

    def to_dict(self) -> dict[str, Any]:
        """The CLI's step object: profile, outcome, status, attempts, elapsed_ms."""
        return {"profile": self.profile, "outcome": self.outcome, "status": self.status,
                "attempts": self.attempts, "elapsed_ms": round(self.elapsed_ms, 3)}


@dataclass(frozen=True)
class JourneyResult:
    """The outcome of a journey: final claims bag, steps in order, and the error that stopped it."""

    claims: Mapping[str, Any]
    steps: tuple[StepResult, ...]
    error: CallError | None = None
    user_sees: str | None = None  # what B2C shows the end user when the journey stopped
    correlation_id: str = ""
    warnings: tuple[str, ...] = ()
    error_description: str | None = None  # the redirect's error_description, decoded (orchestration steps)

    def __repr__(self) -> str:
        steps = ", ".join(f"{s.profile}:{s.outcome}" for s in self.steps)
        return (f"JourneyResult(ok={self.ok}, steps=[{steps}], claims={redact_claims(self.claims)!r}, "
                f"error={type(self.error).__name__ if self.error else None})")

    @property
    def ok(self) -> bool:
        """True when B2C would have carried on (a ContinueOnError failure does not stop it)."""
        return self.error is None

    def step(self, profile_id: str) -> StepResult:
        """The (last) step that ran this technical profile."""
        for result in reversed(self.steps):
            if result.profile == profile_id:
                return result
        raise KeyError(f"no step ran {profile_id!r}; steps: {', '.join(s.profile for s in self.steps)}")

    def raise_for_error(self) -> JourneyResult:
        """Raise the ``CallError`` that stopped the journey, if any; return self otherwise."""
        if self.error is not None:
            raise self.error
        return self

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON object: claims (token-like ones masked), steps and error."""
        return {
            "claims": redact_claims(self.claims),
            "steps": [s.to_dict() for s in self.steps],
            "error": error_object(self.error) if self.error is not None else None,
        }


def error_object(error: BaseException) -> dict[str, Any]:
    """The CLI's error object: profile, code, userMessage, status (any connector_sim error)."""
    return {
        "profile": getattr(error, "profile_id", None),
        "code": getattr(error, "b2c_code", None),
        "userMessage": getattr(error, "user_message", None) or getattr(error, "message", None) or str(error),
        # The HTTP status (a RestApiError's ``status`` is the contract's body field).
        "status": getattr(error, "http_status", None) or getattr(error, "status", None),
    }


def _shown_text(error: CallError) -> str:
    # RestApiError knows what the page shows (userMessage, plus the debug fields with DebugMode).
    return getattr(error, "user_sees", None) or error.user_message


def page_message(self_asserted_id: str, error: CallError) -> str:
    """What a validation profile's failure shows: its message on the self-asserted page (§7.2)."""
    return (f"the self-asserted page {self_asserted_id!r} is shown again with the message "
            f"\"{_shown_text(error)}\"; the user can correct the input and submit again")


def error_description(error: CallError, context: ClaimResolverContext) -> str:
    """The ``error_description`` B2C puts on the redirect: code, message, correlation id, time."""
    code = error.b2c_code or "AADB2C"
    text = error.user_message
    if not text.startswith(code):
        text = f"{code}: {text}"
    stamp = context.clock().strftime("%Y-%m-%d %H:%M:%SZ")
    return f"{text}\r\nCorrelation ID: {context.correlation_id}\r\nTimestamp: {stamp}"


def redirect_message(error: CallError, context: ClaimResolverContext) -> str:
    """What an orchestration step's failure does: redirect to the relying party with the error (§7.2)."""
    # surrogatepass: an API's userMessage may hold a lone surrogate, which strict UTF-8 cannot encode.
    description = quote(error_description(error, context).encode("utf-8", "surrogatepass"), safe="")
    return f"the user is redirected to the relying party with error=server_error&error_description={description}"
