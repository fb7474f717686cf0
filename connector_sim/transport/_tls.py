"""B2C's TLS rules for the client side: TLS 1.2 or newer, its eight suites, verified certificates (§9.3)."""

from __future__ import annotations

import ssl
from typing import Any

from requests.adapters import HTTPAdapter

__all__ = ["B2C_CIPHERS", "TlsAdapter", "tls_context"]

#: The eight suites B2C requires an endpoint to offer, in OpenSSL names (behaviour file §9.3).
B2C_CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES256-SHA384",
    )
)


def tls_context(base: ssl.SSLContext | None = None) -> ssl.SSLContext:
    """An SSL context held to B2C's rules: TLS 1.2 or newer, B2C's suites, verified certificates."""
    ctx = base or ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(B2C_CIPHERS)  # TLS 1.3 suites are not affected by this list
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


class TlsAdapter(HTTPAdapter):
    """A requests adapter whose connections use one prepared SSL context (B2C's rules, a client cert)."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        self._ssl_context = ssl_context or tls_context()
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Hand the prepared context to every pool."""
        kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(*args, **kwargs)
