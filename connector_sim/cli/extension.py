"""``connector-sim extension EVENT URL`` and ``connector-sim extension auth-check URL``: Entra's extension calls."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ._common import Output, add_json_argument, format_claims, json_errors
from ._scenarios import add_expectation_arguments, maybe_gate, with_claims

__all__ = ["register"]

_DESCRIPTION = """\
POST what Microsoft Entra sends a custom authentication extension at EVENT (OnTokenIssuanceStart,
OnAttributeCollectionStart, OnAttributeCollectionSubmit, OnOtpSend, OnPasswordSubmit,
OnVerifiedIdClaimValidation; any case, kebab-case too) to URL, with Entra's own bearer token, and show
what Entra would do with the answer and what the user would see.

EVENT auth-check sends the event once with the right token and once with each wrong one (no header,
another caller app, wrong audience, other token version, issuer on another host, unknown kid, expired,
nbf in the future, alg none, HS256 keyed with the public key, a bad signature); every wrong token must
get 401 or 403.

The token comes from a local Entra authority served while the command runs (--app-id; --port and
--authority-dir keep its URL and keys across runs, so the API is configured once to trust the discovery
URL it prints), or from --token-env. Secrets come from environment variables, never the command line.
Exit codes: 0 the flow goes on (auth-check: every case right), 1 it does not, a contract violation, no
answer or an accepted wrong token, 2 usage or configuration error."""
_FIELD_OF = {"OnTokenIssuanceStart": "user", "OnPasswordSubmit": "user", "OnVerifiedIdClaimValidation": "claims"}


def register(subparsers: Any) -> None:
    """Add the ``extension`` command."""
    parser = subparsers.add_parser("extension", help="call an Entra External ID custom authentication extension",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("event", metavar="EVENT", help="the authentication event, or auth-check")
    parser.add_argument("url", metavar="URL", help="the extension's endpoint (https)")
    group = parser.add_argument_group("Entra's token")
    group.add_argument("--app-id", metavar="ID", help="Application (client) ID of the extension's app registration "
                       "(the token's audience); connector-sim serves an authority and mints Entra's token")
    group.add_argument("--token-env", metavar="VAR", help="environment variable holding a bearer token to send instead")
    group.add_argument("--caller-version", type=int, metavar="1|2", help="token version the API expects "
                       "(default: 1 for --issuer-format sts, else 2)")
    group.add_argument("--issuer-format", default="ciamlogin", metavar="login|ciamlogin|sts",
                       help="the issuer in the discovery document (default ciamlogin)")
    group.add_argument("--tenant-id", metavar="GUID", help="the tenant id in the issuer (default: one derived from "
                       "--tenant-name)")
    group.add_argument("--tenant-name", default="contoso", metavar="NAME", help="the tenant name (ciamlogin host)")
    group.add_argument("--port", type=int, default=0, metavar="N", help="port of the local authority (default: any)")
    group.add_argument("--authority-dir", metavar="DIR", help="keep the authority's signing key and TLS CA here "
                       "across runs (private keys with mode 0600)")
    group = parser.add_argument_group("what Entra sends")
    group.add_argument("--claim", dest="claims", action="append", default=[], metavar="NAME=VALUE",
                       help="attribute-collection events: a user attribute (NAME:=JSON for typed values); "
                       "OnTokenIssuanceStart and OnPasswordSubmit: a property of the user; "
                       "OnVerifiedIdClaimValidation: a claim of the credential; repeatable")
    group.add_argument("--extensions-app-id", metavar="ID", help="Application (client) ID of the b2c-extensions-app")
    group.add_argument("--claims-mapping-policy", metavar="FILE.json", help="OnTokenIssuanceStart: the app's "
                       "claimsMappingPolicy (Graph JSON); shows the claims its token will carry")
    group.add_argument("--email", metavar="ADDRESS", help="OnOtpSend: where the code goes; sign-up: the email")
    group.add_argument("--request-type", metavar="signUp|signIn|passwordReset", help="OnOtpSend: why the code")
    group.add_argument("--behavior-on-error", default="default", metavar="default|fallback",
                       help="OnOtpSend listener: on failure send no code (default), or Microsoft's email")
    group.add_argument("--password-env", metavar="VAR", help="OnPasswordSubmit: variable holding the password")
    group.add_argument("--username", metavar="NAME", help="OnPasswordSubmit: the sign-in name")
    group.add_argument("--encryption-cert", metavar="FILE", help="OnPasswordSubmit: certificate (PEM, DER or .pfx) "
                       "Entra encrypts the password to (`cert new` makes one)")
    group.add_argument("--encryption-cert-password-env", metavar="VAR", help="variable holding the .pfx password")
    group.add_argument("--jwe-alg", default="RSA-OAEP-256", metavar="ALG", help="JWE key algorithm (UNCONFIRMED "
                       "default RSA-OAEP-256)")
    group.add_argument("--jwe-enc", default="A256GCM", metavar="ENC", help="JWE content encryption (default A256GCM)")
    group = parser.add_argument_group("transport")
    group.add_argument("--ca-bundle", metavar="PEM", help="trust this CA bundle for the API's TLS certificate")
    group.add_argument("--timeout-ms", type=int, default=2000, metavar="MS", help="200 to 2000 (default 2000)")
    group.add_argument("--retries", type=int, default=1, metavar="0|1", help="maximumRetries (default 1)")
    group.add_argument("--exact-case", action="store_true", help="an @odata.type differing only in case is a "
                       "violation (default: a warning, as Microsoft's own samples use such casing)")
    group.add_argument("--junit", metavar="FILE", help="write a JUnit XML report (one testcase per call or case)")
    add_json_argument(parser)
    add_expectation_arguments(parser)
    parser.set_defaults(handler=handle)


def _env_secret(name: str | None, what: str, option: str, *, required: bool = True) -> str | None:
    if name:
        value = os.environ.get(name)
        if value:
            return value
    if required and sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(f"{what}: ")
        if value:
            return value
    if not required and not name:
        return None
    where = f"environment variable {name} is not set" if name else f"no {option} given"
    raise ConfigurationError(f"{what} needed but {where}", hint=f"export it in a variable and pass {option} VAR")


def _values(items: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        typed = name.endswith(":")
        name = (name[:-1] if typed else name).strip()
        if not sep or not name:
            raise ConfigurationError(f"--claim expects NAME=VALUE or NAME:=JSON, got {item!r}")
        try:
            values[name] = json.loads(value) if typed else value
        except ValueError:
            raise ConfigurationError(f"--claim {name}:= needs a JSON value, got {value!r}") from None
    return values


def _fields(args: argparse.Namespace, event: str, output: Output) -> dict[str, Any]:
    from .connector import _fields as connector_fields

    if event.startswith("OnAttributeCollection"):
        fields = connector_fields(args.claims)
        if args.email:
            fields["email"] = args.email
        return fields
    values = _values(args.claims)
    fields = {_FIELD_OF[event]: values} if values and event in _FIELD_OF else {}
    if values and event not in _FIELD_OF:
        raise ConfigurationError(f"{event} takes no --claim")
    if event == "OnOtpSend":
        fields.update(email=args.email, request_type=args.request_type)
    elif event == "OnPasswordSubmit":
        password = _env_secret(args.password_env, "the user's password", "--password-env")
        output.add_secrets([password])
        fields.update(password=password, username=args.username)
    return {k: v for k, v in fields.items() if v is not None}


@contextlib.contextmanager
def _authority(args: argparse.Namespace, output: Output) -> Iterator[Any]:
    from urllib.parse import urlsplit

    from ..testing import EntraAuthority

    # v1 tokens name the App ID URI, api://{the API's host}/{app id}, as their audience.
    with EntraAuthority(issuer_format=args.issuer_format, tenant_id=args.tenant_id, tenant_name=args.tenant_name,
                        port=args.port, state_dir=args.authority_dir,
                        api_host=urlsplit(args.url).hostname or "localhost") as authority:
        output.err(f"local Entra authority: {authority.openid_configuration_url}")
        output.err(f"  issuer {authority.issuer}; its TLS CA: {authority.ca_pem}")
        yield authority


def _extension(args: argparse.Namespace, auth: Any, output: Output) -> Any:
    from ..connectors._external_id import ExternalIdExtension

    if args.ca_bundle is not None and not Path(args.ca_bundle).is_file():
        raise ConfigurationError(f"--ca-bundle {args.ca_bundle!r} is not a file")
    cert_password = _env_secret(args.encryption_cert_password_env, "the .pfx password",
                                "--encryption-cert-password-env", required=False)
    output.add_secrets([cert_password])
    return ExternalIdExtension(args.url, auth, extensions_app_id=args.extensions_app_id, timeout_ms=args.timeout_ms,
                               maximum_retries=args.retries, ca_bundle=args.ca_bundle,
                               behavior_on_error=args.behavior_on_error, encryption_key=args.encryption_cert,
                               encryption_key_password=cert_password, jwe_algorithm=args.jwe_alg,
                               jwe_encryption=args.jwe_enc, exact_case=args.exact_case)


def _write_junit(args: argparse.Namespace, output: Output, records: list[Any]) -> None:
    if not args.junit:
        return
    from ..reporting import Report

    report = Report("connector-sim extension", secrets=output.secrets)
    report.records.extend(records)
    try:
        report.write_junit(args.junit)
    except OSError as exc:
        raise ConfigurationError(f"--junit: cannot write {args.junit!r}: {exc.strerror or exc}") from exc


def _empty(exc: Any) -> dict[str, Any]:
    return {"action": None, "claims": {}, "user_sees": None, "violations": [], "status": None, "error": exc.to_dict()}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Call the extension (or run the token matrix); print JSON or the readable summary; return the exit code."""
    from ..auth import StaticBearer
    from ..connectors._extension_contract import find_event

    checking = args.event.lower().replace("_", "-") == "auth-check"
    if (checking or not args.token_env) and not args.app_id:
        raise ConfigurationError("give --app-id (the Application (client) ID of the extension's app registration) so "
                                 "connector-sim can mint Entra's token" + ("" if checking else ", or --token-env VAR"))
    event = find_event("OnTokenIssuanceStart" if checking else args.event).name
    fields = _fields(args, event, output)
    with contextlib.ExitStack() as stack:
        if args.token_env and not checking:
            token = _env_secret(args.token_env, "the bearer token", "--token-env")
            output.add_secrets([token])
            auth: Any = StaticBearer(str(token))
            authority = None
        else:
            authority = stack.enter_context(_authority(args, output))
            auth = authority.caller(args.app_id, args.caller_version)
        extension = stack.enter_context(_extension(args, auth, output))
        if checking:
            return _auth_check(args, output, extension, authority, fields)
        policy = _policy(args.claims_mapping_policy) if args.claims_mapping_policy else None
        if policy is not None and event != "OnTokenIssuanceStart":
            raise ConfigurationError("--claims-mapping-policy applies to OnTokenIssuanceStart only")
        gated = maybe_gate(args, output, f"connector-sim extension {event}", lambda run: extension.call(
            event, **_fields(with_claims(args, run.claims), event, output)), lambda done: summary(done, done.ok))
        if gated is not None:
            return gated
        outcome = extension.call(event, **fields)
    view = extension.final_token(outcome, policy) if policy is not None else None
    return _report_outcome(args, output, outcome, view)


def _policy(path: str) -> Any:
    from ..connectors._token_claims import read_claims_mapping_policy
    from ..userfiles import read_user_json

    data = read_user_json(path, what="--claims-mapping-policy file")
    read_claims_mapping_policy(data)  # refuse a malformed policy before anything is sent
    return data


def _auth_check(args: argparse.Namespace, output: Output, extension: Any, authority: Any,
                fields: dict[str, Any]) -> int:
    from ..reporting import CallRecord

    result = extension.auth_check(authority, args.app_id, version=args.caller_version, **fields)
    if args.json:
        output.json(result.to_dict())
    else:
        output.out(result.summary())
    _write_junit(args, output, [
        CallRecord(profile=f"auth-check {case.name}", outcome="accepted" if case.accepted else "refused",
                   ok=case.ok, kind="external-id", status=case.status, note=case.reason,
                   user_sees=None if case.ok else case.reason, test="connector-sim extension auth-check")
        for case in result.cases])
    return 0 if result.ok else 1


def _report_outcome(args: argparse.Namespace, output: Output, outcome: Any, view: Any = None) -> int:
    from ..connectors._extension_contract import CONTINUING_EXTENSION_ACTIONS
    from ..reporting._reports import records_from

    goes_on = outcome.action in CONTINUING_EXTENSION_ACTIONS and not outcome.violations
    if args.json:
        extra = {"final_token": view.to_dict()} if view is not None else {}
        output.json({**outcome.to_dict(), "flow_goes_on": goes_on, **extra})
    else:
        output.out(summary(outcome, goes_on))
        if view is not None:
            output.out("the application's token carries (claims mapping policy):")
            output.out(format_claims(view.claims))
            output.out("\n".join(f"  - [{f.rule}] {f.reason} -> {f.b2c_does}" for f in view.findings))
    _write_junit(args, output, [dataclasses.replace(r, ok=goes_on) for r in records_from(outcome)])
    return 0 if goes_on else 1


def summary(outcome: Any, goes_on: bool) -> str:
    """The readable report: the call, Entra's action, what it keeps, what the user sees, the violations."""
    attempts = len(outcome.attempts)
    status = f"HTTP {outcome.status}" if outcome.status is not None else "no answer"
    lines = [f"{outcome.step} -> POST {outcome.request.url}",
             f"  {status}, {attempts} attempt{'s' if attempts != 1 else ''}, {outcome.elapsed_ms:.0f} ms",
             f"action: {outcome.action or 'none (Entra cannot use the answer)'}",
             "Entra keeps:", format_claims(outcome.claims),
             f"user sees: {outcome.user_sees if outcome.user_sees is not None else '(no page; the flow goes on)'}"]
    if outcome.violations:
        lines.append(f"contract violations ({len(outcome.violations)}):")
        lines.extend(f"  - [{v.rule}] {v.reason}\n    -> {v.b2c_does}" for v in outcome.violations)
    else:
        lines.append("contract: kept")
    lines.extend(f"note: {w}" for w in outcome.warnings)
    lines.append("flow: goes on" if goes_on else "flow: stops")
    return "\n".join(lines)
