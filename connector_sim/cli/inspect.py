"""``connector-sim inspect``: a technical profile as B2C resolves it, and the request it would send.

Nothing is sent. Keys are optional: a missing one shows as ``<missing: B2C_1A_...>``, and every
secret (key values, token-like claims) is masked in the request shown.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any, Mapping

from ..caller import Caller, PreparedCall
from ..errors import (
    CertificateError,
    ClaimsError,
    ClaimsTransformationError,
    ConfigurationError,
    ConnectorSimError,
    MissingKeyError,
)
from ..journey import error_object
from ..policy._build import build_restful_profile
from ..profile import RestfulProfile
from ..redact import REDACTED, redact_url
from ..resolvers import ClaimResolverContext
from ._common import (
    Output,
    add_claims_arguments,
    add_json_argument,
    add_keys_argument,
    add_policy_arguments,
    add_profile_arguments,
    add_report_arguments,
    claims_from,
    export_format,
    format_table,
    json_errors,
    key_secrets,
    keys_from,
    named_key_secrets,
    policy_from,
    profile_options,
    service_urls_from,
)

__all__ = ["curl_for", "describe_profile", "register", "would_send"]

_STAND_IN_TOKEN = "stand-in-token-for-inspect"  # shown as *** or replaced: never a real token


def register(subparsers: Any) -> None:
    """Add the ``inspect`` command."""
    parser = subparsers.add_parser(
        "inspect", help="show a resolved profile and the request it would send (nothing is sent)",
        description="Show a technical profile as B2C resolves it (metadata, authentication, keys by name, "
                    "claims) and, for a RESTful profile, the request it would send for the given claims. "
                    "Nothing is sent; secrets are masked. With --export curl, stdout is a curl command "
                    "that sends that request (secrets read from environment variables) and the "
                    "description goes to stderr.")
    parser.add_argument("profile_id", metavar="PROFILE_ID", help="the technical profile to show")
    add_policy_arguments(parser)
    add_keys_argument(parser)
    add_claims_arguments(parser)
    add_profile_arguments(parser)
    add_json_argument(parser)
    add_report_arguments(parser, reports=False)
    parser.set_defaults(handler=handle)


def _missing(name: str) -> str:
    return f"<missing: {name}>"


def _has_key(keys: Any, name: str) -> bool:
    try:
        return name in keys
    except ConnectorSimError:  # a key that reads an unset environment variable
        return False


def describe_profile(definition: Any, keys: Any) -> dict[str, Any]:
    """A JSON-ready view of a merged technical profile: metadata, keys by name only, claims."""
    metadata = {k: (redact_url(v) if k == "ServiceUrl" else v) for k, v in definition.metadata.items()}
    return {
        "id": definition.id,
        "kind": definition.kind,
        "file": definition.file,
        "line": definition.line,
        "metadata": metadata,
        "authenticationType": definition.metadata.get("AuthenticationType"),
        "cryptographicKeys": [
            {"id": k.id, "storageReferenceId": k.storage_reference_id,
             "value": REDACTED if _has_key(keys, k.storage_reference_id) else _missing(k.storage_reference_id)}
            for k in definition.cryptographic_keys],
        "inputClaims": [_claim(c) for c in definition.input_claims],
        "outputClaims": [_claim(c) for c in definition.output_claims],
        "validationTechnicalProfiles": [v.reference_id for v in definition.validation_technical_profiles],
    }


def _claim(claim: Any) -> dict[str, Any]:
    return {"claimTypeReferenceId": claim.claim_type_reference_id, "partnerClaimType": claim.partner_claim_type,
            "defaultValue": claim.default_value, "alwaysUseDefaultValue": claim.always_use_default_value,
            "dataType": claim.data_type}


def _build(policy: Any, definition: Any, keys: Any, service_url: str | None,
           options: Mapping[str, Any]) -> tuple[RestfulProfile, list[str], list[str]]:
    """The profile with placeholders for missing keys; the missing names; notes on what is not shown."""
    absent = [k for k in definition.cryptographic_keys if not _has_key(keys, k.storage_reference_id)]
    missing = [k.storage_reference_id for k in absent]
    # A text placeholder can stand in for a secret, not for a certificate.
    texts = {k.storage_reference_id: _missing(k.storage_reference_id) for k in absent if k.id != "ClientCertificate"}
    store = keys.chain(texts) if texts else keys
    try:
        return policy.profile(definition.id, store, service_url=service_url, **options), missing, []
    except (MissingKeyError, CertificateError) as exc:
        # Show the request without TLS client authentication, and say why.
        bare = replace(definition, metadata={**definition.metadata, "AuthenticationType": "None",
                                             "AllowInsecureAuthInProduction": "true"})
        profile = build_restful_profile(policy, bare, store, service_url=service_url, **options)
        reason = _missing(exc.key) if isinstance(exc, MissingKeyError) else str(exc)
        return profile, missing, [f"TLS client certificate: {reason}"]


def would_send(profile: RestfulProfile, claims: Mapping[str, Any], missing: list[str],
               context: ClaimResolverContext | None = None) -> tuple[dict[str, Any], list[str]]:
    """The request ``profile`` would send for ``claims`` (secrets masked), and notes."""
    notes: list[str] = []
    auth = profile.auth
    prepared, absent_bearer = _prepared(profile, claims, context, notes)
    if auth.ssl_context is not None:
        notes.append(f"TLS client certificate: {auth!r}")
    shown = prepared.request
    headers = dict(shown.headers)
    if absent_bearer:
        headers["Authorization"] = f"Bearer <claim {auth.bearer_claim!r} not in the claims>"
    if missing:
        placeholder = ", ".join(_missing(m) for m in missing)
        for name in auth.secret_headers:
            if name in headers:
                value = str(headers[name])  # redacted() leaves text only
                scheme = value.partition(" ")[0] if " " in value else ""
                headers[name] = f"{scheme} {placeholder}".strip()
    return {"method": shown.method, "url": shown.url, "headers": headers, "body": shown.text()}, notes


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"profile": None, "request": None, "notes": [], "error": error_object(exc)}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Print the resolved profile and the request it would send."""
    export = export_format(args)
    claims = claims_from(args)
    options = profile_options(args)
    urls = service_urls_from(args)
    policy = policy_from(args)
    definition = policy.technical_profile(args.profile_id)
    keys = keys_from(args)
    output.add_secrets(key_secrets(keys))
    report: dict[str, Any] = {"profile": describe_profile(definition, keys), "request": None, "notes": [],
                              "error": None}
    code = 0
    curl: str | None = None
    if definition.is_restful:
        profile, missing, notes = _build(policy, definition, keys, urls.get(definition.id), options)
        report["profile"]["deploymentMode"] = profile.deployment_mode
        report["profile"]["timing"] = {"name": profile.timing_profile.name, "timeout": profile.timing_profile.timeout,
                                       "retries": profile.timing_profile.retries}
        try:
            claims = dict(_after_input_transformations(policy, definition, claims, keys, notes))
            request, more = would_send(profile, claims, missing)
            report["request"] = request
            notes += more
            if export == "curl":
                curl = curl_for(profile, claims, keys)
        except (ClaimsError, ClaimsTransformationError) as exc:
            notes.append(f"the request cannot be built from these claims: {exc}")
            report["error"] = error_object(exc)
            code = exc.exit_code
        report["notes"] = notes
    else:
        report["notes"] = [f"{definition.kind} profiles are not HTTP calls: nothing would be sent"]
    if args.json:
        output.json(report)
    elif export == "curl":
        output.err(_readable(report))
        if curl is None:
            raise ConfigurationError(f"{definition.id}: nothing to export, no request would be sent")
        output.out(curl)
    else:
        output.out(_readable(report))
    return code


def _after_input_transformations(policy: Any, definition: Any, claims: Mapping[str, Any], keys: Any,
                                 notes: list[str]) -> Mapping[str, Any]:
    """The claims bag after the profile's InputClaimsTransformations, as B2C builds the request from it.

    A failing transformation is raised as B2C fails the step: no request would be sent.
    """
    if not definition.input_claims_transformations:
        return claims
    bag = policy.input_claims_for(definition.id, claims, keys=keys)
    changed = [name for name in bag if name not in claims or bag[name] != claims[name]]
    notes.append(f"InputClaimsTransformations ran first ({', '.join(definition.input_claims_transformations)})"
                 + (f"; they set {', '.join(changed)}" if changed else "; they set no claim"))
    return bag


def _prepared(profile: RestfulProfile, claims: Mapping[str, Any], context: ClaimResolverContext | None,
              notes: list[str]) -> tuple[PreparedCall, bool]:
    """The request the core would send (``Caller.prepare``), and whether the bearer claim was absent.

    A missing bearer claim fails the call before sending; the request is still shown, with a
    stand-in token, so the rest of it can be checked.
    """
    caller = Caller(profile)
    try:
        return caller.prepare(claims, context=context), False
    except ClaimsError as exc:
        bearer = profile.auth.bearer_claim
        if bearer is None or exc.claim != bearer:
            raise
        notes.append(f"the call would fail before sending: {exc}")
        return caller.prepare({**claims, bearer: _STAND_IN_TOKEN}, context=context), True


def curl_for(profile: RestfulProfile, claims: Mapping[str, Any], keys: Any) -> str:
    """The curl command that sends what ``profile`` would send for ``claims``; secrets as variables."""
    from ..reporting._curl import curl_command

    # The variable stands for the token whether or not the bearer claim is there.
    request = _prepared(profile, claims, None, [])[0].wire_request
    return curl_command(request, auth=profile.auth, claims=claims, secrets=named_key_secrets(keys),
                        ca_bundle=profile.ca_bundle, timeout=profile.timing_profile.timeout,
                        profile_id=profile.id).text


def _readable(report: Mapping[str, Any]) -> str:
    p = report["profile"]
    lines = [f"Technical profile {p['id']} ({p['kind']})", f"  defined in {p['file']}:{p['line']}"]
    if "deploymentMode" in p:
        t = p["timing"]
        lines.append(f"  DeploymentMode {p['deploymentMode']}; timing {t['name']} ({t['timeout']:g} s, "
                     f"{t['retries']} retr{'y' if t['retries'] == 1 else 'ies'})")
    lines += ["", "Metadata:"] + ([f"  {k}: {v}" for k, v in p["metadata"].items()] or ["  (none)"])
    if p["cryptographicKeys"]:
        lines += ["", "Cryptographic keys:",
                  format_table(("Key Id", "StorageReferenceId", "value"),
                               [(k["id"], k["storageReferenceId"], k["value"]) for k in p["cryptographicKeys"]])]
    for title, key in (("Input claims", "inputClaims"), ("Output claims", "outputClaims")):
        if p[key]:
            rows = [(c["claimTypeReferenceId"], c["partnerClaimType"], c["defaultValue"],
                     "yes" if c["alwaysUseDefaultValue"] else None, c["dataType"]) for c in p[key]]
            lines += ["", f"{title}:", format_table(("claim", "partner name", "default", "always", "type"), rows)]
    if p["validationTechnicalProfiles"]:
        lines += ["", "Validation technical profiles:"] + [f"  {v}" for v in p["validationTechnicalProfiles"]]
    request = report["request"]
    if request is not None:
        lines += ["", "Request it would send (nothing was sent):", f"  {request['method']} {request['url']}"]
        lines += [f"  {name}: {value}" for name, value in request["headers"].items()]
        if request["body"] is not None:
            lines += ["", "  " + request["body"].replace("\n", "\n  ")]
    if report["notes"]:
        lines += ["", "Notes:"] + [f"  {note}" for note in report["notes"]]
    return "\n".join(lines)
