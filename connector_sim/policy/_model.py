"""What a set of policy files says, as plain data: claim types, technical profiles, journeys.

These are the resolved (merged) views ``policy.Policy`` hands out. Every element remembers the
file and line it came from, so errors and lint findings can point at the XML a developer edits.
No I/O and no XML here: ``policy_xml`` reads files, ``policy_merge`` merges them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

from ..profile import InputClaim, OutputClaim
from ..redact import redact_url

__all__ = [
    "CLAIMS_TRANSFORMATION_KIND",
    "ClaimReference",
    "ClaimType",
    "Finding",
    "KeyReference",
    "MetadataItem",
    "OrchestrationStep",
    "Precondition",
    "RESTFUL_KIND",
    "TechnicalProfileDefinition",
    "ValidationReference",
]

RESTFUL_KIND = "RestfulProvider"
#: The handler kind of claims transformation technical profiles (only transformations, no call).
CLAIMS_TRANSFORMATION_KIND = "ClaimsTransformationProtocolProvider"

#: (file, line) of an element; line is None for text that was not parsed from a file.
Location = Tuple[str, Optional[int]]


@dataclass(frozen=True)
class ClaimType:
    """One ``<ClaimType>`` of the ClaimsSchema (after merging the files that declare it)."""

    id: str
    data_type: str = "string"
    display_name: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    #: ``<Restriction>`` ``<Enumeration Text Value>`` items.
    enumeration: Tuple[Tuple[str, str], ...] = ()
    #: The Id of its ``<PredicateValidationReference>``.
    predicate_validation: Optional[str] = None


@dataclass(frozen=True)
class KeyReference:
    """One ``<Key Id=... StorageReferenceId=...>`` of a profile's CryptographicKeys."""

    id: Optional[str]
    storage_reference_id: str
    file: Optional[str] = None
    line: Optional[int] = None


@dataclass(frozen=True)
class MetadataItem:
    """One metadata ``<Item Key=...>`` and where its (winning) value was written."""

    key: str
    value: str
    file: Optional[str] = None
    line: Optional[int] = None

    def __repr__(self) -> str:
        # A ServiceUrl may carry a function key (?code=...): show it redacted, like RestfulProfile does.
        value = redact_url(self.value) if self.key == "ServiceUrl" else self.value
        return f"MetadataItem(key={self.key!r}, value={value!r}, file={self.file!r}, line={self.line})"


@dataclass(frozen=True)
class Precondition:
    """A ``<Precondition>`` of an orchestration step or validation technical profile."""

    type: str
    execute_actions_if: bool
    values: Tuple[str, ...] = ()
    action: Optional[str] = None


@dataclass(frozen=True)
class ValidationReference:
    """One ``<ValidationTechnicalProfile>`` of a self-asserted profile, in document order."""

    reference_id: str
    continue_on_error: bool = False
    continue_on_success: bool = True
    preconditions: Tuple[Precondition, ...] = ()
    file: Optional[str] = None
    line: Optional[int] = None


@dataclass(frozen=True)
class OrchestrationStep:
    """One ``<OrchestrationStep>`` of a user journey or sub journey."""

    order: int
    type: str
    technical_profile_ids: List[str]
    file: Optional[str] = None
    line: Optional[int] = None
    preconditions: Tuple[Precondition, ...] = ()
    claims_exchange_ids: Tuple[str, ...] = ()
    sub_journey_ids: Tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimReference:
    """An input or output claim as written (attributes raw), for lint and data-type checks."""

    claim_type_reference_id: str
    partner_claim_type: Optional[str] = None
    default_value: Optional[str] = None
    always_use_default_value: Optional[str] = None  # the raw attribute text
    required: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None


@dataclass
class TechnicalProfileDefinition:
    """A technical profile after merging every file and IncludeTechnicalProfile that shapes it."""

    id: str
    handler: Optional[str] = None
    protocol_name: Optional[str] = None
    kind: str = "Unknown"
    metadata: Dict[str, str] = field(default_factory=dict)
    cryptographic_keys: List[KeyReference] = field(default_factory=list)
    input_claims: List[InputClaim] = field(default_factory=list)
    output_claims: List[OutputClaim] = field(default_factory=list)
    validation_technical_profiles: List[ValidationReference] = field(default_factory=list)
    include_technical_profile: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    display_name: Optional[str] = None
    #: Every element that contributed, base first (file, line).
    parts: List[Location] = field(default_factory=list)
    #: Where each metadata item's winning value was written.
    metadata_items: Dict[str, MetadataItem] = field(default_factory=dict)
    input_claim_refs: List[ClaimReference] = field(default_factory=list)
    output_claim_refs: List[ClaimReference] = field(default_factory=list)
    input_claims_transformations: List[str] = field(default_factory=list)
    output_claims_transformations: List[str] = field(default_factory=list)
    #: The IncludeTechnicalProfile chain, nearest first; a missing target ends it.
    includes: List[str] = field(default_factory=list)
    missing_include: Optional[str] = None

    @property
    def is_restful(self) -> bool:
        """True for ``Web.TPEngine.Providers.RestfulProvider`` profiles, the only HTTP calls."""
        return self.kind == RESTFUL_KIND

    @property
    def is_claims_transformation(self) -> bool:
        """True for ``ClaimsTransformationProtocolProvider`` profiles, which only run transformations."""
        return self.kind == CLAIMS_TRANSFORMATION_KIND

    @property
    def last_location(self) -> Location:
        """The most derived element that shaped the profile (where a developer adds to it)."""
        return self.parts[-1] if self.parts else (self.file or "", self.line)

    def location_of(self, metadata_key: str) -> Location:
        """Where a metadata item was written, or the profile's last element if it is absent."""
        item = self.metadata_items.get(metadata_key)
        return (item.file or "", item.line) if item else self.last_location

    def __repr__(self) -> str:
        return f"TechnicalProfileDefinition(id={self.id!r}, kind={self.kind!r}, file={self.file!r}, line={self.line})"


@dataclass(frozen=True)
class Finding:
    """One lint result: what is wrong, how bad, and where to fix it."""

    severity: str  # "error" | "warning"
    code: str  # a B2C error code (AADB2C...) or a short id
    message: str
    profile_id: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "<policy>")
        return f"{where}: {self.severity}: {self.code}: {self.message}"

    def to_dict(self) -> dict:
        """A JSON-ready dict (the shape of ``connector-sim lint --json``)."""
        return asdict(self)
