"""Serve a WSGI app over HTTPS on 127.0.0.1 with Werkzeug, asking for (not requiring) a client certificate.

For tests and the sample scripts only; in production the API runs behind Azure App Service, Azure
Functions or your own TLS terminator.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
from typing import Any, Iterator

from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log lines: the scripts print what matters."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextlib.contextmanager
def serve_https(app: Any, certificates: Any, *, require_client_cert: bool = False) -> Iterator[str]:
    """Run ``app`` on a free port; yield its base URL (``https://127.0.0.1:PORT``).

    ``certificates`` is a ``connector_sim.testing.CertificateSet``: the server presents its server
    certificate and accepts client certificates issued by its CA (B2C's would come from yours).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # what B2C requires
    certificates.server.configure_cert(context)
    context.load_verify_locations(cafile=str(certificates.ca_pem))
    context.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
    server = make_server("127.0.0.1", 0, app, ssl_context=context, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
