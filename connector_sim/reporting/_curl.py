"""Reproduce a call by hand: a runnable POSIX-shell curl command, every secret an environment variable.

``to_curl(request, auth=...)`` turns a ``WireRequest`` (raw, or the redacted record of a
``CallResult``) into a curl command with the same verb, URL, headers and body, B2C's TLS floor
(``--tlsv1.2``), the CA bundle and the client certificate. Secrets never appear: the Basic password,
bearer token, API key, ``?code=`` and friends, the .pfx and its password, and token-like claims
become ``"${B2C_...:?}"`` references (the shell stops if one is unset), listed in a comment.
Everything else is quoted with ``shlex.quote``. A body that is not plain text, or that starts with
``@`` (which curl would read as a file name), is piped in with ``printf`` instead.

Whatever a policy or an API puts in the request, the text is inert in a POSIX shell: every word is
quoted, every comment is one printable line (``comment_line``), variable names are identifiers,
``--globoff`` keeps curl from expanding ``[]``/``{}`` in the URL, and a leftover secret is masked
inside the words, never across the quoting.
"""

from __future__ import annotations

import base64
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, List, Mapping, Sequence, Tuple, Union
from urllib.parse import unquote_plus, urlsplit

from ..redact import REDACTED, SECRET_QUERY_PARAMETERS, is_sensitive_claim, redact_text
from ..wire import WireRequest
from ._curl_secrets import EnvRef, bearer_description, env_name, secret_table, sensitive_fields

__all__ = ["CurlCommand", "EnvRef", "comment_line", "curl_command", "curl_for_result", "curl_script",
           "sensitive_fields", "to_curl"]

Part = Union[str, EnvRef]


@dataclass(frozen=True)
class CurlCommand:
    """A curl command (comment lines included) and the environment variables it reads."""

    text: str
    variables: Mapping[str, str] = field(default_factory=dict)  # name -> what to put in it

    def __str__(self) -> str:
        return self.text


def _word(parts: Sequence[Part], mask: Callable[[str], str]) -> str:
    """One shell word: literals masked and single-quoted, references double-quoted, glued together."""
    out = "".join(p.shell() if isinstance(p, EnvRef) else (shlex.quote(mask(p)) if p else "") for p in parts)
    return out or "''"


_FIELD_BEFORE = re.compile(r'"([^"\\]+)"\s*:\s*"$|(?:^|[&?])([^=&?]+)=$')


class _Builder:
    """Collects the variables a command reads and substitutes secret values in text."""

    def __init__(self, values: Mapping[str, EnvRef]) -> None:
        self.variables: dict[str, str] = {}
        self.values = {v: ref for v, ref in values.items() if v and v != REDACTED}
        self.named = {ref.name: ref for ref in self.values.values()}
        self.masked = 0

    def ref(self, ref: EnvRef) -> EnvRef:
        ref = self.named.get(ref.name, ref)  # the table's description may say which policy key it is
        self.variables.setdefault(ref.name, ref.description)
        return ref

    def _masked(self, before: str) -> EnvRef:
        # A masked JSON or form field named like a credential ("password": "***") gets its claim's name.
        field = _FIELD_BEFORE.search(before)
        if field is not None and is_sensitive_claim(field.group(1) or field.group(2)):
            name = field.group(1) or field.group(2)
            return EnvRef(env_name("CLAIM", name), f"the value of claim {name!r}")
        self.masked += 1
        return EnvRef(f"B2C_MASKED_{self.masked}",
                      "a value masked as *** in the recorded request: put the real one here")

    def split(self, text: str) -> List[Part]:
        """``text`` as literals and references: known secret values and ``***`` become variables."""
        needles = sorted([*self.values, REDACTED], key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(n) for n in needles))
        parts: List[Part] = []
        last = 0
        for match in pattern.finditer(text):
            parts.append(text[last:match.start()])
            found = match.group(0)
            if found == REDACTED:
                parts.append(self.ref(self._masked(text[:match.start()])))
            else:
                parts.append(self.ref(self.values[found]))
            last = match.end()
        parts.append(text[last:])
        return [p for p in parts if p != ""]


def _basic_user(value: str) -> str | None:
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic" or not token or token.startswith(REDACTED):
        return None
    try:
        return base64.b64decode(token, validate=True).decode("utf-8").partition(":")[0]
    except (ValueError, UnicodeDecodeError):
        return None


def _auth_options(name: str, value: str, auth: Any, build: _Builder) -> List[Tuple[str, List[Part]]]:
    """The curl options that stand for one secret header."""
    lower = name.lower()
    kind = getattr(auth, "authentication_type", None)
    scheme = value.partition(" ")[0] if " " in value else ""
    if lower == "authorization" and scheme.lower() == "basic":
        user = getattr(auth, "username", None) if kind == "Basic" else _basic_user(value)
        if user is not None:
            password = build.ref(EnvRef("B2C_PASSWORD", "the Basic password (policy key BasicAuthenticationPassword)"))
            if user.startswith("<missing: "):  # ``inspect`` without keys: ask for the user name as well
                name_ref = build.ref(EnvRef("B2C_USERNAME", f"the Basic user name ({user.strip('<>')})"))
                return [("--user", [name_ref, ":", password])]
            return [("--user", [*build.split(f"{user}:"), password])]
        ref = build.ref(EnvRef("B2C_BASIC_CREDENTIALS", "base64 of username:password"))
        return [("--header", [f"{name}: Basic ", ref])]
    if lower == "authorization" and scheme.lower() == "bearer":
        return [("--header", [f"{name}: Bearer ", build.ref(EnvRef("B2C_BEARER_TOKEN", bearer_description(auth)))])]
    if kind == "ApiKeyHeader" and lower == getattr(auth, "header", "").lower():
        return [("--header", [f"{name}: ", build.ref(EnvRef("B2C_API_KEY", f"the API key sent in {name}"))])]
    return [("--header", [f"{name}: ", build.ref(EnvRef(env_name("HEADER", name), f"the value of header {name}"))])]


def _url_parts(url: str, build: _Builder) -> List[Part]:
    parts = urlsplit(url)
    head = f"{parts.scheme}://"
    out: List[Part] = [head]
    host = parts.netloc
    if "@" in host:
        out.append(build.ref(EnvRef("B2C_URL_USERINFO", "the user:password part of the ServiceUrl")))
        host = "@" + host.rpartition("@")[2]
    out += build.split(host + parts.path)
    if parts.query:
        out.append("?")
        for index, piece in enumerate(parts.query.split("&")):
            if index:
                out.append("&")
            key, sep, value = piece.partition("=")
            if sep and unquote_plus(key).lower() in SECRET_QUERY_PARAMETERS:
                out += [f"{key}=", build.ref(EnvRef(env_name("URL", unquote_plus(key)),
                                                    f"the {unquote_plus(key)!r} query parameter of the ServiceUrl"))]
            else:
                out += build.split(piece)
    if parts.fragment:
        out.append(f"#{parts.fragment}")
    return _merge(out)


def _merge(parts: Iterable[Part]) -> List[Part]:
    merged: List[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return merged


def _plain(text: str) -> bool:
    return all(ch in "\n\t" or (ch.isprintable()) for ch in text)


def _printf(parts: Sequence[Part], mask: Callable[[str], str]) -> str:
    """A ``{ printf ...; } |`` prefix writing the body bytes exactly (octal escapes for the rest)."""
    pieces = []
    for part in parts:
        if isinstance(part, EnvRef):
            pieces.append(f"printf '%s' {part.shell()}")
            continue
        data = mask(part).encode("utf-8", "surrogateescape")
        fmt = "".join(chr(b) if 32 <= b < 127 and chr(b) not in "%\\'" else f"\\{b:03o}" for b in data)
        pieces.append(f"printf '{fmt}'")
    return "{ " + "; ".join(pieces) + "; } | "


def curl_command(
    request: WireRequest,
    *,
    auth: Any = None,
    claims: Mapping[str, Any] | None = None,
    secrets: Mapping[Union[str, EnvRef], str] | None = None,
    ca_bundle: str | None = None,
    timeout: float | None = None,
    profile_id: str | None = None,
) -> CurlCommand:
    """The curl command (with comment lines) that sends ``request`` again; secrets as ``$B2C_...`` variables.

    ``auth`` is the profile's strategy (it names the Basic user and the variables); ``claims`` and
    ``secrets`` (variable name or ``EnvRef`` -> value) are values to keep out of the text wherever they appear.
    """
    build = _Builder(secret_table(request, auth=auth, claims=claims, secrets=secrets))
    options: List[Tuple[str, List[Part]]] = []
    notes: List[str] = []
    if ca_bundle:
        options.append(("--cacert", [str(ca_bundle)]))
    if timeout:
        options.append(("--max-time", [f"{timeout:g}"]))
    if getattr(auth, "authentication_type", None) == "ClientCertificate":
        info = getattr(auth, "info", None)
        which = f" (subject {info.subject}, thumbprint {info.thumbprint})" if info is not None else ""
        path = build.ref(EnvRef("B2C_PFX_PATH", f"the path of the .pfx B2C would present{which}; no ':' in it"))
        password = build.ref(EnvRef("B2C_PFX_PASSWORD", "the password of that .pfx"))
        options += [("--cert-type", ["P12"]), ("--cert", [path, ":", password])]
    secret_headers = {h.lower() for h in getattr(auth, "secret_headers", ())} | {
        "authorization", "proxy-authorization", "cookie"}
    for name, raw in request.headers.items():
        value = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else str(raw)
        if name.lower() in secret_headers:
            options += _auth_options(name, value, auth, build)
        elif name.startswith("@"):
            # curl reads "--header @x" as a file of headers; no HTTP header name starts with "@".
            notes.append(f"header {name!r} is left out: curl cannot send a header name starting with '@'")
        else:
            # curl drops a header given as "Name:"; "Name;" sends it empty.
            options.append(("--header", build.split(f"{name}: {value}") if value else [f"{name};"]))
    body = None if request.body is None else _merge(build.split(request.body.decode("utf-8", "surrogateescape")))
    # The last line of defence: a secret the substitutions missed is masked inside each word (masking
    # the finished text could cut through the quoting), and in the comment.
    leftover = [v for v in build.values if len(v) >= 4]

    def mask(text: str) -> str:
        return redact_text(text, leftover) if leftover else text

    prefix = ""
    if body is not None:
        first = body[0] if body else ""
        literal = "".join(p for p in body if isinstance(p, str))
        if not _plain(literal) or (isinstance(first, str) and first.startswith("@")):
            prefix = _printf(body, mask)
            options.append(("--data-binary", ["@-"]))
        else:
            options.append(("--data-binary", body or [""]))
    method = request.method.upper()
    if not (method == "GET" and body is None) and not (method == "POST" and body is not None):
        options.append(("--request", [method]))
    lines = [f"{prefix}curl --silent --show-error --include --tlsv1.2 --globoff"]
    lines += [f"{flag} {_word(value, mask)}" if value else flag for flag, value in options]
    lines.append(_word(_url_parts(request.url, build), mask))
    command = " \\\n  ".join(lines)
    comment = _comment(request, profile_id, build.variables, notes, mask)
    return CurlCommand(comment + command, dict(build.variables))


def _line(text: Any) -> str:
    # A comment stays one printable line: a line break would turn the rest into a command, and a
    # control character (an escape sequence, a NUL, a lone surrogate) is shown as its escape.
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in " ".join(str(text).split()))


def comment_line(text: Any) -> str:
    """``text`` as one shell comment line (no newline at the end), inert whatever it holds."""
    return f"# {_line(text)}"


def _comment(request: WireRequest, profile_id: str | None, variables: Mapping[str, str], notes: Sequence[str],
             mask: Callable[[str], str]) -> str:
    what = f"{mask(profile_id)}: " if profile_id else ""
    lines = [comment_line(f"{what}{request.method.upper()} as B2C sends it (connector-sim)")]
    lines += [comment_line(mask(note)) for note in notes]
    if variables:
        width = max(len(n) for n in variables)
        lines.append("# Set these environment variables first:")
        # Variable names are shell identifiers (``EnvRef`` makes them so); only the description is free text.
        lines += [f"#   {name.ljust(width)}  {_line(mask(text))}".rstrip() for name, text in variables.items()]
    return "\n".join(lines) + "\n"


def to_curl(request: WireRequest, **options: Any) -> str:
    """The curl command text for ``request`` (see ``curl_command`` for the options)."""
    return curl_command(request, **options).text


def curl_for_result(result: Any, **options: Any) -> CurlCommand:
    """The curl command for a ``CallResult`` or ``ConnectorOutcome`` (its redacted request record)."""
    options.setdefault("profile_id", getattr(result, "profile_id", None) or getattr(result, "step", None))
    return curl_command(result.request, **options)


def curl_script(commands: Iterable[Union[CurlCommand, str]], title: str = "") -> str:
    """Several commands as one ``sh`` script, each after its comment lines."""
    head = ["#!/bin/sh", comment_line(title) if title else "# Generated by connector-sim",
            "# Secrets are read from environment variables; nothing secret is written here.", ""]
    return "\n".join(head) + "\n".join(f"{c}\n" for c in commands)
