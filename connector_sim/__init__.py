"""connector_sim: call your REST API exactly as Azure AD B2C does, on your own machine."""

from __future__ import annotations

from .auth import (
    ApiKeyHeader, AuthStrategy, Basic, Bearer, CertificateInfo, CertificateKey, ClientCertificate, ClientCredentials,
    NoAuth, StaticBearer,
)
from .caller import Caller
from .connectors import ApiConnector, ConnectorOutcome, ExternalIdExtension, Violation
from .errors import (
    CallError, CertificateError, ClaimsError, ClaimsTransformationError, ConfigurationError, ConnectionFailedError,
    ConnectorSimError, ContractViolationError, DnsResolutionError, HttpStatusError, InvalidResponseError,
    MissingKeyError, PolicyError, RequestTimeoutError, RestApiError, TlsError, TokenAcquisitionError, TransportError,
)
from .journey import JourneyResult, StepResult, run_journey, run_profiles
from .keys import KeyStore
from .policy import ClaimType, Finding, Policy, Settings, TechnicalProfileDefinition, lint, load_policy, load_policy_text
from .profile import Emulation, InputClaim, OutputClaim, RestfulProfile, UserMessages
from .resolvers import ClaimResolverContext
from .result import CallResult
from .wire import Attempt, RecordedResponse
from .timing import TIMING_PROFILES, TimingProfile
from .wire import WireRequest

__version__ = "0.1.0"

__all__ = [
    "ApiConnector",
    "ApiKeyHeader",
    "Attempt",
    "AuthStrategy",
    "Basic",
    "Bearer",
    "CallError",
    "CallResult",
    "Caller",
    "CertificateError",
    "CertificateInfo",
    "CertificateKey",
    "ClaimResolverContext",
    "ClaimType",
    "ClaimsError",
    "ClaimsTransformationError",
    "ClientCertificate",
    "ClientCredentials",
    "ConfigurationError",
    "ConnectionFailedError",
    "ConnectorOutcome",
    "ConnectorSimError",
    "ContractViolationError",
    "DnsResolutionError",
    "Emulation",
    "ExternalIdExtension",
    "Finding",
    "HttpStatusError",
    "InputClaim",
    "InvalidResponseError",
    "JourneyResult",
    "KeyStore",
    "MissingKeyError",
    "NoAuth",
    "OutputClaim",
    "Policy",
    "PolicyError",
    "RecordedResponse",
    "RequestTimeoutError",
    "RestApiError",
    "RestfulProfile",
    "Settings",
    "StaticBearer",
    "StepResult",
    "TIMING_PROFILES",
    "TechnicalProfileDefinition",
    "TimingProfile",
    "TlsError",
    "TokenAcquisitionError",
    "TransportError",
    "UserMessages",
    "Violation",
    "WireRequest",
    "__version__",
    "lint",
    "load_policy",
    "load_policy_text",
    "run_journey",
    "run_profiles",
]

# Public objects show as connector_sim.X in reprs and tracebacks, not as their private module.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) or callable(_obj):
        _obj.__module__ = __name__
del _name, _obj
