"""What a load run came to: requests, failures by reason, latency percentiles, rate, share over B2C's timeout.

Built from Locust's ``RequestStats`` (duck-typed, so this module needs no Locust), which in
distributed mode the master aggregates from every worker: the report is the same on one machine
or many. "Over B2C's timeout" counts the calls B2C cut (``timeout``) and the answers that came
after it (``slow-<status>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..reporting._tables import format_table
from ..timing import TimingProfile
from .failures import reason_of

__all__ = ["EntryStats", "FailureGroup", "LoadReport"]

_PERCENTILES = (0.5, 0.95, 0.99)


@dataclass(frozen=True)
class EntryStats:
    """One request name (technical profile or connector step): counts, percentiles (ms), rate."""

    name: str
    method: str
    requests: int
    failures: int
    p50_ms: Optional[int]
    p95_ms: Optional[int]
    p99_ms: Optional[int]
    average_ms: float
    rps: float

    @classmethod
    def from_entry(cls, entry: Any) -> EntryStats:
        """From a Locust ``StatsEntry``."""
        counted = entry.num_requests - getattr(entry, "num_none_requests", 0)
        p50, p95, p99 = (entry.get_response_time_percentile(p) if counted else None for p in _PERCENTILES)
        return cls(entry.name, entry.method or "", entry.num_requests, entry.num_failures, p50, p95, p99,
                   float(entry.avg_response_time), float(entry.total_rps))

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "method": self.method, "requests": self.requests, "failures": self.failures,
                "p50_ms": self.p50_ms, "p95_ms": self.p95_ms, "p99_ms": self.p99_ms,
                "average_ms": round(self.average_ms, 3), "rps": round(self.rps, 3)}


@dataclass(frozen=True)
class FailureGroup:
    """Failures of one name for one reason, with Locust's stable failure text."""

    name: str
    method: str
    reason: str
    text: str
    count: int

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "method": self.method, "reason": self.reason, "text": self.text,
                "count": self.count}


def _is_over_timeout(reason: str) -> bool:
    return reason == "timeout" or reason.startswith("slow-")


@dataclass(frozen=True)
class LoadReport:
    """The outcome of a load run; ``failure_ratio`` decides the exit code."""

    target: str
    users: int
    duration_s: float
    timing: TimingProfile
    entries: Tuple[EntryStats, ...]
    total: EntryStats
    failures: Tuple[FailureGroup, ...] = ()
    interrupted: bool = False
    notes: Tuple[str, ...] = field(default=())

    @classmethod
    def from_stats(cls, stats: Any, *, target: str, users: int, duration_s: float, timing: TimingProfile,
                   interrupted: bool = False) -> LoadReport:
        """From Locust's ``RequestStats`` after (or during) a run."""
        entries = tuple(EntryStats.from_entry(e) for _, e in sorted(stats.entries.items(), key=lambda kv: kv[0][0]))
        groups = [FailureGroup(e.name, e.method or "", reason_of(str(e.error)), str(e.error), e.occurrences)
                  for e in stats.errors.values()]
        groups.sort(key=lambda g: (-g.count, g.name, g.reason))
        return cls(target, users, duration_s, timing, entries, EntryStats.from_entry(stats.total), tuple(groups),
                   interrupted)

    @property
    def requests(self) -> int:
        """Calls made."""
        return self.total.requests

    @property
    def failure_count(self) -> int:
        """Calls B2C would fail (or that came after its timeout)."""
        return self.total.failures

    @property
    def failure_ratio(self) -> float:
        """Failed calls over all calls (0 without calls)."""
        return self.failure_count / self.requests if self.requests else 0.0

    @property
    def failures_by_reason(self) -> Dict[str, int]:
        """Failure counts by reason, largest first."""
        counts: Dict[str, int] = {}
        for group in self.failures:
            counts[group.reason] = counts.get(group.reason, 0) + group.count
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def over_timeout(self) -> int:
        """Calls B2C cut at its timeout or answered after it."""
        return sum(n for reason, n in self.failures_by_reason.items() if _is_over_timeout(reason))

    @property
    def over_timeout_ratio(self) -> float:
        """Share of calls over B2C's timeout."""
        return self.over_timeout / self.requests if self.requests else 0.0

    def to_dict(self) -> Dict[str, Any]:
        """The CLI's JSON object."""
        return {
            "target": self.target, "users": self.users, "duration_s": round(self.duration_s, 3),
            "timing": {"name": self.timing.name, "timeout_s": self.timing.timeout, "retries": self.timing.retries},
            "requests": self.requests, "failures": self.failure_count, "failure_ratio": self.failure_ratio,
            "over_timeout": self.over_timeout, "over_timeout_ratio": self.over_timeout_ratio,
            "rps": round(self.total.rps, 3), "p50_ms": self.total.p50_ms, "p95_ms": self.total.p95_ms,
            "p99_ms": self.total.p99_ms, "failures_by_reason": self.failures_by_reason,
            "entries": [e.to_dict() for e in self.entries], "failure_groups": [g.to_dict() for g in self.failures],
            "interrupted": self.interrupted,
        }

    def table(self) -> str:
        """The readable report: one row per name, failures by reason, and the share over B2C's timeout."""
        def row(e: EntryStats, name: Optional[str] = None) -> Sequence[Any]:
            return (name or e.name, e.method or None, f"{e.requests:,}", f"{e.failures:,}",
                    _pct(e.failures, e.requests), e.p50_ms, e.p95_ms, e.p99_ms, f"{e.rps:.1f}")

        t = self.timing
        lines = [f"Load on {self.target}: {self.users} users for {self.duration_s:.1f} s"
                 + (" (interrupted)" if self.interrupted else ""),
                 f"B2C's timeout: {t.timeout:g} s per attempt, {t.retries} retr{'y' if t.retries == 1 else 'ies'} "
                 f"(timing profile {t.name}); times are whole calls, retries included", ""]
        rows: List[Sequence[Any]] = [row(e) for e in self.entries]
        if len(self.entries) != 1:
            rows.append(row(self.total, "total"))
        lines.append(format_table(("name", "type", "requests", "failures", "share", "p50 ms", "p95 ms", "p99 ms",
                                   "req/s"), rows))
        if self.failures:
            lines += ["", "Failures by reason:"]
            lines.append(format_table(("reason", "name", "count", "share", "what B2C does"),
                                      [(g.reason, g.name, f"{g.count:,}", _pct(g.count, self.requests),
                                        g.text.partition(": ")[2] or g.text) for g in self.failures]))
        lines += ["", f"Requests: {self.requests:,} at {self.total.rps:.1f} per second; "
                      f"failures: {self.failure_count:,} ({_pct(self.failure_count, self.requests)})",
                  f"Over B2C's {t.timeout:g} s timeout: {self.over_timeout:,} of {self.requests:,} calls "
                  f"({_pct(self.over_timeout, self.requests)})"]
        return "\n".join(lines)


def _pct(part: int, whole: int) -> str:
    if not whole:
        return "-"
    share = 100.0 * part / whole
    return f"{share:.2f}%" if share < 10 else f"{share:.1f}%"
