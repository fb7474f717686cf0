"""Expectations, scenario files and iteration data for ``run``, ``connector`` and ``extension``: CI gates.

``--expect KEY=VALUE`` (repeatable) states how a call must end: ``outcome`` (success, error, or a
connector's Continue / ShowBlockPage / ValidationError), ``code`` (B2C's AADB2C... or the API's),
``status``, ``user_sees`` (text the user sees, contained), ``claim.NAME`` (a claim's value;
``claim.NAME:=JSON`` typed). ``--scenarios FILE.json`` holds a list of runs, each with its name,
claims, supplied profiles and ``expect`` object; ``--data FILE.csv|json`` repeats them once per row
(Newman's ``-d``): a column is a claim, an ``expect.KEY`` column an expectation. Each run is one JUnit
testcase, failed only when one of its expectations did not hold; the exit code is 0 when every one held.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import ConfigurationError, ConnectorSimError
from ..reporting._junit import TestVerdict
from ._output import error_object, verbosity

__all__ = ["Expectation", "Observed", "Scenario", "add_expectation_arguments", "check", "maybe_gate", "observe",
           "parse_expect", "run_gate", "scenarios_from", "wants_gate", "with_claims"]

KEYS = ("outcome", "code", "status", "user_sees", "claim.NAME")


@dataclass(frozen=True)
class Expectation:
    """One thing a run must end with: key (outcome, code, status, user_sees, claim), claim name, value."""

    key: str
    value: Any
    claim: str | None = None

    def __str__(self) -> str:
        return f"{'claim.' + self.claim if self.claim else self.key}={self.value}"


@dataclass(frozen=True)
class Observed:
    """How a run ended, in the terms expectations use."""

    outcome: str
    codes: frozenset[str]
    status: int | None
    user_sees: str | None
    claims: Mapping[str, Any]


@dataclass(frozen=True)
class Scenario:
    """One run of a scenario file (or of the command line): what to send and what to expect."""

    name: str
    claims: Mapping[str, Any] = field(default_factory=dict)
    expect: tuple[Expectation, ...] = ()
    profiles: tuple[str, ...] = ()
    supplied: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)  # command-specific: step, url...


def _expectation(key: str, value: Any, typed: bool = False) -> Expectation:
    key = key.strip()
    if key.startswith("claim."):
        return Expectation("claim", value, key[len("claim."):])
    if key == "status":
        try:
            return Expectation("status", int(value))
        except (TypeError, ValueError):
            raise ConfigurationError(f"--expect status needs a number, got {value!r}") from None
    if key in ("outcome", "code", "user_sees"):
        return Expectation(key, str(value))
    raise ConfigurationError(f"--expect knows {', '.join(KEYS)}; got {key!r}",
                             hint="for example --expect status=409 --expect user_sees='not eligible'")


def parse_expect(items: Sequence[str]) -> tuple[Expectation, ...]:
    """``KEY=VALUE`` / ``claim.NAME:=JSON`` strings as expectations."""
    found = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigurationError(f"--expect expects KEY=VALUE, got {item!r}")
        typed = key.endswith(":")
        if typed:
            key = key[:-1]
            try:
                value = json.loads(value)
            except ValueError:
                raise ConfigurationError(f"--expect {key}:= needs a JSON value, got {value!r}") from None
        found.append(_expectation(key, value, typed))
    return tuple(found)


def _same(actual: Any, expected: Any) -> bool:
    if actual == expected:
        return True
    # An untyped expectation is text: compare with the claim's JSON form (true, 42) as a user writes it.
    return isinstance(expected, str) and not isinstance(actual, str) and json.dumps(actual) == expected


def check(expectations: Sequence[Expectation], seen: Observed) -> list[str]:
    """What did not hold, one readable line each (empty: every expectation held)."""
    problems = []
    for exp in expectations:
        if exp.key == "outcome" and seen.outcome.lower() != str(exp.value).lower():
            problems.append(f"outcome: expected {exp.value}, got {seen.outcome}")
        elif exp.key == "code" and exp.value not in seen.codes:
            problems.append(f"code: expected {exp.value}, got {' / '.join(sorted(seen.codes)) or 'none'}")
        elif exp.key == "status" and seen.status != exp.value:
            problems.append(f"status: expected {exp.value}, got {seen.status}")
        elif exp.key == "user_sees" and str(exp.value) not in (seen.user_sees or ""):
            problems.append(f"user_sees: expected to contain {exp.value!r}, got {seen.user_sees!r}")
        elif exp.key == "claim":
            name = exp.claim or ""
            if name not in seen.claims:
                problems.append(f"claim {name}: expected {exp.value!r}, but the claim is absent")
            elif not _same(seen.claims[name], exp.value):
                problems.append(f"claim {name}: expected {exp.value!r}, got {seen.claims[name]!r}")
    return problems


def observe(result: Any) -> Observed:
    """A JourneyResult, ConnectorOutcome or extension outcome as an `Observed`."""
    error = getattr(result, "error", None)
    codes = {c for c in (getattr(error, "b2c_code", None), getattr(error, "code", None)) if isinstance(c, str)}
    action = getattr(result, "action", None)
    if action is not None or hasattr(result, "violations"):
        outcome = action or "error"
    else:
        outcome = "success" if error is None else "error"
    status = getattr(result, "status", None)
    if status is None:
        status = getattr(error, "http_status", None)
    if status is None:
        statuses = [s.status for s in getattr(result, "steps", ()) if s.status is not None]
        status = statuses[-1] if statuses else None
    # What the user sees: B2C's page text, the API's userMessage, and a redirect's decoded error_description.
    texts = [getattr(result, "user_sees", None), getattr(error, "user_message", None),
             getattr(result, "error_description", None)]
    seen = " | ".join(dict.fromkeys(t for t in texts if t)) or None
    return Observed(outcome, frozenset(codes), status, seen, dict(getattr(result, "claims", {}) or {}))


def add_expectation_arguments(parser: argparse.ArgumentParser, *, reports: bool = False) -> None:
    """``--expect``, ``--scenarios`` and ``--data`` (and ``--junit`` / ``--report-json`` when `reports`)."""
    group = parser.add_argument_group("expectations (CI gates: exit 0 only when every expectation holds)")
    if reports:
        group.add_argument("--junit", metavar="FILE", help="write a JUnit XML report: one testcase per run")
        group.add_argument("--report-json", metavar="FILE", help="write a JSON report of every call")
    group.add_argument("--expect", action="append", default=[], metavar="KEY=VALUE",
                       help="how the call must end: outcome=, code=, status=, user_sees= (contained), claim.NAME= "
                            "(claim.NAME:=JSON typed); repeatable")
    group.add_argument("--scenarios", metavar="FILE.json",
                       help="a JSON list of runs ({name, claims, supplied, expect, ...}), each a JUnit testcase")
    group.add_argument("--data", metavar="FILE.csv|FILE.json",
                       help="iteration data: every scenario once per row; columns are claims, expect.KEY columns "
                            "expectations, a name column names the row")


def wants_gate(args: argparse.Namespace) -> bool:
    """Whether the command runs as a gate (expectations, scenarios or data given)."""
    return bool(getattr(args, "expect", None) or getattr(args, "scenarios", None) or getattr(args, "data", None))


def _load(path: str, what: str) -> Any:
    from ..userfiles import read_user_text

    try:
        text = read_user_text(path, what=f"{what} {path!r}")
    except OSError as exc:
        raise ConfigurationError(f"cannot read {what} {path!r}: {exc.strerror or exc}") from exc
    if path.lower().endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ConfigurationError(f"{what} {path!r} is not valid JSON: {getattr(exc, 'msg', exc)}") from None


def _scenario(item: Any, index: int, base: Scenario) -> Scenario:
    if not isinstance(item, Mapping):
        raise ConfigurationError(f"scenario {index} must be a JSON object, not {type(item).__name__}")
    expect = item.get("expect") or {}
    if not isinstance(expect, Mapping):
        raise ConfigurationError(f"scenario {index}: expect must be an object of KEY: VALUE")
    profiles = item.get("profiles") or item.get("profile") or base.profiles
    known = {"name", "claims", "expect", "profiles", "profile", "supplied"}
    return Scenario(
        name=str(item.get("name") or f"scenario {index}"),
        claims={**base.claims, **(item.get("claims") or {})},
        expect=base.expect + tuple(_expectation(k, v) for k, v in expect.items()),
        profiles=tuple([profiles] if isinstance(profiles, str) else profiles),
        supplied={**base.supplied, **(item.get("supplied") or {})},
        options={**base.options, **{k: v for k, v in item.items() if k not in known}},
    )


def _with_row(scenario: Scenario, row: Mapping[str, Any], number: int) -> Scenario:
    claims = {k: v for k, v in row.items() if not k.startswith("expect.") and k != "name" and v not in (None, "")}
    expect = tuple(_expectation(k[len("expect."):], v) for k, v in row.items()
                   if k.startswith("expect.") and v not in (None, ""))
    label = row.get("name") or f"row {number}"
    return replace(scenario, name=f"{scenario.name} [{label}]", claims={**scenario.claims, **claims},
                   expect=scenario.expect + expect)


def scenarios_from(args: argparse.Namespace, base: Scenario) -> list[Scenario]:
    """The runs: the scenario file's (else the command line's), times the data rows."""
    base = replace(base, expect=base.expect + parse_expect(getattr(args, "expect", []) or []))
    runs = [base]
    if getattr(args, "scenarios", None):
        data = _load(args.scenarios, "scenario file")
        items = data.get("scenarios") if isinstance(data, Mapping) else data
        if not isinstance(items, list) or not items:
            raise ConfigurationError(f"scenario file {args.scenarios!r} must hold a non-empty list of scenarios "
                                     '(or {"scenarios": [...]})')
        runs = [_scenario(item, n, base) for n, item in enumerate(items, start=1)]
    if getattr(args, "data", None):
        rows = _load(args.data, "data file")
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            raise ConfigurationError(f"data file {args.data!r} must be a CSV file or a JSON list of objects")
        runs = [_with_row(run, row, n) for run in runs for n, row in enumerate(rows, start=1)]
    return runs


def run_gate(args: argparse.Namespace, output: Any, report: Any, runs: Sequence[Scenario],
             call: Callable[[Scenario], Any], describe: Callable[[Any], str]) -> int:
    """Run each scenario, check its expectations, write the reports; 0 all held, 1 one did not, 2 one could not run."""
    from ._common import write_reports

    level = verbosity(args)
    verdicts, rows, worst = [], [], 0
    for run in runs:
        try:
            result = call(run)
        except ConnectorSimError as exc:
            report.add(exc, test=run.name)
            verdicts.append(TestVerdict(run.name, "error", str(exc).splitlines()[0], str(exc), type(exc).__name__))
            rows.append({"name": run.name, "ok": False, "problems": [], "error": error_object(exc)})
            output.err(f"ERROR {run.name}: {exc}")
            worst = 2
            continue
        report.add(result, test=run.name)
        problems = check(run.expect, observe(result)) if run.expect else ([] if result.ok else ["the call failed"])
        verdicts.append(TestVerdict(run.name, "failed" if problems else "passed", "; ".join(problems),
                                    "\n".join(problems), "ExpectationFailed" if problems else ""))
        rows.append({"name": run.name, "ok": not problems, "problems": problems, "expect": [str(e) for e in run.expect],
                     "result": result.to_dict(), "error": None})
        worst = max(worst, 1 if problems else 0)
        if level >= 1:
            output.err(describe(result))
        if not args.json and (level >= 0 or problems):
            output.verdict("FAIL" if problems else "PASS", not problems,
                           f"  {run.name}" + "".join(f"\n      {p}" for p in problems))
    write_reports(args, report, verdicts)
    passed = sum(1 for v in verdicts if v.outcome == "passed")
    if args.json:
        output.json({"ok": worst == 0, "passed": passed, "total": len(verdicts), "scenarios": rows, "error": None})
    else:
        output.out(f"{passed} of {len(verdicts)} scenario(s) held their expectations")
    return worst


def with_claims(args: argparse.Namespace, claims: Mapping[str, Any]) -> argparse.Namespace:
    """`args` with a scenario's claims added to ``--claim`` (as typed ``NAME:=JSON`` values)."""
    typed = [f"{name}:={json.dumps(value)}" for name, value in claims.items()]
    return argparse.Namespace(**{**vars(args), "claims": [*(getattr(args, "claims", None) or []), *typed]})


def maybe_gate(args: argparse.Namespace, output: Any, name: str, call: Callable[[Scenario], Any],
               describe: Callable[[Any], str]) -> int | None:
    """Run the command as a gate when expectations, scenarios or data are given (its exit code); else None."""
    if not wants_gate(args):
        return None
    from ..reporting._reports import Report

    report = Report(name, secrets=getattr(output, "secrets", ()))
    return run_gate(args, output, report, scenarios_from(args, Scenario(name)), call, describe)
