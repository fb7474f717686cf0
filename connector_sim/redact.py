"""Keeping secrets out of everything connector_sim shows: texts, records, claims, logs, exceptions.

``Secrets`` is built once per call from the strategy's credentials, the key values, ``?code=``
keys and credential-holding claims. Masking decodes before it compares: an API that echoes a
secret percent-encoded (either case, any safe set), form-encoded, with JSON ``\\uXXXX`` escapes
or inside a Python ``repr`` still has it masked, because the text is read the way a client would
read it and each match is mapped back to the characters that spelled it.
"""

from __future__ import annotations

import contextvars
import logging
import re
from typing import Any, Callable, Iterable, Iterator, Mapping
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = [
    "CURRENT_SECRETS", "REDACTED", "SECRET_QUERY_PARAMETERS", "SENSITIVE_NAME", "QueryKeyFilter", "Secrets",
    "install_log_filter",
    "is_sensitive_claim", "query_secrets", "redact_claims", "redact_query_keys", "redact_text", "redact_url",
    "scrub_exception", "sensitive_claim_values",
]

REDACTED = "***"
#: Query parameters that carry keys (Azure Functions' ``code``, API keys): redacted in every record.
SECRET_QUERY_PARAMETERS = frozenset({"code", "key", "api-key", "apikey", "api_key", "sig", "client_secret"})
# ``code=...`` inside free text (a urllib3 log line, a requests exception message).
_QUERY_KEY = re.compile(r"([?&](?:{})=)[^&\s\"'#)]*".format("|".join(map(re.escape, sorted(SECRET_QUERY_PARAMETERS)))),
                        re.IGNORECASE)
# Claims that hold credentials (bearerToken from REST-AcquireAccessToken, passwords): masked
# wherever a claims bag is printed. The bag itself keeps the real value for the next step.
SENSITIVE_NAME = re.compile(r"token(?!_?type)|secret|password|passwd|assertion|api_?key", re.IGNORECASE)
#: Values shorter than this would mask ordinary letters of a message.
_MIN_SECRET = 4

# One encoded unit: a %XX byte, a backslash escape (JSON, Python repr), or any one character.
_UNIT = re.compile(r"%[0-9A-Fa-f]{2}|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
                   r"|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\\"'/bfnrt]|.", re.DOTALL)
_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\'": "'", "\\/": "/", "\\b": "\b", "\\f": "\f", "\\n": "\n",
            "\\r": "\r", "\\t": "\t"}
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}|\\[u\\\"'/bfnrtx]|\+")


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


def query_secrets(url: str) -> list[str]:
    """The values of key-carrying query parameters of ``url``, as written and decoded, to mask in any text."""
    found: list[str] = []
    for pair in urlsplit(url).query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and unquote_plus(name).lower() in SECRET_QUERY_PARAMETERS:
            found.extend({value, unquote_plus(value)})
    return found


def _decode_units(text: str, plus_is_space: bool) -> Iterator[tuple[str, int, int]]:
    """Each character as a client would read it, with the span of ``text`` that spelled it."""
    pending = b""  # the %XX bytes of a UTF-8 character still being read
    pending_start = 0
    for match in _UNIT.finditer(text):
        unit, start, end = match.group(0), match.start(), match.end()
        if len(unit) == 3 and unit[0] == "%":
            pending_start = start if not pending else pending_start
            pending += bytes.fromhex(unit[1:])
            try:
                char = pending.decode("utf-8")
            except UnicodeDecodeError:
                if len(pending) < 4:
                    continue  # a multi-byte character is not complete yet
                char = pending.decode("latin-1")[-1]
            pending = b""
            yield char, pending_start, end
            continue
        pending = b""
        if unit.startswith("\\u") and len(unit) == 12:
            high, low = int(unit[2:6], 16), int(unit[8:12], 16)
            yield chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)), start, end
        elif unit.startswith(("\\u", "\\x")):
            yield chr(int(unit[2:], 16)), start, end
        elif unit in _ESCAPES:
            yield _ESCAPES[unit], start, end
        elif unit == "+" and plus_is_space:
            yield " ", start, end
        else:
            yield unit, start, end


def _encoded_spans(text: str, values: list[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` that spell a secret once decoded (percent, form, JSON or repr escapes)."""
    spans: list[tuple[int, int]] = []
    for plus_is_space in (False, True):
        units = list(_decode_units(text, plus_is_space))
        decoded = "".join(unit[0] for unit in units)
        for value in values:
            at = decoded.find(value)
            while at >= 0:
                spans.append((units[at][1], units[at + len(value) - 1][2]))
                at = decoded.find(value, at + len(value))
    return spans


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value masked, however a server may have encoded it."""
    values = sorted({s for s in secrets if isinstance(s, str) and s}, key=len, reverse=True)
    if not values:
        return text
    for value in values:
        text = text.replace(value, REDACTED)
    if not _ENCODED.search(text):
        return text  # the common case: nothing encoded, nothing more to find
    spans = sorted(_encoded_spans(text, values))
    if not spans:
        return text
    out: list[str] = []
    position = 0
    for start, end in spans:
        if end <= position:
            continue
        out.append(text[position:max(start, position)])
        out.append(REDACTED)
        position = end
    out.append(text[position:])
    return "".join(out)


def redact_url(url: str) -> str:
    """``url`` with key-carrying query parameters (``?code=``) and userinfo masked.

    Only the key's value is replaced, in place: every other byte of the URL stays as it was sent,
    so a recorded URL (and a replay of it) is identical to what went on the wire.
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    pairs = [pair.partition("=") for pair in parts.query.split("&")] if parts.query else []
    query = "&".join(f"{name}={REDACTED}" if sep and unquote_plus(name).lower() in SECRET_QUERY_PARAMETERS
                     else name + sep + value for name, sep, value in pairs)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def redact_query_keys(text: str) -> str:
    """``text`` with the values of key-carrying query parameters (``?code=...``) masked wherever URLs appear."""
    return _QUERY_KEY.sub(r"\1" + REDACTED, text)


class Secrets:
    """Every value one call must never show, gathered once; masks texts, claims and exception chains.

    The values are gathered on first use: most calls succeed and show nothing, so they never pay.
    """

    __slots__ = ("_source", "_values")

    def __init__(self, values: Iterable[Any] = (), *, source: Callable[[], Iterable[Any]] | None = None) -> None:
        self._source = source
        self._values: tuple[str, ...] | None = None if source is not None else self._clean(values)

    @staticmethod
    def _clean(values: Iterable[Any]) -> tuple[str, ...]:
        return tuple(sorted({str(v) for v in values if v not in (None, "") and len(str(v)) >= _MIN_SECRET},
                            key=len, reverse=True))

    @property
    def values(self) -> tuple[str, ...]:
        """The secret values, longest first (so a secret inside another is masked whole)."""
        if self._values is None:
            self._values = self._clean(self._source() if self._source is not None else ())
        return self._values

    @classmethod
    def for_call(cls, auth: Any, url: str, claims: Mapping[str, Any] | None = None,
                 extra: Iterable[str] = ()) -> Secrets:
        """The secrets of one call: the strategy's, ``?code=`` keys, credential claims and any extra."""
        return cls(source=lambda: [*auth.secret_values(claims), *query_secrets(url),
                                   *sensitive_claim_values(claims), *extra])

    def __add__(self, more: Iterable[str]) -> Secrets:
        extra = list(more)
        return Secrets(source=lambda: [*self.values, *extra]) if extra else self

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)

    def __repr__(self) -> str:
        return f"Secrets({len(self.values)} values)"

    def text(self, text: str) -> str:
        """``text`` with every secret and every ``?code=`` key masked."""
        return redact_text(redact_query_keys(text), self.values)

    def url(self, url: str) -> str:
        """A URL safe to print: keys in its query, userinfo and secret values masked."""
        return redact_text(redact_url(url), self.values)

    def error(self, error: BaseException) -> None:
        """Mask these secrets in every text of one of connector_sim's errors (an API may echo them back)."""
        if not self.values:
            return
        for name, value in list(vars(error).items()):
            if isinstance(value, str):
                setattr(error, name, redact_text(value, self.values))
        error.args = tuple(redact_text(a, self.values) if isinstance(a, str) else a for a in error.args)

    def exception(self, exc: BaseException | None) -> None:
        """Mask these secrets in a foreign exception chain before it is chained (see ``scrub_exception``)."""
        scrub_exception(exc, self.values)

def scrub_exception(exc: BaseException | None, secrets: Iterable[str] = ()) -> None:
    """Mask secrets in a foreign exception chain (its messages, URLs, attached request) before it is chained.

    requests and urllib3 put the full URL, ``?code=`` key included, in their messages, and keep the
    prepared request (with its Authorization header) on the exception; tracebacks print the chain.
    """
    values = [s for s in secrets if len(s) >= _MIN_SECRET]

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


#: The secrets of the call under way in this context, for log records written by other libraries.
CURRENT_SECRETS: contextvars.ContextVar[Secrets | None] = contextvars.ContextVar("connector_sim_secrets",
                                                                                  default=None)


class QueryKeyFilter(logging.Filter):
    """Masks ``code=``, ``key=``... query values, and the call's own secrets, in a record.

    urllib3 logs each request line at DEBUG, query string included: an Azure Functions key
    travels as ``?code=...``, and a password or bearer claim sent as a query parameter would be
    in that line too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        secrets = CURRENT_SECRETS.get()
        values = secrets.values if secrets is not None else ()

        def clean(text: str) -> str:
            return redact_text(redact_query_keys(text), values)

        if isinstance(record.msg, str):
            record.msg = clean(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(clean(a) if isinstance(a, str) else a for a in record.args)
        return True


_FILTER = QueryKeyFilter()


def install_log_filter() -> None:
    """Attach the filter to the loggers that print URLs (idempotent)."""
    for name in ("urllib3.connectionpool", "urllib3.connection", "msal"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
