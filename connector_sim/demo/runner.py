"""Run the demo's scenarios against a freshly started sample API and collect the table's rows."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from .scenarios import SCENARIOS, TIMEOUT_NOTE, Scenario, ScenarioResult, run_scenario
from .servers import SampleApi

__all__ = ["DemoReport", "run_demo"]

StartCallback = Callable[[int, int, Scenario], None]
ResultCallback = Callable[[int, int, Scenario, Sequence[ScenarioResult]], None]


@dataclass(frozen=True)
class DemoReport:
    """Every row, how long the run took, and whether each scenario ended the way B2C would end it."""

    results: Tuple[ScenarioResult, ...]
    elapsed_s: float
    notes: Tuple[str, ...] = (TIMEOUT_NOTE,)

    @property
    def ok(self) -> bool:
        """True when every scenario behaved as expected (the expected failures included)."""
        return bool(self.results) and all(r.as_expected for r in self.results)

    @property
    def expected_failures(self) -> int:
        """Rows that failed on purpose, the way B2C fails them."""
        return sum(1 for r in self.results if r.as_expected and r.expected not in ("success", "Continue"))

    def to_dict(self) -> Dict[str, Any]:
        """The ``connector-sim demo --json`` object."""
        return {"ok": self.ok, "elapsed_s": round(self.elapsed_s, 2),
                "scenarios": [r.to_dict() for r in self.results], "notes": list(self.notes)}


def run_demo(
    api: Optional[SampleApi] = None,
    *,
    scenarios: Sequence[Scenario] = SCENARIOS,
    on_start: Optional[StartCallback] = None,
    on_result: Optional[ResultCallback] = None,
) -> DemoReport:
    """Run the scenarios in order against ``api``, started (and then stopped) here unless it is running."""
    started = time.monotonic()
    server = api or SampleApi()
    own = not server.running  # a server the caller started is the caller's to stop
    server.start()
    results: list[ScenarioResult] = []
    try:
        total = len(scenarios)
        for index, scenario in enumerate(scenarios, start=1):
            if on_start is not None:
                on_start(index, total, scenario)
            rows = run_scenario(server, scenario)
            results.extend(rows)
            if on_result is not None:
                on_result(index, total, scenario, rows)
    finally:
        if own:
            server.stop()
    return DemoReport(tuple(results), time.monotonic() - started)
