"""What goes over the wire: the request record and the redaction of secrets in it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import functools
import re
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, unquote_plus, urlencode, urlsplit, urlunsplit

__all__ = [
    "REDACTED", "SECRET_QUERY_PARAMETERS", "SENSITIVE_NAME", "WireRequest", "is_sensitive_claim", "query_secrets",
    "redact_claims", "redact_query_keys", "redact_text", "redact_url", "scrub_exception", "sensitive_claim_values",
]

REDACTED = "***"
#: Query parameters that carry keys (Azure Functions' ``code``, API keys): redacted in every record.
SECRET_QUERY_PARAMETERS = frozenset({"code", "key", "api-key", "apikey", "api_key", "sig", "client_secret"})
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
# ``code=...`` inside free text (a urllib3 log line, a requests exception message).
_QUERY_KEY = re.compile(r"([?&](?:%s)=)[^&\s\"'#)]*" % "|".join(re.escape(p) for p in sorted(SECRET_QUERY_PARAMETERS)),
                        re.IGNORECASE)


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


@functools.lru_cache(maxsize=256)
def _written_forms(secret: str) -> tuple[str, ...]:
    """A secret as written, and as it appears percent-encoded in URLs, forms and echoed links."""
    return tuple({secret, quote(secret, safe=""), quote_plus(secret)})


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of every secret value (also percent-encoded) replaced by ``***``."""
    forms = {form for s in secrets if s for form in _written_forms(s)}
    for secret in sorted(forms, key=len, reverse=True):
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


def redact_query_keys(text: str) -> str:
    """``text`` with the values of key-carrying query parameters (``?code=...``) masked wherever URLs appear."""
    return _QUERY_KEY.sub(r"\1" + REDACTED, text)


def query_secrets(url: str) -> list[str]:
    """The values of key-carrying query parameters of ``url``, as written and decoded, to mask in any text."""
    found: list[str] = []
    for pair in urlsplit(url).query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and unquote_plus(name).lower() in SECRET_QUERY_PARAMETERS:
            found.extend({value, unquote_plus(value)})
    return found


def scrub_exception(exc: BaseException | None, secrets: Iterable[str] = ()) -> None:
    """Mask secrets in a foreign exception chain (its messages, URLs, attached request) before it is chained.

    requests and urllib3 put the full URL, ``?code=`` key included, in their messages, and keep the
    prepared request (with its Authorization header) on the exception; tracebacks print the chain.
    """
    values = [s for s in secrets if len(s) >= 4]  # shorter ones would mask ordinary letters

    def clean(text: str) -> str:
        return redact_text(redact_query_keys(text), values)

    pending: list[Any] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        pending += [current.__cause__, current.__context__]
        try:
            current.args = tuple(clean(a) if isinstance(a, str) else a for a in current.args)
            for name, value in list(vars(current).items()):
                if isinstance(value, str):
                    setattr(current, name, clean(value))
                elif isinstance(value, BaseException):
                    pending.append(value)
                elif name == "request" and value is not None:
                    setattr(current, name, None)  # a requests.PreparedRequest: headers hold the credentials
        except (AttributeError, TypeError):  # an exception type with read-only attributes keeps them
            pass
        pending += [a for a in current.args if isinstance(a, BaseException)]


# Claims that hold credentials (bearerToken from REST-AcquireAccessToken, passwords): masked
# wherever a claims bag is printed. The bag itself keeps the real value for the next step.
SENSITIVE_NAME = re.compile(r"token(?!_?type)|secret|password|passwd|assertion|api_?key", re.IGNORECASE)


def is_sensitive_claim(name: str) -> bool:
    """True for claim names that hold credentials (``bearerToken``, ``password``...)."""
    return bool(SENSITIVE_NAME.search(name))


def sensitive_claim_values(claims: Mapping[str, Any] | None) -> list[str]:
    """The values of credential-holding claims (``password``, ``bearerToken``), to mask on the wire record."""
    return [str(v) for k, v in (claims or {}).items() if is_sensitive_claim(k) and v not in (None, "")]


def redact_claims(claims: Mapping[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
    """A copy of a claims bag with credential-holding claims masked."""
    also = set(extra)
    return {k: (REDACTED if (is_sensitive_claim(k) or k in also) and v not in (None, "") else v)
            for k, v in claims.items()}
