"""`AppServiceFront`: TLS ends at a front end, the app behind it reads the client certificate from a header.

On Azure App Service (and Azure Functions on it) B2C's TLS connection ends at the front end; the
app gets plain HTTP and, when the site's client certificate mode asks for one, the certificate as
the ``X-ARR-ClientCert`` header (base64 DER). The front end does not judge the certificate (any
one that completes the handshake is passed on, expired or not): the app must check it. This front
does the same on 127.0.0.1: it terminates TLS, forwards each request over plain HTTP to your app
(an `AppServer` it starts, or a URL such as ``func start``'s ``http://127.0.0.1:7071``), sets
``X-ARR-ClientCert`` and App Service's forwarding headers, and strips any of them the caller sent.
"""

from __future__ import annotations

import base64
import http.client
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from .certificates import CertificateSet
from .replies import Reply, ServerRequest
from .serve import AppServer
from .server import TlsServer
from .tls import _NO_CHECK_TIME

__all__ = ["CLIENT_CERTIFICATE_MODES", "CLIENT_CERT_HEADER", "AppServiceFront"]

CLIENT_CERT_HEADER = "X-ARR-ClientCert"
#: App Service's client certificate modes (``az webapp update --client-cert-mode``), and "Ignore" for off.
CLIENT_CERTIFICATE_MODES = ("Required", "Optional", "OptionalInteractiveUser", "Ignore")
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
                         "upgrade", "content-length"})
# Headers only the front end may set: whatever the caller sent under these names is dropped.
_FRONT_HEADERS = frozenset({"x-arr-clientcert", "x-arr-ssl", "x-forwarded-proto", "x-appservice-proto",
                            "x-client-ip", "x-client-port", "x-original-url", "x-forwarded-tlsversion"})


def _mode(value: str) -> str:
    for mode in CLIENT_CERTIFICATE_MODES:
        if mode.lower() == str(value).replace("-", "").replace("_", "").lower():
            return mode
    raise ValueError(f"client_certificate_mode must be one of {', '.join(CLIENT_CERTIFICATE_MODES)}, got {value!r}")


def _certificate_pem(item: str | Path | bytes | x509.Certificate) -> str:
    if isinstance(item, x509.Certificate):
        return item.public_bytes(Encoding.PEM).decode("ascii")
    data = item if isinstance(item, bytes) else Path(item).read_bytes()
    if b"-----BEGIN" in data:
        return data.decode("ascii")
    return x509.load_der_x509_certificate(data).public_bytes(Encoding.PEM).decode("ascii")


class AppServiceFront(TlsServer):
    """An HTTPS front end on 127.0.0.1 that forwards to your app over HTTP with ``X-ARR-ClientCert``.

    `app` is a WSGI or ASGI app (served here over plain HTTP on loopback, stopped with the front),
    a running `AppServer`, or the http:// URL of an app you started (``func start``, uvicorn).
    `client_certificate_mode`: "Required" (a call without a certificate fails the handshake),
    "Optional" / "OptionalInteractiveUser" (passed on when sent), or "Ignore" (never asked for).
    Certificates from the set's CA, the set's self-signed one and those in `trust` (PEM or DER
    files, bytes or `x509.Certificate`s, e.g. what ``connector-sim cert new --public-cert`` writes) are
    accepted; their dates are not checked, as App Service does not check them.
    """

    def __init__(
        self,
        app: Any,
        *,
        certificates: CertificateSet | None = None,
        client_certificate_mode: str = "Required",
        trust: Iterable[str | Path | bytes | x509.Certificate] = (),
        backend_timeout: float = 30.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.client_certificate_mode = _mode(client_certificate_mode)
        super().__init__(self._forward, certificates=certificates,
                         require_client_cert=self.client_certificate_mode == "Required", host=host)
        self._trust = [_certificate_pem(item) for item in trust]
        self.backend_timeout = backend_timeout
        self._app_server: AppServer | None = None
        self._owns_app_server = False
        if isinstance(app, str):
            parts = urlsplit(app)
            if parts.scheme != "http" or not parts.hostname:
                raise ValueError(f"the app behind the front is reached over plain HTTP: give http://host:port, "
                                 f"got {app!r}")
            self._backend = (parts.hostname, parts.port or 80, parts.path.rstrip("/"))
        else:
            self._app_server = app if isinstance(app, AppServer) else AppServer(app, plain_http=True, host=host)
            self._owns_app_server = not isinstance(app, AppServer)
            self._backend = None  # type: ignore[assignment]

    @property
    def app_url(self) -> str:
        """The plain-HTTP URL of the app behind the front (calling it directly skips the front)."""
        if self._app_server is not None:
            return self._app_server.base_url
        host, port, prefix = self._backend
        return f"http://{host}:{port}{prefix}"

    def start(self) -> AppServiceFront:
        """Start the app (when the front owns it), then the front; returns self."""
        if self._app_server is not None:
            if self._app_server.scheme != "http":
                raise ValueError("the AppServer behind the front must be plain_http=True, as App Service's workers are")
            self._app_server.start()
            self._backend = (self._app_server.host, self._app_server.port, "")
        try:
            super().start()
        except BaseException:
            if self._owns_app_server and self._app_server is not None:
                self._app_server.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the front, then the app it started."""
        super().stop()
        if self._owns_app_server and self._app_server is not None:
            self._app_server.stop()

    def __enter__(self) -> AppServiceFront:  # noqa: PYI034 - typing.Self needs 3.11
        return self.start()

    def _build_context(self) -> Any:
        context = super()._build_context()
        if self.client_certificate_mode == "Ignore":
            import ssl

            context.verify_mode = ssl.CERT_NONE
            return context
        # App Service hands the certificate on; the app, not the front, checks its dates.
        context.verify_flags = context.verify_flags | _NO_CHECK_TIME
        extra = list(self._trust)
        certs = self.certificates
        if certs is not None:
            _key, own, _more = pkcs12.load_key_and_certificates(certs.self_signed_pfx.read_bytes(),
                                                                certs.password.encode("utf-8"))
            if own is not None:
                extra.append(own.public_bytes(Encoding.PEM).decode("ascii"))
        if extra:
            context.load_verify_locations(cadata="".join(extra))
        return context

    def forwarded_headers(self, request: ServerRequest) -> dict[str, str]:
        """The headers the app receives for `request`: the caller's, minus front-only ones, plus the front's."""
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in _HOP_BY_HOP and k.lower() not in _FRONT_HEADERS}
        ip, port = request.client_address[0], request.client_address[1]
        earlier = next((v for k, v in headers.items() if k.lower() == "x-forwarded-for"), None)
        headers = {k: v for k, v in headers.items() if k.lower() != "x-forwarded-for"}
        headers["X-Forwarded-For"] = f"{earlier}, {ip}:{port}" if earlier else f"{ip}:{port}"
        headers.update({"X-Forwarded-Proto": "https", "X-AppService-Proto": "https", "X-ARR-SSL": "1",
                        "X-Client-IP": ip, "X-Client-Port": str(port),
                        "X-Original-URL": request.path + (f"?{request.raw_query}" if request.raw_query else "")})
        if request.tls_version:
            headers["X-Forwarded-TlsVersion"] = request.tls_version.replace("TLSv", "")
        if request.client_cert_der and self.client_certificate_mode != "Ignore":
            headers[CLIENT_CERT_HEADER] = base64.b64encode(request.client_cert_der).decode("ascii")
        return headers

    def _forward(self, request: ServerRequest) -> Reply:
        host, port, prefix = self._backend
        target = prefix + request.path + (f"?{request.raw_query}" if request.raw_query else "")
        connection = http.client.HTTPConnection(host, port, timeout=self.backend_timeout)
        try:
            connection.request(request.method, target, body=request.body or None,
                               headers=self.forwarded_headers(request))
            answer = connection.getresponse()
            body = answer.read()
        except TimeoutError:
            return Reply(504, body="504 Gateway Timeout: the app did not answer in time",
                         headers={"Content-Type": "text/plain"})
        except OSError as exc:
            return Reply(502, body=f"502 Bad Gateway: the app cannot be reached ({type(exc).__name__})",
                         headers={"Content-Type": "text/plain"})
        finally:
            connection.close()
        headers: dict[str, str] = {}
        for name, value in answer.getheaders():
            if name.lower() in _HOP_BY_HOP:
                continue
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return Reply(answer.status, body=body, headers=headers)
