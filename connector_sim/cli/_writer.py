"""Where a command's output goes: ``Output`` (secrets masked, control characters neutralised, -q honoured)
and ``json_errors`` (under ``--json`` an error is the one JSON error object too)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..errors import ConnectorSimError
from ..redact import redact_text
from ._output import (
    ascii_json,
    cli_words,
    colour,
    error_object,
    json_text,
    normalise_errors,
    terminal_text,
    use_colour,
    verbosity,
)

__all__ = ["Output", "json_errors"]


class Output:
    """Writes a command's output with known secret values masked (a last line of defence)."""

    def __init__(self, secrets: Iterable[str] = (), stdout: TextIO | None = None, stderr: TextIO | None = None):
        self.secrets = {s for s in secrets if isinstance(s, str) and len(s) >= 4}
        self._stdout = stdout
        self._stderr = stderr
        self.quiet = False  # -q: err() drops progress and warnings; error() still prints

    def add_secrets(self, values: Iterable[Any]) -> None:
        """Mask these values too from now on."""
        self.secrets.update(v for v in values if isinstance(v, str) and len(v) >= 4)

    def clean(self, text: str) -> str:
        """``text`` with every known secret masked."""
        return redact_text(text, self.secrets)

    def out(self, text: str = "") -> None:
        """A line on stdout."""
        self._write(self._stdout or sys.stdout, text)

    def verdict(self, word: str, ok: bool, rest: str = "") -> None:
        """A PASS / FAIL line on stdout: the word coloured on a terminal (never with NO_COLOR), the rest neutralised."""
        stream = self._stdout or sys.stdout
        styled = colour(word, "green" if ok else "red", use_colour(stream))
        # The escape codes are ours and added after neutralising; an API's text stays inert.
        self._write(stream, rest, render=lambda text: styled + terminal_text(text))

    def err(self, text: str) -> None:
        """A line on stderr (progress, warnings); nothing under ``-q``."""
        if not self.quiet:
            self._write(self._stderr or sys.stderr, text)

    def _write(self, stream: TextIO, text: str, render: Callable[[str], str] = terminal_text) -> None:
        try:
            # Masked, then control characters (and lone surrogates) shown as escapes: an API's text
            # cannot drive the terminal, nor end the command with a UnicodeEncodeError.
            shown = render(self.clean(text))
            try:
                print(shown, file=stream, flush=True)
            except UnicodeEncodeError:  # a stream that is not UTF-8 (a Windows pipe, PYTHONIOENCODING)
                encoding = getattr(stream, "encoding", None) or "ascii"
                safe = ascii_json(shown) if render is json_text else shown.encode(encoding, "backslashreplace").decode(
                    encoding)
                print(safe, file=stream, flush=True)
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, as the Python docs advise, no traceback.
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError):
                pass

    def json(self, data: Any) -> None:
        """``data`` as the one JSON object on stdout (every ``error`` object in the one key casing)."""
        # json_text, not neutralise: JSON's own \uXXXX escapes keep the exact text once parsed.
        self._write(self._stdout or sys.stdout, json.dumps(normalise_errors(data), indent=2, default=str,
                                                           ensure_ascii=False), render=json_text)

    def error(self, exc: ConnectorSimError) -> None:
        """The error as ``main`` prints it, on stderr (also under ``-q``)."""
        self._write(self._stderr or sys.stderr, f"connector-sim: error: {cli_words(str(exc))}")


def json_errors(empty: Callable[[ConnectorSimError], dict[str, Any]]) -> Callable[..., Callable[..., int]]:
    """Decorate a handler ``fn(args, output)`` so that under ``--json`` an error is a JSON object too."""

    def decorate(handler: Callable[[argparse.Namespace, Output], int]) -> Callable[[argparse.Namespace], int]:
        def run(args: argparse.Namespace) -> int:
            output = Output()
            output.quiet = verbosity(args) < 0
            try:
                return handler(args, output)
            except ConnectorSimError as exc:
                if getattr(args, "json", False):
                    output.json({**empty(exc), "error": error_object(exc)})
                output.error(exc)
                return exc.exit_code

        run.__doc__ = handler.__doc__
        return run

    return decorate
