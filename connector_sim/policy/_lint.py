"""Lint a policy before any call: what B2C would refuse at upload, or what will fail at run time.

``lint(policy)`` checks every RestfulProvider profile (metadata, keys, claims, JSON paths, the
bearer claim's origin) and every reference between profiles and journeys. Each ``Finding`` names
the file and line to edit. Severity ``error`` means B2C refuses it or the call cannot work;
``warning`` means it probably does not do what was meant.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, List, Optional, Set, Tuple
from urllib.parse import urlsplit

from ..claims import fold
from ..datatypes import DATA_TYPES
from ..redact import redact_url
from ..rules import (
    check_authentication_type,
    check_deployment_mode,
    check_insecure_auth,
    check_send_claims_in,
    check_service_url,
)
from ._build import BOOLEAN_METADATA, KNOWN_METADATA, key_ids_for, metadata_suggestion
from ._lint_flow import FlowIndex, defaults_of
from ._model import Finding, TechnicalProfileDefinition

if TYPE_CHECKING:
    from ..keys import KeyStore
    from ._policy import Policy

__all__ = ["Finding", "lint"]

_DOTTED_INDEX = re.compile(r"\.(\d+)(?=\.|$)")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_URL_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class _Linter:
    def __init__(self, policy: Policy, keys: Optional[KeyStore]) -> None:
        self.policy = policy
        self.keys = keys
        self.findings: List[Finding] = []
        self._used: Optional[Set[str]] = None
        self._included: Set[str] = set()
        self.flow = FlowIndex(policy)  # built on first use, shared by every check of this lint

    def add(self, severity: str, code: str, message: str, profile_id: Optional[str],
            where: Tuple[Optional[str], Optional[int]]) -> None:
        self.findings.append(Finding(severity, code, message, profile_id, where[0] or None, where[1]))

    # -- whole policy ------------------------------------------------------------------------------

    def references(self) -> None:
        p = self.policy
        for f in p.files:
            for rule in check_deployment_mode(f.deployment_mode) if f.deployment_mode is not None else ():
                self.add("error", rule.lint_code, rule.message, None, (f.name, f.line))
        for d in p.technical_profiles.values():
            if d.missing_include:
                self.add("error", "unknown-profile", f"IncludeTechnicalProfile {d.missing_include!r} is not "
                         "defined in the loaded files", d.id, d.last_location)
            for v in d.validation_technical_profiles:
                if v.reference_id not in p.technical_profiles:
                    self.add("error", "unknown-profile", f"ValidationTechnicalProfile {v.reference_id!r} is not "
                             "defined in the loaded files", d.id, (v.file, v.line))
        for journeys in (p.user_journeys, p.sub_journeys):
            for journey_id, steps in journeys.items():
                for step in steps:
                    for pid in step.technical_profile_ids:
                        if pid not in p.technical_profiles:
                            self.add("error", "unknown-profile", f"journey {journey_id!r} step {step.order} calls "
                                     f"technical profile {pid!r}, which is not defined", pid, (step.file, step.line))

    # -- one RESTful profile -----------------------------------------------------------------------

    def restful(self, d: TechnicalProfileDefinition) -> None:
        md = d.metadata
        for item in d.metadata_items.values():
            if "{Settings:" in item.value:
                self.add("error", "unresolved-setting", f"metadata {item.key!r} holds a {{Settings:...}} "
                         "placeholder and no settings were given", d.id, (item.file, item.line))
            elif item.key not in KNOWN_METADATA:
                close = metadata_suggestion(item.key, KNOWN_METADATA)
                hint = f"; did you mean {close!r}?" if close else ""
                self.add("warning", "unknown-metadata", f"the RESTful provider does not read metadata {item.key!r}"
                         f"{hint}", d.id, (item.file, item.line))
        for key in BOOLEAN_METADATA:
            if key in md and md[key].strip().lower() not in ("true", "false"):
                self.add("error", "AADB2C90030", f"invalid boolean for {key!r}: {md[key]!r}; expected 'true' or "
                         "'false'", d.id, d.location_of(key))
        self.service_url(d)
        self.authentication(d)
        for rule in check_send_claims_in(md.get("SendClaimsIn", "Body").strip()):
            self.add("error", rule.lint_code, rule.message, d.id, d.location_of("SendClaimsIn"))
        self.claims(d)

    def abstract(self, d: TechnicalProfileDefinition) -> bool:
        """A profile only included by others (never run itself) may leave required metadata to them."""
        if self._used is None:
            p = self.policy
            self._included = {i for t in p.technical_profiles.values() for i in t.includes}
            self._used = {v.reference_id for t in p.technical_profiles.values()
                          for v in t.validation_technical_profiles}
            self._used |= {pid for js in (p.user_journeys, p.sub_journeys) for steps in js.values()
                           for step in steps for pid in step.technical_profile_ids}
        return d.id in self._included and d.id not in self._used

    def _insecure_allowed(self, d: TechnicalProfileDefinition) -> bool:
        return d.metadata.get("AllowInsecureAuthInProduction", "").strip().lower() == "true"

    def service_url(self, d: TechnicalProfileDefinition) -> None:
        url = d.metadata.get("ServiceUrl", "").strip()
        where = d.location_of("ServiceUrl")
        if not url and "ServiceUrl" in d.metadata:
            self.add("error", "AADB2C90026", "the ServiceUrl metadata is empty", d.id, where)
            return
        if not url:
            if not self.abstract(d):
                self.add("error", "AADB2C90023", "the required metadata item 'ServiceUrl' is missing", d.id, where)
            return
        if "{Settings:" in url:
            return  # reported as unresolved-setting; the URL cannot be judged before it is filled
        for rule in check_service_url(url, production=self.policy.deployment_mode == "Production",
                                      allow_insecure=self._insecure_allowed(d)):
            self.add("error", rule.lint_code, rule.message.replace(url, redact_url(url)), d.id, where)
        parts = urlsplit(url)
        if d.metadata.get("SendClaimsIn", "").strip() == "Url":
            names = {n.lower() for c in d.input_claims for n in (c.claim_type_reference_id, c.wire_name)}
            for placeholder in _URL_PLACEHOLDER.findall(parts.path + "?" + parts.query):
                if placeholder.lower() not in names:
                    self.add("warning", "url-placeholder", f"ServiceUrl placeholder {{{placeholder}}} matches no "
                             "input claim", d.id, where)

    def authentication(self, d: TechnicalProfileDefinition) -> None:
        md = d.metadata
        auth = md.get("AuthenticationType", "").strip()
        where = d.location_of("AuthenticationType")
        if not auth:
            if not self.abstract(d):
                self.add("error", "AADB2C90023", "the required metadata item 'AuthenticationType' is missing",
                         d.id, where)
            return
        refused = list(check_authentication_type(auth))
        for rule in refused:
            self.add("error", rule.lint_code, rule.message, d.id, where)
        if refused:
            return
        for rule in check_insecure_auth(auth, production=self.policy.deployment_mode == "Production",
                                        allow_insecure=self._insecure_allowed(d)):
            self.add("error", rule.lint_code, rule.message, d.id, where)
        ids = [k.id or "" for k in d.cryptographic_keys]
        bearer_claim = md.get("UseClaimAsBearerToken", "").strip()
        if bearer_claim and auth != "Bearer":
            self.add("warning", "unused-metadata", f"UseClaimAsBearerToken is only read with AuthenticationType "
                     f"Bearer, not {auth}", d.id, d.location_of("UseClaimAsBearerToken"))
        if auth == "ApiKeyHeader":
            if len(ids) != 1:
                self.add("error", "AADB2C90025" if not ids else "one-api-key-header",
                         "ApiKeyHeader needs exactly one CryptographicKeys Key (its Id is the header name); found "
                         f"{len(ids)}", d.id, d.last_location)
            for key in d.cryptographic_keys:
                if not _HEADER_NAME.match(key.id or ""):
                    self.add("error", "AADB2C90025", f"Key Id {key.id!r} is not a valid HTTP header name",
                             d.id, (key.file, key.line))
        else:
            required = {"Basic": ("BasicAuthenticationUsername", "BasicAuthenticationPassword"),
                        "ClientCertificate": ("ClientCertificate",)}.get(auth, ())
            for key_id in required:
                if key_id not in ids:
                    self.add("error", "AADB2C90025", f"AuthenticationType {auth} needs the cryptographic key "
                             f"{key_id!r}", d.id, d.last_location)
            if auth == "Bearer" and not bearer_claim and "BearerAuthenticationToken" not in ids:
                self.add("error", "AADB2C90192", "Bearer needs the UseClaimAsBearerToken metadata or a "
                         "BearerAuthenticationToken key", d.id, where)
            usable = key_ids_for(auth, md) or ()
            for key in d.cryptographic_keys:
                if key.id not in usable:
                    why = "the token comes from UseClaimAsBearerToken" if auth == "Bearer" else (
                        f"it reads {', '.join(usable) or 'no keys'}")
                    self.add("warning", "unused-key", f"Key Id {key.id!r} does not fit AuthenticationType {auth}: "
                             f"{why}", d.id, (key.file, key.line))
        if self.keys is not None:
            wanted = key_ids_for(auth, md)
            for key in d.cryptographic_keys:
                if (wanted is None or key.id in wanted) and key.storage_reference_id not in self.keys:
                    self.add("error", "AADB2C90130", f"policy key {key.storage_reference_id!r} has no value; "
                             f"{self.keys.describe_source(key.storage_reference_id)}", d.id, (key.file, key.line))
        if auth == "Bearer" and bearer_claim:
            self.bearer_claim(d, bearer_claim)

    def bearer_claim(self, d: TechnicalProfileDefinition, claim: str) -> None:
        where = d.location_of("UseClaimAsBearerToken")
        if fold(claim) not in {fold(c.claim_type_reference_id) for c in d.input_claims}:
            self.add("error", "AADB2C90193", f"the bearer token claim {claim!r} (UseClaimAsBearerToken) is not "
                     "among the input claims", d.id, where)
            return
        if claim in defaults_of(self.policy, d.id):
            return
        own: Set[str] = set()
        for t in d.input_claims_transformations:
            own.update(self.policy.claims_transformations.get(t, ()))
        for site in self.flow.usage_sites(d.id):
            if fold(claim) not in {fold(c) for c in site.available | own}:  # claim ids match in any case
                self.add("warning", "AADB2C90194", f"in {site.description}, no earlier step produces the bearer "
                         f"token claim {claim!r}; run a profile that outputs it (such as REST-AcquireAccessToken) "
                         "first", d.id, (site.file, site.line))

    def claims(self, d: TechnicalProfileDefinition) -> None:
        p = self.policy
        resolve = d.metadata.get("ResolveJsonPathsInJsonTokens", "").strip().lower() == "true"
        for kind, refs in (("InputClaim", d.input_claim_refs), ("OutputClaim", d.output_claim_refs)):
            for ref in refs:
                where = (ref.file, ref.line)
                claim_type = p.claim_types.get(ref.claim_type_reference_id)
                if p.claim_types and claim_type is None:
                    self.add("error", "claim-not-in-schema", f"{kind} {ref.claim_type_reference_id!r} is not "
                             "declared in the ClaimsSchema (its data type is taken as string)", d.id, where)
                elif claim_type is not None and claim_type.data_type not in DATA_TYPES:
                    self.add("error", "unknown-data-type", f"ClaimType {claim_type.id!r} has the unknown DataType "
                             f"{claim_type.data_type!r}", d.id, (claim_type.file, claim_type.line))
                if "{Settings:" in (ref.default_value or ""):
                    self.add("error", "unresolved-setting", f"{kind} {ref.claim_type_reference_id!r} has a "
                             "{Settings:...} DefaultValue and no settings were given", d.id, where)
                raw = ref.always_use_default_value
                if raw is not None and raw.strip().lower() not in ("true", "false"):
                    self.add("error", "AADB2C90030", f"{kind} {ref.claim_type_reference_id!r}: AlwaysUseDefaultValue="
                             f"{raw!r} is not true or false", d.id, where)
                partner = ref.partner_claim_type or ""
                if kind == "OutputClaim" and resolve and _DOTTED_INDEX.search(partner):
                    fixed = _DOTTED_INDEX.sub(r"[\1]", partner)
                    self.add("warning", "json-path-brackets", f"PartnerClaimType {partner!r} uses dotted array "
                             f"indexes; B2C's JSON paths use brackets: {fixed!r}", d.id, where)
                elif kind == "OutputClaim" and not resolve and ("." in partner or "[" in partner):
                    self.add("warning", "json-path-not-resolved", f"PartnerClaimType {partner!r} looks like a JSON "
                             "path but ResolveJsonPathsInJsonTokens is not true, so B2C reads a top-level property "
                             "of that literal name", d.id, where)
        self.payload_and_names(d)

    def payload_and_names(self, d: TechnicalProfileDefinition) -> None:
        payload = d.metadata.get("ClaimUsedForRequestPayload", "").strip()
        if payload:
            claim = next((c for c in d.input_claims if fold(c.claim_type_reference_id) == fold(payload)), None)
            if claim is None:
                self.add("error", "AADB2C90023", f"ClaimUsedForRequestPayload {payload!r} is not among the input "
                         "claims", d.id, d.location_of("ClaimUsedForRequestPayload"))
            elif claim.data_type != "string":
                self.add("error", "AADB2C90023", f"ClaimUsedForRequestPayload {payload!r} must be a string claim",
                         d.id, d.location_of("ClaimUsedForRequestPayload"))
        bearer = d.metadata.get("UseClaimAsBearerToken", "").strip()
        names = [c.wire_name for c in d.input_claims if fold(c.claim_type_reference_id) != fold(bearer)]
        for name in sorted({n for n in names if names.count(n) > 1}):
            self.add("error", "AADB2C99022", f"input claims send the name {name!r} twice", d.id, d.last_location)


def lint(policy: Policy, keys: Optional[KeyStore] = None) -> List[Finding]:
    """Every finding for the policy, sorted by file and line; pass ``keys`` to check policy keys too."""
    linter = _Linter(policy, keys)
    linter.references()
    if not policy.claim_types and policy.restful_profile_ids:
        linter.add("warning", "no-claims-schema", "no ClaimsSchema was loaded, so every claim is taken as a string; "
                   "load the base and extensions files too", None, (None, None))
    for d in policy.technical_profiles.values():
        if d.is_restful:
            linter.restful(d)
    from ._lint_transformations import extra_findings  # schema, transformations, hosts, resolvers

    linter.findings += extra_findings(policy)
    return sorted(linter.findings, key=lambda f: (f.file or "", f.line or 0, f.code))
