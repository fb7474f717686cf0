"""OnTokenIssuanceStart's final token: which returned claims a claims mapping policy puts in the token.

Claims a custom claims provider returns reach no token by themselves: the application's claims
mapping policy must list each one with ``"Source": "CustomClaimsProvider"`` and an ``ID`` equal to the
claim's name (case-sensitive), and ``JwtClaimType`` names it in the token; ``Value`` entries add
constants [custom-claims-provider-reference.md, 05/2025; Graph ``claimsMappingPolicy``, whose
``definition`` is a list holding one JSON string]. Values must be strings or string arrays, the
``claims`` object must be there, and all of it stays under 3 KB. Pure functions, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigurationError
from ._extension_actions import CLAIMS_LIMIT_BYTES
from ._outcome import Violation

__all__ = ["TokenView", "final_token", "read_claims_mapping_policy"]


@dataclass(frozen=True)
class TokenView:
    """The custom claims the application's token carries, under their JWT names, and what went missing."""

    claims: Mapping[str, Any]
    findings: tuple[Violation, ...]
    include_basic_claim_set: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"claims": dict(self.claims), "include_basic_claim_set": self.include_basic_claim_set,
                "findings": [f.to_dict() for f in self.findings]}


def read_claims_mapping_policy(policy: Any) -> dict[str, Any]:
    """The ``ClaimsMappingPolicy`` object from a Graph resource, its ``definition`` list, a JSON string or a dict."""
    value = policy
    if isinstance(value, Mapping) and "definition" in value:
        value = value["definition"]
    if isinstance(value, list):
        if len(value) != 1:
            raise ConfigurationError(f"a claimsMappingPolicy definition holds one JSON string, got {len(value)}")
        value = value[0]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ConfigurationError(f"the claims mapping policy definition is not JSON: {exc}") from None
    inner = value.get("ClaimsMappingPolicy") if isinstance(value, Mapping) else None
    if not isinstance(inner, Mapping) or not isinstance(inner.get("ClaimsSchema", []), list):
        raise ConfigurationError('a claims mapping policy is {"ClaimsMappingPolicy": {"Version": 1, "ClaimsSchema": '
                                 '[...]}}, or a Graph claimsMappingPolicy with that in its definition')
    return dict(inner)


def _is_token_value(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def final_token(claims: Mapping[str, Any] | None, policy: Any) -> TokenView:
    """What the token gets from the provider's ``claims`` (the answer's raw ``claims`` object) under ``policy``."""
    schema = read_claims_mapping_policy(policy)
    basic = str(schema.get("IncludeBasicClaimSet", "false")).lower() == "true"
    findings: list[Violation] = []
    token: dict[str, Any] = {}
    if claims is None:
        findings.append(Violation("claims-missing", "the answer has no claims object", "Entra fails the flow "
                                  "(1003007 CustomExtensionNullClaimsResponse) and issues no token"))
        claims = {}
    size = sum(len(k.encode()) + sum(len(str(v).encode()) for v in (x if isinstance(x, list) else [x]))
               for k, x in claims.items())
    if size > CLAIMS_LIMIT_BYTES:
        findings.append(Violation("claims-size", f"the claims add up to {size} bytes; the limit is 3 KB",
                                  "Entra fails the flow (1003025 CustomExtensionResponseClaimsSizeExceeded)"))
    mapped: dict[str, str | None] = {}
    for entry in schema.get("ClaimsSchema", []):
        if not isinstance(entry, Mapping):
            continue
        jwt_name = entry.get("JwtClaimType")
        if entry.get("Source") == "CustomClaimsProvider" and isinstance(entry.get("ID"), str):
            mapped[entry["ID"]] = jwt_name if isinstance(jwt_name, str) else None
        elif "Value" in entry and isinstance(jwt_name, str):
            token[jwt_name] = entry["Value"]  # a constant claim
    by_lower = {name.lower(): name for name in mapped}
    for name, value in claims.items():
        if name not in mapped:
            near = by_lower.get(name.lower())
            if near is not None:
                findings.append(Violation("case-mismatch", f"claim {name!r} differs in case from the mapping's ID "
                                          f"{near!r}; IDs are case-sensitive", "the claim is not in the token"))
            else:
                findings.append(Violation("unmapped-claim", f"claim {name!r} has no CustomClaimsProvider entry in "
                                          "the claims mapping policy", "the claim is not in the token"))
            continue
        if not _is_token_value(value):
            findings.append(Violation("claim-value-type", f"claim {name!r} is a {type(value).__name__}; token claims "
                                      "are String or String array", "the claim is not in the token (UNCONFIRMED)"))
            continue
        jwt_name = mapped[name]
        if jwt_name is None:
            findings.append(Violation("no-jwt-claim-type", f"the mapping of {name!r} has no JwtClaimType",
                                      "the claim is not in JWTs (a SAML-only mapping)"))
            continue
        token[jwt_name] = value
    for name in mapped:
        if name not in claims and name.lower() not in {c.lower() for c in claims}:
            findings.append(Violation("mapped-claim-not-returned", f"the policy maps {name!r}, which the answer "
                                      "does not return", "the token has no such claim"))
    return TokenView(token, tuple(findings), basic)
