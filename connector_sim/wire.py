"""What goes over the wire: the request record and the redaction of secrets in it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import functools
import re
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "REDACTED", "SECRET_QUERY_PARAMETERS", "SENSITIVE_NAME", "WireRequest", "is_sensitive_claim", "redact_claims", "redact_text",
    "redact_url",
]

REDACTED = "***"
#: Query parameters that carry keys (Azure Functions' ``code``, API keys): redacted in every record.
SECRET_QUERY_PARAMETERS = frozenset({"code", "key", "api-key", "apikey", "api_key", "sig", "client_secret"})
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


@dataclass(frozen=True)
class WireRequest:
    """One HTTP request as B2C would send it: verb, URL, headers and body bytes."""

    method: str
    url: str
    headers: Mapping[str, str | bytes] = field(default_factory=dict)  # bytes: UTF-8 header values
    body: bytes | None = None

    def with_headers(self, extra: Mapping[str, str | bytes]) -> WireRequest:
        """A copy with headers added (auth strategies decorate requests this way)."""
        return replace(self, headers={**self.headers, **extra})

    def redacted(self, secrets: Iterable[str] = (), secret_headers: Iterable[str] = ()) -> WireRequest:
        """A copy safe to print: secret headers, key query parameters and secret values masked."""
        values = [s for s in secrets if s]
        hidden = _SECRET_HEADERS | {h.lower() for h in secret_headers}
        headers: dict[str, str | bytes] = {}
        for name, raw in self.headers.items():
            value = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
            headers[name] = _mask_header(value) if name.lower() in hidden else redact_text(value, values)
        body = self.body
        if body is not None and values:
            text = body.decode("utf-8", "surrogateescape")
            body = redact_text(text, values).encode("utf-8", "surrogateescape")
        return replace(self, url=redact_text(redact_url(self.url), values), headers=headers, body=body)

    def text(self) -> str | None:
        """The body as text (UTF-8, undecodable bytes escaped), or None."""
        return None if self.body is None else self.body.decode("utf-8", "backslashreplace")


def _mask_header(value: str) -> str:
    scheme, _, rest = value.partition(" ")
    return f"{scheme} {REDACTED}" if rest and scheme.lower() in ("basic", "bearer") else REDACTED


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of every secret value replaced by ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


@functools.lru_cache(maxsize=256)  # a profile calls the same URL again and again
def redact_url(url: str) -> str:
    """``url`` with key-carrying query parameters (``?code=``) and userinfo masked."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    if not parts.query:
        return urlunsplit(parts._replace(netloc=netloc))
    pairs = [
        (k, REDACTED if k.lower() in SECRET_QUERY_PARAMETERS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(pairs, safe="*/:")))


# Claims that hold credentials (bearerToken from REST-AcquireAccessToken, passwords): masked
# wherever a claims bag is printed. The bag itself keeps the real value for the next step.
SENSITIVE_NAME = re.compile(r"token|secret|password|passwd|assertion|api_?key", re.IGNORECASE)


def is_sensitive_claim(name: str) -> bool:
    """True for claim names that hold credentials (``bearerToken``, ``password``...)."""
    return bool(SENSITIVE_NAME.search(name))


def redact_claims(claims: Mapping[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
    """A copy of a claims bag with credential-holding claims masked."""
    also = set(extra)
    return {k: (REDACTED if (is_sensitive_claim(k) or k in also) and v not in (None, "") else v)
            for k, v in claims.items()}
