"""``connector-sim connector STEP URL``: call a user-flow API connector endpoint as B2C does."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from ..auth import AuthStrategy, Basic, ClientCertificate
from ..connectors._api_connector import ApiConnector
from ..connectors._outcome import ConnectorOutcome
from ..connectors._request import STEPS, graph_name, normalise_step
from ..errors import ConfigurationError, ConnectorSimError
from ..redact import SECRET_QUERY_PARAMETERS
from ..timing import timing_profile
from ._common import Output, add_json_argument, format_claims, json_errors
from ._scenarios import Scenario, add_expectation_arguments, run_gate, scenarios_from, wants_gate

__all__ = ["register"]

_DESCRIPTION = f"""\
POST what a B2C sign-up user flow sends at STEP ({', '.join(STEPS)};
any case, kebab-case too) to URL, and show what B2C would do with the answer and what the user
would see.
Secrets come from environment variables (--password-env, --pfx-password-env, --code-env) or, on a
terminal, a prompt; never from the command line. Exit codes: 0 Continue, 1 ShowBlockPage, ValidationError,
a contract violation or no answer, 2 usage or configuration error."""
_CONTEXT = ("client_id", "ui_locales", "identities")


def register(subparsers: Any) -> None:
    """Add the ``connector`` command."""
    parser = subparsers.add_parser("connector", help="call a user-flow API connector endpoint as B2C does",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", metavar="STEP",
                        help="PostFederationSignup, PostAttributeCollection or PreTokenIssuance")
    parser.add_argument("url", metavar="URL", help="the endpoint (https; for an API key in the query see --code-env)")
    group = parser.add_argument_group("authentication (user flows offer Basic or a client certificate)")
    group.add_argument("--auth", metavar="basic|certificate", help="default: basic with --username, else certificate")
    group.add_argument("--username", help="the Basic user name")
    group.add_argument("--password-env", metavar="VAR", help="environment variable holding the Basic password")
    group.add_argument("--pfx", metavar="FILE", help="the client certificate (.pfx with its private key)")
    group.add_argument("--pfx-password-env", metavar="VAR", help="environment variable holding the .pfx password")
    group.add_argument("--code-env", metavar="VAR", help="environment variable holding an API key that B2C sends in "
                       "the URL's query string as code=KEY (Azure Functions), to keep it off the command line")
    group = parser.add_argument_group("what B2C sends")
    group.add_argument("--claim", dest="claims", action="append", default=[], metavar="NAME=VALUE",
                       help="a user attribute: a built-in (givenName or given_name), else a custom attribute "
                       "(needs --extensions-app-id); NAME:=JSON sends a typed value (true, 42); also client_id, "
                       "ui_locales and identities:=[...]; repeatable")
    group.add_argument("--extensions-app-id", metavar="ID", help="Application (client) ID of the b2c-extensions-app")
    group = parser.add_argument_group("transport")
    group.add_argument("--ca-bundle", metavar="PEM", help="trust this CA bundle for the API's TLS certificate")
    group.add_argument("--timing", default="user-flow", metavar="user-flow|legacy-user-flow",
                       help="B2C's timeout and retries (default user-flow: 5 s, 1 retry; legacy-user-flow: 20 s)")
    add_json_argument(parser)
    add_expectation_arguments(parser, reports=True)
    parser.set_defaults(handler=handle)


def _secret(env_name: str | None, what: str, option: str) -> str:
    """A secret from the named environment variable, else a prompt on a terminal, else a usage error."""
    if env_name:
        value = os.environ.get(env_name)
        if value:
            return value
    if sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(f"{what}: ")
        if value:
            return value
    where = f"environment variable {env_name} is not set" if env_name else f"no {option} given"
    raise ConfigurationError(f"{what} needed but {where}",
                             hint=f"export the secret in an environment variable and pass {option} VAR")


def _auth(args: argparse.Namespace) -> AuthStrategy:
    kind = (args.auth or ("basic" if args.username else "certificate" if args.pfx else "")).lower()
    if kind == "basic":
        if not args.username:
            raise ConfigurationError("--auth basic needs --username")
        return Basic(args.username, _secret(args.password_env, "the Basic password", "--password-env"))
    if kind in ("certificate", "clientcertificate", "client-certificate"):
        if not args.pfx:
            raise ConfigurationError("--auth certificate needs --pfx FILE")
        if not Path(args.pfx).is_file():
            raise ConfigurationError(f"--pfx {args.pfx!r} is not a file")
        return ClientCertificate(args.pfx, _secret(args.pfx_password_env, "the .pfx password", "--pfx-password-env"))
    if not kind:
        raise ConfigurationError("say how B2C authenticates: --auth basic --username U --password-env VAR, or "
                                 "--auth certificate --pfx FILE --pfx-password-env VAR")
    raise ConfigurationError(f"--auth must be basic or certificate (all user flows offer), got {args.auth!r}",
                             hint="an API key can travel in the URL's query string, e.g. ?code=KEY")


def _fields(claims: list[str]) -> dict[str, Any]:
    built_ins: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    context: dict[str, Any] = {}
    for item in claims:
        name, sep, value = item.partition("=")
        typed = name.endswith(":")
        name = (name[:-1] if typed else name).strip()
        if not sep or not name:
            raise ConfigurationError(f"--claim expects NAME=VALUE or NAME:=JSON, got {item!r}")
        parsed: Any = value
        if typed:
            try:
                parsed = json.loads(value)
            except ValueError:
                raise ConfigurationError(f"--claim {name}:= needs a JSON value, got {value!r}") from None
        if name in _CONTEXT:
            context[name] = parsed
        elif graph_name(name):
            built_ins[graph_name(name) or name] = parsed
        else:
            attributes[name] = parsed
    return {"built_ins": built_ins, "attributes": attributes, **context}


def _claims_of(items: list[str]) -> dict[str, Any]:
    """``--claim`` strings as the JSON values they stand for (a scenario then adds its own)."""
    claims: dict[str, Any] = {}
    for item in items:
        name, _sep, value = item.partition("=")
        typed = name.endswith(":")
        claims[name[:-1].strip() if typed else name.strip()] = json.loads(value) if typed else value
    return claims


def _secret_query_values(url: str) -> list[str]:
    query = urlsplit(url).query
    return [v for k, v in parse_qsl(query) if k.lower() in SECRET_QUERY_PARAMETERS]


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"action": None, "claims": {}, "user_sees": None, "violations": [], "status": None, "attempts": [],
            "request": None, "error": exc.to_dict()}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Call the connector; print the JSON object or the readable summary; return the exit code."""
    if args.code_env:
        key = _secret(args.code_env, "the API key (code)", "--code-env")
        output.add_secrets([key, quote(key, safe="")])
        args.url = f"{args.url}{'&' if urlsplit(args.url).query else '?'}code={quote(key, safe='')}"
    output.add_secrets(_secret_query_values(args.url))
    step = normalise_step(args.step)
    timing = timing_profile(args.timing)
    if args.ca_bundle is not None and not Path(args.ca_bundle).is_file():
        raise ConfigurationError(f"--ca-bundle {args.ca_bundle!r} is not a file")
    fields = _fields(args.claims)
    auth = _auth(args)
    output.add_secrets(auth.secret_values())
    output.add_secrets(os.environ.get(name or "") for name in (args.password_env, args.pfx_password_env))
    if wants_gate(args):
        from ..reporting._reports import Report

        report = Report(f"connector-sim connector {step}", secrets=output.secrets)

        def one(run: Scenario) -> ConnectorOutcome:
            # A scenario's claims are typed JSON values; "step" and "url" may change per scenario.
            typed = [f"{name}:={json.dumps(value)}" for name, value in run.claims.items()]
            with ApiConnector(str(run.options.get("url") or args.url), auth, extensions_app_id=args.extensions_app_id,
                              timing=timing, ca_bundle=args.ca_bundle) as connector:
                return connector.call(normalise_step(str(run.options.get("step") or step)), **_fields(typed))

        base = Scenario(report.name, claims=_claims_of(args.claims))
        return run_gate(args, output, report, scenarios_from(args, base), one, summary)
    with ApiConnector(args.url, auth, extensions_app_id=args.extensions_app_id, timing=timing,
                      ca_bundle=args.ca_bundle) as connector:
        outcome = connector.call(step, **fields)
    if args.json:
        output.json(outcome.to_dict())
    else:
        output.out(summary(outcome))
    return 0 if outcome.ok else 1


def summary(outcome: ConnectorOutcome) -> str:
    """The readable report: the call, B2C's action, the claims kept, what the user sees, the violations."""
    attempts = len(outcome.attempts)
    status = f"HTTP {outcome.status}" if outcome.status is not None else "no answer"
    lines = [
        f"{outcome.step} -> POST {outcome.request.url}",
        f"  {status}, {attempts} attempt{'s' if attempts != 1 else ''}, {outcome.elapsed_ms:.0f} ms",
        f"action: {outcome.action or 'none (B2C cannot use the answer)'}",
        "claims B2C keeps:",
        format_claims(outcome.claims),
        f"user sees: {outcome.user_sees if outcome.user_sees is not None else '(no page; the flow goes on)'}",
    ]
    if outcome.violations:
        lines.append(f"contract violations ({len(outcome.violations)}):")
        lines.extend(f"  - [{v.rule}] {v.reason}\n    -> {v.b2c_does}" for v in outcome.violations)
    else:
        lines.append("contract: kept")
    lines.extend(f"note: {w}" for w in outcome.warnings)
    return "\n".join(lines)
