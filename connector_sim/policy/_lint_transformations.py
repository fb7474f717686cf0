"""Lint rules beyond the RESTful basics: transformations, ServiceUrl hosts, resolvers in defaults.

* ``transformation``: what B2C refuses at upload about a ClaimsTransformation (the engine's checks,
  a ReferenceId to no transformation) for a policy loaded with ``check_transformations=False``;
  a ClaimsTransformation Id declared by two files (the later one wins here; B2C's rule is not
  documented).
* ``resolver-not-resolved``: a claim resolver (``{Culture:LCID}``...) in an input claim's
  DefaultValue without ``IncludeClaimResolvingInClaimsHandling`` and ``AlwaysUseDefaultValue``;
  the claim-resolver reference says it is then not resolved, while real policies expect it to be.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, List

from ..claims import fold
from ._model import Finding

if TYPE_CHECKING:
    from ._model import TechnicalProfileDefinition
    from ._policy import Policy

__all__ = ["extra_findings"]

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
#: Claim resolver groups B2C knows (claim-resolver-overview); ``{Settings:...}`` is not one of them.
_RESOLVER = re.compile(r"\{(Culture|Policy|Context|Claim|OIDC|OAUTH-KV|oauth2|SAML|"
                       r"ClaimsProvider|Tenant):[^{}]+\}", re.IGNORECASE)


def _resolvers(d: TechnicalProfileDefinition) -> List[Finding]:
    findings: List[Finding] = []
    switch = d.metadata.get("IncludeClaimResolvingInClaimsHandling", "").strip().lower() == "true"
    for ref in d.input_claim_refs:
        found = _RESOLVER.search(ref.default_value or "")
        always = (ref.always_use_default_value or "").strip().lower() == "true"
        if found is None or (switch and always):
            continue
        missing = [name for name, on in (("IncludeClaimResolvingInClaimsHandling=true on the profile", switch),
                                         ('AlwaysUseDefaultValue="true" on the claim', always)) if not on]
        findings.append(Finding(
            "warning", "resolver-not-resolved",
            f"InputClaim {ref.claim_type_reference_id!r} has the claim resolver {found.group(0)} in its DefaultValue "
            f"without {' and '.join(missing)}. Two readings: the claim-resolver reference says B2C then sends the "
            f"text as written ({found.group(0)}); Microsoft's samples expect the resolved value. Add "
            f"{' and '.join(missing)} to get the resolved value for certain", d.id, ref.file, ref.line))
    return findings


def _transformation_problems(policy: Policy) -> List[Finding]:
    # Loaded with check_transformations=True, the errors were refused at load: only warnings remain.
    findings = [Finding(p.severity, p.code if p.code == "undocumented-method" else "transformation", p.message,
                        p.profile_id, p.file, p.line) for p in policy.transformation_problems]
    findings += [Finding("error", "transformation", p.message, None, p.file, p.line)
                 for p in policy.transformation_duplicates]
    first_seen: dict = {}
    for f in policy.files:
        for part in f.blocks.transformations:
            earlier = first_seen.get(fold(part.id))
            if earlier is not None and earlier[0] != f.name:
                findings.append(Finding(
                    "warning", "transformation-override", f"ClaimsTransformation {part.id!r} is also declared in "
                    f"{earlier[0]}:{earlier[1]}; connector_sim uses this later one (B2C's rule is not documented)",
                    None, part.file, part.line))
            first_seen.setdefault(fold(part.id), (f.name, part.line))
    return findings


def extra_findings(policy: Policy) -> List[Finding]:
    """The findings of this module's rules and of the schema check, for ``lint``."""
    from ._lint_schema import schema_findings

    findings = _transformation_problems(policy)
    for d in policy.technical_profiles.values():
        if d.is_restful:
            findings += _resolvers(d)
    return findings + schema_findings(policy)
