"""Test verdicts from a test runner's phase reports (pytest's ``TestReport``, read by duck typing).

A test passes, fails (its call phase failed: an assertion, an exception), errors (setup or teardown
failed) or is skipped. The failure type is the exception's class name, which the plugin stores on
the report as ``b2c_exception`` (it survives pytest-xdist's serialisation, as every report attribute
does); without it, the class name is read from the crash message.
"""

from __future__ import annotations

from typing import Any

from ._junit import TestVerdict

__all__ = ["VerdictBook"]


def _crash(report: Any) -> str:
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    message = getattr(crash, "message", None)
    if message:
        return str(message)
    text = str(getattr(report, "longreprtext", "") or "")
    return text.strip().splitlines()[-1] if text.strip() else ""


def _type(report: Any, message: str) -> str:
    known = getattr(report, "b2c_exception", None)
    if known:
        return str(known)
    head = message.split(":", 1)[0].strip()
    return head.rsplit(".", 1)[-1] if head.replace(".", "").replace("_", "").isalnum() else "Exception"


def _skip_reason(report: Any) -> str:
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return _crash(report)


class VerdictBook:
    """The verdict of every test seen so far, from its setup, call and teardown reports."""

    def __init__(self) -> None:
        self._verdicts: dict[str, TestVerdict] = {}

    def add(self, report: Any) -> None:
        """Take one phase report (``when`` is setup, call or teardown)."""
        node = str(report.nodeid)
        seconds = float(getattr(report, "duration", 0.0) or 0.0)
        current = self._verdicts.get(node) or TestVerdict(node)
        outcome, message, details, kind = current.outcome, current.message, current.details, current.type
        when = getattr(report, "when", "call")
        if getattr(report, "wasxfail", None) is not None and report.skipped:
            outcome, message = "skipped", f"expected to fail: {report.wasxfail}"
        elif report.skipped and outcome == "passed":
            outcome, message = "skipped", _skip_reason(report)
        elif report.failed and outcome in ("passed", "skipped"):
            message = _crash(report)
            details = str(getattr(report, "longreprtext", "") or "")
            outcome = "failed" if when == "call" else "error"
            kind = _type(report, message)
            if when == "teardown":
                message = f"error in teardown: {message}"
        self._verdicts[node] = TestVerdict(node, outcome, message, details, kind, current.seconds + seconds)

    def verdicts(self) -> list[TestVerdict]:
        """Every verdict, in the order the tests first reported."""
        return list(self._verdicts.values())

    def __len__(self) -> int:
        return len(self._verdicts)
