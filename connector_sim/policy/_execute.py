"""Run a technical profile's claims transformations over a claims bag, in B2C's order (spec §2.1).

Input transformations run before the profile reads its input claims, output transformations after
its output claims (and their defaults) are in the bag; each output lands in the bag at once, so the
next transformation sees it. A ``ClaimsTransformationProtocolProvider`` profile is only that:
input transformations, output claims with their defaults, output transformations.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Dict, Mapping, MutableMapping, Optional, Sequence

from ..claims import ClaimsBag
from ..datatypes import DATA_TYPES, normalize
from ..errors import ClaimsTransformationError, ConfigurationError
from ..resolvers import ClaimResolverContext, resolve_claim_resolvers
from ._transformations import context_for, data_types_for, is_undocumented

if TYPE_CHECKING:
    from ._model import TechnicalProfileDefinition
    from ._policy import Policy

__all__ = ["apply_outputs", "output_claim_defaults", "run_claims_transformation_profile", "run_transformations",
           "transform"]


def apply_outputs(bag: MutableMapping[str, Any], outputs: Mapping[str, Any]) -> Dict[str, Any]:
    """Write a transformation's outputs into the bag (None removes the claim); return what was written."""
    written: Dict[str, Any] = {}
    for claim, value in outputs.items():
        if value is None:
            bag.pop(claim, None)
        else:
            bag[claim] = value
        written[claim] = value
    return written


def run_transformations(
    policy: Policy, definition: Optional[TechnicalProfileDefinition], ids: Sequence[str],
    bag: MutableMapping[str, Any], *, keys: Any = None, context: Optional[ClaimResolverContext] = None,
) -> Dict[str, Any]:
    """Run the named transformations in order over ``bag`` (updated in place); return the claims written."""
    if not ids:
        return {}
    from ..transformations import run as run_transformation

    clock = context.clock if context is not None else None
    t_context = context_for(policy, definition, keys=keys, clock=clock)
    written: Dict[str, Any] = {}
    profile_id = definition.id if definition is not None else None
    for reference in ids:
        transformation = policy.transformation(reference) if reference in policy.transformations else None
        if transformation is None:
            raise ConfigurationError(f"no ClaimsTransformation {reference!r} in the loaded files",
                                     profile_id=profile_id)
        if is_undocumented(transformation.method):
            raise ConfigurationError(
                f"ClaimsTransformation {transformation.id!r} uses the undocumented TransformationMethod "
                f"{transformation.method!r}, which connector_sim cannot run", profile_id=profile_id,
                hint="answer the technical profile that runs it with supplied claims, or run another profile")
        try:
            outputs = run_transformation(transformation, bag, data_types=data_types_for(policy, transformation),
                                         context=t_context)
        except ClaimsTransformationError as exc:
            if exc.profile_id is None:
                exc.profile_id = profile_id
            raise
        # Each claim spelled as the ClaimsSchema declares it, whatever the case of the reference.
        spelled = {policy.claim_types.spelling(name) or name: value for name, value in outputs.items()}
        written.update(apply_outputs(bag, spelled))
    return written


def _default(policy: Policy, claim: Any, bag: Mapping[str, Any], definition: TechnicalProfileDefinition,
             context: Optional[ClaimResolverContext]) -> Any:
    text = claim.default_value
    resolving = definition.metadata.get("IncludeClaimResolvingInClaimsHandling", "").strip().lower() == "true"
    if resolving and "{" in text:
        text = resolve_claim_resolvers(text, context or ClaimResolverContext(), bag)
    claim_type = policy.claim_types.get(claim.claim_type_reference_id)
    data_type = claim_type.data_type if claim_type is not None else "string"
    if data_type not in DATA_TYPES or data_type == "string":
        return text
    try:
        return normalize(text, data_type)
    except ValueError as exc:
        raise ConfigurationError(f"technical profile {definition.id!r}: DefaultValue {text!r} of "
                                 f"{claim.claim_type_reference_id!r} is not a {data_type}: {exc}",
                                 profile_id=definition.id) from None


def output_claim_defaults(policy: Policy, definition: TechnicalProfileDefinition, bag: MutableMapping[str, Any],
                          context: Optional[ClaimResolverContext] = None) -> Dict[str, Any]:
    """Output claims' DefaultValue (when the bag has no value) and AlwaysUseDefaultValue, into the bag."""
    written: Dict[str, Any] = {}
    for claim in definition.output_claims:
        name = claim.claim_type_reference_id
        if claim.default_value is None:
            continue
        if claim.always_use_default_value or bag.get(name) in (None, "", []):
            bag[name] = written[name] = _default(policy, claim, bag, definition, context)
    return written


def run_claims_transformation_profile(
    policy: Policy, definition: TechnicalProfileDefinition, bag: MutableMapping[str, Any], *, keys: Any = None,
    context: Optional[ClaimResolverContext] = None,
) -> Dict[str, Any]:
    """A ClaimsTransformationProtocolProvider profile over ``bag``: input CTs, output defaults, output CTs."""
    written = run_transformations(policy, definition, definition.input_claims_transformations, bag, keys=keys,
                                  context=context)
    written.update(output_claim_defaults(policy, definition, bag, context))
    written.update(run_transformations(policy, definition, definition.output_claims_transformations, bag, keys=keys,
                                       context=context))
    return written


def transform(policy: Policy, target: str, claims: Optional[Mapping[str, Any]] = None, *, keys: Any = None,
              context: Optional[ClaimResolverContext] = None) -> Dict[str, Any]:
    """Run one ClaimsTransformation, or one technical profile's transformations, on ``claims``: the outputs.

    A ClaimsTransformationProtocolProvider profile runs as in a journey; any other profile runs its
    input transformations (what its request would be built from). A ``ClaimsTransformationError``
    is raised as B2C would fail the step.
    """
    bag = ClaimsBag(claims or {})
    if target in policy.transformations:
        return run_transformations(policy, None, [target], bag, keys=keys, context=context)
    if target in policy.technical_profiles:
        definition = policy.technical_profile(target)
        if definition.is_claims_transformation:
            return run_claims_transformation_profile(policy, definition, bag, keys=keys, context=context)
        return run_transformations(policy, definition, definition.input_claims_transformations, bag, keys=keys,
                                   context=context)
    names = list(policy.transformations) + list(policy.technical_profiles)
    close = [n for n in names if n.lower() == target.lower()] or difflib.get_close_matches(target, names, n=3)
    raise ConfigurationError(f"{target!r} is neither a ClaimsTransformation nor a technical profile of the policy",
                             hint=f"did you mean {', '.join(repr(c) for c in close)}?" if close else None)
