"""``connector-sim run``: call technical profiles of a policy in order, as B2C would, with one claims bag."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ConnectorSimError
from ..journey import JourneyResult, StepResult, error_object, run_journey
from ..reporting._reports import Report
from ._common import (
    Output,
    add_claims_arguments,
    add_json_argument,
    add_keys_argument,
    add_policy_arguments,
    add_profile_arguments,
    add_report_arguments,
    claims_from,
    claims_used_by,
    export_format,
    format_claims,
    format_table,
    json_errors,
    key_secrets,
    keys_from,
    named_key_secrets,
    policy_from,
    profile_options,
    service_urls_from,
    unused_claims,
    write_reports,
)
from ._output import error_object as cli_error_object
from ._output import verbosity
from ._scenarios import (
    Scenario,
    add_expectation_arguments,
    run_gate,
    scenarios_from,
    wants_gate,
)
from ._supplied import add_supplied_argument, supplied_from

__all__ = ["register"]

_DESCRIPTION = """\
Call the named technical profiles in order with one claims bag, exactly as B2C would.
PROFILE_ID may also be one UserJourney id (its orchestration steps) or one self-asserted
profile id (its ValidationTechnicalProfiles). Exit codes: 0 the journey went through,
1 it failed the way B2C would fail it, 2 usage or configuration error.

--junit and --report-json write a report of every call for CI. --export curl prints, on
stdout, a shell script with one curl command per call that went over the wire (secrets are
read from environment variables it lists); the readable summary then goes to stderr."""


def register(subparsers: Any) -> None:
    """Add the ``run`` command."""
    parser = subparsers.add_parser("run", help="call technical profiles of a policy as B2C would",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile_ids", nargs="+", metavar="PROFILE_ID",
                        help="technical profile ids in order, or one UserJourney id or self-asserted profile id")
    add_policy_arguments(parser)
    add_keys_argument(parser)
    add_claims_arguments(parser)
    add_supplied_argument(parser)
    add_profile_arguments(parser)
    add_json_argument(parser)
    add_report_arguments(parser)
    add_expectation_arguments(parser)
    parser.set_defaults(handler=handle)


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"claims": {}, "steps": [], "error": error_object(exc)}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Run the journey; print the JSON object or the readable summary; return the exit code."""
    export = export_format(args)
    claims = claims_from(args)
    options = profile_options(args)
    service_urls = service_urls_from(args)
    supplied = supplied_from(args)
    policy = policy_from(args)
    keys = keys_from(args)
    output.add_secrets(key_secrets(keys))
    ids = args.profile_ids
    report = Report(f"connector-sim run {' '.join(ids)}", secrets=key_secrets(keys))
    on_step = _step_printer(output, verbosity(args))
    if wants_gate(args):
        def one(run: Scenario) -> JourneyResult:
            chosen = list(run.profiles or ids)
            return run_journey(policy, chosen[0] if len(chosen) == 1 else chosen, claims=run.claims, keys=keys,
                               service_urls=service_urls, supplied=run.supplied, on_step=on_step, **options)

        base = Scenario(report.name, claims=claims, profiles=tuple(ids), supplied=supplied)
        return run_gate(args, output, report, scenarios_from(args, base), one, summary)
    try:
        result = run_journey(policy, ids[0] if len(ids) == 1 else ids, claims=claims, keys=keys,
                             service_urls=service_urls, supplied=supplied, on_step=on_step, **options)
    except ConnectorSimError as exc:
        report.add(exc, test=report.name)  # CI still gets a report saying why nothing ran
        write_reports(args, report)
        raise
    report.add(result, test=report.name)
    write_reports(args, report)
    for warning in unused_claims(claims, claims_used_by(policy, [s.profile for s in result.steps])):
        output.err(f"connector-sim: warning: {warning}")
    if export == "curl":
        output.out(curl_export(keys, result))
        output.err(summary(result))
    elif args.json:
        data = result.to_dict()
        if result.error is not None:
            data["error"] = cli_error_object(result.error)  # the one error object of every command
        output.json(data)
        for warning in result.warnings:
            output.err(f"connector-sim: warning: {warning}")
    else:
        output.out(summary(result))
    return 0 if result.ok else 1


def curl_export(keys: Any, result: JourneyResult) -> str:
    """A shell script with a curl command for each call of the journey that went over the wire."""
    from ..reporting._curl import comment_line, curl_for_result, curl_script

    commands: list[Any] = []
    named = named_key_secrets(keys)
    for step in result.steps:
        call = step.result
        if call is None or not call.attempts:
            if step.outcome == "error":
                # One inert comment line: the profile id and the error come from the policy.
                commands.append(comment_line(f"{step.profile}: not sent ({step.error})") + "\n")
            continue
        profile = call.profile  # the profile that made the call: nothing is built again
        commands.append(curl_for_result(call, auth=profile.auth, secrets=named, ca_bundle=profile.ca_bundle,
                                        timeout=profile.timing_profile.timeout))
    title = f"connector-sim run: {len(commands)} call(s), correlation id {result.correlation_id}"
    return curl_script(commands, title).rstrip("\n")


def _step_printer(output: Output, level: int) -> Any:
    """The on_step callback: a progress line per step, and with -v the exchange (request and answer, masked)."""
    from ..reporting._reports import describe_record, records_from

    def show(step: StepResult) -> None:
        output.err(_progress(step))
        if level >= 1:
            for record in records_from(step):
                output.err(describe_record(record))

    return show


def _progress(step: StepResult) -> str:
    status = "" if step.status is None else f" {step.status}"
    timing = f" in {step.elapsed_ms:.0f} ms" if step.attempts else ""
    via = f" (validation of {step.validation_of})" if step.validation_of else ""
    return f"connector-sim: step {step.step} {step.profile}{via}: {step.outcome}{status}{timing}"


def _what_b2c_does(result: JourneyResult) -> str:
    if result.error is None:
        return "carry on with the journey, with the claims above."
    text = result.user_sees or ""
    if result.error_description:
        decoded = " | ".join(line for line in result.error_description.splitlines() if line)
        text += f"\n  error_description, decoded: {decoded}"
    return text


def summary(result: JourneyResult) -> str:
    """The readable report: a table of steps, the final claims and what B2C would do."""
    rows = [
        (s.step, s.profile + (f" (validation of {s.validation_of})" if s.validation_of else ""), s.outcome,
         s.status, s.attempts or None, f"{s.elapsed_ms:.1f} ms" if s.attempts else None,
         ", ".join(s.claims_added) or None)
        for s in result.steps
    ]
    lines = [f"Journey (correlation id {result.correlation_id})", ""]
    lines.append(format_table(("step", "technical profile", "outcome", "status", "attempts", "time",
                               "claims added"), rows) if rows else "(no steps)")
    notes = [f"  {s.profile}: {s.note}" for s in result.steps if s.note and s.outcome != "success"]
    if notes:
        lines += ["", "Notes:", *notes]
    if result.error is not None:
        message = str(result.error).replace("\n", "\n  ")
        lines += ["", f"Error in {result.error.profile_id or 'the journey'}:", f"  {message}"]
    for warning in result.warnings:
        lines += ["", f"Warning: {warning}"]
    lines += ["", "Claims:", format_claims(result.claims), "", f"What B2C would do: {_what_b2c_does(result)}"]
    return "\n".join(lines)
