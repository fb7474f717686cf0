"""``connector-sim lint``: what B2C would refuse, or what will fail at run time, before any call."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ConnectorSimError
from ..journey import error_object
from ._common import Output, add_json_argument, add_policy_arguments, json_errors, keys_from, policy_from

__all__ = ["register"]

_DESCRIPTION = """\
Check the RESTful technical profiles of a policy the way B2C checks them at upload, and
what will fail at run time. Each finding names the file and line to edit. Exit codes:
0 no errors (warnings allowed), 1 errors found, 2 a policy file cannot be read."""


def register(subparsers: Any) -> None:
    """Add the ``lint`` command."""
    parser = subparsers.add_parser("lint", help="check policy files before any call",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_policy_arguments(parser)
    parser.add_argument("--keys", metavar="FILE",
                        help="also check that every policy key the profiles name is in this keys file")
    add_json_argument(parser)
    parser.set_defaults(handler=handle)


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"findings": [], "errors": 0, "warnings": 0, "error": error_object(exc)}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Lint the policy; print findings; 1 when any is an error."""
    policy = policy_from(args, check_transformations=False)  # every problem a finding, not one load error
    keys = keys_from(args) if args.keys else None
    findings = policy.lint(keys)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if args.json:
        output.json({"findings": [f.to_dict() for f in findings], "errors": errors, "warnings": warnings,
                     "error": None})
    else:
        for finding in findings:
            where = f"{finding.file}:{finding.line}" if finding.file and finding.line else (finding.file or "<policy>")
            profile = f" [{finding.profile_id}]" if finding.profile_id else ""
            output.out(f"{where}: {finding.severity}: {finding.code}{profile}: {finding.message}")
        checked = len(policy.restful_profile_ids)
        output.out(f"{errors} error(s), {warnings} warning(s) in {checked} RESTful technical profile(s) "
                   f"of {len(policy.files)} file(s)")
    return 1 if errors else 0

