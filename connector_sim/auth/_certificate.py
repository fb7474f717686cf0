"""AuthenticationType ClientCertificate: mutual TLS with the certificate B2C would pick."""

from __future__ import annotations

import secrets
import ssl
import threading
from typing import Any, Sequence, Union

from ..errors import CertificateError
from ..transport import tls_context, trust
from ._base import AuthStrategy
from ._certificates import CertificateKey, LoadedCertificate, PfxSource, select_certificate

__all__ = ["CertificateSource", "ClientCertificate"]

CertificateSource = Union[PfxSource, CertificateKey]


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
        self.ssl_context = tls_context(self.new_ssl_context())
        self._trusting: dict[str | None, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def ssl_context_for(self, ca_bundle: str | None) -> ssl.SSLContext:
        """This certificate's TLS context trusting ``ca_bundle``, built once per bundle."""
        with self._lock:
            context = self._trusting.get(ca_bundle)
            if context is None:
                # The first bundle takes the context built already; another needs its own, since
                # trust loaded into a context cannot be taken out again.
                base = self.ssl_context if not self._trusting else tls_context(self.new_ssl_context())
                context = self._trusting[ca_bundle] = trust(base, ca_bundle)
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
