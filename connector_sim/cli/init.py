"""``connector-sim init [DIR]``: start from nothing, with the B2C article's policy set and a pytest suite that runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, ConnectorSimError
from ._common import Output, add_json_argument, json_errors
from ._init_files import FILES

__all__ = ["register"]

_DESCRIPTION = """\
Write, into DIR (default: the current directory), the B2C article's policy set (a base and an
extensions file with REST-AcquireAccessToken and REST-GetProfile), appsettings.json, a keys.json
template, pytest.ini and a pytest suite using the connector_sim plugin. The suite runs as written
against the demo's sample API: cd DIR && python -m pytest. Existing files are kept unless --force.
Exit codes: 0 written, 2 a file exists (or cannot be written)."""


def register(subparsers: Any) -> None:
    """Add the ``init`` command."""
    parser = subparsers.add_parser("init", help="write a starter policy set and pytest suite into DIR",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default=".", metavar="DIR", help="where to write (default: .)")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")
    add_json_argument(parser)
    parser.set_defaults(handler=handle)


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"directory": None, "files": [], "error": exc.to_dict()}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Write the files; print what was written and what to run next."""
    root = Path(args.directory)
    existing = [name for name in FILES if (root / name).exists()]
    if existing and not args.force:
        raise ConfigurationError(f"{root} already has {', '.join(existing)}: pass --force to overwrite")
    written = []
    for name, content in FILES.items():
        target = root / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"cannot write {target}: {exc.strerror or exc}") from exc
        written.append(str(target))
    if args.json:
        output.json({"directory": str(root), "files": written, "error": None})
    else:
        output.out("\n".join([f"Wrote {len(written)} files into {root}:", *[f"  {w}" for w in written], "",
                              "Next:", f"  cd {root} && python -m pytest",
                              "  connector-sim lint --policy policy --settings appsettings.json --environment Local"]))
    return 0
