"""Authentication strategies, one per B2C ``AuthenticationType``, and their key material."""

from __future__ import annotations

from ._certificates import CertificateInfo, CertificateKey, LoadedCertificate, load_pfx, select_certificate
from ._credentials import ClientCredentials
from ._strategies import (
    AUTHENTICATION_TYPES, ApiKeyHeader, AuthStrategy, Basic, Bearer, ClientCertificate, NoAuth, StaticBearer,
    build_auth,
)

__all__ = [
    "AUTHENTICATION_TYPES",
    "ApiKeyHeader",
    "AuthStrategy",
    "Basic",
    "Bearer",
    "CertificateInfo",
    "CertificateKey",
    "ClientCertificate",
    "ClientCredentials",
    "LoadedCertificate",
    "NoAuth",
    "StaticBearer",
    "build_auth",
    "load_pfx",
    "select_certificate",
]
