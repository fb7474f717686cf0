"""An HTTPS server on 127.0.0.1 that records each request exactly as its bytes arrived.

``connector_sim.testing.TlsServer`` parses what it receives (headers become a mapping), which is
what most tests want; proving that two transports put the same bytes on the wire needs the bytes
themselves: the request line, every header line in order with its spelling, and the body. This
server keeps them (``raw``), answers with the same handlers as ``TlsServer`` (a ``ServerRequest``
in, a ``Reply`` out, ``delay`` honoured), and serves keep-alive connections, each in its own
thread. Used by the transport tests and by ``benchmarks/bench_call_overhead.py``.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connector_sim.testing import Reply, ServerRequest
from connector_sim.testing.replies import coerce_reply
from connector_sim.testing.tls import build_server_context

__all__ = ["RawTlsServer"]


def _json_answer(request: ServerRequest) -> Reply:
    return Reply(200, json={"loyaltyNumber": "L-1234"})


def _parsed(raw: bytes, client: tuple[str, int]) -> ServerRequest:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name] = f"{headers[name]}, {value.strip()}" if name in headers else value.strip()
    parts = urlsplit(target)
    return ServerRequest(method=method, path=parts.path, raw_query=parts.query,
                         query=parse_qs(parts.query, keep_blank_values=True), headers=headers, body=body,
                         client_address=client, received_at=time.monotonic())


class RawTlsServer:
    """Records the raw bytes of every request; answers with ``answer(path)``; a context manager."""

    def __init__(self, certificates: object, *, require_client_cert: bool = False,
                 handler: Callable[[ServerRequest], Any] = _json_answer) -> None:
        self.context = build_server_context(certificates.server, client_ca=certificates.ca,  # type: ignore[attr-defined]
                                            require_client_cert=require_client_cert)
        self.handler = handler
        self.raw: list[bytes] = []
        self.handshake_errors: list[str] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []

    @property
    def base_url(self) -> str:
        """https://127.0.0.1:<port>"""
        return f"https://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The full URL of ``path``."""
        return self.base_url + path

    def clear(self) -> None:
        """Forget what was recorded."""
        with self._lock:
            self.raw.clear()

    def __enter__(self) -> RawTlsServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._listener.close()
        for conn in list(self._conns):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conns.append(raw)
            thread = threading.Thread(target=self._serve, args=(raw, raw.getpeername()[:2]), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, raw: socket.socket, client: tuple[str, int]) -> None:
        try:
            conn = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.handshake_errors.append(type(exc).__name__)
            raw.close()
            return
        buffer = b""
        try:
            while not self._stopping.is_set():
                request, buffer = self._read_request(conn, buffer)
                if request is None:
                    return
                with self._lock:
                    self.raw.append(request)
                try:
                    reply = coerce_reply(self.handler(_parsed(request, client)))
                except Exception as exc:  # a broken handler answers 500 instead of killing the connection
                    reply = Reply(500, json={"error": f"{type(exc).__name__}: {exc}"})
                if reply.delay and self._stopping.wait(reply.delay):
                    return
                headers, content, _ = reply.content()
                status = f"HTTP/1.1 {reply.status} {'OK' if reply.status == 200 else 'Answer'}\r\n"
                fields = "".join(f"{name}: {value}\r\n" for name, value in headers.items()
                                 if name.lower() != "content-length")
                if isinstance(content, bytes):
                    conn.sendall(f"{status}{fields}Content-Length: {len(content)}\r\n\r\n".encode("latin-1")
                                 + content)
                    continue
                # A stream goes out chunk by chunk as it is produced: a trickling answer trickles.
                conn.sendall(f"{status}{fields}Transfer-Encoding: chunked\r\n\r\n".encode("latin-1"))
                for chunk in content:
                    if self._stopping.is_set():
                        return
                    if chunk:
                        conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                conn.sendall(b"0\r\n\r\n")
        except OSError:
            return
        finally:
            conn.close()

    @staticmethod
    def _read_request(conn: ssl.SSLSocket, buffer: bytes) -> tuple[bytes | None, bytes]:
        deadline = time.monotonic() + 30
        while b"\r\n\r\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk or time.monotonic() > deadline:
                return None, b""
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None, b""
            rest += chunk
        return head + b"\r\n\r\n" + rest[:length], rest[length:]
