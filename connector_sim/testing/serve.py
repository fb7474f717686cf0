"""`AppServer`: serve your own WSGI (Flask, Django...) or ASGI (FastAPI, Starlette...) app on 127.0.0.1.

HTTPS with the same throwaway certificates the rest of `connector_sim.testing` uses (the client
trusts `ca_pem`), optionally requiring a client certificate, or plain HTTP behind a front such as
`AppServiceFront`. The peer certificate reaches the app the way its framework exposes it:

* WSGI (Werkzeug's server): ``environ["SSL_CLIENT_CERT"]``, the PEM, as nginx and Apache pass it;
  in Flask ``request.environ["SSL_CLIENT_CERT"]``;
* ASGI (uvicorn): the ASGI TLS extension, ``scope["extensions"]["tls"]["client_cert_chain"]`` (a
  list of PEM strings) and ``client_cert_name`` (its subject, RFC 4514); in Starlette and FastAPI
  ``request.scope["extensions"]["tls"]``.

Werkzeug (which Flask installs) and uvicorn are imported only when an app of their kind is served.
"""

from __future__ import annotations

import inspect
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any

from .certificates import CertificateSet, make_certificates
from .tls import build_server_context

__all__ = ["AppServer", "app_interface"]

_START_DEADLINE = 10.0
_JOIN_DEADLINE = 5.0


def app_interface(app: Any) -> str:
    """"asgi" when `app` is an ASGI application (its call is a coroutine function), else "wsgi"."""
    # A class instance's call is its __call__ method (FastAPI, Starlette); a function is its own.
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return "asgi" if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app) else "wsgi"


def _missing(package: str, interface: str) -> RuntimeError:
    return RuntimeError(f"serving a {interface.upper()} app needs {package}: pip install {package}")


class AppServer:
    """Your WSGI or ASGI app on 127.0.0.1 in a background thread: HTTPS (default) or plain HTTP.

    `interface` is "auto" (ASGI when the app's call is a coroutine function), "wsgi" or "asgi".
    Without `certificates` a fresh `CertificateSet` is made and deleted on `stop()`. Client
    certificates issued by the set's CA are asked for; with `require_client_cert` a call without
    one fails the handshake, as with `TlsServer`.
    """

    def __init__(
        self,
        app: Any,
        *,
        certificates: CertificateSet | None = None,
        require_client_cert: bool = False,
        plain_http: bool = False,
        interface: str = "auto",
        host: str = "127.0.0.1",
    ) -> None:
        if plain_http and require_client_cert:
            raise ValueError("a plain_http server cannot ask for a client certificate")
        chosen = app_interface(app) if interface == "auto" else interface.lower()
        if chosen not in ("wsgi", "asgi"):
            raise ValueError(f"interface must be 'auto', 'wsgi' or 'asgi', got {interface!r}")
        self.app = app
        self.interface = chosen
        self.host = host
        self.plain_http = plain_http
        self.require_client_cert = require_client_cert
        self.certificates = certificates
        self._owns_certificates = certificates is None and not plain_http
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> AppServer:
        """Bind a free port and serve in a background thread; returns self."""
        if self._thread is not None:
            return self
        context = None
        if not self.plain_http:
            if self.certificates is None:
                self.certificates = make_certificates()
            context = build_server_context(self.certificates.server, client_ca=self.certificates.ca,
                                           require_client_cert=self.require_client_cert)
        try:
            if self.interface == "wsgi":
                self._start_wsgi(context)
            else:
                self._start_asgi(context)
        except BaseException:
            self._cleanup()
            raise
        return self

    def _start_wsgi(self, context: ssl.SSLContext | None) -> None:
        try:
            from werkzeug.serving import WSGIRequestHandler, make_server
        except ModuleNotFoundError as exc:
            raise _missing("werkzeug", "wsgi") from exc

        class QuietHandler(WSGIRequestHandler):
            """No access log line per request: test output stays readable."""

            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

            def log_error(self, *args: Any) -> None:
                pass

        self._server = make_server(self.host, 0, self.app, threaded=True, ssl_context=context,
                                   request_handler=QuietHandler)
        self._port = int(self._server.server_port)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"connector-sim-wsgi-{self._port}", daemon=True)
        self._thread.start()

    def _start_asgi(self, context: ssl.SSLContext | None) -> None:
        try:
            import uvicorn
        except ModuleNotFoundError as exc:
            raise _missing("uvicorn", "asgi") from exc
        from ._asgi import tls_protocol_class

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((self.host, 0))
        self._port = int(self._socket.getsockname()[1])
        # log_config=None leaves the process's logging alone; h11 because the TLS extension hooks it.
        config = uvicorn.Config(self.app, http=tls_protocol_class(), ws="none", lifespan="auto", loop="asyncio",
                                log_config=None, log_level="warning", access_log=False, timeout_graceful_shutdown=1)
        config.load()
        config.ssl = context  # our context, so the client-certificate rules match TlsServer's
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"connector-sim-asgi-{self._port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _START_DEADLINE
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server.should_exit = True
                raise RuntimeError(f"uvicorn did not start serving {self.app!r} within {_START_DEADLINE} s")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and join the server thread."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            if self.interface == "wsgi":
                server.shutdown()
                server.server_close()
            else:
                server.should_exit = True
        if thread is not None:
            thread.join(_JOIN_DEADLINE)
        self._cleanup()

    def _cleanup(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._owns_certificates and self.certificates is not None:
            self.certificates.cleanup()
            self.certificates = None

    def __enter__(self) -> AppServer:  # noqa: PYI034 - typing.Self needs 3.11
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None and self._thread is not None else "not running"
        return f"AppServer({self.interface}, {where})"

    # -- addresses ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The port the app listens on."""
        if self._port is None or self._thread is None:
            raise RuntimeError("the app server is not running; call start() or use it as a context manager")
        return self._port

    @property
    def scheme(self) -> str:
        """"https", or "http" for a plain_http server."""
        return "http" if self.plain_http else "https"

    @property
    def base_url(self) -> str:
        """scheme://host:port, without a trailing slash."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    @property
    def ca_pem(self) -> Path | None:
        """The CA certificate that signed the server certificate: pass it as `verify=` / `ca_bundle=`."""
        return self.certificates.ca_pem if self.certificates is not None else None
