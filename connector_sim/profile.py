"""The RESTful technical profile as plain, immutable data, in B2C's own vocabulary.

A ``RestfulProfile`` is what a ``<TechnicalProfile>`` with the ``RestfulProvider`` handler says:
ServiceUrl, AuthenticationType (an auth strategy), SendClaimsIn, input and output claims and the
metadata switches. It is checked when it is built, as B2C checks a policy at upload (§12.9).
``call`` is a convenience that hands the profile to ``caller.Caller``; this module does no I/O.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping, Sequence
from urllib.parse import urlsplit

from .auth._strategies import AuthStrategy, Bearer, NoAuth
from .datatypes import DATA_TYPES, JSON_TYPES_MODES
from .errors import ConfigurationError
from .timing import TimingProfile, timing_profile
from .wire import redact_url

if TYPE_CHECKING:
    from .caller import Caller
    from .resolvers import ClaimResolverContext
    from .result import CallResult

__all__ = [
    "DEPLOYMENT_MODES",
    "SEND_CLAIMS_IN",
    "Emulation",
    "InputClaim",
    "OutputClaim",
    "RestfulProfile",
    "UserMessages",
]

#: SendClaimsIn value -> HTTP verb (behaviour file §3.1).
SEND_CLAIMS_IN: Mapping[str, str] = {
    "Body": "POST",
    "Form": "POST",
    "Header": "GET",
    "QueryString": "GET",
    "Url": "GET",
}
DEPLOYMENT_MODES = ("Production", "Development")


def _check_data_type(kind: str, claim: str, data_type: str) -> None:
    if data_type not in DATA_TYPES:
        known = ", ".join(sorted(DATA_TYPES))
        raise ConfigurationError(f"{kind} {claim!r}: unknown data type {data_type!r}; B2C knows {known}")


@dataclass(frozen=True)
class _ClaimReference:
    """What an ``<InputClaim>`` and an ``<OutputClaim>`` share: a claim, its partner name and default."""

    claim_type_reference_id: str
    partner_claim_type: str | None = None
    default_value: str | None = None
    always_use_default_value: bool = False
    data_type: str = "string"

    def __post_init__(self) -> None:
        kind = type(self).__name__
        if not self.claim_type_reference_id:
            raise ConfigurationError(f"an {kind} needs a ClaimTypeReferenceId")
        _check_data_type(kind, self.claim_type_reference_id, self.data_type)

    @property
    def wire_name(self) -> str:
        """The name on the wire (or JSON path of an answer): PartnerClaimType, else ClaimTypeReferenceId."""
        return self.partner_claim_type or self.claim_type_reference_id


@dataclass(frozen=True)
class InputClaim(_ClaimReference):
    """One ``<InputClaim>``: a claim read from the bag and sent under its partner name."""


@dataclass(frozen=True)
class OutputClaim(_ClaimReference):
    """One ``<OutputClaim>``: a claim filled from the answer's property (or JSON path)."""


@dataclass(frozen=True)
class UserMessages:
    """The four error-message metadata overrides; ``None`` means B2C's localized default (§7.4)."""

    request_failed: str | None = None  # DefaultUserMessageIfRequestFailed
    request_timeout: str | None = None  # UserMessageIfRequestTimeout
    dns_resolution_failed: str | None = None  # UserMessageIfDnsResolutionFailed
    circuit_open: str | None = None  # UserMessageIfCircuitOpen


@dataclass(frozen=True)
class Emulation:
    """Switches for what the sources leave open (§12); the defaults are the documented choices."""

    json_types: str = "typed"  # "stringly" sends every Body claim as a JSON string (§12.1)
    accept_any_2xx: bool = False  # B2C documents only 200 as success (§12.4)
    strict_error_status: bool = False  # require body status 409 in the error contract (§7.2)
    null_is_error: bool = False  # a JSON null output is a warning unless this is set (§12.7)
    max_response_bytes: int = 4 * 1024 * 1024  # B2C's limit is unknown; answers are read with this cap

    def __post_init__(self) -> None:
        if self.json_types not in JSON_TYPES_MODES:
            raise ConfigurationError(f"json_types must be one of {JSON_TYPES_MODES}, got {self.json_types!r}")
        if self.max_response_bytes <= 0:
            raise ConfigurationError("max_response_bytes must be positive")


@dataclass(frozen=True, repr=False)
class RestfulProfile:
    """A RESTful technical profile: where to call, how to authenticate, what to send and read."""

    service_url: str
    auth: AuthStrategy = field(default_factory=NoAuth)
    send_claims_in: str = "Body"
    input_claims: Sequence[InputClaim] = ()
    output_claims: Sequence[OutputClaim] = ()
    id: str = "RestfulProfile"
    claim_used_for_request_payload: str | None = None
    resolve_json_paths_in_json_tokens: bool = False
    include_claim_resolving_in_claims_handling: bool = False
    debug_mode: bool = False
    allow_insecure_auth_in_production: bool = False
    deployment_mode: str = "Production"
    timing: TimingProfile | str = "custom-policy"
    messages: UserMessages = field(default_factory=UserMessages)
    ca_bundle: str | None = None
    emulation: Emulation = field(default_factory=Emulation)
    _caller: list[Caller] = field(default_factory=list, init=False, repr=False, compare=False, hash=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False, hash=False)

    def __repr__(self) -> str:
        inputs = [c.claim_type_reference_id for c in self.input_claims]
        outputs = [c.claim_type_reference_id for c in self.output_claims]
        return (f"RestfulProfile(id={self.id!r}, service_url={redact_url(self.service_url)!r}, auth={self.auth!r}, "
                f"send_claims_in={self.send_claims_in!r}, input_claims={inputs!r}, output_claims={outputs!r})")

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "input_claims", tuple(self.input_claims))
        set_(self, "output_claims", tuple(self.output_claims))
        set_(self, "timing", timing_profile(self.timing))
        if self.auth is None:
            set_(self, "auth", NoAuth())
        _validate(self)

    @property
    def method(self) -> str:
        """The HTTP verb SendClaimsIn implies."""
        return SEND_CLAIMS_IN[self.send_claims_in]

    @property
    def timing_profile(self) -> TimingProfile:
        """The resolved timing profile (``timing`` may have been given by name)."""
        assert isinstance(self.timing, TimingProfile)
        return self.timing

    def input_claim(self, name: str) -> InputClaim | None:
        """The input claim with this ClaimTypeReferenceId, if any."""
        return next((c for c in self.input_claims if c.claim_type_reference_id == name), None)

    def with_changes(self, **changes: Any) -> RestfulProfile:
        """A copy with some fields changed (``service_url`` to point at a local server, say)."""
        return replace(self, **changes)

    def call(
        self,
        claims: Mapping[str, Any] | None = None,
        *,
        context: ClaimResolverContext | None = None,
        step: int = 1,
    ) -> CallResult:
        """Call the API as B2C would with this claims bag; raise a ``CallError`` on failure."""
        return self.caller().call(claims or {}, context=context, step=step)

    def caller(self) -> Caller:
        """The profile's ``Caller``, built once so its connections are kept alive between calls."""
        with self._lock:
            if not self._caller:
                from .caller import Caller  # caller imports profile; import late to keep one direction

                self._caller.append(Caller(self))
            return self._caller[0]

    def close(self) -> None:
        """Close the pooled connections of this profile's caller."""
        with self._lock:
            while self._caller:
                self._caller.pop().close()


def _fail(profile: RestfulProfile, code: str, message: str, hint: str | None = None) -> None:
    raise ConfigurationError(
        f"technical profile {profile.id!r}: {message}", profile_id=profile.id, b2c_code=code, hint=hint
    )


def _validate(p: RestfulProfile) -> None:
    """B2C's upload-time checks (§12.9), with B2C's error codes."""
    if not isinstance(p.auth, AuthStrategy):
        raise TypeError(f"auth must be an AuthStrategy such as Basic(...) or NoAuth(), got {type(p.auth).__name__}")
    if p.send_claims_in not in SEND_CLAIMS_IN:
        _fail(p, "AADB2C90029", f"unsupported SendClaimsIn {p.send_claims_in!r}; use one of {', '.join(SEND_CLAIMS_IN)}")
    if p.deployment_mode not in DEPLOYMENT_MODES:
        _fail(p, "AADB2C90026", f"unknown DeploymentMode {p.deployment_mode!r}; use Production or Development")
    if not p.service_url or not isinstance(p.service_url, str):
        _fail(p, "AADB2C90023", "the ServiceUrl metadata is missing")
    parts = urlsplit(p.service_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        _fail(p, "AADB2C90026", f"ServiceUrl {p.service_url!r} is not an absolute http(s) URL")
    if "{" in (parts.hostname or "") or "{" in parts.netloc:
        _fail(p, "AADB2C90026", "the host name part of the ServiceUrl cannot contain claims", "put claims in the path")
    production = p.deployment_mode == "Production"
    if production and parts.scheme == "http" and not p.allow_insecure_auth_in_production:
        _fail(p, "AADB2C90256", "production mode policies must use https",
              "use an https ServiceUrl, or DeploymentMode Development for local work")
    if production and p.auth.authentication_type == "None" and not p.allow_insecure_auth_in_production:
        _fail(p, "AADB2C90258", "AuthenticationType None is only allowed in production mode policies with "
              "metadata key 'AllowInsecureAuthInProduction' set to true",
              "set allow_insecure_auth_in_production=True, or DeploymentMode Development")
    if isinstance(p.auth, Bearer) and p.auth.claim is not None and p.input_claim(p.auth.claim) is None:
        _fail(p, "AADB2C90193", f"the bearer token claim {p.auth.claim!r} (UseClaimAsBearerToken) is not among "
              "the input claims", f"add InputClaim({p.auth.claim!r}) to the profile")
    payload = p.claim_used_for_request_payload
    if payload is not None:
        claim = p.input_claim(payload)
        if claim is None:
            _fail(p, "AADB2C90023", f"ClaimUsedForRequestPayload {payload!r} is not among the input claims")
        elif claim.data_type != "string":
            _fail(p, "AADB2C90023", f"ClaimUsedForRequestPayload {payload!r} must be a string claim")
    wire_names = [c.wire_name for c in p.input_claims if not _is_bearer_claim(p, c)]
    duplicates = sorted({n for n in wire_names if wire_names.count(n) > 1})
    if duplicates:
        _fail(p, "AADB2C99022", f"input claims send the same name twice: {', '.join(duplicates)}")


def _is_bearer_claim(p: RestfulProfile, claim: InputClaim) -> bool:
    return isinstance(p.auth, Bearer) and p.auth.claim == claim.claim_type_reference_id
