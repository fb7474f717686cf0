"""Sending one request the way B2C does: TLS rules (``_tls``), deadlines (``_deadline``), retries, capped reads.

This is the one place that talks to the network for API calls, and ``_TRANSLATIONS`` is the one
table that turns every exception requests, urllib3, ssl and socket can raise into a failure
kind, so each ``TransportError`` is complete when raised: profile, attempts, the user message B2C
would show (the profile's overrides, else the localized defaults of behaviour file §7.4), and
a message and cause chain with the call's secrets already masked.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
import time
from typing import Any, Iterator

import requests
import urllib3

from ..errors import (
    ConnectionFailedError,
    DnsResolutionError,
    InvalidResponseError,
    RequestTimeoutError,
    TlsError,
    TransportError,
)
from ..messages import UserMessages, user_message
from ..redact import CURRENT_SECRETS, Secrets, install_log_filter
from ..timing import TimingProfile
from ..wire import Attempt, WireRequest, WireResponse
from . import _pools
from ._deadline import ATTEMPT
from ._prepare import prepared_request
from ._tls import B2C_CIPHERS, TlsAdapter, bundle_identity, server_trust_context, tls_context, trust

__all__ = [
    "B2C_CIPHERS", "FAILURE_KINDS", "TlsAdapter", "Transport", "bundle_identity", "failure_kind",
    "server_trust_context", "tls_context", "trust",
]

log = logging.getLogger(__name__)
install_log_filter()
_CHUNK = 1024 * 1024


class _Deadline(Exception):
    """The attempt ran out of time while the answer was still arriving."""


#: Foreign exception -> failure kind, most specific first. An exception's whole chain (cause,
#: context, wrapped ``reason`` and ``args``) is searched for the first row that matches, in row
#: order, so a DNS failure that requests wraps in a ConnectionError is still "dns".
_TRANSLATIONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((_Deadline,), "timeout"),
    ((requests.exceptions.SSLError, urllib3.exceptions.SSLError, ssl.SSLError,
      ssl.CertificateError), "tls-error"),
    ((requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, socket.timeout, TimeoutError), "timeout"),
    ((urllib3.exceptions.NameResolutionError, socket.gaierror, socket.herror), "dns"),
    ((requests.exceptions.RequestException, urllib3.exceptions.HTTPError, urllib3.exceptions.HTTPWarning,
      OSError, ValueError, EOFError), "connection-error"),
)
FAILURE_KINDS = ("timeout", "tls-error", "dns", "connection-error")
#: What the transport catches around one attempt: everything the table can translate.
_CAUGHT = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError, EOFError,
           _Deadline)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None),
                    *[a for a in current.args if isinstance(a, BaseException)]]


def failure_kind(exc: BaseException) -> str:
    """The failure kind of a foreign exception, by the one translation table."""
    chain = list(_chain(exc))
    for classes, kind in _TRANSLATIONS:
        # TLS and timeouts are read off the exception itself: a timeout's chain may hold an SSL
        # read error, and a TLS failure is never retried.
        candidates = chain if kind in ("dns", "connection-error") else chain[:1]
        if any(isinstance(e, classes) for e in candidates):
            return kind
    return "connection-error"


class Transport:
    """B2C's transport rules around a keep-alive pool shared by every transport with the same TLS identity."""

    def __init__(
        self,
        *,
        timing: TimingProfile,
        ssl_context: ssl.SSLContext | None = None,
        ca_bundle: str | None = None,
        max_response_bytes: int = 4 * 1024 * 1024,
        messages: UserMessages | None = None,
        shared: bool = True,
    ) -> None:
        """``ssl_context`` carries B2C's rules, the trust store and any client certificate
        (``AuthStrategy.ssl_context_for``); without one, the CA bundle's shared context is used.
        ``shared=False`` gives the transport connections of its own (a load-test user is one client)."""
        self.timing = timing
        self.max_response_bytes = max_response_bytes
        self.messages = messages or UserMessages()
        self._context = ssl_context or server_trust_context(ca_bundle)
        self._shared = shared
        self._session: requests.Session | None = self._open_session()
        self._hosts: set[str] = set()  # "host:port" of each server called, closed with this transport

    def _open_session(self) -> requests.Session:
        return _pools.acquire(self._context) if self._shared else _pools.new_session(self._context)

    def close(self) -> None:
        """Let go of the pool (the last transport sharing it closes its connections)."""
        session, self._session = self._session, None
        if session is not None and self._shared:
            _pools.release(self._context, self._hosts)
        elif session is not None:
            session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _live_session(self) -> requests.Session:
        if self._session is None:  # used again after close(): take the pool again
            self._session = self._open_session()
        return self._session

    def _read(self, response: requests.Response, deadline: float) -> bytes:
        # read1 returns what has arrived (a small answer in one call, a huge one stops at the cap),
        # and each socket read may only wait until the deadline: a server trickling its answer a
        # byte at a time would otherwise restart the read timeout with every byte, for ever.
        raw = response.raw
        read = getattr(raw, "read1", None) or raw.read  # urllib3 1.26 has no read1
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        # urllib3 sets the socket's timeout again before it reuses the connection.
        return self._read_until(response, read, sock, deadline)

    def _read_until(self, response: requests.Response, read: Any, sock: Any, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        # Without a content coding the bytes read are the body; a decoder may still hold some.
        plain = response.headers.get("Content-Encoding", "identity").lower() in ("", "identity")
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                response.close()
                raise _Deadline()
            if sock is not None and sock.fileno() != -1:
                sock.settimeout(remaining)
            chunk = read(_CHUNK, decode_content=True)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_response_bytes:
                response.close()
                return b"".join(chunks) + chunk  # the caller sees the size and refuses it
            chunks.append(chunk)
            if plain and response.raw.length_remaining == 0:  # the whole Content-Length is in: no last read
                return b"".join(chunks)

    def _attempt(self, request: WireRequest, deadline: float) -> tuple[requests.Response, bytes]:
        timeout = self.timing.timeout
        ATTEMPT.deadline, ATTEMPT.expired = deadline, False
        self._hosts.add(request.url.split("/", 3)[2].rpartition("@")[2])
        try:
            # The adapter itself: no redirect is followed, no cookie is kept or sent (B2C does neither).
            prepared = prepared_request(request)
            response = self._live_session().get_adapter(request.url).send(
                prepared, timeout=(timeout, timeout), stream=True, verify=True, proxies={}, cert=None)
        except _CAUGHT:
            if ATTEMPT.expired:
                raise _Deadline() from None  # the watchdog ended it: B2C's timeout, not a lost connection
            raise
        finally:
            ATTEMPT.deadline = None
        try:
            return response, self._read(response, deadline)
        finally:
            response.close()

    def send(self, request: WireRequest, *, profile_id: str, secrets: Secrets | None = None) -> WireResponse:
        """Send with the timing profile's timeout and retries; return the answer or raise."""
        secrets = secrets if secrets is not None else Secrets()
        token = CURRENT_SECRETS.set(secrets)  # urllib3's DEBUG lines quote the URL
        try:
            return self._send(request, profile_id, secrets)
        finally:
            CURRENT_SECRETS.reset(token)

    def _send(self, request: WireRequest, profile_id: str, secrets: Secrets) -> WireResponse:
        attempts: list[Attempt] = []
        kind, failure = "connection-error", None
        for number in range(1, self.timing.attempts + 1):
            started = time.perf_counter()
            try:
                response, body = self._attempt(request, time.monotonic() + self.timing.timeout)
            except _CAUGHT as exc:
                kind, failure = failure_kind(exc), exc
            else:
                if len(body) > self.max_response_bytes:
                    attempts.append(Attempt(number, response.status_code, _ms(started), "too-large"))
                    raise InvalidResponseError(
                        f"the answer is larger than {self.max_response_bytes} bytes; it was not read further",
                        http_status=response.status_code, profile_id=profile_id, attempts=attempts,
                        user_message=user_message(self.messages, "request_failed", secrets.url(request.url)),
                        hint="B2C's own limit is undocumented; answers this large are almost certainly a bug")
                attempts.append(Attempt(number, response.status_code, _ms(started), "answered"))
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s %s -> %s (%d bytes)", request.method, secrets.url(request.url),
                              response.status_code, len(body))
                # requests' case-insensitive headers as they are: a record copies them when it is shown.
                return WireResponse(response.status_code, response.reason or "", response.headers, body,
                                    tuple(attempts))
            attempts.append(Attempt(number, None, _ms(started), kind, type(failure).__name__))
            log.debug("%s %s attempt %d failed: %s", request.method, secrets.url(request.url), number, kind)
            if kind == "tls-error":
                break  # a handshake that failed once fails again; B2C's retries are for slow or lost answers
        # requests' messages carry the full URL (``?code=`` key) and its exceptions the prepared request.
        secrets.exception(failure)
        raise self._failure(kind, failure, request.url, profile_id, attempts, secrets)

    def _failure(self, kind: str, exc: BaseException | None, url: str, profile_id: str,
                 attempts: list[Attempt], secrets: Secrets) -> TransportError:
        shown = secrets.url(url)
        common: dict[str, Any] = {
            "profile_id": profile_id, "attempts": attempts,
            "b2c_code": "AADB2C90162" if len(attempts) > 1 else None,
        }
        error: TransportError
        if kind == "timeout":
            error = RequestTimeoutError(
                f"{shown} did not answer within {self.timing.timeout:g} s ({len(attempts)} attempts, "
                f"timing profile {self.timing.name})",
                user_message=user_message(self.messages, "request_timeout", shown, self.timing.timeout), **common)
        elif kind == "dns":
            error = DnsResolutionError(f"the host name of {shown} does not resolve",
                                       user_message=user_message(self.messages, "dns_resolution_failed", shown),
                                       **common)
        elif kind == "tls-error":
            error = TlsError(
                f"TLS with {shown} failed: {_tls_reason(exc)}",
                user_message=user_message(self.messages, "request_failed", shown),
                hint="B2C needs TLS 1.2+, one of its eight ECDHE suites and a trusted server certificate "
                "(`connector-sim tls-check URL` explains); for a local CA pass ca_bundle", **common)
        else:
            error = ConnectionFailedError(f"the connection to {shown} failed: {type(exc).__name__}",
                                          user_message=user_message(self.messages, "request_failed", shown), **common)
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
