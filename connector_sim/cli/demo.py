"""``connector-sim demo``: start a sample API locally and call it every way B2C does, in seconds."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import ConfigurationError, ConnectorSimError
from ._common import Output, add_json_argument, format_table, json_errors

if TYPE_CHECKING:
    from ..demo import DemoReport, Scenario, ScenarioResult

__all__ = ["register"]

_DESCRIPTION = """\
Start a sample REST API, a listener that requires a client certificate and a fake Microsoft
Entra token endpoint on 127.0.0.1 (HTTPS, throwaway certificates, no configuration, no internet),
then call them the way Azure AD B2C does: each authentication type, Body/Form/QueryString, the
article's client-credentials policy, the error contract, rejected credentials, a 500, a timeout
and a user-flow API connector. Prints what B2C would do with each answer.
Exit codes: 0 every scenario ended the way B2C would end it (the failures shown are on purpose),
1 one did not, 2 the demo could not start (a broken install)."""


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser("demo", help="run the built-in demo against a local sample API",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_json_argument(parser)
    parser.set_defaults(handler=handle)


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"ok": False, "elapsed_s": 0, "scenarios": [], "notes": [], "error": exc.to_dict()}


class _Progress:
    """A live status line on a terminal; otherwise one line per finished scenario on stderr."""

    def __init__(self, output: Output, live: bool) -> None:
        self.output = output
        self.live = live

    def start(self, index: int, total: int, scenario: Scenario) -> None:
        if self.live:
            sys.stderr.write(f"\r\033[K  [{index}/{total}] {scenario.name}...")
            sys.stderr.flush()

    def result(self, index: int, total: int, scenario: Scenario, rows: Sequence[ScenarioResult]) -> None:
        if self.live:
            return
        for row in rows:
            status = f" HTTP {row.status}" if row.status is not None else ""
            check = "" if row.as_expected else f" (UNEXPECTED: B2C would end it as {row.expected})"
            self.output.err(f"connector-sim demo: [{index}/{total}] {row.scenario}: {row.outcome}{status} "
                            f"in {row.elapsed_ms:.0f} ms{check}")

    def done(self) -> None:
        if self.live:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Run the demo; print the table (or the JSON object); 0 when every scenario behaved as expected."""
    try:
        from ..demo import SampleApi, run_demo
    except ModuleNotFoundError as exc:  # a broken install: the demo needs only the core dependencies
        raise ConfigurationError(f"the demo cannot start: {exc.name} is not installed",
                                 hint="pip install --force-reinstall connector_sim") from exc
    api = SampleApi()
    output.add_secrets(api.credentials.secret_values())
    progress = _Progress(output, live=not args.json and sys.stderr.isatty())
    try:
        report = run_demo(api, on_start=progress.start, on_result=progress.result)
    finally:
        progress.done()
    if args.json:
        output.json(report.to_dict())
    else:
        # On a terminal the last column wraps to its width; piped output keeps one line per row.
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        output.out(summary(report, width=width))
    return 0 if report.ok else 1


def _table(report: DemoReport, width: int | None) -> str:
    """The table; on a terminal its last column wraps, or moves under each row when there is no room."""
    rows = [
        (n, r.scenario, r.auth, r.send_claims_in, r.status, r.attempts, f"{r.elapsed_ms:.0f} ms",
         "ok" if r.as_expected else "UNEXPECTED")
        for n, r in enumerate(report.results, start=1)
    ]
    lines = format_table(("#", "scenario", "auth", "SendClaimsIn", "status", "attempts", "time", "check"),
                         rows).split("\n")
    lead = max(len(line) for line in lines) + 2
    room = width - lead - 1 if width else None
    if room is not None and room < 40:
        indent = " " * 6
        out = lines[:2]
        for line, result in zip(lines[2:], report.results):
            out.append(line)
            out.extend(textwrap.wrap(result.b2c_does, max(30, width - len(indent) - 1),  # type: ignore[operator]
                                     initial_indent=indent + "-> ", subsequent_indent=indent + "   "))
        return "\n".join(out)
    out = [lines[0].ljust(lead) + "what B2C would do", lines[1].ljust(lead) + "-" * 17]
    for line, result in zip(lines[2:], report.results):
        parts = textwrap.wrap(result.b2c_does, room) if room else [result.b2c_does]
        out.append(line.ljust(lead) + parts[0])
        out.extend(" " * lead + part for part in parts[1:])
    return "\n".join(out)


def summary(report: DemoReport, width: int | None = None) -> str:
    """The readable report: the table, the notes and the verdict."""
    table = _table(report, width)
    unexpected = [r for r in report.results if not r.as_expected]
    if unexpected:
        verdict = (f"{len(unexpected)} of {len(report.results)} scenarios did NOT end the way B2C would: "
                   + ", ".join(r.scenario for r in unexpected))
    else:
        verdict = (f"All {len(report.results)} scenarios ended the way B2C would end them "
                   f"({report.expected_failures} fail on purpose) in {report.elapsed_s:.1f} s.")
    lines = [
        "connector-sim demo: a sample REST API and a fake Microsoft Entra token endpoint on 127.0.0.1 (HTTPS),",
        "called exactly as Azure AD B2C calls them.",
        "",
        table,
        "",
        "Notes:",
        *[f"  - {note}" for note in report.notes],
        "  - the 'Policy' rows are the orchestration steps REST-AcquireAccessToken -> REST-GetProfile, "
        "the B2C article's XML (connector_sim/demo/policy.py)",
        "  - the 'Connector' rows are a user-flow API connector at PostAttributeCollection",
        "  - token-like claims show as ***; secrets never appear in output",
        "",
        verdict,
        "Next: connector-sim init DIR writes the article's policy set and a pytest suite that runs; then README.md.",
    ]
    return "\n".join(lines)
