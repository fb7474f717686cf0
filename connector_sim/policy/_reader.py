"""Read a parsed policy tree into per-file parts: claim types, technical profiles, journeys.

One ``PolicyFile`` holds what one file (or fragment) writes, unmerged, each element with the line
it starts on. ``{Settings:Name}`` placeholders are filled as values are read (``fill``), so the
lines stay those of the file on disk. ``policy_merge`` combines the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple, Union
from xml.etree.ElementTree import Element

from ..errors import PolicyError
from ._blocks import BlocksPart, read_blocks, read_restriction
from ._model import ClaimReference, KeyReference, MetadataItem, OrchestrationStep, ValidationReference
from ._steps import journeys, validation

__all__ = ["FRAGMENT_ROOTS", "WRAPPER", "ClaimTypePart", "PolicyFile", "PolicyReader", "TechnicalProfilePart"]

FRAGMENT_ROOTS = (
    "ClaimsProvider", "ClaimsProviders", "TechnicalProfile", "TechnicalProfiles", "ClaimType", "ClaimsSchema",
    "BuildingBlocks", "ClaimsTransformation", "ClaimsTransformations",
)
#: The element that wraps several sibling roots (the article prints ClaimTypes that way).
WRAPPER = "ConnectorSimFragment"


@dataclass
class ClaimTypePart:
    """A ``<ClaimType>`` as one file writes it (DataType may be left to a base file)."""

    id: str
    data_type: Optional[str]
    display_name: Optional[str]
    file: str
    line: Optional[int]
    #: ``<Restriction>`` Enumeration items (Text, Value); None when the file writes no Restriction.
    enumeration: Optional[Tuple[Tuple[str, str], ...]] = None
    predicate_validation: Optional[str] = None


@dataclass
class TechnicalProfilePart:
    """A ``<TechnicalProfile>`` as one file writes it; ``None`` lists mean the element is absent."""

    id: str
    file: str
    line: Optional[int]
    display_name: Optional[str] = None
    protocol: Optional[Tuple[Optional[str], Optional[str]]] = None  # (Name, Handler)
    metadata: List[MetadataItem] = field(default_factory=list)
    keys: List[KeyReference] = field(default_factory=list)
    input_claims: List[ClaimReference] = field(default_factory=list)
    output_claims: List[ClaimReference] = field(default_factory=list)
    validations: List[ValidationReference] = field(default_factory=list)
    include: Optional[str] = None
    input_transformations: List[str] = field(default_factory=list)
    output_transformations: List[str] = field(default_factory=list)


@dataclass
class PolicyFile:
    """Everything one file declares, unmerged."""

    name: str
    root: str
    line: Optional[int] = None
    policy_id: Optional[str] = None
    tenant_id: Optional[str] = None
    base_policy_id: Optional[str] = None
    base_tenant_id: Optional[str] = None
    base_line: Optional[int] = None
    deployment_mode: Optional[str] = None
    claim_types: List[ClaimTypePart] = field(default_factory=list)
    technical_profiles: List[TechnicalProfilePart] = field(default_factory=list)
    journeys: Dict[str, List[OrchestrationStep]] = field(default_factory=dict)
    sub_journeys: Dict[str, List[OrchestrationStep]] = field(default_factory=dict)
    #: SubJourney Id -> its Type attribute (Call or Transfer; B2C's default is Call).
    sub_journey_types: Dict[str, str] = field(default_factory=dict)
    journey_lines: Dict[str, Optional[int]] = field(default_factory=dict)
    claims_transformations: Dict[str, List[str]] = field(default_factory=dict)
    #: ClaimsTransformations, Predicates, ContentDefinitions, LocalizedCollections (``_blocks``).
    blocks: BlocksPart = field(default_factory=BlocksPart)
    default_language: Optional[str] = None
    #: (LocalizedResources Id, ElementType, StringId, text, line)
    localized_strings: List[Tuple[str, str, str, str, Optional[int]]] = field(default_factory=list)
    #: ``{Settings:Name}`` placeholders left unfilled (no settings given): (name, line)
    unresolved_settings: List[Tuple[str, int]] = field(default_factory=list)
    #: The text as loaded (bytes or str), for lint's schema check; None when built in code.
    source: Optional[Union[bytes, str]] = field(default=None, repr=False, compare=False)

    @property
    def is_fragment(self) -> bool:
        """True for a file rooted at ClaimsProvider, TechnicalProfile... (no PolicyId)."""
        return self.root != "TrustFrameworkPolicy"


class PolicyReader:
    """Turns one parsed tree into a PolicyFile; fills settings placeholders as values are read."""

    def __init__(self, name: str, lines: Dict[int, int], fill: Callable[[str], str]) -> None:
        self.name = name
        self.lines = lines
        self.fill = fill

    def line(self, element: Element) -> Optional[int]:
        """The line the element starts on."""
        return self.lines.get(id(element))

    def attr(self, element: Element, key: str) -> Optional[str]:
        """An attribute, settings filled; None when absent."""
        value = element.get(key)
        return self.fill(value) if value is not None else None

    def text(self, element: Optional[Element]) -> Optional[str]:
        """An element's stripped text, settings filled; None when absent or empty."""
        if element is None or element.text is None:
            return None
        return self.fill(element.text.strip())

    def require(self, element: Element, key: str) -> str:
        """An attribute the schema requires; PolicyError with the line when it is missing."""
        value = self.attr(element, key)
        if not value:
            raise PolicyError(f"<{element.tag}> needs the {key} attribute", file=self.name, line=self.line(element))
        return value

    def boolean(self, element: Element, key: str, default: bool) -> bool:
        """An xs:boolean attribute (true/false, any case) or ``default``; PolicyError otherwise."""
        value = self.attr(element, key)
        if value is None:
            return default
        if value.strip().lower() not in ("true", "false"):
            raise PolicyError(f"<{element.tag}> {key}={value!r} is not a boolean; use true or false",
                              file=self.name, line=self.line(element), b2c_code="AADB2C90030")
        return value.strip().lower() == "true"

    # -- sections -------------------------------------------------------------------------------

    def read(self, root: Element) -> PolicyFile:
        """The PolicyFile of a whole tree (TrustFrameworkPolicy, a fragment, or wrapped fragments)."""
        policy = PolicyFile(name=self.name, root=root.tag, line=self.line(root))
        if root.tag == "TrustFrameworkPolicy":
            self.policy_attributes(root, policy)
            for child in root:
                if child.tag == "BuildingBlocks":
                    self.building_blocks(child, policy)
                elif child.tag == "ClaimsProviders":
                    self.claims_providers(child, policy)
                elif child.tag == "UserJourneys":
                    journeys(self, child, "UserJourney", policy.journeys, policy)
                elif child.tag == "SubJourneys":
                    journeys(self, child, "SubJourney", policy.sub_journeys, policy)
            return policy
        fragments = list(root) if root.tag == WRAPPER else [root]
        if root.tag == WRAPPER:
            policy.root = fragments[0].tag
        for fragment in fragments:
            self.fragment(fragment, policy)
        return policy

    def fragment(self, element: Element, policy: PolicyFile) -> None:
        """One fragment root: ClaimsProvider(s), TechnicalProfile(s), ClaimType, ClaimsSchema, BuildingBlocks."""
        tag = element.tag
        if tag == "ClaimsProviders":
            self.claims_providers(element, policy)
        elif tag == "ClaimsProvider":
            self.claims_providers_of([element], policy)
        elif tag == "TechnicalProfiles":
            policy.technical_profiles.extend(self.technical_profile(tp) for tp in element.findall("TechnicalProfile"))
        elif tag == "TechnicalProfile":
            policy.technical_profiles.append(self.technical_profile(element))
        elif tag in ("ClaimType", "ClaimsSchema"):
            types = [element] if tag == "ClaimType" else element.findall("ClaimType")
            policy.claim_types.extend(self.claim_type(ct) for ct in types)
        elif tag == "BuildingBlocks":
            self.building_blocks(element, policy)
        elif tag in ("ClaimsTransformation", "ClaimsTransformations"):
            holder = Element("ClaimsTransformations")
            holder.extend([element] if tag == "ClaimsTransformation" else list(element))
            blocks = Element("BuildingBlocks")
            blocks.append(holder)
            self.building_blocks(blocks, policy)
        else:
            accepted = ", ".join(("TrustFrameworkPolicy",) + FRAGMENT_ROOTS)
            raise PolicyError(f"<{tag}> is not a policy file or a fragment connector_sim can load; the root "
                              f"element must be one of {accepted}", file=self.name, line=self.line(element))

    def policy_attributes(self, root: Element, policy: PolicyFile) -> None:
        """PolicyId, TenantId, DeploymentMode and the BasePolicy reference."""
        policy.policy_id = self.attr(root, "PolicyId")
        policy.tenant_id = self.attr(root, "TenantId")
        policy.deployment_mode = self.attr(root, "DeploymentMode")
        base = root.find("BasePolicy")
        if base is not None:
            policy.base_policy_id = self.text(base.find("PolicyId"))
            policy.base_tenant_id = self.text(base.find("TenantId"))
            policy.base_line = self.line(base)
            if not policy.base_policy_id:
                raise PolicyError("<BasePolicy> needs a <PolicyId>", file=self.name, line=policy.base_line)

    def building_blocks(self, blocks: Element, policy: PolicyFile) -> None:
        """ClaimsSchema, ClaimsTransformations (their outputs) and Localization."""
        schema = blocks.find("ClaimsSchema")
        if schema is not None:
            policy.claim_types.extend(self.claim_type(ct) for ct in schema.findall("ClaimType"))
        more = read_blocks(self, blocks)
        for part in more.transformations:
            policy.claims_transformations[part.id] = [claim for claim, _ in part.output_claims]
        policy.blocks.transformations += more.transformations
        policy.blocks.predicates += more.predicates
        policy.blocks.predicate_validations += more.predicate_validations
        policy.blocks.localized_collections += more.localized_collections
        policy.blocks.content_definitions.update(more.content_definitions)
        localization = blocks.find("Localization")
        if localization is not None:
            languages = localization.find("SupportedLanguages")
            if languages is not None:
                policy.default_language = self.attr(languages, "DefaultLanguage")
            for resources in localization.findall("LocalizedResources"):
                resources_id = self.attr(resources, "Id") or ""
                for strings in resources.findall("LocalizedStrings"):
                    for s in strings.findall("LocalizedString"):
                        policy.localized_strings.append((resources_id, self.attr(s, "ElementType") or "",
                                                         self.attr(s, "StringId") or "", self.text(s) or "",
                                                         self.line(s)))

    def claim_type(self, element: Element) -> ClaimTypePart:
        """One ClaimType."""
        items, predicate = read_restriction(self, element)
        return ClaimTypePart(self.require(element, "Id"), self.text(element.find("DataType")),
                             self.text(element.find("DisplayName")), self.name, self.line(element),
                             items if element.find("Restriction") is not None else None, predicate)

    def claims_providers(self, providers: Element, policy: PolicyFile) -> None:
        """Every technical profile of a ClaimsProviders element."""
        self.claims_providers_of(providers.findall("ClaimsProvider"), policy)

    def claims_providers_of(self, providers: List[Element], policy: PolicyFile) -> None:
        """Every technical profile of these ClaimsProvider elements."""
        for provider in providers:
            profiles = provider.find("TechnicalProfiles")
            if profiles is not None:
                policy.technical_profiles.extend(
                    self.technical_profile(tp) for tp in profiles.findall("TechnicalProfile"))

    def technical_profile(self, element: Element) -> TechnicalProfilePart:
        """One TechnicalProfile as this file writes it."""
        part = TechnicalProfilePart(self.require(element, "Id"), self.name, self.line(element))
        for child in element:
            tag = child.tag
            if tag == "DisplayName":
                part.display_name = self.text(child)
            elif tag == "Protocol":
                part.protocol = (self.attr(child, "Name"), self.attr(child, "Handler"))
            elif tag == "Metadata":
                part.metadata.extend(
                    MetadataItem(self.require(item, "Key"), self.text(item) or "", self.name, self.line(item))
                    for item in child.findall("Item"))
            elif tag == "CryptographicKeys":
                part.keys.extend(
                    KeyReference(self.attr(key, "Id"), self.require(key, "StorageReferenceId"), self.name,
                                 self.line(key))
                    for key in child.findall("Key"))
            elif tag == "InputClaims":
                part.input_claims.extend(self.claim(c) for c in child.findall("InputClaim"))
            elif tag == "OutputClaims":
                part.output_claims.extend(self.claim(c) for c in child.findall("OutputClaim"))
            elif tag == "ValidationTechnicalProfiles":
                part.validations.extend(validation(self, v) for v in child.findall("ValidationTechnicalProfile"))
            elif tag == "IncludeTechnicalProfile":
                part.include = self.require(child, "ReferenceId")
            elif tag == "InputClaimsTransformations":
                part.input_transformations.extend(self.require(t, "ReferenceId") for t in child)
            elif tag == "OutputClaimsTransformations":
                part.output_transformations.extend(self.require(t, "ReferenceId") for t in child)
        return part

    def claim(self, element: Element) -> ClaimReference:
        """One InputClaim or OutputClaim, attributes raw."""
        return ClaimReference(
            self.require(element, "ClaimTypeReferenceId"), self.attr(element, "PartnerClaimType"),
            self.attr(element, "DefaultValue"), self.attr(element, "AlwaysUseDefaultValue"),
            self.attr(element, "Required"), self.name, self.line(element))
