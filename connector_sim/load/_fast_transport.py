"""Load mode's second transport: the same B2C call on geventhttpclient, the client under FastHttpUser.

``FastTransport`` is a ``connector_sim.transport.Transport`` whose one attempt goes through
geventhttpclient's connection pool and its C response parser instead of requests, and whose
every other rule is the core's own, inherited: B2C's timeout and retries, the per-attempt
deadline, the capped read, the translation table (``failure_kind``) and the complete
``TransportError`` of each failure kind. The request is the ``WireRequest`` that
``Caller.prepare`` built (encoding and auth), framed byte for byte as the requests transport
frames it (urllib3's request line, ``Host``, ``Accept-Encoding: identity`` and ``User-Agent``,
requests' ``Content-Length``): ``tests/load/test_fast_transport.py`` holds the two to the same
bytes on the wire. The trust store and client certificate are the profile's SSL context with the
CA bundle requests would verify against (the profile's ``ca_bundle``, else certifi's).

geventhttpclient sockets are gevent's: this transport is for processes gevent has patched
(Locust, ``connector-sim load``), where it costs a fraction of requests' time per call.
"""

from __future__ import annotations

import re
import ssl
import threading
import time
import zlib
from typing import Any, Dict, List, Tuple

import certifi
import urllib3
from geventhttpclient.connectionpool import ConnectionPool, SSLConnectionPool
from geventhttpclient.response import HTTPParseError, HTTPResponse
from requests.models import PreparedRequest
from urllib3.util.url import _encode_target, parse_url

from ..messages import UserMessages
from ..timing import TimingProfile
from ..transport import Transport, _Deadline, tls_context
from ..wire import WireRequest

__all__ = ["FastTransport", "hold_fast_caller", "use_fast_transport"]

_USER_AGENT = f"python-urllib3/{urllib3.__version__}"  # what the requests transport sends: B2C's own is unknown
_BLOCK = 64 * 1024
_ILLEGAL_VALUE = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])")  # http.client's rule for header values
_DEFAULT_PORTS = {"https": 443, "http": 80}
_TRUSTED: Dict[Tuple[int, str], ssl.SSLContext] = {}
_TRUSTED_LOCK = threading.Lock()


def _trusting(context: ssl.SSLContext | None, ca_bundle: str | None) -> ssl.SSLContext:
    # urllib3 loads the bundle into the adapter's context on every new connection; here it is
    # loaded once per (context, bundle) per process, into the same shared context.
    bundle = ca_bundle or certifi.where()  # requests' verify=True trusts certifi's bundle
    if context is None:
        context = tls_context()
    key = (id(context), bundle)
    with _TRUSTED_LOCK:
        if key not in _TRUSTED:
            context.load_verify_locations(cafile=bundle)
            _TRUSTED[key] = context
    return _TRUSTED[key]


class _Answer:
    """What ``Transport.send`` reads off one attempt's answer."""

    __slots__ = ("status_code", "reason", "headers")

    def __init__(self, status_code: int, reason: str, headers: Dict[str, str]) -> None:
        self.status_code, self.reason, self.headers = status_code, reason, headers


class _Target:
    """Where one URL goes and how its request line and Host header read, as requests and urllib3 make them."""

    __slots__ = ("key", "line_target", "host_header")

    def __init__(self, url: str) -> None:
        prepared = PreparedRequest()
        prepared.prepare_url(url, None)
        parts = parse_url(prepared.url or url)
        scheme, host = parts.scheme or "https", parts.host or ""
        port = parts.port or _DEFAULT_PORTS.get(scheme, 443)
        self.key = (scheme, host.strip("[]"), port)
        self.line_target = _encode_target(prepared.path_url)
        shown = host if ":" not in host or host.startswith("[") else f"[{host}]"
        self.host_header = shown if port == _DEFAULT_PORTS.get(scheme) else f"{shown}:{port}"


def _value(value: str | bytes) -> bytes:
    raw = value if isinstance(value, bytes) else str(value).encode("latin-1")
    if _ILLEGAL_VALUE.search(raw):
        raise ValueError("a header value holds a line break")
    return raw


def _head(request: WireRequest, target: _Target) -> bytes:
    """The request line and headers exactly as requests (on urllib3 and http.client) sends them."""
    given = {name.lower() for name in request.headers}
    lines = [f"{request.method} {target.line_target} HTTP/1.1".encode("ascii")]
    if "host" not in given:
        lines.append(b"Host: " + target.host_header.encode("ascii"))
    if "accept-encoding" not in given:
        lines.append(b"Accept-Encoding: identity")
    if "user-agent" not in given:
        lines.append(b"User-Agent: " + _USER_AGENT.encode("ascii"))
    headers: List[Tuple[str, str | bytes]] = list(request.headers.items())
    # requests' Content-Length: the body's length, or 0 for a bodiless verb other than GET and HEAD.
    length = str(len(request.body)) if request.body else (
        None if request.method in ("GET", "HEAD") or "content-length" in given else "0")
    if length is not None:
        at = next((i for i, (name, _) in enumerate(headers) if name.lower() == "content-length"), None)
        if at is None:
            headers.append(("Content-Length", length))
        else:
            headers[at] = (headers[at][0], length)
    for name, value in headers:
        lines.append(name.encode("ascii") + b": " + _value(value))
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _decoded(body: bytes, headers: Dict[str, str], limit: int) -> bytes:
    # urllib3 decodes gzip and deflate answers (decode_content=True); so does this transport.
    coding = next((v for k, v in headers.items() if k.lower() == "content-encoding"), "").strip().lower()
    if coding not in ("gzip", "x-gzip", "deflate") or not body:
        return body
    try:
        wbits = 16 + zlib.MAX_WBITS if coding != "deflate" else zlib.MAX_WBITS
        return zlib.decompressobj(wbits).decompress(body, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"the answer's {coding} content does not decode") from exc


class FastTransport(Transport):
    """B2C's transport rules (the core's ``Transport``) on geventhttpclient's pool and parser."""

    def __init__(self, *, timing: TimingProfile, ssl_context: ssl.SSLContext | None = None,
                 ca_bundle: str | None = None, max_response_bytes: int = 4 * 1024 * 1024,
                 messages: UserMessages | None = None, pool_size: int = 64) -> None:
        # No requests Session: only what Transport.send and _failure read is set here.
        self.timing = timing
        self.max_response_bytes = max_response_bytes
        self.messages = messages or UserMessages()
        self._ssl_context, self._ca_bundle = ssl_context, ca_bundle
        self._pool_size = pool_size
        self._pools: Dict[Tuple[str, str, int], ConnectionPool] = {}
        self._targets: Dict[str, _Target] = {}

    def close(self) -> None:
        """Close pooled connections."""
        pools, self._pools = self._pools, {}
        for pool in pools.values():
            pool.close()

    def _pool(self, target: _Target) -> ConnectionPool:
        pool = self._pools.get(target.key)
        if pool is None:
            scheme, host, port = target.key
            timeout = self.timing.timeout
            options: Dict[str, Any] = {"size": self._pool_size, "connection_timeout": timeout,
                                       "network_timeout": timeout}
            if scheme == "https":
                context = _trusting(self._ssl_context, self._ca_bundle)
                pool = SSLConnectionPool(host, port, host, port, ssl_context_factory=lambda **_: context, **options)
            else:
                pool = ConnectionPool(host, port, host, port, **options)
            self._pools[target.key] = pool
        return pool

    def _target(self, url: str) -> _Target:
        target = self._targets.get(url)
        if target is None:
            if len(self._targets) > 4096:  # query-string profiles make one URL per claims bag
                self._targets.clear()
            target = self._targets[url] = _Target(url)
        return target

    def _attempt(self, request: WireRequest, deadline: float) -> Tuple[_Answer, bytes]:  # type: ignore[override]
        target = self._target(request.url)
        message = _head(request, target) + (request.body or b"")
        pool = self._pool(target)
        try:
            sock = pool.get_socket()  # a new connection waits at most the timeout to connect
        except RuntimeError as exc:  # "Cannot resolve ...", "connection pool closed"
            raise ConnectionError(str(exc)) from exc
        kept = False
        try:
            sock.settimeout(_remaining(deadline))
            sock.sendall(message)
            parser = _Parser(request.method)
            self._read_answer(parser, sock, deadline)
            headers: Dict[str, str] = {}
            folded: Dict[str, str] = {}
            for name, value in parser.items():  # urllib3's merge: first spelling, values joined
                first = folded.setdefault(name.lower(), name)
                headers[first] = f"{headers[first]}, {value}" if first in headers else value
            answer = _Answer(parser.status_code, (parser.status_message or "").strip(), headers)
            body = _decoded(b"".join(parser.chunks), headers, self.max_response_bytes)
            kept = parser.message_complete and not parser.should_close()
            return answer, body
        except HTTPParseError as exc:  # geventhttpclient's parser: a broken answer
            raise ConnectionError(f"the answer could not be read: {exc}") from exc
        finally:
            if kept:
                pool.return_socket(sock)
            else:
                pool.release_socket(sock)  # closes it: a half-read answer must not meet the next call

    def _read_answer(self, parser: _Parser, sock: Any, deadline: float) -> None:
        # B2C's timeout bounds the whole attempt, as the core transport's watchdog does: each read
        # may only wait until the deadline, so a server that trickles its headers or body a byte at
        # a time, or sends interim 1xx answers for ever, cannot hold the attempt open.
        while not (parser.message_complete and parser.get_code() >= 200):
            sock.settimeout(_remaining(deadline))
            data = sock.recv(_BLOCK)
            parser.feed(data)  # b"" tells the parser the connection ended (an answer read to its close)
            if not data:
                if not (parser.message_complete and parser.get_code() >= 200):
                    raise ConnectionError("the connection closed before the end of the answer")
                return
            if parser.size > self.max_response_bytes:
                return  # the caller sees the size and refuses it; the socket is closed, not pooled


class _Parser(HTTPResponse):
    """geventhttpclient's response parser (C), keeping the body's chunks and their size."""

    def __init__(self, method: str) -> None:
        super().__init__(method=method)
        self.chunks: List[bytes] = []
        self.size = 0

    def _on_body(self, buf: bytearray) -> None:
        self.chunks.append(bytes(buf))
        self.size += len(buf)


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Deadline()
    return remaining


def hold_fast_caller(profile: Any) -> Any:
    """The ``Caller`` of ``profile`` on a ``FastTransport``, held by the profile (its ``call`` and ``close`` use it)."""
    from ..caller import Caller

    caller = Caller(profile, transport=FastTransport(
        timing=profile.timing_profile, ssl_context=profile.auth.ssl_context, ca_bundle=profile.ca_bundle,
        max_response_bytes=profile.emulation.max_response_bytes, messages=profile.messages))
    # RestfulProfile.call uses the caller it holds; journeys call profiles that way, so holding
    # this one routes every step of a session through the fast transport.
    profile.use_caller(caller)
    return caller


def use_fast_transport(endpoint: Any, *, ca_bundle: str | None = None,
                       max_response_bytes: int = 4 * 1024 * 1024) -> Any:
    """Put a connector or extension endpoint (``connectors.Endpoint``) on a ``FastTransport``; returns it."""
    old = endpoint.transport
    endpoint.transport = FastTransport(timing=endpoint.timing, ssl_context=endpoint.auth.ssl_context,
                                       ca_bundle=ca_bundle, max_response_bytes=max_response_bytes,
                                       messages=old.messages)
    old.close()
    return endpoint
