"""What goes over the wire: the request, the answer and the attempts, as records.

The same record classes hold what was really sent (secrets and all, never shown) and the
redacted copies a user sees (``redacted``): one shape for both, so nothing is printed by accident
from a second, hand-built view.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

from .redact import REDACTED, redact_text, redact_url

__all__ = ["BODY_SHOWN", "Attempt", "WireRequest", "WireResponse"]

#: How much of an answer a record keeps for display.
BODY_SHOWN = 64 * 1024
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def _mask_header(value: str) -> str:
    scheme, _, rest = value.partition(" ")
    return f"{scheme} {REDACTED}" if rest and scheme.lower() in ("basic", "bearer") else REDACTED


def _headers_shown(headers: Mapping[str, str | bytes], values: list[str], secret_headers: Iterable[str]) -> dict:
    hidden = _SECRET_HEADERS | {h.lower() for h in secret_headers}
    shown: dict[str, str | bytes] = {}
    for name, raw in headers.items():
        value = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
        shown[name] = _mask_header(value) if name.lower() in hidden else redact_text(value, values)
    return shown


@dataclass(frozen=True)
class WireRequest:
    """One HTTP request as B2C would send it: verb, URL, headers and body bytes."""

    method: str
    url: str
    headers: Mapping[str, str | bytes] = field(default_factory=dict)  # bytes: UTF-8 header values
    body: bytes | None = None

    def with_headers(self, extra: Mapping[str, str | bytes]) -> WireRequest:
        """A copy with headers added (auth strategies decorate requests this way)."""
        return WireRequest(self.method, self.url, {**self.headers, **extra}, self.body)

    def redacted(self, secrets: Iterable[str] = (), secret_headers: Iterable[str] = ()) -> WireRequest:
        """A copy safe to print: secret headers, key query parameters and secret values masked."""
        values = [s for s in secrets if s]
        body = self.body
        if body is not None and values:
            text = body.decode("utf-8", "surrogateescape")
            body = redact_text(text, values).encode("utf-8", "surrogateescape")
        return replace(self, url=redact_text(redact_url(self.url), values),
                       headers=_headers_shown(self.headers, values, secret_headers), body=body)

    def text(self) -> str | None:
        """The body as text (UTF-8, undecodable bytes escaped), or None."""
        return None if self.body is None else self.body.decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Attempt:
    """One try: its number, the HTTP status (None without an answer), time taken and outcome."""

    number: int
    status: int | None
    elapsed_ms: float
    outcome: str  # "answered", "timeout", "dns", "connection-error", "tls-error", "too-large"
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"number": self.number, "status": self.status, "elapsed_ms": round(self.elapsed_ms, 3),
                "outcome": self.outcome, "error": self.error}


@dataclass(frozen=True)
class WireResponse:
    """An answer as received: status, reason, headers, the body's bytes and the attempts it took."""

    status: int
    reason: str
    headers: Mapping[str, str]
    content: bytes = field(repr=False)
    attempts: tuple[Attempt, ...] = ()
    truncated: bool = False  # a redacted copy keeps only the first BODY_SHOWN bytes

    @property
    def body(self) -> str:
        """The body as text (UTF-8, undecodable bytes escaped)."""
        return self.content.decode("utf-8", "backslashreplace")

    def redacted(self, secrets: Iterable[str] = ()) -> WireResponse:
        """A copy safe to print: capped at BODY_SHOWN bytes, secret values masked in body and headers."""
        values = [s for s in secrets if s]
        text = redact_text(self.content[:BODY_SHOWN].decode("utf-8", "backslashreplace"), values)
        headers = {name: redact_text(value, values) for name, value in self.headers.items()}
        return replace(self, headers=headers, content=text.encode("utf-8", "surrogateescape"),
                       truncated=self.truncated or len(self.content) > BODY_SHOWN)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"status": self.status, "reason": self.reason, "headers": dict(self.headers),
                "body": self.body, "truncated": self.truncated}


#: The first version's name for a recorded answer; the same record now.
RecordedResponse = WireResponse
