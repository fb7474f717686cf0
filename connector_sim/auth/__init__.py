"""Authentication strategies, one per B2C ``AuthenticationType``, and their key material."""

from __future__ import annotations

from ._api_key import ApiKeyHeader
from ._base import AuthStrategy, NoAuth
from ._basic import Basic
from ._bearer import Bearer, BearerFromClaim, BearerFromCredentials, StaticBearer
from ._build import AUTHENTICATION_TYPES, build_auth
from ._certificate import ClientCertificate
from ._certificates import CertificateInfo, CertificateKey, LoadedCertificate, load_pfx, select_certificate
from ._credentials import ClientCredentials

__all__ = [
    "AUTHENTICATION_TYPES",
    "ApiKeyHeader",
    "AuthStrategy",
    "Basic",
    "Bearer",
    "BearerFromClaim",
    "BearerFromCredentials",
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
