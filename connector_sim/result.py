"""What one call produced: output claims, every attempt, and a redacted record of the wire."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .redact import redact_claims
from .wire import Attempt, WireRequest, WireResponse

__all__ = ["CallResult"]


@dataclass(frozen=True)
class CallResult:
    """The result of one profile call: the output claims (typed) and how the call went.

    ``request`` and ``response`` are the redacted record of the exchange; ``record`` builds them
    on first use, because redaction is wasted work on the many calls nobody looks at.
    """

    profile_id: str
    claims: Mapping[str, Any]
    attempts: tuple[Attempt, ...]
    record: Callable[[], tuple[WireRequest, WireResponse | None]] = field(repr=False, compare=False)
    warnings: tuple[str, ...] = ()
    error: Any = None  # the CallError when the call failed (the result is then on error.result)
    response_bytes: int = 0  # size of the answer's body as received (without building the record)
    profile: Any = field(default=None, repr=False, compare=False)  # the RestfulProfile that made the call

    @functools.cached_property
    def _recorded(self) -> tuple[WireRequest, WireResponse | None]:
        return self.record()

    @property
    def request(self) -> WireRequest:
        """What went over the wire, secrets redacted: safe to print."""
        return self._recorded[0]

    @property
    def response(self) -> WireResponse | None:
        """The answer as received (capped, credentials masked), or None without one."""
        return self._recorded[1]

    def __repr__(self) -> str:
        claims = redact_claims(self.claims)
        return (f"CallResult(profile_id={self.profile_id!r}, ok={self.ok}, status={self.status}, "
                f"attempts={len(self.attempts)}, claims={claims!r})")

    @property
    def ok(self) -> bool:
        """True when B2C would have carried on with these claims."""
        return self.error is None

    @property
    def status(self) -> int | None:
        """The HTTP status of the last attempt, if there was an answer."""
        return self.attempts[-1].status if self.attempts else None

    @property
    def elapsed_ms(self) -> float:
        """Time spent over all attempts."""
        return sum(a.elapsed_ms for a in self.attempts)

    def to_dict(self, *, redact: bool = True) -> dict[str, Any]:
        """JSON-ready form; token-like claims are masked unless ``redact`` is False."""
        return {
            "profile": self.profile_id,
            "claims": redact_claims(self.claims) if redact else dict(self.claims),
            "attempts": [a.to_dict() for a in self.attempts],
            "request": {"method": self.request.method, "url": self.request.url,
                        "headers": dict(self.request.headers), "body": self.request.text()},
            "response": self.response.to_dict() if self.response else None,
            "warnings": list(self.warnings),
            "error": self.error.to_dict() if self.error is not None else None,
        }
