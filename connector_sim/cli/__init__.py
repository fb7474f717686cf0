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
# missing optional extra (locust for ``load``) only affects its own command. A command is named
# after its module, with "-" for "_" (tls_check -> tls-check): ``main`` then imports only the
# module of the command it runs (start-up stays small), and every module for --help.
COMMANDS = ("init", "run", "lint", "inspect", "transform", "connector", "extension", "migrate_check", "cert", "demo",
            "tls_check", "load", "completion")


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The argument parser with these subcommand modules registered (every one by default)."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="connector-sim",
        description="Call your REST API exactly as Azure AD B2C does, and see what B2C would do with the answer.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(__name__):
                continue  # command not built yet
            raise
        module.register(subparsers)
    return parser


def _commands_for(argv: Sequence[str]) -> Sequence[str]:
    """The command modules a command line needs: the named command's alone, none for --version, else all."""
    for arg in argv:
        if arg in ("-h", "--help", "--"):
            break
        if arg == "--version":
            return ()
        if not arg.startswith("-"):
            module = arg.replace("-", "_")
            return (module,) if module in COMMANDS else COMMANDS  # unknown: argparse lists the real ones
    return COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting (the console script exits)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_commands_for(argv))
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
