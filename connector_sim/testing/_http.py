"""The socketserver side of `TlsServer`: TLS per connection, request recording, faults.

The TLS handshake runs in the connection's own thread, not in the accept loop, so a silent
or failing client never stalls other connections and a failed handshake is recorded instead
of printed. Every open socket is registered with the owner so `stop()` can shut it down and
unblock any thread still reading from it.
"""

from __future__ import annotations

import http.server
import socket
import socketserver
import ssl
import struct
import sys
import time
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, cast
from urllib.parse import parse_qs, urlsplit

from .replies import Fault, Reply, ServerRequest, coerce_reply

if TYPE_CHECKING:
    from .server import TlsServer

__all__ = ["ThreadedServer"]


class ThreadedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """An HTTP server whose connections `TlsServer` tracks, wraps in TLS and can shut down."""

    daemon_threads = True
    block_on_close = False  # TlsServer joins the threads itself, with a deadline
    request_queue_size = 64

    def __init__(self, owner: TlsServer, address: Tuple[str, int], family: int) -> None:
        self.owner = owner
        self.address_family = family
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's host name lookup."""
        # HTTPServer.server_bind resolves the host name with getfqdn, which can stall for
        # seconds on machines without working reverse DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]  # type: ignore[assignment]

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread the owner tracks and joins."""
        self.owner._start_worker(self.process_request_thread, request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Run the TLS handshake, then the HTTP exchange, in the connection's thread."""
        conn = self.owner._open_connection(request)
        if conn is None:
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)  # type: ignore[arg-type]
        finally:
            self.owner._close_connection(conn)

    def shutdown_request(self, request: Any) -> None:
        """Close the socket and forget it."""
        self.owner._close_connection(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Record the error instead of printing it."""
        # socketserver would print a traceback to stderr; a fault server expects broken connections.
        self.owner._record_error(sys.exc_info()[1])


def _read_chunked(rfile: Any) -> bytes:
    parts: List[bytes] = []
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(parts)
        parts.append(rfile.read(size))
        rfile.readline()


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every keep-alive answer.
    disable_nagle_algorithm = True
    server_version = "connector-sim-test-server"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        # One stderr line per request would drown test output.
        pass

    @property
    def _owner(self) -> TlsServer:
        return cast(ThreadedServer, self.server).owner

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return _read_chunked(self.rfile)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _tls_details(self) -> Tuple[Optional[str], Optional[str], Optional[bytes]]:
        conn = self.connection
        if not isinstance(conn, ssl.SSLSocket):
            return None, None, None
        cipher = conn.cipher()
        return conn.version(), cipher[0] if cipher else None, conn.getpeercert(binary_form=True)

    def _dispatch(self) -> None:
        owner = self._owner
        body = self._read_body()
        parts = urlsplit(self.path)
        headers: Dict[str, str] = {}
        for name, value in self.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        version, cipher, cert = self._tls_details()
        request = ServerRequest(
            method=self.command,
            path=parts.path,
            raw_query=parts.query,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=body,
            client_address=tuple(self.client_address[:2]),  # type: ignore[arg-type]
            received_at=time.monotonic(),
            tls_version=version,
            cipher=cipher,
            client_cert_der=cert,
        )
        owner._record_request(request)
        try:
            reply = coerce_reply(owner.handler(request))
        except Exception as exc:  # a broken handler must answer, not kill the connection thread
            owner._record_error(exc)
            reply = Reply(500, json={"error": "test_server_handler_error", "detail": f"{type(exc).__name__}: {exc}"})
        self._answer(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _answer(self, reply: Reply) -> None:
        stopping = self._owner._stopping_event
        if reply.delay > 0 and stopping.wait(reply.delay):
            self.close_connection = True
            return
        if reply.fault is not None:
            self._fault(reply.fault, reply.status)
            return
        headers, content, length = reply.content()
        self.send_response(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        chunked = length is None
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif "content-length" not in {name.lower() for name in headers}:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command == "HEAD":
            return
        if isinstance(content, bytes):
            self.wfile.write(content)
            return
        for chunk in content:
            if stopping.is_set():
                self.close_connection = True
                return
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _fault(self, fault: Fault, status: int) -> None:
        self.close_connection = True
        if fault is Fault.HANG:
            self._owner._stopping_event.wait()
        elif fault is Fault.RESET:
            # Linger on, timeout 0: close() then sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif fault is Fault.CLOSE_AFTER_HEADERS:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1024")
            self.end_headers()
            self.wfile.write(b'{"partial":')
            self.wfile.flush()
