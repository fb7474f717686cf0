"""`SampleApi`: the demo's sample API, a client-certificate listener and a fake Entra, on 127.0.0.1.

Everything runs over HTTPS with throwaway certificates; nothing needs configuring and nothing
leaves the machine; the credentials are fresh random values for each run. It is the API
`connector-sim demo` calls, and the one the README's examples call:

    with SampleApi() as api:
        profile = RestfulProfile(api.url("/api/basic/profile"), auth=Basic(api.username, api.password),
                                 input_claims=[InputClaim("email")], ca_bundle=api.ca_bundle)
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from ..testing import CertificateSet, FakeTokenEndpoint, ServerRequest, TlsServer, make_certificates
from .sample_api import SCOPE, DemoCredentials, SampleApiHandler

__all__ = ["SampleApi"]


class SampleApi:
    """The sample API, a client-certificate listener and a fake Entra endpoint on 127.0.0.1 (HTTPS)."""

    def __init__(self, credentials: Optional[DemoCredentials] = None, *, slow_seconds: float = 3.0) -> None:
        self.credentials = credentials or DemoCredentials.generate()
        self.slow_seconds = slow_seconds
        self.certificates: Optional[CertificateSet] = None
        self.entra: Optional[FakeTokenEndpoint] = None
        self.api: Optional[TlsServer] = None
        self.mtls: Optional[TlsServer] = None

    @property
    def running(self) -> bool:
        """True between ``start()`` and ``stop()``."""
        return self.api is not None

    def start(self) -> SampleApi:
        """Make certificates and start the three servers; returns self."""
        if self.api is not None:
            return self
        try:
            self.certificates = make_certificates(password=self.credentials.pfx_password)
            self.entra = FakeTokenEndpoint({self.credentials.client_id: self.credentials.client_secret},
                                           certificates=self.certificates).start()
            handler = SampleApiHandler(self.credentials, self.entra, slow_seconds=self.slow_seconds,
                                       client_cert_subject=self.certificates.subject_cn("client"))
            self.api = TlsServer(handler, certificates=self.certificates).start()
            self.mtls = TlsServer(handler, certificates=self.certificates, require_client_cert=True).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the servers and delete the certificates."""
        for server in (self.mtls, self.api, self.entra):
            if server is not None:
                server.stop()
        self.mtls = self.api = self.entra = None
        if self.certificates is not None:
            self.certificates.cleanup()
            self.certificates = None

    def __enter__(self) -> SampleApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.api.base_url if self.api is not None else "stopped"
        return f"SampleApi({where}, credentials={self.credentials!r})"

    def _running(self) -> Tuple[CertificateSet, FakeTokenEndpoint, TlsServer, TlsServer]:
        if self.certificates is None or self.entra is None or self.api is None or self.mtls is None:
            raise RuntimeError("the sample API is not running; call start() or use it in a with block")
        return self.certificates, self.entra, self.api, self.mtls

    # -- where to call, and with what -------------------------------------------------------
    def url(self, path: str = "/") -> str:
        """A URL on the API (no client certificate asked for)."""
        return self._running()[2].url(path)

    def mtls_url(self, path: str = "/api/certificate/profile") -> str:
        """A URL on the listener that requires a client certificate."""
        return self._running()[3].url(path)

    @property
    def base_url(self) -> str:
        """https://127.0.0.1:PORT of the API."""
        return self._running()[2].base_url

    @property
    def mtls_base_url(self) -> str:
        """https://127.0.0.1:PORT of the listener that requires a client certificate."""
        return self._running()[3].base_url

    @property
    def ca_bundle(self) -> str:
        """The throwaway CA that signed every server certificate: pass it as ``ca_bundle``."""
        return str(self._running()[0].ca_pem)

    @property
    def token_endpoint(self) -> FakeTokenEndpoint:
        """The fake Microsoft Entra endpoint (``authority``, ``token_url``)."""
        return self._running()[1]

    @property
    def client_pfx(self) -> str:
        """A client certificate (.pfx) the certificate listener accepts; its password is `pfx_password`."""
        return str(self._running()[0].client_pfx)

    @property
    def requests(self) -> List[ServerRequest]:
        """Every request the API and the certificate listener received, oldest first."""
        _, _, api, mtls = self._running()
        return sorted(api.requests + mtls.requests, key=lambda r: r.received_at)

    username = property(lambda self: self.credentials.username, doc="The Basic user name.")
    password = property(lambda self: self.credentials.password, doc="The Basic password.")
    static_token = property(lambda self: self.credentials.static_token, doc="The static bearer token.")
    api_key = property(lambda self: self.credentials.api_key, doc="The x-functions-key value.")
    client_id = property(lambda self: self.credentials.client_id, doc="The client id the token endpoint knows.")
    client_secret = property(lambda self: self.credentials.client_secret, doc="That client's secret.")
    pfx_password = property(lambda self: self.credentials.pfx_password, doc="The password of `client_pfx`.")
    scope = property(lambda self: SCOPE, doc="The scope to ask the token endpoint for (the API's audience).")
