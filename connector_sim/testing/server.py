"""`TlsServer`: a real HTTPS server on 127.0.0.1 for transport-level tests.

It answers through a handler (a function of `ServerRequest`), records every request with what
TLS said about the client, and can misbehave on purpose: weak TLS versions or suites, expired
or self-signed server certificates, hangs, resets, truncated answers, slow and huge bodies.
`stop()` unblocks and joins every thread it started and closes every socket it opened.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Callable, List, Optional, Set

from ._http import ThreadedServer
from .certificates import CertificateSet, make_certificates
from .replies import Handler, ServerRequest, default_handler
from .tls import ServerCert, TlsVersionLike, build_server_context

__all__ = ["TlsServer", "unused_port_url"]

_JOIN_DEADLINE = 5.0


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def unused_port_url(path: str = "/", *, scheme: str = "https", host: str = "127.0.0.1") -> str:
    """A URL on `host` at a port nothing listens on right now (connections are refused)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    return f"{scheme}://{_host_for_url(host)}:{port}{path if path.startswith('/') else '/' + path}"


class TlsServer:
    """An HTTPS (or plain HTTP) server in background threads that records what it receives.

    `handler(request)` returns a `Reply`, a `Fault`, None (200 `{}`), a status, or a tuple
    `(status, body)` / `(status, headers, body)`; dict and list bodies are sent as JSON. It may
    be replaced at any time. Without `certificates` a fresh `CertificateSet` is made, and
    deleted on `stop()`. `server_cert` overrides the presented certificate (for example
    `certs.expired_server` or `certs.self_signed_server`); `plain_http` turns TLS off.

    Client certificates issued by the set's CA are always asked for. With `require_client_cert`
    a call without a valid one fails the handshake; without it the certificate is optional and
    its dates are not checked, so `ServerRequest.client_cert_subject` shows even an expired one.
    A certificate from another CA (or self-signed) fails the handshake in both modes.
    """

    def __init__(
        self,
        handler: Optional[Handler] = None,
        *,
        certificates: Optional[CertificateSet] = None,
        require_client_cert: bool = False,
        tls_min_version: Optional[TlsVersionLike] = None,
        tls_max_version: Optional[TlsVersionLike] = None,
        ciphers: Optional[str] = None,
        server_cert: Optional[ServerCert] = None,
        plain_http: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        if plain_http and (require_client_cert or tls_min_version or tls_max_version or ciphers or server_cert):
            raise ValueError("plain_http servers take no TLS options")
        self.handler: Handler = handler or default_handler
        self.host = host
        self.plain_http = plain_http
        self.certificates = certificates
        self._owns_certificates = certificates is None and not plain_http
        self._tls_options = dict(
            server_cert=server_cert, require_client_cert=require_client_cert,
            tls_min_version=tls_min_version, tls_max_version=tls_max_version, ciphers=ciphers,
        )
        self._ssl_context: Optional[ssl.SSLContext] = None
        self._lock = threading.Lock()
        self._recorded = threading.Condition(self._lock)
        self._requests: List[ServerRequest] = []
        self._conns: Set[socket.socket] = set()
        self._workers: List[threading.Thread] = []
        self._stopping_event = threading.Event()
        self._httpd: Optional[ThreadedServer] = None
        self._serve_thread: Optional[threading.Thread] = None
        self._reserved: Optional[socket.socket] = None
        self.tls_failures: List[str] = []
        """Why each failed TLS handshake failed, as OpenSSL put it."""
        self.handler_errors: List[BaseException] = []
        """Exceptions raised by the handler (each answered with a 500)."""

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> TlsServer:
        """Bind a free port and start serving; returns self."""
        if self._httpd is not None:
            return self
        if self._stopping_event.is_set():
            raise RuntimeError("a stopped TlsServer cannot be started again; make a new one")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            if not self.plain_http:
                self._ssl_context = self._build_context()
            self._httpd = ThreadedServer(self, (self.host, 0), family)
        except BaseException:
            self._cleanup_certificates()
            raise
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"connector-sim-server-{self.port}", daemon=True,
        )
        self._serve_thread.start()
        return self

    def _build_context(self) -> ssl.SSLContext:
        if self.certificates is None:
            # Made here rather than in __init__ so a server never started leaves no files behind.
            self.certificates = make_certificates()
        options = dict(self._tls_options)
        server_cert = options.pop("server_cert") or self.certificates.server
        return build_server_context(server_cert, client_ca=self.certificates.ca, **options)  # type: ignore[arg-type]

    def stop(self) -> None:
        """Stop serving, cut open connections, join every thread and close every socket."""
        with self._lock:
            httpd, self._httpd = self._httpd, None
            self._stopping_event.set()
            conns = list(self._conns)
        if httpd is not None:
            httpd.shutdown()
            for conn in conns:
                try:
                    # socket.socket.shutdown, not SSLSocket.shutdown: it must act on the file
                    # descriptor so a thread blocked in a TLS read or handshake wakes up.
                    socket.socket.shutdown(conn, socket.SHUT_RDWR)
                except OSError:
                    pass
            deadline = time.monotonic() + _JOIN_DEADLINE
            for worker in list(self._workers):
                worker.join(max(0.0, deadline - time.monotonic()))
            httpd.server_close()
            if self._serve_thread is not None:
                self._serve_thread.join(max(0.1, deadline - time.monotonic()))
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
        self._cleanup_certificates()

    def _cleanup_certificates(self) -> None:
        if self._owns_certificates and self.certificates is not None:
            self.certificates.cleanup()
            self.certificates = None

    def __enter__(self) -> TlsServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._httpd is None:
            raise RuntimeError("the server is not running; call start() or use it as a context manager")
        return int(self._httpd.server_address[1])

    @property
    def scheme(self) -> str:
        """"https", or "http" for a plain_http server."""
        return "http" if self.plain_http else "https"

    @property
    def base_url(self) -> str:
        """scheme://host:port, without a trailing slash."""
        return f"{self.scheme}://{_host_for_url(self.host)}:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    @property
    def ca_pem(self) -> Optional[Path]:
        """The CA certificate that signed the server certificate: pass it as `verify=` (None for HTTP)."""
        return self.certificates.ca_pem if self.certificates is not None else None

    def down_url(self, path: str = "/") -> str:
        """A URL on this host whose port is held, but not listened on, until `stop()`."""
        if self._reserved is None:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            self._reserved = socket.socket(family, socket.SOCK_STREAM)
            self._reserved.bind((self.host, 0))
        port = self._reserved.getsockname()[1]
        return f"{self.scheme}://{_host_for_url(self.host)}:{port}{path if path.startswith('/') else '/' + path}"

    # -- recording -------------------------------------------------------------------------
    @property
    def requests(self) -> List[ServerRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> Optional[ServerRequest]:
        """The most recent request, or None."""
        with self._lock:
            return self._requests[-1] if self._requests else None

    def clear(self) -> None:
        """Forget recorded requests, TLS failures and handler errors."""
        with self._lock:
            self._requests.clear()
            self.tls_failures.clear()
            self.handler_errors.clear()

    def wait_for_requests(self, count: int = 1, timeout: float = 5.0) -> List[ServerRequest]:
        """Block until `count` requests are recorded; raises TimeoutError after `timeout` seconds."""
        with self._recorded:
            if not self._recorded.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(f"{len(self._requests)} of {count} requests arrived within {timeout} s")
            return list(self._requests)

    # -- called from connection threads ----------------------------------------------------
    def _record_request(self, request: ServerRequest) -> None:
        with self._recorded:
            self._requests.append(request)
            self._recorded.notify_all()

    def _record_error(self, exc: Optional[BaseException]) -> None:
        # A client hanging up mid-answer is an ordinary event for a fault server, not an error.
        if exc is not None and not isinstance(exc, OSError):
            with self._lock:
                self.handler_errors.append(exc)

    def _start_worker(self, target: Callable[..., Any], *args: Any) -> None:
        worker = threading.Thread(target=target, args=args, name="connector-sim-connection", daemon=True)
        with self._lock:
            self._workers = [w for w in self._workers if w.is_alive()]
            self._workers.append(worker)
        worker.start()

    def _open_connection(self, raw: socket.socket) -> Optional[socket.socket]:
        with self._lock:
            if self._stopping_event.is_set():
                raw.close()
                return None
            self._conns.add(raw)
        if self._ssl_context is None:
            return raw
        try:
            # No handshake yet: wrapping must not block, so the swap below is never missed by stop().
            conn = self._ssl_context.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        except OSError:
            self._close_connection(raw)
            return None
        with self._lock:
            self._conns.discard(raw)
            if self._stopping_event.is_set():
                conn.close()
                return None
            self._conns.add(conn)
        try:
            conn.do_handshake()
        except (OSError, ValueError) as exc:
            with self._lock:
                self.tls_failures.append(str(exc))
            self._close_connection(conn)
            return None
        return conn

    def _close_connection(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.discard(conn)
        try:
            conn.close()
        except OSError:
            pass
