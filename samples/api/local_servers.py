"""Start the sample API and a fake Microsoft Entra token endpoint on 127.0.0.1, for scripts and tests.

    with local_sample_api() as local:
        RestfulProfile(local.url("/api/basic/profile"), auth=Basic(local.username, local.password),
                       ca_bundle=local.ca_bundle, ...)

Everything is throwaway: certificates from ``connector_sim.testing`` (trustme), random secrets,
free ports. Nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from typing import Iterator

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import pkcs12

from connector_sim.testing import CertificateSet, FakeTokenEndpoint, make_certificates
from sample_api import ApiConfig, create_app
from serve import serve_https

SCOPE = "api://loyalty-api/.default"


@dataclass(frozen=True, repr=False)
class LocalSampleApi:
    """Where the local sample API listens and the credentials it accepts."""

    base_url: str
    config: ApiConfig
    certificates: CertificateSet
    token_endpoint: FakeTokenEndpoint
    client_id: str
    client_secret: str

    def url(self, path: str) -> str:
        """An absolute URL on the API."""
        return self.base_url + path

    ca_bundle = property(lambda self: str(self.certificates.ca_pem), doc="The local CA to trust.")
    client_pfx = property(lambda self: str(self.certificates.client_pfx), doc="A client certificate the API accepts.")
    pfx_password = property(lambda self: self.certificates.password, doc="The .pfx password.")
    username = property(lambda self: self.config.basic_username, doc="The Basic user name.")
    password = property(lambda self: self.config.basic_password, doc="The Basic password.")
    static_token = property(lambda self: self.config.static_token, doc="The static bearer token.")
    api_key = property(lambda self: self.config.api_key, doc="The x-functions-key value.")
    scope = property(lambda self: SCOPE, doc="The scope B2C asks the token endpoint for.")

    def secret_values(self) -> tuple:
        """Every secret, so that a test can check none was printed."""
        return (self.password, self.static_token, self.api_key, self.client_secret, self.pfx_password)


def thumbprint(pfx: bytes, password: str) -> str:
    """The SHA-1 thumbprint of a .pfx's certificate, as the Azure portal shows it."""
    _, cert, _ = pkcs12.load_key_and_certificates(pfx, password.encode())
    assert cert is not None
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303


@contextlib.contextmanager
def local_sample_api(*, trust_arr_client_cert: bool = False) -> Iterator[LocalSampleApi]:
    """The sample API over HTTPS and a fake Entra endpoint that issues its tokens; stopped on exit."""
    client_id, client_secret = "sample-b2c-client", secrets.token_urlsafe(24)
    with make_certificates(password=secrets.token_urlsafe(12)) as certs, \
            FakeTokenEndpoint({client_id: client_secret}, certificates=certs) as entra:
        config = ApiConfig(
            basic_username="b2c-sample", basic_password=secrets.token_urlsafe(18),
            static_token=secrets.token_urlsafe(24), api_key=secrets.token_urlsafe(24),
            client_cert_thumbprints=frozenset({thumbprint(certs.client_pfx.read_bytes(), certs.password)}),
            token_issuer=entra.issuer, token_audience=SCOPE[: -len("/.default")], jwks_url=entra.jwks_url,
            ca_bundle=str(certs.ca_pem), trust_arr_client_cert=trust_arr_client_cert,
        )
        with serve_https(create_app(config), certs) as base_url:
            yield LocalSampleApi(base_url, config, certs, entra, client_id, client_secret)
