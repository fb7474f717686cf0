"""Read what BuildingBlocks hold for claims transformations: the transformations themselves,
Predicates, PredicateValidations, ClaimType restrictions, ContentDefinitions and LocalizedCollections.

One file's parts, unmerged, each with the line it starts on; ``_transformations`` merges them
across the BasePolicy chain and turns them into the engine's objects and context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple
from xml.etree.ElementTree import Element

if TYPE_CHECKING:
    from ._reader import PolicyReader

__all__ = [
    "BlocksPart", "ContentDefinitionPart", "LocalizedCollectionPart", "PredicatePart", "PredicateValidationPart",
    "TransformationPart", "read_blocks", "read_restriction",
]

#: (Text, Value) of an ``<Enumeration>`` or a LocalizedCollection ``<Item>``.
Item = Tuple[str, str]


@dataclass(frozen=True)
class TransformationPart:
    """One ``<ClaimsTransformation>`` as a file writes it."""

    id: str
    method: str
    input_claims: Tuple[Tuple[str, str], ...]  # (ClaimTypeReferenceId, TransformationClaimType)
    input_parameters: Tuple[Tuple[str, str, str], ...]  # (Id, DataType, Value)
    output_claims: Tuple[Tuple[str, str], ...]
    file: str
    line: Optional[int]


@dataclass(frozen=True)
class PredicatePart:
    """One ``<Predicate Id Method>`` with its ``<Parameter Id>`` values."""

    id: str
    method: str
    parameters: Tuple[Tuple[str, str], ...]
    help_text: Optional[str]
    file: str
    line: Optional[int]


@dataclass(frozen=True)
class PredicateValidationPart:
    """One ``<PredicateValidation>``: groups of (group id, MatchAtLeast, predicate ids)."""

    id: str
    groups: Tuple[Tuple[str, Optional[int], Tuple[str, ...]], ...]
    file: str
    line: Optional[int]


@dataclass(frozen=True)
class LocalizedCollectionPart:
    """One ``<LocalizedCollection>`` of a LocalizedResources element."""

    resources_id: str
    element_type: str
    element_id: str
    target_collection: str
    items: Tuple[Item, ...]
    line: Optional[int]


@dataclass(frozen=True)
class ContentDefinitionPart:
    """A ``<ContentDefinition>``'s LocalizedResourcesReferences: (Language, LocalizedResourcesReferenceId)."""

    id: str
    references: Tuple[Tuple[str, str], ...]


@dataclass
class BlocksPart:
    """Everything of one file's BuildingBlocks that transformations read."""

    transformations: List[TransformationPart] = field(default_factory=list)
    predicates: List[PredicatePart] = field(default_factory=list)
    predicate_validations: List[PredicateValidationPart] = field(default_factory=list)
    localized_collections: List[LocalizedCollectionPart] = field(default_factory=list)
    content_definitions: Dict[str, ContentDefinitionPart] = field(default_factory=dict)


def _pairs(reader: PolicyReader, block: Optional[Element], tag: str) -> Tuple[Tuple[str, str], ...]:
    if block is None:
        return ()
    return tuple((reader.require(c, "ClaimTypeReferenceId"), reader.attr(c, "TransformationClaimType") or "")
                 for c in block.findall(tag))


def _transformation(reader: PolicyReader, element: Element) -> TransformationPart:
    params = element.find("InputParameters")
    parameters = tuple(
        (reader.attr(p, "Id") or "", reader.attr(p, "DataType") or "", _value(reader, p))
        for p in (params.findall("InputParameter") if params is not None else ()))
    return TransformationPart(
        reader.require(element, "Id"), reader.attr(element, "TransformationMethod") or "",
        _pairs(reader, element.find("InputClaims"), "InputClaim"), parameters,
        _pairs(reader, element.find("OutputClaims"), "OutputClaim"), reader.name, reader.line(element))


def _value(reader: PolicyReader, parameter: Element) -> str:
    # Value is an attribute; B2C's schema has no element form, but keep the text as a fallback.
    value = reader.attr(parameter, "Value")
    return value if value is not None else (reader.text(parameter) or "")


def read_restriction(reader: PolicyReader, claim_type: Element) -> Tuple[Tuple[Item, ...], Optional[str]]:
    """A ClaimType's ``<Restriction>`` Enumeration items and its PredicateValidationReference Id."""
    restriction = claim_type.find("Restriction")
    items: Tuple[Item, ...] = ()
    if restriction is not None:
        items = tuple((reader.attr(e, "Text") or "", reader.attr(e, "Value") or "")
                      for e in restriction.findall("Enumeration"))
    reference = claim_type.find("PredicateValidationReference")
    return items, (reader.attr(reference, "Id") if reference is not None else None)


def read_blocks(reader: PolicyReader, blocks: Element) -> BlocksPart:
    """The transformation-related parts of one BuildingBlocks element."""
    part = BlocksPart()
    transformations = blocks.find("ClaimsTransformations")
    if transformations is not None:
        part.transformations = [_transformation(reader, t) for t in transformations.findall("ClaimsTransformation")]
    predicates = blocks.find("Predicates")
    if predicates is not None:
        for p in predicates.findall("Predicate"):
            holder = p.find("Parameters")
            params = tuple((reader.attr(x, "Id") or "", reader.text(x) or "")
                           for x in (holder.findall("Parameter") if holder is not None else ()))
            part.predicates.append(PredicatePart(reader.require(p, "Id"), reader.attr(p, "Method") or "", params,
                                                 reader.text(p.find("HelpText")), reader.name, reader.line(p)))
    validations = blocks.find("PredicateValidations")
    if validations is not None:
        for v in validations.findall("PredicateValidation"):
            groups = []
            holder = v.find("PredicateGroups")
            for g in holder.findall("PredicateGroup") if holder is not None else ():
                refs = g.find("PredicateReferences")
                at_least = reader.attr(refs, "MatchAtLeast") if refs is not None else None
                ids = tuple(reader.attr(r, "Id") or "" for r in (refs.findall("PredicateReference")
                                                                 if refs is not None else ()))
                groups.append((reader.attr(g, "Id") or "", int(at_least) if at_least and at_least.isdigit()
                               else None, ids))
            part.predicate_validations.append(PredicateValidationPart(reader.require(v, "Id"), tuple(groups),
                                                                      reader.name, reader.line(v)))
    definitions = blocks.find("ContentDefinitions")
    if definitions is not None:
        for d in definitions.findall("ContentDefinition"):
            refs = d.find("LocalizedResourcesReferences")
            pairs = tuple((reader.attr(r, "Language") or "", reader.attr(r, "LocalizedResourcesReferenceId") or "")
                          for r in (refs.findall("LocalizedResourcesReference") if refs is not None else ()))
            part.content_definitions[reader.attr(d, "Id") or ""] = ContentDefinitionPart(reader.attr(d, "Id") or "",
                                                                                         pairs)
    localization = blocks.find("Localization")
    if localization is not None:
        for resources in localization.findall("LocalizedResources"):
            resources_id = reader.attr(resources, "Id") or ""
            for collections in resources.findall("LocalizedCollections"):
                for c in collections.findall("LocalizedCollection"):
                    items = tuple((reader.attr(i, "Text") or "", reader.attr(i, "Value") or "")
                                  for i in c.findall("Item"))
                    part.localized_collections.append(LocalizedCollectionPart(
                        resources_id, reader.attr(c, "ElementType") or "", reader.attr(c, "ElementId") or "",
                        reader.attr(c, "TargetCollection") or "", items, reader.line(c)))
    return part
