"""The ``connector-sim`` command line: a thin shell over the library.

Each subcommand lives in its own module of this package and exposes ``register(subparsers)``,
which adds its parser and sets ``handler`` (a function of the parsed arguments returning an exit
code). ``main`` turns every ``ConnectorSimError`` into its message and exit code in one place:
0 success, 1 the call failed the way B2C would fail it, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from ..errors import ConnectorSimError

__all__ = ["main"]

# Subcommand modules, in the order ``--help`` lists them. Imported lazily, one by one, so a
# missing optional extra (locust for ``load``) only affects its own command.
COMMANDS = ("run", "lint", "inspect", "connector", "cert", "demo", "tls_check", "load")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand registered."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="connector-sim",
        description="Call your REST API exactly as Azure AD B2C does, and see what B2C would do with the answer.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(__name__):
                continue  # command not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting (the console script exits)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args))
    except ConnectorSimError as exc:
        print(f"connector-sim: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("connector-sim: interrupted", file=sys.stderr)
        return 130


def console_main() -> None:
    """Entry point of the ``connector-sim`` console script."""
    sys.exit(main())
