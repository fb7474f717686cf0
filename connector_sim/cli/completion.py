"""``connector-sim completion bash|zsh|fish``: a shell completion script generated from the parser.

bash and zsh through shtab (the ``completion`` extra: ``pip install "connector_sim[completion]"``),
fish written here from the same parser (shtab has no fish). Install, for example:
``connector-sim completion bash > ~/.local/share/bash-completion/completions/connector-sim``.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from ..errors import ConfigurationError, ConnectorSimError
from ._common import Output, json_errors

__all__ = ["SHELLS", "fish_script", "register"]

SHELLS = ("bash", "zsh", "fish")


def register(subparsers: Any) -> None:
    """Add the ``completion`` command."""
    parser = subparsers.add_parser("completion", help="print a shell completion script (bash, zsh, fish)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shell", metavar="|".join(SHELLS), help="the shell to complete in")
    parser.set_defaults(handler=handle)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public walk of its subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> list[tuple[list[str], str]]:
    return [(list(a.option_strings), a.help or "") for a in parser._actions
            if a.option_strings and a.help != argparse.SUPPRESS]


def fish_script(parser: argparse.ArgumentParser, prog: str = "connector-sim") -> str:
    """The fish completions of every command, action and option of `parser`."""
    commands = _subcommands(parser)
    lines = [f"# fish completion for {prog} (connector-sim completion fish)", f"complete -c {prog} -f"]
    top = " ".join(commands)
    for name, sub in commands.items():
        lines.append(f"complete -c {prog} -n 'not __fish_seen_subcommand_from {top}' -a {name} "
                     f"-d {shlex.quote((sub.description or '').splitlines()[0][:60] if sub.description else name)}")
        scopes = [(f"__fish_seen_subcommand_from {name}", sub)]
        actions = _subcommands(sub)
        for action, action_parser in actions.items():
            lines.append(f"complete -c {prog} -n '__fish_seen_subcommand_from {name}; and not "
                         f"__fish_seen_subcommand_from {' '.join(actions)}' -a {action}")
            scopes.append((f"__fish_seen_subcommand_from {name}; and __fish_seen_subcommand_from {action}",
                           action_parser))
        for condition, scoped in scopes:
            for strings, help_text in _options(scoped):
                flags = " ".join(f"-l {s[2:]}" if s.startswith("--") else f"-s {s[1:]}" for s in strings)
                lines.append(f"complete -c {prog} -n '{condition}' {flags} -d {shlex.quote(help_text[:60])}")
    return "\n".join(lines)


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"error": exc.to_dict()}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Print the completion script for ``args.shell``."""
    from . import build_parser

    shell = args.shell.lower()
    if shell not in SHELLS:
        raise ConfigurationError(f"completion knows {', '.join(SHELLS)}, got {args.shell!r}")
    parser = build_parser()
    if shell == "fish":
        output.out(fish_script(parser))
        return 0
    try:
        import shtab
    except ModuleNotFoundError as exc:
        raise ConfigurationError(f"{shell} completion needs shtab ({exc.name} is not installed)",
                                 hint='pip install "connector_sim[completion]"') from exc
    output.out(shtab.complete(parser, shell=shell))
    return 0
