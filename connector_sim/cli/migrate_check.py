"""``connector-sim migrate-check``: which External ID event could carry each B2C REST call, and what breaks."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ConfigurationError
from ._common import (
    Output,
    add_json_argument,
    add_policy_arguments,
    format_table,
    json_errors,
    policy_from,
)

__all__ = ["register"]

_DESCRIPTION = """\
Read B2C policy files (and name the user-flow API connector steps in use) and say, for every RESTful
technical profile and connector step, which Microsoft Entra External ID custom authentication extension
event could carry it and what breaks on the way: the authentication (Entra's own token), SendClaimsIn
(Entra's fixed JSON document), the error contract versus the event's actions, 10 s versus 2 s, claims
transformations, the ServiceUrl. Exit codes: 0 every call has an event (or is no longer needed), 1 some
call has none, 2 usage or configuration error."""


def register(subparsers: Any) -> None:
    """Add the ``migrate-check`` command."""
    parser = subparsers.add_parser("migrate-check", help="rehearse moving B2C REST calls to External ID extensions",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_policy_arguments(parser)
    parser.add_argument("--user-flow-step", dest="steps", action="append", default=[], metavar="STEP",
                        help="a user-flow API connector step in use (PostFederationSignup, PostAttributeCollection, "
                        "PreTokenIssuance); repeatable")
    add_json_argument(parser)
    parser.set_defaults(handler=handle)


def _empty(exc: Any) -> dict[str, Any]:
    return {"ok": False, "items": [], "error": exc.to_dict()}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Analyse the policy and the steps; print the table (or JSON); return the exit code."""
    from ..connectors._migrate import migrate_check

    if not args.policies and not args.steps:
        raise ConfigurationError("give policy files (--policy FILE) or user-flow steps (--user-flow-step STEP)")
    policy = policy_from(args) if args.policies else None
    report = migrate_check(policy, args.steps)
    if args.json:
        output.json(report.to_dict())
        return 0 if report.ok else 1
    if not report.items:
        output.out("no RESTful technical profile in these files")
        return 0
    output.out(format_table(["call", "used as", "External ID event"],
                            [(i.source, i.used_as, i.event or ("(not needed)" if i.obsolete else "(none)"))
                             for i in report.items]))
    for item in report.items:
        output.out(f"\n{item.source} -> {item.event or '(no event)'}: {item.why}")
        output.out("\n".join(f"  - {text}" for text in item.breaks))
    return 0 if report.ok else 1
