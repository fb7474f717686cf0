"""connector_sim: call your REST API exactly as Azure AD B2C does, on your own machine."""

from __future__ import annotations

import typing as _typing

from .errors import (
    CallError,
    CertificateError,
    ClaimsError,
    ClaimsTransformationError,
    ConfigurationError,
    ConnectionFailedError,
    ConnectorSimError,
    ContractViolationError,
    DnsResolutionError,
    HttpStatusError,
    InvalidResponseError,
    MissingKeyError,
    PolicyError,
    RequestTimeoutError,
    RestApiError,
    TlsError,
    TokenAcquisitionError,
    TransportError,
)
from .faces import lazy_face as _lazy_face

if _typing.TYPE_CHECKING:  # what type checkers see; at run time each name is imported on first use (_LAZY)
    from .auth import (
        ApiKeyHeader,
        AuthStrategy,
        Basic,
        Bearer,
        CertificateInfo,
        CertificateKey,
        ClientCertificate,
        ClientCredentials,
        NoAuth,
        StaticBearer,
    )
    from .caller import Caller
    from .connectors import ApiConnector, ConnectorOutcome, ExternalIdExtension, Violation
    from .journey import JourneyResult, StepResult, run_journey, run_profiles
    from .keys import KeyStore
    from .policy import (
        ClaimType,
        Finding,
        Policy,
        Settings,
        TechnicalProfileDefinition,
        lint,
        load_policy,
        load_policy_text,
    )
    from .profile import Emulation, InputClaim, OutputClaim, RestfulProfile, UserMessages
    from .resolvers import ClaimResolverContext
    from .result import CallResult
    from .timing import TIMING_PROFILES, TimingProfile
    from .wire import Attempt, RecordedResponse, WireRequest

__version__ = "0.1.0"

# The module that defines each public name, imported when the name is first used (PEP 562), so
# that ``import connector_sim`` costs the error tree alone and a script pays only for what it
# uses (requests, defusedxml, cryptography and msal among them). A new public name goes here, in
# the TYPE_CHECKING imports above and in __all__ (tests/core/test_lazy_imports.py holds them equal).
_LAZY: dict[str, str] = {
    name: module for module, names in {
        ".auth": ("ApiKeyHeader", "AuthStrategy", "Basic", "Bearer", "CertificateInfo", "CertificateKey",
                  "ClientCertificate", "ClientCredentials", "NoAuth", "StaticBearer"),
        ".caller": ("Caller",),
        ".connectors": ("ApiConnector", "ConnectorOutcome", "ExternalIdExtension", "Violation"),
        ".journey": ("JourneyResult", "StepResult", "run_journey", "run_profiles"),
        ".keys": ("KeyStore",),
        ".policy": ("ClaimType", "Finding", "Policy", "Settings", "TechnicalProfileDefinition", "lint", "load_policy",
                    "load_policy_text"),
        ".profile": ("Emulation", "InputClaim", "OutputClaim", "RestfulProfile", "UserMessages"),
        ".resolvers": ("ClaimResolverContext",),
        ".result": ("CallResult",),
        ".timing": ("TIMING_PROFILES", "TimingProfile"),
        ".wire": ("Attempt", "RecordedResponse", "WireRequest"),
    }.items() for name in names
}

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


def _show_as_public(obj: object) -> None:
    # Public objects show as connector_sim.X in reprs and tracebacks, not as their private module.
    if isinstance(obj, type) or callable(obj):
        obj.__module__ = __name__


__getattr__, __dir__ = _lazy_face(__name__, _LAZY, globals(), on_load=_show_as_public)


for _name in __all__:
    if _name not in _LAZY:
        _show_as_public(globals()[_name])
del _name
