"""How the CLI talks: verbosity, colour (honouring NO_COLOR), the one JSON error object, safe terminal text.

* ``-v/--verbose`` prints each exchange (request and answer, secrets masked) on stderr as it happens;
  ``-q/--quiet`` prints only the result (no progress lines, no warnings).
* Colour only on a terminal, never when ``NO_COLOR`` is set (https://no-color.org) or ``TERM=dumb``;
  ``FORCE_COLOR`` turns it on for CI logs that render it.
* Every command's JSON error is one object: ``type``, ``code``, ``message`` always, and ``user_message``,
  ``profile``, ``status`` where they apply, all snake_case (``ERROR_SCHEMA``).
* Text from an API (bodies, headers, user messages) can carry escape sequences that would rewrite a
  terminal; ``neutralise`` shows every control character as its escape before it is printed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, TextIO

__all__ = ["ERROR_SCHEMA", "ascii_json", "colour", "error_object", "json_text", "neutralise", "normalise_errors",
           "terminal_text", "use_colour", "verbosity"]

#: JSON Schema of the ``error`` object every command prints under ``--json``.
ERROR_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "connector-sim error",
    "type": "object",
    "required": ["type", "code", "message", "user_message", "profile", "status"],
    "properties": {
        "type": {"type": "string", "description": "the exception class, e.g. HttpStatusError, ConfigurationError"},
        "code": {"type": ["string", "null"], "description": "the B2C (AADB2C...) or API error code"},
        "message": {"type": "string", "description": "what went wrong, for the developer"},
        "user_message": {"type": ["string", "null"], "description": "what the end user would see"},
        "profile": {"type": ["string", "null"], "description": "the technical profile or step"},
        "status": {"type": ["integer", "null"], "description": "the API's HTTP status"},
    },
    "additionalProperties": True,
}
_RENAMED = {"userMessage": "user_message", "profile_id": "profile", "http_status": "status", "b2c_code": "code"}
# C0 and C1 controls except newline and tab, DEL, and the bidirectional overrides that disguise text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_COLOURS = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}


def neutralise(text: str) -> str:
    """`text` with control characters (escape sequences, NUL, bidi overrides) shown as ``\\xNN`` / ``\\uNNNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        text)


# A lone surrogate is valid in JSON ("\ud800") and in a Python str, but UTF-8 cannot encode it: printed
# as is, it ends the command with a UnicodeEncodeError.
_SURROGATE = re.compile("[\ud800-\udfff]")
# What JSON text (ensure_ascii=False) may still hold raw that a terminal acts on, or UTF-8 cannot encode:
# DEL and C1 controls, bidi controls, line separators, lone surrogates. C0 controls are escaped already.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _u_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_text(text: str) -> str:
    """Human output: `text` ``neutralise``d, and lone surrogates shown as ``\\udXXX``; always encodable."""
    return _SURROGATE.sub(_u_escape, neutralise(text))


def json_text(text: str) -> str:
    """JSON text with raw DEL, C1, bidi, line-separator and lone-surrogate characters as ``\\uXXXX`` escapes.

    The escapes are JSON's own, so the document parses to exactly the same values (``--json`` keeps
    the API's exact text), while its bytes cannot drive a terminal and always encode as UTF-8.
    """
    return _JSON_RAW.sub(_u_escape, text)


def _astral(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def ascii_json(text: str) -> str:
    """JSON text with every non-ASCII character as a ``\\uXXXX`` escape, for a stream that is not UTF-8."""
    return re.sub("[^\x00-\x7f]", _astral, text)


# Hints written for Python callers name keyword arguments; on the command line they name the options.
_CLI_WORDS = (
    (re.compile(r"\bpass ca_bundle\b"), "pass --ca-bundle PEM"),
    (re.compile(r"(?<![-\w])ca_bundle\b"), "--ca-bundle"),
    (re.compile(r"(?<![-\w])service_urls?=?(?![\w-])"), "--service-url"),
    (re.compile(r"(?<![-\w])deployment_mode=?(?![\w-])"), "--deployment-mode"),
    (re.compile(r"\bwith supplied claims\b"), "with --supplied PROFILE_ID=FILE.json"),
)


def cli_words(text: str) -> str:
    """`text` with the Python keyword names of hints replaced by the CLI's option names."""
    for pattern, option in _CLI_WORDS:
        text = pattern.sub(option, text)
    return text


def error_object(exc: BaseException) -> dict[str, Any]:
    """The one JSON error object for `exc`: type, code, message, user_message, profile, status (null when unknown)."""
    data: dict[str, Any] = {"type": type(exc).__name__, "code": getattr(exc, "b2c_code", None),
                            "message": cli_words(getattr(exc, "message", None) or str(exc))}
    if hasattr(exc, "to_dict"):
        data.update(normalise_error(exc.to_dict()))
    for key, attribute in (("user_message", "user_message"), ("profile", "profile_id"), ("status", "http_status")):
        value = getattr(exc, attribute, None)
        if value is not None and data.get(key) is None:
            data[key] = value
    for key in ("user_message", "profile", "status"):
        data.setdefault(key, None)  # always present: null where it does not apply
    return data


def _snake(key: str) -> str:
    return _RENAMED.get(key) or re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def normalise_error(error: Mapping[str, Any]) -> dict[str, Any]:
    """An error object with the CLI's one key casing, snake_case (``userMessage`` -> ``user_message``)."""
    return {_snake(key): value for key, value in error.items()}


def normalise_errors(data: Any) -> Any:
    """`data` with every ``error`` object in it in the one key casing."""
    if isinstance(data, Mapping):
        return {key: (normalise_error(value) if key == "error" and isinstance(value, Mapping) else
                      normalise_errors(value)) for key, value in data.items()}
    if isinstance(data, list):
        return [normalise_errors(item) for item in data]
    return data


def verbosity(args: Any) -> int:
    """-1 quiet, 0 normal, 1 verbose (the exchanges), from ``-q`` / ``-v``."""
    if getattr(args, "quiet", False):
        return -1
    return min(int(getattr(args, "verbose", 0) or 0), 2)


def use_colour(stream: TextIO) -> bool:
    """Colour on a terminal, unless NO_COLOR is set or TERM is dumb; FORCE_COLOR forces it."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def colour(text: str, name: str, enabled: bool) -> str:
    """`text` in colour `name` (red, green, yellow, bold, dim) when `enabled`."""
    return f"\033[{_COLOURS[name]}m{text}\033[0m" if enabled else text
