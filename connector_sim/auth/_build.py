"""Which strategy an AuthenticationType and its resolved CryptographicKeys make (policy building)."""

from __future__ import annotations

from typing import Any, Mapping

from ..errors import ConfigurationError
from ._api_key import ApiKeyHeader
from ._base import AuthStrategy, NoAuth
from ._basic import Basic
from ._bearer import Bearer, StaticBearer
from ._certificate import ClientCertificate

__all__ = ["AUTHENTICATION_TYPES", "build_auth"]

AUTHENTICATION_TYPES: Mapping[str, tuple[type[AuthStrategy], ...]] = {
    "None": (NoAuth,),
    "Basic": (Basic,),
    "ClientCertificate": (ClientCertificate,),
    "Bearer": (Bearer, StaticBearer),
    "ApiKeyHeader": (ApiKeyHeader,),
}
_BASIC_KEYS = Basic.key_ids


def build_auth(
    authentication_type: str | None,
    keys: Mapping[str, Any],
    *,
    bearer_claim: str | None = None,
    profile_id: str = "",
) -> AuthStrategy:
    """The strategy for a profile's AuthenticationType and its resolved CryptographicKeys (by Key Id)."""

    def need(key_id: str) -> Any:
        if keys.get(key_id) in (None, ""):
            raise ConfigurationError(
                f"technical profile {profile_id!r} does not contain the required cryptographic key {key_id!r}",
                profile_id=profile_id, b2c_code="AADB2C90025",
            )
        return keys[key_id]

    if authentication_type is None:
        raise ConfigurationError(f"technical profile {profile_id!r}: the AuthenticationType metadata is missing",
                                 profile_id=profile_id, b2c_code="AADB2C90023")
    if authentication_type == "None":
        return NoAuth()
    if authentication_type == "Basic":
        return Basic(*(need(k) for k in _BASIC_KEYS))
    if authentication_type == "ClientCertificate":
        value = need("ClientCertificate")
        return ClientCertificate(value if isinstance(value, (list, tuple)) else [value])
    if authentication_type == "Bearer":
        if bearer_claim:
            return Bearer(bearer_claim)
        if keys.get("BearerAuthenticationToken"):
            return StaticBearer(keys["BearerAuthenticationToken"])
        raise ConfigurationError(
            f"technical profile {profile_id!r} uses Bearer but has neither the UseClaimAsBearerToken "
            "metadata nor a BearerAuthenticationToken key", profile_id=profile_id, b2c_code="AADB2C90192",
        )
    if authentication_type == "ApiKeyHeader":
        if len(keys) != 1:
            raise ConfigurationError(
                f"technical profile {profile_id!r}: ApiKeyHeader supports only one HTTP header for "
                f"authentication, got {len(keys)} keys", profile_id=profile_id, b2c_code="AADB2C90025",
            )
        (header, value), = keys.items()
        return ApiKeyHeader(header, need(header))
    raise ConfigurationError(
        f"technical profile {profile_id!r} contains the unsupported authentication type {authentication_type!r}; "
        f"use one of {', '.join(AUTHENTICATION_TYPES)}", profile_id=profile_id, b2c_code="AADB2C90024",
    )
