"""OnVerifiedIdClaimValidation (workforce account recovery with Verified ID): ``verifiedIdClaimsContext``.

No entra-docs reference page describes the payload yet; the shape follows the Graph resource
``onVerifiedIdClaimValidationCustomExtension`` and the two public implementations
(rogulati/AccountRecoveryClaimsMatchingAPI's README, szubajak/entra-event-handlers): ``identities``
(signInType, issuer, issuerAssignedId), ``additionalInfo`` (such as ``employeeId``) and ``claims``,
a dynamic object of the credential's claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ConfigurationError

__all__ = ["verified_id_claims_context"]

_IDENTITY_KEYS = ("signInType", "issuer", "issuerAssignedId")


def verified_id_claims_context(claims: Mapping[str, Any] | None, *, upn: str | None = None,
                               identities: Iterable[Mapping[str, str]] | None = None,
                               additional_info: Mapping[str, Any] | None = None,
                               tenant_domain: str = "contoso.com") -> dict[str, Any]:
    """``verifiedIdClaimsContext`` for the credential's ``claims`` (names to values) and the account."""
    if not isinstance(claims, Mapping) or not claims:
        raise ConfigurationError("OnVerifiedIdClaimValidation needs the Verified ID credential's claims, a "
                                 "non-empty mapping such as {'firstName': 'John', 'dateOfBirth': '1990-01-15'}")
    for name in claims:
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError(f"a Verified ID claim name must be a non-empty string, got {name!r}")
    if identities is None:
        found = [{"signInType": "userPrincipalName", "issuer": tenant_domain, "issuerAssignedId": upn}] if upn else []
    else:
        found = []
        for identity in identities:
            unknown = set(identity) - set(_IDENTITY_KEYS)
            if unknown:
                raise ConfigurationError(f"unknown identity field(s) {', '.join(sorted(unknown))}; an identity has "
                                         "signInType, issuer and issuerAssignedId")
            found.append(dict(identity))
    return {"identities": found, "additionalInfo": dict(additional_info or {}), "claims": dict(claims)}
