"""``connector-sim transform``: run one claims transformation, or a profile's transformations, on claims."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ConnectorSimError
from ..journey import error_object
from ._common import (
    Output,
    add_claims_arguments,
    add_json_argument,
    add_keys_argument,
    add_policy_arguments,
    claims_from,
    format_claims,
    json_errors,
    key_secrets,
    keys_from,
    policy_from,
)

__all__ = ["register"]

_DESCRIPTION = """\
Run claims transformations of a policy on the claims given, as B2C runs them, and print what
they write. ID is a ClaimsTransformation Id, or a technical profile id: a claims transformation
profile (ClaimsTransformationProtocolProvider) runs its input transformations, output claims
defaults and output transformations; any other profile runs its InputClaimsTransformations
(what its request would be built from). Nothing is sent. Exit codes: 0 the transformations ran,
1 one failed the way B2C fails it (an assertion, unusable input), 2 usage or configuration error."""


def register(subparsers: Any) -> None:
    """Add the ``transform`` command."""
    parser = subparsers.add_parser("transform", help="run a claims transformation (or a profile's) on claims",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", metavar="ID", help="a ClaimsTransformation Id or a technical profile id")
    add_policy_arguments(parser)
    add_keys_argument(parser)
    add_claims_arguments(parser)
    add_json_argument(parser)
    parser.set_defaults(handler=handle)


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"outputs": {}, "error": error_object(exc)}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Run the transformations; print their outputs (claims they wrote, None for a removed claim)."""
    claims = claims_from(args)
    policy = policy_from(args)
    keys = keys_from(args)
    output.add_secrets(key_secrets(keys))
    outputs = policy.transform(args.target, claims, keys=keys)
    if args.json:
        output.json({"outputs": outputs, "error": None})
    else:
        output.out(f"Claims written by {args.target}:")
        output.out(format_claims(outputs))
    return 0
