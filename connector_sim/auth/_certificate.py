"""AuthenticationType ClientCertificate: mutual TLS with the certificate B2C would pick."""

from __future__ import annotations

import secrets
import ssl
import threading
from typing import Any, Sequence, Union

from ..errors import CertificateError
from ..transport import bundle_identity, tls_context, trust
from ._base import AuthStrategy
from ._certificates import CertificateKey, LoadedCertificate, PfxSource, select_certificate

__all__ = ["CertificateSource", "ClientCertificate"]

CertificateSource = Union[PfxSource, CertificateKey]

# Per decoded certificate (load_pfx caches those): its first TLS context, and one per CA bundle.
# Profiles built from the same .pfx then share contexts, so they share connections, and a build
# after the first costs no decode and no context.
_LOCK = threading.Lock()
_CONTEXTS: dict[int, tuple[LoadedCertificate, ssl.SSLContext, dict[tuple[Any, ...], ssl.SSLContext]]] = {}


class ClientCertificate(AuthStrategy):
    """AuthenticationType ClientCertificate: mutual TLS with the certificate B2C would pick from the .pfx."""

    authentication_type = "ClientCertificate"
    key_ids = ("ClientCertificate",)
    rejected_code = "AADB2C90028"
    rejected_hint = "Client certificate specified for '{profile}' is invalid"
    secret_headers = ()

    def __init__(self, pfx: CertificateSource | Sequence[CertificateSource], password: str | None = None) -> None:
        sources: list[CertificateSource] = list(pfx) if isinstance(pfx, (list, tuple)) else [pfx]  # type: ignore[list-item]
        keys = [s if isinstance(s, CertificateKey) else CertificateKey(s, password) for s in sources]
        self.certificate: LoadedCertificate = select_certificate(keys)
        with _LOCK:  # built now, as B2C checks the certificate at upload; once per certificate
            held = _CONTEXTS.get(id(self.certificate))
            if held is None or held[0] is not self.certificate:
                held = _CONTEXTS[id(self.certificate)] = (self.certificate, tls_context(self.new_ssl_context()), {})
        self.ssl_context = held[1]

    def ssl_context_for(self, ca_bundle: str | None) -> ssl.SSLContext:
        """This certificate's TLS context trusting ``ca_bundle``, built once per certificate and bundle."""
        identity = bundle_identity(ca_bundle)
        with _LOCK:
            _, first, trusting = _CONTEXTS[id(self.certificate)]
            context = trusting.get(identity)
            if context is None:
                # The first bundle takes the context built already; another needs its own, since
                # trust loaded into a context cannot be taken out again.
                base = first if not trusting else tls_context(self.new_ssl_context())
                context = trusting[identity] = trust(base, ca_bundle)
            return context

    def new_ssl_context(self) -> ssl.SSLContext:
        """A fresh client SSL context presenting this certificate (no TLS rules applied yet)."""
        from requests_pkcs12 import Pkcs12Adapter

        # requests-pkcs12 turns the chosen certificate into an SSL context; the key only reaches
        # its temporary file encrypted with a one-off password, and the file is deleted.
        one_off = secrets.token_urlsafe(16).encode()  # ssl wants a UTF-8 password
        try:
            adapter = Pkcs12Adapter(pkcs12_data=self.certificate.to_pkcs12(one_off), pkcs12_password=one_off)
        except (ValueError, ssl.SSLError) as exc:
            raise CertificateError(f"the client certificate cannot be used for TLS: {exc}") from exc
        adapter.close()
        return adapter.ssl_context

    @property
    def info(self) -> Any:
        """Subject, thumbprint and dates of the certificate in use."""
        return self.certificate.info

    def __repr__(self) -> str:
        return f"ClientCertificate(subject={self.info.subject!r}, thumbprint={self.info.thumbprint!r})"
