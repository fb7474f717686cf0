"""Sending one request the way B2C does: TLS rules, timeout, retries, capped reads.

This is the one place that talks to the network for API calls and the one place where
requests/urllib3/ssl exceptions become ``TransportError``s, each carrying the user message B2C
would show (the profile's overrides, else the localized defaults of behaviour file §7.4).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import requests
import urllib3
from requests.adapters import HTTPAdapter

from . import logs
from .auth._strategies import AuthStrategy
from .tls import tls_context
from .errors import (
    CallError, ConnectionFailedError, DnsResolutionError, InvalidResponseError, RequestTimeoutError, TlsError,
    TransportError,
)
from .profile import UserMessages
from .result import Attempt
from .timing import TimingProfile
from .wire import WireRequest, query_secrets, redact_url, scrub_exception, sensitive_claim_values

__all__ = ["DEFAULT_MESSAGES", "Exchange", "Transport", "user_message"]

log = logging.getLogger(__name__)
logs.install()

#: B2C's localized defaults ("Restful service error messages" of localization-string-ids.md).
DEFAULT_MESSAGES = UserMessages(
    request_failed="Failed to establish connection to restful service end point. Restful service URL: {0}",
    request_timeout="Failed to establish connection to restful service end point within timeout limit {0} "
    "seconds. Restful service URL: {1}",
    dns_resolution_failed="Failed to resolve the hostname of the restful service endpoint. "
    "Restful service URL: {0}",
    circuit_open="{0} Restful Service URL: {1}",
)
_CHUNK = 1024 * 1024


def user_message(messages: UserMessages, kind: str, url: str, timeout: float = 0.0) -> str:
    """The text B2C shows for a failure ``kind``: the profile's override, else the default, filled in."""
    if getattr(messages, kind) is None and messages.request_failed is not None:
        kind = "request_failed"  # each specific message falls back to DefaultUserMessageIfRequestFailed
    template = getattr(messages, kind) or getattr(DEFAULT_MESSAGES, kind)
    shown = redact_url(url)
    args = (f"{timeout:g}", shown) if kind == "request_timeout" else (shown,)
    try:
        return template.format(*args)
    except (IndexError, KeyError, ValueError):
        return template  # a custom text with braces of its own is shown as written


@dataclass(frozen=True)
class Exchange:
    """An answer and the attempts it took; ``request`` is the redacted record of what was sent."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes
    attempts: tuple[Attempt, ...]
    sent: WireRequest = field(repr=False)  # as sent, secrets and all: never shown
    secrets: Sequence[str] = field(default=(), repr=False)
    secret_headers: Sequence[str] = field(default=(), repr=False)

    @functools.cached_property
    def request(self) -> WireRequest:
        """What was sent, safe to print; redacted on first use, since most calls never show it."""
        return self.sent.redacted(self.secrets, self.secret_headers)


class _TlsAdapter(HTTPAdapter):
    """An adapter whose connections use one prepared SSL context (B2C's TLS rules, client cert)."""

    def __init__(self, ssl_context: Any, **kwargs: Any) -> None:
        self._ssl_context = ssl_context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(*args, **kwargs)


def _is_dns_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror) or type(seen).__name__ == "NameResolutionError":
            return True
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and isinstance(
            seen.args[0], BaseException) else None)
    return False


def _classify(exc: Exception) -> str:
    if isinstance(exc, (requests.exceptions.SSLError, urllib3.exceptions.SSLError)):
        return "tls-error"
    if isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError)):
        return "timeout"
    if _is_dns_failure(exc):
        return "dns"
    return "connection-error"


class _Deadline(Exception):
    """The attempt ran out of time while the answer was still arriving."""


class Transport:
    """A keep-alive session held to B2C's transport rules, shared by every call of one profile."""

    def __init__(
        self,
        *,
        auth: AuthStrategy,
        timing: TimingProfile,
        ca_bundle: str | None = None,
        max_response_bytes: int = 4 * 1024 * 1024,
        messages: UserMessages | None = None,
    ) -> None:
        self.auth = auth
        self.timing = timing
        self.max_response_bytes = max_response_bytes
        self.messages = messages or UserMessages()
        # Sessions ignore the environment (proxies, .netrc, REQUESTS_CA_BUNDLE overriding verify):
        # the trust store is chosen here, per request, so tests behave the same on every machine.
        self._verify: str | bool = ca_bundle or os.environ.get("REQUESTS_CA_BUNDLE") or True
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.headers.clear()  # no requests defaults (User-Agent, Accept): B2C's own are unknown
        self._session.mount("https://", _TlsAdapter(auth.ssl_context or tls_context()))

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, response: requests.Response, deadline: float) -> bytes:
        # read1 returns what has arrived (a small answer in one call, a huge one stops at the cap),
        # and each socket read may only wait until the deadline: a server trickling its answer a
        # byte at a time would otherwise restart the read timeout with every byte, for ever.
        raw = response.raw
        read = getattr(raw, "read1", None) or raw.read  # urllib3 1.26 has no read1
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        try:
            return self._read_until(response, read, sock, deadline)
        finally:
            if sock is not None and sock.fileno() != -1:
                sock.settimeout(self.timing.timeout)  # the connection goes back to the pool as it came

    def _read_until(self, response: requests.Response, read: Any, sock: Any, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                response.close()
                raise _Deadline()
            if sock is not None:
                sock.settimeout(remaining)
            chunk = read(_CHUNK, decode_content=True)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_response_bytes:
                response.close()
                raise InvalidResponseError(
                    f"the answer is larger than {self.max_response_bytes} bytes; it was not read further",
                    status=response.status_code,
                    hint="B2C's own limit is undocumented; answers this large are almost certainly a bug",
                )
            chunks.append(chunk)

    def _attempt(self, request: WireRequest) -> requests.Response:
        timeout = self.timing.timeout
        return self._session.request(
            request.method, request.url, headers=dict(request.headers), data=request.body,
            timeout=(timeout, timeout), stream=True, allow_redirects=False, verify=self._verify,
        )

    def send(self, request: WireRequest, *, profile_id: str, claims: Mapping[str, Any] | None = None) -> Exchange:
        """Send with the timing profile's timeout and retries; return the answer or raise."""
        secrets = [*self.auth.secret_values(claims), *sensitive_claim_values(claims)]
        attempts: list[Attempt] = []
        last_kind: str = "connection-error"
        last_exc: Exception | None = None
        for number in range(1, self.timing.attempts + 1):
            started = time.perf_counter()
            deadline = time.monotonic() + self.timing.timeout
            try:
                response = self._attempt(request)
                try:
                    body = self._read(response, deadline)
                finally:
                    response.close()
            except _Deadline as exc:
                last_kind, last_exc = "timeout", exc
            except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                # The body is read from urllib3 directly, so its exceptions arrive unwrapped.
                last_kind, last_exc = _classify(exc), exc
            except CallError as exc:
                attempts.append(Attempt(number, None, _ms(started), "too-large", exc.message))
                exc.profile_id, exc.attempts = profile_id, tuple(attempts)
                exc.user_message = user_message(self.messages, "request_failed", request.url)
                raise
            else:
                attempts.append(Attempt(number, response.status_code, _ms(started), "answered"))
                log.debug("%s %s -> %s (%d bytes)", request.method, redact_url(request.url),
                          response.status_code, len(body))
                return Exchange(response.status_code, response.reason or "", dict(response.headers), body,
                                tuple(attempts), request, secrets, self.auth.secret_headers)
            attempts.append(Attempt(number, None, _ms(started), last_kind, type(last_exc).__name__))
            log.debug("%s %s attempt %d failed: %s", request.method, redact_url(request.url), number, last_kind)
            if last_kind == "tls-error":
                break  # a handshake that failed once fails again; B2C's retries are for slow or lost answers
        # requests' messages carry the full URL (``?code=`` key) and its exceptions the prepared request.
        scrub_exception(last_exc, [*self.auth.secret_values(claims), *query_secrets(request.url)])
        raise self._failure(last_kind, last_exc, request.url, profile_id, attempts)

    def _failure(self, kind: str, exc: BaseException | None, url: str, profile_id: str,
                 attempts: list[Attempt]) -> TransportError:
        shown = redact_url(url)
        retried = len(attempts) > 1
        common: dict[str, Any] = {
            "profile_id": profile_id, "attempts": attempts,
            "b2c_code": "AADB2C90162" if retried else None,
        }
        error: TransportError
        if kind == "timeout":
            error = RequestTimeoutError(
                f"{shown} did not answer within {self.timing.timeout:g} s ({len(attempts)} attempts, "
                f"timing profile {self.timing.name})",
                user_message=user_message(self.messages, "request_timeout", url, self.timing.timeout), **common)
        elif kind == "dns":
            error = DnsResolutionError(f"the host name of {shown} does not resolve",
                                       user_message=user_message(self.messages, "dns_resolution_failed", url),
                                       **common)
        elif kind == "tls-error":
            error = TlsError(
                f"TLS with {shown} failed: {_tls_reason(exc)}",
                user_message=user_message(self.messages, "request_failed", url),
                hint="B2C needs TLS 1.2+, one of its eight ECDHE suites and a trusted server certificate "
                "(`connector-sim tls-check URL` explains); for a local CA pass ca_bundle", **common)
        else:
            error = ConnectionFailedError(f"the connection to {shown} failed: {type(exc).__name__}",
                                          user_message=user_message(self.messages, "request_failed", url), **common)
        error.__cause__ = exc
        return error


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _tls_reason(exc: BaseException | None) -> str:
    text = str(exc)
    found = re.search(r"\[SSL: ([A-Z0-9_]+)\][^(']*", text) or re.search(r"(certificate verify failed[^(']*)", text)
    if found:
        return found.group(0).strip()
    found = re.search(r"SSLError\(\d*,? ?'([^']+)'", text)
    return found.group(1) if found else (type(exc).__name__ if exc else "handshake failed")
