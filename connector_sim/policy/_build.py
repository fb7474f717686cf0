"""Turn a merged RestfulProvider technical profile into a ``RestfulProfile`` ready to call.

Metadata maps to the profile's fields (behaviour file §2); the CryptographicKeys the
AuthenticationType uses are resolved from a ``KeyStore`` before anything is sent, and a missing
one is a ``MissingKeyError`` that says where to put it. Checks B2C makes at upload raise
``ConfigurationError`` with B2C's code; ``RestfulProfile`` itself checks the rest.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Union
from urllib.parse import urlsplit, urlunsplit

from ..auth import build_auth
from ..datatypes import DATA_TYPES
from ..errors import ConfigurationError, PolicyError
from ..keys import KeyStore
from ..profile import RestfulProfile, UserMessages
from ..redact import redact_url
from ..rules import check_authentication_type, check_send_claims_in
from ._model import KeyReference, TechnicalProfileDefinition

if TYPE_CHECKING:
    from ..timing import TimingProfile
    from ._policy import Policy

__all__ = [
    "BOOLEAN_METADATA", "KNOWN_METADATA", "USER_MESSAGE_FIELDS", "build_restful_profile", "key_ids_for",
    "metadata_suggestion", "override_service_url", "parse_boolean",
]

#: Boolean metadata -> RestfulProfile field.
BOOLEAN_METADATA: Mapping[str, str] = {
    "AllowInsecureAuthInProduction": "allow_insecure_auth_in_production",
    "DebugMode": "debug_mode",
    "ResolveJsonPathsInJsonTokens": "resolve_json_paths_in_json_tokens",
    "IncludeClaimResolvingInClaimsHandling": "include_claim_resolving_in_claims_handling",
}
#: User-message metadata (and LocalizedString StringId) -> UserMessages field.
USER_MESSAGE_FIELDS: Mapping[str, str] = {
    "DefaultUserMessageIfRequestFailed": "request_failed",
    "UserMessageIfRequestTimeout": "request_timeout",
    "UserMessageIfDnsResolutionFailed": "dns_resolution_failed",
    "UserMessageIfCircuitOpen": "circuit_open",
}
#: Every metadata key real RESTful profiles carry that B2C reads or accepts: the documented ones
#: (behaviour file §2), ``ClaimResolverUrlFormatting`` (Microsoft's groups sample, with
#: SendClaimsIn=Url and claim resolvers) and ``BearerTokenTransmissionMethod`` (the OAuth2 key,
#: copied onto REST profiles by several samples; B2C accepts it there).
KNOWN_METADATA = frozenset(
    {"ServiceUrl", "AuthenticationType", "SendClaimsIn", "ClaimsFormat", "ClaimUsedForRequestPayload",
     "UseClaimAsBearerToken", "ClaimResolverUrlFormatting", "BearerTokenTransmissionMethod",
     *BOOLEAN_METADATA, *USER_MESSAGE_FIELDS}
)
_KEY_IDS: Mapping[str, tuple] = {
    "None": (),
    "Basic": ("BasicAuthenticationUsername", "BasicAuthenticationPassword"),
    "ClientCertificate": ("ClientCertificate",),
    "Bearer": ("BearerAuthenticationToken",),
}


def metadata_suggestion(key: str, known: Iterable[str]) -> Optional[str]:
    """The known key ``key`` is a misspelling of, or None: only a near-identical spelling counts, so a
    real key of another handler is never answered with a different key."""
    known = list(known)
    same_case = [k for k in known if k.lower() == key.lower()]
    if same_case:
        return same_case[0]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.9)
    return close[0] if close else None


def parse_boolean(value: str, key: str, profile_id: str) -> bool:
    """B2C's true/false metadata (either case); anything else is AADB2C90030."""
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise ConfigurationError(
            f"technical profile {profile_id!r} contains an invalid boolean for {key!r}: {value!r}; "
            "expected either 'true' or 'false'", profile_id=profile_id, b2c_code="AADB2C90030")
    return text == "true"


def key_ids_for(authentication_type: str, metadata: Mapping[str, str]) -> Optional[tuple]:
    """The CryptographicKeys Ids an AuthenticationType reads; None means any (ApiKeyHeader)."""
    if authentication_type == "Bearer" and metadata.get("UseClaimAsBearerToken"):
        return ()  # the token comes from the claim; a static key would be ignored
    return _KEY_IDS.get(authentication_type)


def override_service_url(original: str, override: str) -> str:
    """Point a ServiceUrl elsewhere: the override's scheme and host; its path and query if it has them.

    An override without a path (``https://127.0.0.1:8443``) keeps the policy's path, and one without
    a query keeps the policy's ``?query`` (an Azure Functions ``?code=...``, say).
    """
    new = urlsplit(override)
    if new.scheme not in ("http", "https") or not new.netloc:
        raise ConfigurationError(f"service URL override {redact_url(override)!r} is not an absolute http(s) URL")
    old = urlsplit(original)
    path = new.path if new.path not in ("", "/") else old.path
    return urlunsplit((new.scheme, new.netloc, path, new.query or old.query, ""))


def _keystore(keys: Union[KeyStore, Mapping[str, Any], None]) -> KeyStore:
    if keys is None:
        return KeyStore.from_env()
    return keys if isinstance(keys, KeyStore) else KeyStore.from_dict(keys)


def _check_unresolved_settings(d: TechnicalProfileDefinition) -> None:
    texts = [(item.value, item.file, item.line) for item in d.metadata_items.values()]
    texts += [(c.default_value or "", c.file, c.line) for c in d.input_claim_refs + d.output_claim_refs]
    texts += [(k.storage_reference_id, k.file, k.line) for k in d.cryptographic_keys]
    for text, file, line in texts:
        start = text.find("{Settings:")
        if start >= 0:
            name = text[start + 10: text.find("}", start)]
            raise PolicyError(f"technical profile {d.id!r} uses {{Settings:{name}}} but no settings were given",
                              file=file, line=line, profile_id=d.id,
                              hint="pass the VS Code extension's appsettings.json (--settings FILE --environment NAME)")


def _check_data_types(policy: Policy, d: TechnicalProfileDefinition) -> None:
    for ref in d.input_claim_refs + d.output_claim_refs:
        claim_type = policy.claim_types.get(ref.claim_type_reference_id)
        if claim_type is not None and claim_type.data_type not in DATA_TYPES:
            raise PolicyError(f"ClaimType {claim_type.id!r} has the unknown DataType {claim_type.data_type!r} "
                              f"(used by technical profile {d.id!r})", file=claim_type.file, line=claim_type.line,
                              profile_id=d.id, hint=f"B2C knows {', '.join(sorted(DATA_TYPES))}")
    for ref in d.input_claim_refs + d.output_claim_refs:
        if ref.always_use_default_value is not None:
            parse_boolean(ref.always_use_default_value, f"AlwaysUseDefaultValue of {ref.claim_type_reference_id}", d.id)


def _resolve_keys(d: TechnicalProfileDefinition, authentication_type: str, store: KeyStore) -> Dict[str, Any]:
    wanted = key_ids_for(authentication_type, d.metadata)
    refs: List[KeyReference] = [k for k in d.cryptographic_keys if wanted is None or k.id in wanted]
    resolved: Dict[str, Any] = {}
    for ref in refs:
        value = store.resolve(ref.storage_reference_id, profile_id=d.id, key_id=ref.id)
        certificate = ref.id == "ClientCertificate"
        if certificate and isinstance(value, str):
            raise ConfigurationError(
                f"policy key {ref.storage_reference_id!r} (Key Id 'ClientCertificate' of technical profile {d.id!r}) "
                "holds a secret, not a certificate", profile_id=d.id,
                hint='give it as {"pfx": "path/to/client.pfx", "password": "..."} in the keys file')
        if not certificate and not isinstance(value, str):
            raise ConfigurationError(
                f"policy key {ref.storage_reference_id!r} (Key Id {ref.id!r} of technical profile {d.id!r}) holds a "
                "certificate, but this key needs a secret string", profile_id=d.id)
        resolved[ref.id or ref.storage_reference_id] = value
    return resolved


def build_restful_profile(
    policy: Policy,
    d: TechnicalProfileDefinition,
    keys: Union[KeyStore, Mapping[str, Any], None] = None,
    *,
    service_url: Optional[str] = None,
    ca_bundle: Optional[str] = None,
    deployment_mode: Optional[str] = None,
    timing: Union[TimingProfile, str, None] = None,
) -> RestfulProfile:
    """The RestfulProfile B2C would run for ``d``; every key is resolved before any request."""
    if not d.is_restful:
        what = d.handler or (f"Protocol Name={d.protocol_name!r}" if d.protocol_name else "no Protocol")
        raise ConfigurationError(
            f"technical profile {d.id!r} is a {d.kind} profile ({what}), not a RestfulProvider: "
            "it is not an HTTP call connector_sim can make", profile_id=d.id,
            hint=f"RESTful profiles in this policy: {', '.join(policy.restful_profile_ids) or '(none)'}")
    if d.missing_include:
        file, line = d.last_location
        raise PolicyError(f"technical profile {d.id!r} includes {d.missing_include!r}, which is not among the "
                          "loaded files", file=file, line=line, profile_id=d.id)
    _check_unresolved_settings(d)
    md = d.metadata

    def fail(code: str, message: str, key: str) -> ConfigurationError:
        file, line = d.location_of(key)
        where = f" ({file}:{line})" if file and line else ""
        return ConfigurationError(f"technical profile {d.id!r}{where}: {message}", profile_id=d.id, b2c_code=code)

    url = md.get("ServiceUrl", "").strip()
    if "ServiceUrl" not in md:
        raise fail("AADB2C90023", "the required metadata item 'ServiceUrl' is missing", "ServiceUrl")
    if not url:
        raise fail("AADB2C90026", "the ServiceUrl metadata is empty", "ServiceUrl")
    authentication_type = md.get("AuthenticationType", "").strip()
    send_claims_in = md.get("SendClaimsIn", "Body").strip() or "Body"
    # B2C's upload checks, written once in rules: the first one that fails is the error.
    for rule in (*check_authentication_type(authentication_type), *check_send_claims_in(send_claims_in)):
        raise fail(rule.code, rule.message, rule.key or "AuthenticationType")
    flags: Dict[str, Any] = {field: parse_boolean(md[key], key, d.id)
                             for key, field in BOOLEAN_METADATA.items() if key in md}
    _check_data_types(policy, d)
    messages = UserMessages(**{field: policy.localized_messages.get(key) or md.get(key) or None
                               for key, field in USER_MESSAGE_FIELDS.items()})
    bearer_claim = md.get("UseClaimAsBearerToken", "").strip() or None
    resolved = _resolve_keys(d, authentication_type, _keystore(keys))
    auth = build_auth(authentication_type, resolved,
                      bearer_claim=bearer_claim if authentication_type == "Bearer" else None, profile_id=d.id)
    return RestfulProfile(
        service_url=override_service_url(url, service_url) if service_url else url,
        auth=auth,
        send_claims_in=send_claims_in,
        input_claims=d.input_claims,
        output_claims=d.output_claims,
        id=d.id,
        claim_used_for_request_payload=md.get("ClaimUsedForRequestPayload", "").strip() or None,
        deployment_mode=deployment_mode or policy.deployment_mode,
        timing=timing or "custom-policy",
        messages=messages,
        ca_bundle=ca_bundle,
        **flags,
    )
