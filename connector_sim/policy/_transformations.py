"""The policy's claims transformations as the engine runs them, and what they read besides claims.

Merges every file's ClaimsTransformations across the BasePolicy chain (a later file's Id wins,
ids match without regard to case), checks each with the engine as B2C does at upload, and builds
the ``TransformationContext`` a profile's transformations see: tenant ids, localized strings and
collections of its content definition, ClaimType restrictions and predicate validations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ..claims import ClaimsBag, fold
from ..errors import PolicyError
from ._blocks import TransformationPart

if TYPE_CHECKING:
    from ..transformations import ClaimsTransformation, TransformationContext
    from ._model import TechnicalProfileDefinition
    from ._policy import Policy
    from ._reader import PolicyFile

__all__ = [
    "UNDOCUMENTED_METHODS", "TransformationProblem", "check_policy_transformations", "context_for", "engine_object",
    "data_types_for", "is_undocumented", "merge_transformations",
    "raise_problems",
]


#: TransformationMethods B2C runs that Microsoft does not document: its own azure-ad-b2c/samples use
#: them (account-linkage, auto-account-linking, age-gating, password-reset-with-phone-number), so
#: B2C accepts them at upload. connector_sim cannot run them: they load (lint warns), and running
#: one is a ConfigurationError that says so. Any other unknown method is refused at load.
UNDOCUMENTED_METHODS = frozenset({
    "AddItemToUserIdentityCollection", "CreateUserIdentity", "GetAgeGroupConsentProvidedAndRequiresConsent",
    "GetIssuersFromUserIdentityCollectionTransformation", "GuidAndRandomGenerator",
    "RemoveUserIdentityFromCollectionByIssuer",
})


def is_undocumented(method: str) -> bool:
    """True for a TransformationMethod B2C has but does not document (``UNDOCUMENTED_METHODS``)."""
    return method.lower() in {m.lower() for m in UNDOCUMENTED_METHODS}


@dataclass(frozen=True)
class TransformationProblem:
    """Something B2C refuses at upload about a transformation or a reference to one."""

    message: str
    file: Optional[str]
    line: Optional[int]
    transformation_id: Optional[str] = None
    profile_id: Optional[str] = None
    severity: str = "error"  # "warning": the engine finds it suspicious, B2C accepts it
    code: str = "transformation"


def engine_object(part: TransformationPart) -> ClaimsTransformation:
    """The engine's ClaimsTransformation for a part as the policy declares it."""
    from ..transformations import METHODS, ClaimsTransformation  # the engine loads only for policies that use it

    # B2C matches the method name without regard to case: Microsoft's selectemail and username-or-email
    # samples write setClaimsIfRegexMatch.
    method = part.method if part.method in METHODS else next(
        (name for name in METHODS if name.lower() == part.method.lower()), part.method)
    return ClaimsTransformation(
        id=part.id, method=method, input_claims=part.input_claims, input_parameters=part.input_parameters,
        output_claims=part.output_claims, file=part.file, line=part.line)


def merge_transformations(files: Sequence[PolicyFile]) -> Tuple[ClaimsBag, List[TransformationProblem]]:
    """Every ClaimsTransformation part by Id (base first, a later file's wins), and duplicate Ids in one file.

    The parts become the engine's ``ClaimsTransformation`` objects on first use (``Policy.transformation``).
    """
    merged = ClaimsBag()
    duplicates: List[TransformationProblem] = []
    for f in files:
        seen: Dict[str, TransformationPart] = {}
        for part in f.blocks.transformations:
            key = fold(part.id)
            if key in seen:
                first = seen[key]
                duplicates.append(TransformationProblem(
                    f"ClaimsTransformation Id {part.id!r} is declared twice in this file (first at line "
                    f"{first.line})", part.file, part.line, part.id))
            seen[key] = part
            if part.id in merged:
                del merged[part.id]  # the overriding file's spelling and content
            merged[part.id] = part
    return merged, duplicates


def data_types_for(policy: Policy, transformation: ClaimsTransformation) -> Dict[str, str]:
    """The DataTypes of the claims one transformation names: the engine reads no others, and handing it
    the whole schema would cost a pass over every ClaimType on each run."""
    cache: Dict[str, Any] = policy._transformation_cache
    key = "types:" + transformation.id
    found = cache.get(key)
    if found is None:
        names = [claim for claim, _tct in transformation.input_claims + transformation.output_claims]
        found = cache[key] = {name: policy.claim_data_types[name] for name in names if name in policy.claim_data_types}
    return found


def check_policy_transformations(policy: Policy) -> List[TransformationProblem]:
    """What B2C refuses at upload: the engine's checks of each transformation, and unknown references."""
    problems: List[TransformationProblem] = []
    if policy.transformations:
        from ..transformations import check
    for part in policy.transformations.values():
        transformation = policy.transformation(part.id)
        if is_undocumented(transformation.method):
            problems.append(TransformationProblem(
                f"ClaimsTransformation {part.id!r} uses TransformationMethod {part.method!r}, which B2C has but "
                "does not document (Microsoft's samples use it); connector_sim cannot run it, so a journey that "
                "reaches it stops with an error (answer the profile that runs it with supplied claims)",
                part.file, part.line, part.id, severity="warning", code="undocumented-method"))
            continue
        claim_types = data_types_for(policy, transformation) if policy.claim_types else None
        for problem in check(transformation, claim_types=claim_types):
            problems.append(TransformationProblem(
                problem.message, problem.file or transformation.file, problem.line or transformation.line,
                transformation.id, severity=problem.severity, code=problem.code))
    if policy.has_full_policy:
        for d in policy.technical_profiles.values():
            for kind, ids in (("InputClaimsTransformation", d.input_claims_transformations),
                              ("OutputClaimsTransformation", d.output_claims_transformations)):
                for reference in ids:
                    if reference not in policy.transformations:
                        file, line = d.last_location
                        problems.append(TransformationProblem(
                            f"technical profile {d.id!r}: {kind} ReferenceId {reference!r} names no "
                            "ClaimsTransformation of the loaded files", file, line, reference, d.id))
    return problems


def raise_problems(problems: Sequence[TransformationProblem]) -> None:
    """Raise one PolicyError listing every problem (the first one's file and line on the error)."""
    if not problems:
        return
    first = problems[0]
    rest = [f"{p.file}:{p.line}: {p.message}" if p.file else p.message for p in problems[1:]]
    message = first.message + ("".join(f"\n  also {r}" for r in rest) if rest else "")
    raise PolicyError(message, file=first.file, line=first.line, profile_id=first.profile_id,
                      hint="B2C refuses this policy at upload; fix the ClaimsTransformation it names")


# -- context -----------------------------------------------------------------------------------


def _resources_ids(policy: Policy, definition: Optional[TechnicalProfileDefinition]) -> Optional[set]:
    """The LocalizedResources Ids a profile reads (its content definition's, for the language), or None for all."""
    language = (policy.default_language or "").lower()
    reference = (definition.metadata.get("ContentDefinitionReferenceId", "").strip() if definition else "")
    if reference:
        for f in reversed(policy.files):
            content = f.blocks.content_definitions.get(reference)
            if content is not None and content.references:
                chosen = [rid for lang, rid in content.references if lang.lower() == language] or [
                    content.references[0][1]]
                return {fold(r) for r in chosen}
    if language:
        ids = {fold(r) for f in policy.files for r, *_ in f.localized_strings if r.lower().endswith("." + language)}
        ids |= {fold(c.resources_id) for f in policy.files for c in f.blocks.localized_collections
                if c.resources_id.lower().endswith("." + language)}
        return ids or None
    return None


def _strings(policy: Policy, wanted: Optional[set]) -> Dict[str, Dict[str, str]]:
    out: Dict[str, Dict[str, str]] = {}
    for f in policy.files:
        for resources_id, element_type, string_id, text, _line in f.localized_strings:
            if wanted is None or fold(resources_id) in wanted:
                out.setdefault(element_type, {})[string_id] = text
    return out


def _collections(policy: Policy, wanted: Optional[set]) -> ClaimsBag:
    out = ClaimsBag()
    for f in policy.files:
        for c in f.blocks.localized_collections:
            if c.element_type == "ClaimType" and c.target_collection == "Restriction" and (
                    wanted is None or fold(c.resources_id) in wanted):
                out[c.element_id] = c.items
    return out


def _predicate_groups(policy: Policy) -> ClaimsBag:
    from ..transformations import Predicate, PredicateGroup

    predicates: Dict[str, Predicate] = {}
    validations: Dict[str, Tuple[PredicateGroup, ...]] = {}
    for f in policy.files:
        for p in f.blocks.predicates:
            predicates[fold(p.id)] = Predicate(p.method, dict(p.parameters), p.id)
    for f in policy.files:
        for v in f.blocks.predicate_validations:
            validations[fold(v.id)] = tuple(
                PredicateGroup(tuple(predicates[fold(i)] for i in ids if fold(i) in predicates), at_least)
                for _gid, at_least, ids in v.groups)
    out = ClaimsBag()
    for claim_type in policy.claim_types.values():
        if claim_type.predicate_validation and fold(claim_type.predicate_validation) in validations:
            out[claim_type.id] = validations[fold(claim_type.predicate_validation)]
    return out


def _tenants(policy: Policy) -> Tuple[str, str]:
    """(RelyingPartyTenantId, TrustFrameworkTenantId): the leaf's TenantId and the chain root's (§2.7)."""
    full = [f for f in policy.files if not f.is_fragment]
    if not full:
        return "", ""
    return full[-1].tenant_id or "", full[0].tenant_id or ""


def context_for(policy: Policy, definition: Optional[TechnicalProfileDefinition], *, keys: Any = None,
                clock: Any = None, random: Any = None) -> TransformationContext:
    """The TransformationContext of one technical profile's transformations (or of none, for a direct run)."""
    from ..transformations import TransformationContext

    cache: Dict[str, Any] = policy._transformation_cache
    wanted = _resources_ids(policy, definition)
    key = repr(sorted(wanted)) if wanted is not None else "*"
    if key not in cache:
        cache[key] = (_strings(policy, wanted), _collections(policy, wanted))
    strings, collections = cache[key]
    if "predicates" not in cache:
        cache["predicates"] = _predicate_groups(policy)
        cache["restrictions"] = ClaimsBag({ct.id: ct.enumeration for ct in policy.claim_types.values()
                                           if ct.enumeration})
    relying_party, trust_framework = _tenants(policy)
    options: Dict[str, Any] = {}
    if clock is not None:
        options["clock"] = clock
    if random is not None:
        options["random"] = random
    return TransformationContext(
        technical_profile_id=definition.id if definition else "", relying_party_tenant_id=relying_party,
        trust_framework_tenant_id=trust_framework, keys=keys, localized_strings=strings,
        localized_collections=collections, restrictions=cache["restrictions"],
        predicate_validations=cache["predicates"], **options)


def localized_error(policy: Policy, definition: TechnicalProfileDefinition, key: str) -> Optional[str]:
    """A self-asserted profile's text for a failure key: its localized string, else its metadata (§2.5).

    Localized strings belong to the page's content definition: a profile without a
    ContentDefinitionReferenceId has none.
    """
    text = None
    if definition.metadata.get("ContentDefinitionReferenceId", "").strip():
        text = _strings(policy, _resources_ids(policy, definition)).get("ErrorMessage", {}).get(key)
    return text or definition.metadata.get(key) or None


def as_mapping(value: Mapping[str, Any]) -> ClaimsBag:
    """A case-insensitive copy of a claims mapping."""
    return value if isinstance(value, ClaimsBag) else ClaimsBag(value)
