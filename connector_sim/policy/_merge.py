"""Merge parsed policy files the way B2C does: BasePolicy chain first, then derived files on top.

* Files are ordered by their BasePolicy chain (PolicyId, and TenantId when both sides give one);
  a base missing from the set, a cycle, or a chain deeper than B2C's 10 levels is a PolicyError.
  Fragments (no PolicyId) come after every full policy file, in the order given.
* A technical profile with the same Id in a later file adds or overrides Metadata items by Key,
  claims by ClaimTypeReferenceId, CryptographicKeys by Id and validation profiles by ReferenceId.
* ``IncludeTechnicalProfile`` is applied after that, recursively: the included profile first,
  then the including one's own elements. A cycle is a PolicyError.
* ClaimTypes merge by Id; user journeys merge their orchestration steps by Order.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

from ..claims import ClaimsBag, fold
from ..datatypes import DATA_TYPES
from ..errors import PolicyError
from ..profile import InputClaim, OutputClaim
from ._model import (
    ClaimReference,
    ClaimType,
    KeyReference,
    MetadataItem,
    OrchestrationStep,
    TechnicalProfileDefinition,
    ValidationReference,
)
from ._reader import PolicyFile, TechnicalProfilePart

__all__ = ["MAX_INCLUDE_LEVELS", "MAX_INHERITANCE_LEVELS", "merge_claim_types", "merge_journeys",
           "merge_technical_profiles", "order_files"]

#: B2C's limit on levels of policy inheritance (behaviour file §9.4).
MAX_INHERITANCE_LEVELS = 10
#: Longest IncludeTechnicalProfile chain read. B2C documents no limit (real policies chain a handful);
#: a bound keeps a hostile chain of thousands from exhausting the stack, as the BasePolicy limit does.
MAX_INCLUDE_LEVELS = 100


def _key(policy_id: str) -> str:
    return policy_id.lower()  # PolicyIds are case-insensitive in B2C (B2C_1A_... vs b2c_1a_...)


def order_files(files: Sequence[PolicyFile]) -> List[PolicyFile]:
    """Full policies base first (by BasePolicy depth), then fragments; check the chain."""
    by_id: Dict[str, PolicyFile] = {}
    for f in files:
        if f.is_fragment:
            continue
        if not f.policy_id:
            raise PolicyError("the TrustFrameworkPolicy has no PolicyId attribute", file=f.name, line=f.line)
        other = by_id.get(_key(f.policy_id))
        if other is not None:
            raise PolicyError(f"PolicyId {f.policy_id!r} is also declared by {other.name}", file=f.name, line=f.line,
                              hint="load each policy file once")
        by_id[_key(f.policy_id)] = f
    depth: Dict[str, int] = {}
    for f in by_id.values():
        _depth(f, by_id, depth, [])
    full = sorted((f for f in files if not f.is_fragment), key=lambda f: depth[_key(f.policy_id or "")])
    return full + [f for f in files if f.is_fragment]


def _depth(f: PolicyFile, by_id: Dict[str, PolicyFile], depth: Dict[str, int], path: List[PolicyFile]) -> int:
    key = _key(f.policy_id or "")
    if key in depth:
        return depth[key]
    if f in path:
        cycle = path[path.index(f):] + [f]
        steps = " -> ".join(f"{p.policy_id} ({p.name})" for p in cycle)
        raise PolicyError(f"the BasePolicy chain has a cycle: {steps}", file=f.name, line=f.base_line)
    if not f.base_policy_id:
        depth[key] = 1
        return 1
    base = by_id.get(_key(f.base_policy_id))
    if base is None:
        loaded = ", ".join(sorted(p.policy_id or "" for p in by_id.values()))
        raise PolicyError(f"BasePolicy {f.base_policy_id!r} is not among the loaded files (loaded: {loaded})",
                          file=f.name, line=f.base_line,
                          hint=f"also pass the file whose PolicyId is {f.base_policy_id}")
    if f.base_tenant_id and base.tenant_id and f.base_tenant_id.lower() != base.tenant_id.lower():
        raise PolicyError(f"BasePolicy {f.base_policy_id!r} names tenant {f.base_tenant_id!r} but {base.name} "
                          f"belongs to {base.tenant_id!r}", file=f.name, line=f.base_line)
    level = _depth(base, by_id, depth, path + [f]) + 1
    if level > MAX_INHERITANCE_LEVELS:
        raise PolicyError(f"the BasePolicy chain is {level} levels deep; B2C allows at most {MAX_INHERITANCE_LEVELS}",
                          file=f.name, line=f.base_line)
    depth[key] = level
    return level


def merge_claim_types(files: Sequence[PolicyFile]) -> ClaimsBag:
    """ClaimsSchema of every file, base first; a later file overrides what it states.

    Claim type ids match without regard to case, as in B2C (``surname`` and ``surName`` are one
    claim); the mapping keeps the first declaration's spelling.
    """
    merged = ClaimsBag()
    for f in files:
        for part in f.claim_types:
            old = merged.get(part.id)
            if old is None:
                merged[part.id] = ClaimType(part.id, part.data_type or "string", part.display_name, part.file,
                                            part.line, part.enumeration or (), part.predicate_validation)
            else:
                merged[part.id] = replace(
                    old, data_type=part.data_type or old.data_type, display_name=part.display_name or old.display_name,
                    enumeration=part.enumeration if part.enumeration is not None else old.enumeration,
                    predicate_validation=part.predicate_validation or old.predicate_validation)
    return merged


def merge_journeys(files: Sequence[PolicyFile], attr: str) -> Dict[str, List[OrchestrationStep]]:
    """User (or sub) journeys by Id; a later file's step with the same Order replaces the earlier one."""
    merged: Dict[str, Dict[int, OrchestrationStep]] = {}
    for f in files:
        for journey_id, steps in getattr(f, attr).items():
            by_order = merged.setdefault(journey_id, {})
            for step in steps:
                by_order[step.order] = step
    return {jid: [steps[o] for o in sorted(steps)] for jid, steps in merged.items()}


class _Merged:
    """One profile's parts merged across files, before includes."""

    def __init__(self, part: TechnicalProfilePart) -> None:
        self.id = part.id
        self.parts: List[Tuple[str, Optional[int]]] = []
        self.display_name: Optional[str] = None
        self.protocol: Optional[Tuple[Optional[str], Optional[str]]] = None
        self.metadata: Dict[str, MetadataItem] = {}
        self.keys: Dict[str, KeyReference] = {}
        self.inputs: Dict[str, ClaimReference] = {}
        self.outputs: Dict[str, ClaimReference] = {}
        self.validations: Dict[str, ValidationReference] = {}
        self.include: Optional[str] = None
        self.input_transformations: List[str] = []
        self.output_transformations: List[str] = []

    def add(self, part: TechnicalProfilePart) -> None:
        self.parts.append((part.file, part.line))
        self.display_name = part.display_name or self.display_name
        self.protocol = part.protocol or self.protocol
        self.include = part.include or self.include
        for item in part.metadata:
            self.metadata[item.key] = item
        for key in part.keys:
            self.keys[key.id or key.storage_reference_id] = key
        _merge_claims(self.inputs, part.input_claims)
        _merge_claims(self.outputs, part.output_claims)
        for v in part.validations:
            self.validations[v.reference_id] = v
        self.input_transformations = _append(self.input_transformations, part.input_transformations)
        self.output_transformations = _append(self.output_transformations, part.output_transformations)


def _append(base: List[str], more: List[str]) -> List[str]:
    # Transformation references match without regard to case, like the ids they name.
    seen = {fold(t) for t in base}
    return base + [t for t in more if fold(t) not in seen]


def _merge_claims(into: Dict[str, ClaimReference], claims: List[ClaimReference]) -> None:
    # Keyed by the folded id: a derived file's ``surName`` overrides the base's ``surname``.
    for claim in claims:
        key = fold(claim.claim_type_reference_id)
        old = into.get(key)
        if old is None:
            into[key] = claim
        else:  # a derived file overrides only the attributes it writes
            into[key] = ClaimReference(
                claim.claim_type_reference_id,
                claim.partner_claim_type if claim.partner_claim_type is not None else old.partner_claim_type,
                claim.default_value if claim.default_value is not None else old.default_value,
                claim.always_use_default_value if claim.always_use_default_value is not None
                else old.always_use_default_value,
                claim.required if claim.required is not None else old.required,
                claim.file, claim.line)


def _combine(base: _Merged, own: _Merged) -> _Merged:
    """``own`` on top of the profile it includes."""
    out = _Merged.__new__(_Merged)
    out.id = own.id
    out.parts = own.parts
    out.display_name = own.display_name or base.display_name
    out.protocol = own.protocol or base.protocol
    out.include = own.include
    out.metadata = {**base.metadata, **own.metadata}
    out.keys = {**base.keys, **own.keys}
    out.inputs = dict(base.inputs)
    _merge_claims(out.inputs, list(own.inputs.values()))
    out.outputs = dict(base.outputs)
    _merge_claims(out.outputs, list(own.outputs.values()))
    out.validations = {**base.validations, **own.validations}
    out.input_transformations = _append(base.input_transformations, own.input_transformations)
    out.output_transformations = _append(base.output_transformations, own.output_transformations)
    return out


def merge_technical_profiles(
    files: Sequence[PolicyFile], claim_types: ClaimsBag
) -> Dict[str, TechnicalProfileDefinition]:
    """Every technical profile merged across files (base first) with its includes applied."""
    merged: Dict[str, _Merged] = {}
    for f in files:
        for part in f.technical_profiles:
            merged.setdefault(part.id, _Merged(part)).add(part)
    resolved: Dict[str, Tuple[_Merged, List[str], Optional[str]]] = {}
    for profile_id in merged:
        _resolve(profile_id, merged, resolved, [])
    return {pid: _definition(*resolved[pid], claim_types) for pid in merged}


def _resolve(
    profile_id: str, merged: Dict[str, _Merged], resolved: Dict[str, Tuple[_Merged, List[str], Optional[str]]],
    path: List[str],
) -> Tuple[_Merged, List[str], Optional[str]]:
    if profile_id in resolved:
        return resolved[profile_id]
    own = merged[profile_id]
    if profile_id in path:
        cycle = path[path.index(profile_id):] + [profile_id]
        file, line = own.parts[-1]
        raise PolicyError("IncludeTechnicalProfile has a cycle: " + " -> ".join(cycle), file=file, line=line)
    if len(path) > MAX_INCLUDE_LEVELS:  # checked on the way down too, before the stack runs out
        _too_deep(path[0], merged)
    result: Tuple[_Merged, List[str], Optional[str]] = (own, [], None)
    if own.include:
        if own.include not in merged:
            result = (own, [own.include], own.include)
        else:
            base, chain, missing = _resolve(own.include, merged, resolved, path + [profile_id])
            result = (_combine(base, own), [own.include] + chain, missing)
    if len(result[1]) > MAX_INCLUDE_LEVELS:
        _too_deep(profile_id, merged)
    resolved[profile_id] = result
    return result


def _too_deep(profile_id: str, merged: Dict[str, _Merged]) -> None:
    file, line = merged[profile_id].parts[-1]
    raise PolicyError(f"the IncludeTechnicalProfile chain of {profile_id!r} is more than {MAX_INCLUDE_LEVELS} "
                      "levels deep", file=file, line=line,
                      hint="include the profile that holds the shared settings directly")


def _data_type(claim_types: ClaimsBag, claim_id: str) -> str:
    claim_type = claim_types.get(claim_id)  # whatever the case of the reference
    # An unknown type is reported by lint and refused by Policy.profile; "string" keeps loading possible.
    return claim_type.data_type if claim_type is not None and claim_type.data_type in DATA_TYPES else "string"


def _is_true(value: Optional[str]) -> bool:
    return value is not None and value.strip().lower() == "true"


def _definition(m: _Merged, includes: List[str], missing: Optional[str],
                claim_types: ClaimsBag) -> TechnicalProfileDefinition:
    name, handler = m.protocol or (None, None)
    if handler:
        kind = handler.split(",", 1)[0].strip().rsplit(".", 1)[-1]
    else:
        kind = name or "Unknown"
    inputs = list(m.inputs.values())
    outputs = list(m.outputs.values())
    file, line = m.parts[0]
    return TechnicalProfileDefinition(
        id=m.id, handler=handler, protocol_name=name, kind=kind,
        metadata={k: item.value for k, item in m.metadata.items()},
        cryptographic_keys=list(m.keys.values()),
        input_claims=[InputClaim(c.claim_type_reference_id, c.partner_claim_type, c.default_value,
                                 _is_true(c.always_use_default_value),
                                 _data_type(claim_types, c.claim_type_reference_id)) for c in inputs],
        output_claims=[OutputClaim(c.claim_type_reference_id, c.partner_claim_type, c.default_value,
                                   _is_true(c.always_use_default_value),
                                   _data_type(claim_types, c.claim_type_reference_id)) for c in outputs],
        validation_technical_profiles=list(m.validations.values()),
        include_technical_profile=m.include, file=file, line=line, display_name=m.display_name,
        parts=list(m.parts), metadata_items=dict(m.metadata), input_claim_refs=inputs, output_claim_refs=outputs,
        input_claims_transformations=list(m.input_transformations),
        output_claims_transformations=list(m.output_transformations),
        includes=includes, missing_include=missing,
    )
