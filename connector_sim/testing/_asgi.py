"""The ASGI TLS extension for uvicorn: the client certificate in ``scope["extensions"]["tls"]``.

uvicorn terminates TLS but does not fill the extension (the "TLS" section of the ASGI extensions
specification), so an app could not see the peer certificate. A subclass of its h11
protocol reads the certificate from the connection's SSL object and adds the extension to each
HTTP scope of that connection, and aborts idle connections at shutdown. Imported only when an
ASGI app is served (uvicorn is optional).
"""

from __future__ import annotations

import ssl
from functools import lru_cache
from typing import Any

from cryptography import x509

__all__ = ["TLS_VERSIONS", "tls_extension", "tls_protocol_class"]

#: The ``tls_version`` numbers the extension uses (the protocol's two version bytes).
TLS_VERSIONS = {"TLSv1": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def tls_extension(ssl_object: ssl.SSLObject | None) -> dict[str, Any] | None:
    """The ASGI TLS extension's dict for one connection, or None for plain HTTP."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    name = None
    if der:
        name = x509.load_der_x509_certificate(der).subject.rfc4514_string()
    return {
        "server_cert": None,
        "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
        "client_cert_name": name,
        "client_cert_error": None,
        "tls_version": TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,  # Python's ssl names the suite but does not give its number
    }


@lru_cache(maxsize=1)
def tls_protocol_class() -> type:
    """uvicorn's h11 protocol, adding the TLS extension to every scope of a TLS connection."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TlsH11Protocol(H11Protocol):
        """H11Protocol whose app sees ``scope["extensions"]["tls"]``."""

        def connection_made(self, transport: Any) -> None:
            """Wrap the app so every scope of this connection carries the TLS extension."""
            super().connection_made(transport)
            tls = tls_extension(transport.get_extra_info("ssl_object"))
            if tls is None:
                return
            app = self.app

            async def with_tls(scope: Any, receive: Any, send: Any) -> None:
                if scope.get("type") in ("http", "websocket"):
                    scope = {**scope, "extensions": {**(scope.get("extensions") or {}), "tls": tls}}
                await app(scope, receive, send)

            self.app = with_tls

        def shutdown(self) -> None:
            """Close as uvicorn does, then abort an idle connection at once."""
            idle = self.cycle is None or self.cycle.response_complete
            super().shutdown()
            if idle and self.transport is not None:
                # A TLS close waits for the peer's close_notify, which an idle keep-alive client never
                # sends: uvicorn would wait out its graceful timeout and leave the socket open.
                self.transport.abort()

    return TlsH11Protocol
