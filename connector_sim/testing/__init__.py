"""Test doubles for transport-level tests: throwaway certificates, HTTPS servers, a fake Entra.

Depends only on the standard library, `cryptography` and PyJWT (msal's dependency; not on
pytest; of the rest of connector_sim only on its error tree, and ``EntraAuthority.caller()`` on its
auth base), so user test suites, connector_sim's own tests and the demo command can all use it:

    with make_certificates() as certs, TlsServer(handler, certificates=certs) as api:
        requests.get(api.url("/api/profile"), verify=str(api.ca_pem))
"""

from __future__ import annotations

from ._negative import TokenCase
from .app_service import CLIENT_CERT_HEADER, AppServiceFront
from .authority import CALLER_APP_ID, ISSUER_FORMATS, EntraAuthority
from .certificates import (
    DEFAULT_CLIENT_CN,
    DEFAULT_PFX_PASSWORD,
    CertificateSet,
    make_certificates,
    make_self_signed_pfx,
    pfx_subject_cn,
)
from .jwt import InvalidTokenError
from .replies import Fault, Handler, HandlerResult, Reply, ServerRequest, json_filler
from .serve import AppServer
from .server import TlsServer, unused_port_url
from .tls import TlsUnsupportedError, tls_version_supported
from .token_endpoint import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FakeTokenEndpoint, TokenRequest

__all__ = [
    "AppServer",
    "AppServiceFront",
    "CALLER_APP_ID",
    "CLIENT_CERT_HEADER",
    "CertificateSet",
    "DEFAULT_CLIENT_CN",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_PFX_PASSWORD",
    "EntraAuthority",
    "FakeTokenEndpoint",
    "Fault",
    "Handler",
    "HandlerResult",
    "ISSUER_FORMATS",
    "InvalidTokenError",
    "Reply",
    "ServerRequest",
    "TlsServer",
    "TlsUnsupportedError",
    "TokenCase",
    "TokenRequest",
    "json_filler",
    "make_certificates",
    "make_self_signed_pfx",
    "pfx_subject_cn",
    "tls_version_supported",
    "unused_port_url",
]
