"""The RESTful technical profile as plain, immutable data, in B2C's own vocabulary.

A ``RestfulProfile`` is what a ``<TechnicalProfile>`` with the ``RestfulProvider`` handler says:
ServiceUrl, AuthenticationType (an auth strategy), SendClaimsIn, input and output claims and the
metadata switches. It is checked when it is built, as B2C checks a policy at upload (``rules``).
``call`` is a convenience that hands the profile to a ``Caller`` held for it; this module does no I/O.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from .auth import AuthStrategy, NoAuth
from .claims import fold
from .datatypes import DATA_TYPES, JSON_TYPES_MODES
from .errors import ConfigurationError
from .messages import UserMessages
from .redact import redact_url
from .rules import DEPLOYMENT_MODES, SEND_CLAIMS_IN, check_profile
from .timing import TimingProfile, timing_profile

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

# One lock for every profile's first call: a profile holds no lock of its own (it is plain data).
_CALLER_LOCK = threading.Lock()


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
        """The input claim with this ClaimTypeReferenceId (in any case, as B2C matches them), if any."""
        key = fold(name)
        return next((c for c in self.input_claims if fold(c.claim_type_reference_id) == key), None)

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
        """The ``Caller`` this profile's ``call`` uses, built once so connections stay alive between calls."""
        # The one step of the core that reaches up to the caller: lazily, so a profile stays data.
        held = self.__dict__.get("_held_caller")
        if held is None:
            with _CALLER_LOCK:
                held = self.__dict__.get("_held_caller")
                if held is None:
                    from .caller import Caller

                    held = Caller(self)
                    object.__setattr__(self, "_held_caller", held)  # not a field: not in eq, repr or replace
        return held

    def use_caller(self, caller: Caller) -> None:
        """Make ``call`` use this caller (a second transport, connections of its own), closing the one held."""
        with _CALLER_LOCK:
            held = self.__dict__.get("_held_caller")
            object.__setattr__(self, "_held_caller", caller)
        if held is not None and held is not caller:
            held.close()

    def close(self) -> None:
        """Close the pooled connections of the caller ``call`` holds."""
        held = self.__dict__.pop("_held_caller", None)
        if held is not None:
            held.close()


def _validate(p: RestfulProfile) -> None:
    """B2C's upload-time checks (``rules``), raised with B2C's code on the first finding."""
    if not isinstance(p.auth, AuthStrategy):
        raise TypeError(f"auth must be an AuthStrategy such as Basic(...) or NoAuth(), got {type(p.auth).__name__}")
    for rule in check_profile(p):
        raise ConfigurationError(f"technical profile {p.id!r}: {rule.message}", profile_id=p.id,
                                 b2c_code=rule.code, hint=rule.hint)
