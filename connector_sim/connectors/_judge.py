"""The running tally of one extension answer's judgement: violations, warnings and the first fatal code."""

from __future__ import annotations

from ._outcome import Violation

__all__ = ["Judge"]


class Judge:
    """Collects violations; ``fail`` records one Entra fails the flow for (with its sign-in log code)."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.warnings: list[str] = []
        self.first_code: str | None = None

    def fail(self, rule: str, code: str, reason: str) -> None:
        """A violation that makes Entra fail the flow, logged as ``code``."""
        self.first_code = self.first_code or code
        self.violations.append(Violation(rule, reason, f"Entra fails the flow ({code})"))

    def drop(self, rule: str, reason: str, does: str) -> None:
        """A violation Entra survives (it ignores or drops the offending part)."""
        self.violations.append(Violation(rule, reason, does))
