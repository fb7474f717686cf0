"""Which values of a request are secrets, and which environment variable stands for each in an export.

A curl export (``export``) never writes a secret: the auth strategy's secrets, named key values,
password- or token-like claims and fields of the request each get a ``B2C_...`` variable. The
reports use ``sensitive_fields`` to mask password- and token-like fields of a recorded request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, Union
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from ..redact import REDACTED, is_sensitive_claim
from ..wire import WireRequest

__all__ = ["EnvRef", "bearer_description", "env_name", "secret_table", "sensitive_fields"]


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class EnvRef:
    """A shell reference to an environment variable that holds one secret, and what to put in it."""

    name: str
    description: str = ""

    def __post_init__(self) -> None:
        # The name is written unquoted in "${NAME:?}" and in comments: only an ASCII identifier is inert.
        if not _IDENTIFIER.fullmatch(self.name):
            safe = re.sub(r"[^A-Za-z0-9_]", "_", self.name)
            object.__setattr__(self, "name", safe if _IDENTIFIER.fullmatch(safe) else f"B2C_{safe}")

    def shell(self) -> str:
        """``"${NAME:?}"``: the value, or the shell stops with "NAME: parameter null or not set"."""
        return f'"${{{self.name}:?}}"'


def env_name(*pieces: str) -> str:
    """``B2C_`` and the pieces in upper case, anything but letters and digits as ``_``."""
    text = "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).strip("_").upper() for p in pieces if p)
    return "B2C_" + (text or "VALUE")


def sensitive_fields(request: WireRequest) -> dict[str, str]:
    """Values of token- or password-like fields of a request (JSON body, form, query, headers) by name."""
    found: dict[str, str] = {}
    pairs: list[tuple[str, Any]] = [(k, v) for k, v in parse_qsl(urlsplit(request.url).query, keep_blank_values=True)]
    pairs += [(k, v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in request.headers.items()
              if k.lower() not in ("authorization", "proxy-authorization")]
    text = request.text() or ""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            pairs += list(document.items())
    elif text and "=" in text and not stripped.startswith(("[", "<")):
        pairs += parse_qsl(text, keep_blank_values=True)
    for name, value in pairs:
        if is_sensitive_claim(str(name)) and isinstance(value, (str, int)) and not isinstance(value, bool):
            if str(value) not in ("", REDACTED):
                found.setdefault(str(name), str(value))
    return found


def _secret_values(auth: Any, claims: Mapping[str, Any] | None,
                   secrets: Mapping[Union[str, EnvRef], str] | None) -> dict[str, EnvRef]:
    table: dict[str, EnvRef] = {}

    def add(value: Any, ref: EnvRef) -> None:
        text = str(value)
        if len(text) < 3:  # too short to find reliably; the header forms are replaced wholesale anyway
            return
        table.setdefault(text, ref)
        escaped = json.dumps(text, ensure_ascii=False)[1:-1]
        for form, how in ((escaped, "JSON-escaped"), (json.dumps(text)[1:-1], "JSON-escaped"),
                          (quote_plus(text), "URL-encoded"), (quote(text, safe=""), "URL-encoded")):
            if form != text:
                table.setdefault(form, EnvRef(f"{ref.name}_{how.split('-')[0].upper()}",
                                              f"{ref.description}, {how} as it appears in the request"))

    if auth is not None:
        names = getattr(auth, "secret_names", ())  # the strategy says what each of its secrets is
        for index, value in enumerate(auth.secret_values(claims)):
            name, text = names[index] if index < len(names) else (f"B2C_SECRET_{index + 1}", "a secret of the "
                                                                  f"{type(auth).__name__} authentication")
            add(value, EnvRef(name, text))
    for key, value in (secrets or {}).items():
        ref = key if isinstance(key, EnvRef) else EnvRef(key, "a secret value of the request")
        known = table.get(str(value))
        if known is not None and isinstance(key, EnvRef) and known.description != ref.description:
            # The auth strategy named it already; say which policy key it comes from as well.
            better = EnvRef(known.name, f"{known.description}: {ref.description}")
            table.update({text: better for text, r in table.items() if r == known})
            continue
        add(value, ref)
    for name, value in (claims or {}).items():
        if is_sensitive_claim(name) and value not in (None, ""):
            add(value, EnvRef(env_name("CLAIM", name), f"the value of claim {name!r}"))
    return table


def _with_fields(table: dict[str, EnvRef], request: WireRequest) -> dict[str, EnvRef]:
    # Password- and token-like fields the request carries, found even without the claims bag.
    for name, value in sensitive_fields(request).items():
        if len(value) >= 3:
            table.setdefault(value, EnvRef(env_name("CLAIM", name), f"the value of claim {name!r}"))
            table.setdefault(quote_plus(value), EnvRef(env_name("CLAIM", name, "URL"),
                                                       f"the value of claim {name!r}, URL-encoded as in the request"))
    return table


def bearer_description(auth: Any) -> str:
    """What the bearer token variable holds, for the strategy that sent it."""
    credentials = getattr(auth, "credentials", None)
    if credentials is not None:
        authority = getattr(credentials, "authority", "the token endpoint")
        return (f"an access token from {authority} (client credentials for client "
                f"{getattr(credentials, 'client_id', '?')!r}, scope {getattr(credentials, 'scope', '?')!r})")
    claim = getattr(auth, "claim", None)
    if claim:
        return f"the access token B2C reads from claim {claim!r} (REST-AcquireAccessToken outputs it)"
    return "the bearer token (policy key BearerAuthenticationToken)"


def secret_table(request: WireRequest, *, auth: Any = None, claims: Mapping[str, Any] | None = None,
                 secrets: Mapping[Union[str, EnvRef], str] | None = None) -> dict[str, EnvRef]:
    """Every secret value to keep out of an export, in each form it may take in the request, with its variable."""
    return _with_fields(_secret_values(auth, claims, secrets), request)
