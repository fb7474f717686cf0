"""connector_sim: call your REST API exactly as Azure AD B2C does, on your own machine."""

from __future__ import annotations

from .auth import ApiKeyHeader, AuthStrategy, Basic, Bearer, ClientCertificate, NoAuth, StaticBearer
from .certificates import CertificateInfo, CertificateKey
from .credentials import ClientCredentials
from .errors import (
    CallError, CertificateError, ClaimsError, ConfigurationError, ConnectionFailedError, ConnectorSimError,
    ContractViolationError, DnsResolutionError, HttpStatusError, InvalidResponseError, MissingKeyError,
    PolicyError, RequestTimeoutError, RestApiError, TlsError, TokenAcquisitionError, TransportError,
)
from .profile import Emulation, InputClaim, OutputClaim, RestfulProfile, UserMessages
from .resolvers import ClaimResolverContext
from .result import Attempt, CallResult, RecordedResponse
from .timing import TIMING_PROFILES, TimingProfile
from .wire import WireRequest

__version__ = "0.1.0"

__all__ = [
    "TIMING_PROFILES",
    "ApiKeyHeader",
    "Attempt",
    "AuthStrategy",
    "Basic",
    "Bearer",
    "CallError",
    "CallResult",
    "CertificateError",
    "CertificateInfo",
    "CertificateKey",
    "ClaimResolverContext",
    "ClaimsError",
    "ClientCertificate",
    "ClientCredentials",
    "ConfigurationError",
    "ConnectionFailedError",
    "ConnectorSimError",
    "ContractViolationError",
    "DnsResolutionError",
    "Emulation",
    "HttpStatusError",
    "InputClaim",
    "InvalidResponseError",
    "MissingKeyError",
    "NoAuth",
    "OutputClaim",
    "PolicyError",
    "RecordedResponse",
    "RequestTimeoutError",
    "RestApiError",
    "RestfulProfile",
    "StaticBearer",
    "TimingProfile",
    "TlsError",
    "TokenAcquisitionError",
    "TransportError",
    "UserMessages",
    "WireRequest",
    "__version__",
]

# Public objects show as connector_sim.X in reprs and tracebacks, not as their private module.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
