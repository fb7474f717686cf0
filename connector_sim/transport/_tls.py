"""B2C's TLS rules for the client side: TLS 1.2 or newer, its eight suites, verified certificates (§9.3)."""

from __future__ import annotations

import functools
import os
import ssl
import threading
from typing import Any

from requests.adapters import HTTPAdapter
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from ..errors import ConfigurationError
from ..userfiles import read_user_text

__all__ = ["B2C_CIPHERS", "TlsAdapter", "bundle_identity", "server_trust_context", "tls_context", "trust"]

_TRUST_LOCK = threading.Lock()
_MAX_BUNDLE_BYTES = 16 * 1024 * 1024  # the default bundle is a quarter of a megabyte

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


def trust(context: ssl.SSLContext, ca_bundle: str | None) -> ssl.SSLContext:
    """Load the trust store into ``context`` once: the given CA bundle, else requests' default (certifi).

    requests would otherwise load the bundle into the context again for every new connection
    (about 25 ms for the default one).
    """
    try:
        if ca_bundle is None:
            with _TRUST_LOCK:
                context.load_verify_locations(cafile=DEFAULT_CA_BUNDLE_PATH)
        else:  # a file the user names: read with a cap, regular files only (a FIFO would block OpenSSL)
            pem = read_user_text(ca_bundle, what="the CA bundle", max_bytes=_MAX_BUNDLE_BYTES)
            with _TRUST_LOCK:
                context.load_verify_locations(cadata=pem)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"the CA bundle {ca_bundle!r} cannot be read: {exc.strerror or exc}",
                                 hint="pass a PEM file of the CA certificates to trust") from None
    return context


def bundle_identity(ca_bundle: str | None) -> tuple[Any, ...]:
    """What a trust store is keyed by: the path, and the file's identity, so a bundle rewritten in
    place (test certificates made again in the same folder) is loaded anew."""
    if ca_bundle is None:
        return (None,)
    try:
        info = os.stat(ca_bundle)
    except OSError:
        return (ca_bundle,)  # trust() reports the problem
    return (ca_bundle, info.st_ino, info.st_size, info.st_mtime_ns)


def server_trust_context(ca_bundle: str | None) -> ssl.SSLContext:
    """B2C's TLS rules and one trust store, built once per process per bundle (no client certificate)."""
    return _trust_context(bundle_identity(ca_bundle))


@functools.lru_cache(maxsize=64)
def _trust_context(identity: tuple[Any, ...]) -> ssl.SSLContext:
    return trust(tls_context(), identity[0])


class TlsAdapter(HTTPAdapter):
    """A requests adapter whose connections use one prepared SSL context (B2C's rules, a client cert)."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        self._ssl_context = ssl_context or tls_context()
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Hand the prepared context to every pool."""
        kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(*args, **kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Verify always, with the trust store already in the context (never a bundle per connection)."""
        if verify is not True or cert:
            super().cert_verify(conn, url, verify, cert)
            return
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = conn.ca_cert_dir = None
