"""Claim resolvers (``{Culture:LCID}``, ``{Context:CorrelationId}``...) from a context the user sets.

B2C resolves them in an input claim's DefaultValue only when the profile's metadata has
``IncludeClaimResolvingInClaimsHandling=true`` and the claim has ``AlwaysUseDefaultValue="true"``
(behaviour file §5.2); ``encoding`` decides that, this module only fills the text.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

__all__ = ["ClaimResolverContext", "resolve_claim_resolvers"]

_RESOLVER = re.compile(r"\{(Culture|Policy|Context|Claim|OIDC|OAUTH-KV|SAML):([^{}]+)\}")

# Windows LCIDs of the cultures B2C localizes most; others fall back to 4096 (custom locale).
_LCIDS = {
    "en-US": 1033, "en-GB": 2057, "fr-FR": 1036, "fr-CA": 3084, "de-DE": 1031, "es-ES": 3082, "es-MX": 2058,
    "it-IT": 1040, "ja-JP": 1041, "ko-KR": 1042, "nl-NL": 1043, "pt-BR": 1046, "pt-PT": 2070, "ru-RU": 1049,
    "sv-SE": 1053, "zh-CN": 2052, "zh-TW": 1028, "pl-PL": 1045, "tr-TR": 1055, "da-DK": 1030, "fi-FI": 1035,
    "nb-NO": 1044, "cs-CZ": 1029, "hu-HU": 1038, "el-GR": 1032, "he-IL": 1037, "ar-SA": 1025, "hi-IN": 1081,
}


def _utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


@dataclass(frozen=True)
class ClaimResolverContext:
    """Values B2C would take from the request and the tenant; defaults suit local runs."""

    culture: str = "en-US"
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    policy_id: str = "B2C_1A_signup_signin"
    tenant_object_id: str = "00000000-0000-0000-0000-000000000000"
    relying_party_tenant_id: str = "contoso.onmicrosoft.com"
    trust_framework_tenant_id: str = "contoso.onmicrosoft.com"
    deployment_mode: str = "Production"
    ip_address: str = "127.0.0.1"
    host_name: str = "contoso.b2clogin.com"
    build_number: str = "1.0.0"
    kmsi: str = "false"
    oidc: Mapping[str, str] = field(default_factory=dict)  # ClientId, Nonce, Prompt, LoginHint...
    oauth_kv: Mapping[str, str] = field(default_factory=dict)  # {OAUTH-KV:<query parameter>}
    saml: Mapping[str, str] = field(default_factory=dict)
    clock: Callable[[], _dt.datetime] = field(default=_utc_now, repr=False, compare=False)

    def with_changes(self, **changes: Any) -> ClaimResolverContext:
        """A copy with some values changed."""
        return replace(self, **changes)

    def new_journey(self) -> ClaimResolverContext:
        """A copy with a fresh correlation id, as B2C gives each journey."""
        return replace(self, correlation_id=str(uuid.uuid4()))

    def value(self, group: str, name: str, claims: Mapping[str, Any]) -> str | None:
        """The value of ``{group:name}``, or None when B2C would leave the resolver empty."""
        if group == "Culture":
            language, _, region = self.culture.partition("-")
            return {
                "LanguageName": language,
                "RegionName": region,
                "RFC5646": self.culture,
                "LCID": str(_LCIDS.get(self.culture, 4096)),
            }.get(name)
        if group == "Policy":
            return {
                "PolicyId": self.policy_id,
                "TenantObjectId": self.tenant_object_id,
                "RelyingPartyTenantId": self.relying_party_tenant_id,
                "TrustFrameworkTenantId": self.trust_framework_tenant_id,
            }.get(name)
        if group == "Context":
            if name == "DateTimeInUtc":
                now = self.clock().astimezone(_dt.timezone.utc)
                hour = now.hour % 12 or 12
                return f"{now.month}/{now.day}/{now.year} {hour}:{now:%M:%S} {'AM' if now.hour < 12 else 'PM'}"
            return {
                "CorrelationId": self.correlation_id,
                "DeploymentMode": self.deployment_mode,
                "IPAddress": self.ip_address,
                "HostName": self.host_name,
                "BuildNumber": self.build_number,
                "KMSI": self.kmsi,
            }.get(name)
        if group == "Claim":
            value = claims.get(name)
            return None if value is None else str(value)
        table = {"OIDC": self.oidc, "OAUTH-KV": self.oauth_kv, "SAML": self.saml}[group]
        return table.get(name)


def resolve_claim_resolvers(
    text: str, context: ClaimResolverContext, claims: Mapping[str, Any] | None = None
) -> str:
    """``text`` with every ``{Group:Name}`` resolver replaced; unknown ones become empty, as in B2C."""
    bag = claims or {}
    return _RESOLVER.sub(lambda m: context.value(m.group(1), m.group(2), bag) or "", text)
