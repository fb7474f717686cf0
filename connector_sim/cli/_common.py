"""Helpers shared by the CLI commands: policy, keys and claims arguments, JSON and table output.

Option values are checked here rather than by argparse (``choices=``) so that a bad value is a
``ConfigurationError``: the command can then answer with its JSON error object under ``--json``.
Everything printed goes through ``redact`` first, so a secret from the keys never reaches output.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..errors import ConfigurationError, ConnectorSimError
from ..profile import DEPLOYMENT_MODES
from ..redact import redact_claims
from ..reporting._tables import format_table
from ..timing import TIMING_PROFILES, timing_profile
from ..userfiles import read_user_json
from ._claims import claims_used_by, typed_assignments, unused_claims
from ._writer import Output, json_errors

if TYPE_CHECKING:
    from ..keys import KeyStore
    from ..policy._policy import Policy

__all__ = [
    "Output",
    "add_claims_arguments",
    "add_json_argument",
    "add_keys_argument",
    "add_policy_arguments",
    "add_profile_arguments",
    "add_report_arguments",
    "assignments",
    "typed_assignments",
    "unused_claims",
    "claims_from",
    "claims_used_by",
    "export_format",
    "format_claims",
    "format_table",
    "json_errors",
    "key_secrets",
    "keys_from",
    "named_key_secrets",
    "policy_from",
    "profile_options",
    "service_urls_from",
    "write_reports",
]


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    """``--policy FILE`` (repeatable), ``--settings FILE`` and ``--environment NAME``."""
    group = parser.add_argument_group("policy files")
    group.add_argument("--policy", dest="policies", action="append", default=[], metavar="FILE",
                       help="a policy file (base, localization, extensions, relying party); repeat for each, any order")
    group.add_argument("--settings", metavar="FILE",
                       help="appsettings.json of the B2C VS Code extension, to fill {Settings:Name} placeholders")
    group.add_argument("--environment", metavar="NAME", help="the Environments entry of --settings to use")


def add_keys_argument(parser: argparse.ArgumentParser) -> None:
    """``--keys FILE``: the policy keys (StorageReferenceId -> secret or certificate)."""
    parser.add_argument("--keys", metavar="FILE",
                        help="JSON file of policy keys (B2C_1A_... names); keys it lacks come from "
                             "CONNECTOR_SIM_KEY_<name> environment variables")


def add_claims_arguments(parser: argparse.ArgumentParser) -> None:
    """``--claim NAME=VALUE`` (repeatable) and ``--claims-file FILE.json``."""
    group = parser.add_argument_group("claims")
    group.add_argument("--claim", dest="claims", action="append", default=[], metavar="NAME=VALUE",
                       help="a claim in the starting claims bag (a string); repeat for each; wins over --claims-file")
    group.add_argument("--claims-file", metavar="FILE.json", help="a JSON object of starting claims")


def add_profile_arguments(parser: argparse.ArgumentParser) -> None:
    """``--service-url``, ``--ca-bundle``, ``--deployment-mode`` and ``--timing``."""
    group = parser.add_argument_group("how profiles are called")
    group.add_argument("--service-url", dest="service_urls", action="append", default=[], metavar="PROFILE_ID=URL",
                       help="call this URL instead of the profile's ServiceUrl (a local server); repeatable")
    group.add_argument("--ca-bundle", metavar="PEM", help="trust this CA bundle for the API's TLS certificate")
    group.add_argument("--deployment-mode", metavar="|".join(DEPLOYMENT_MODES),
                       help="override the policy's DeploymentMode")
    group.add_argument("--timing", metavar="|".join(TIMING_PROFILES),
                       help="B2C's timeout and retries to emulate (default custom-policy: 10 s, 1 retry)")


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """``--json``: one JSON object on stdout instead of the readable summary; ``-v/--verbose`` and ``-q/--quiet``."""
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="print each exchange (request and answer, secrets masked) on stderr as it happens")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the result: no progress, no warnings")


def add_report_arguments(parser: argparse.ArgumentParser, *, reports: bool = True) -> None:
    """``--junit FILE`` and ``--report-json FILE`` (when ``reports``), and ``--export curl``."""
    group = parser.add_argument_group("reports and reproduction")
    if reports:
        group.add_argument("--junit", metavar="FILE",
                           help="write a JUnit XML report: one testsuite for the run, one testcase per call")
        group.add_argument("--report-json", metavar="FILE",
                           help="write a JSON report of every call (request redacted, answer, timing, outcome)")
    group.add_argument("--export", metavar="curl",
                       help="print a runnable curl command per call on stdout instead of the summary (which then "
                            "goes to stderr); secrets are environment variables. Not with --json")


def export_format(args: argparse.Namespace) -> str | None:
    """The ``--export`` format (only ``curl``), refusing ``--json`` with it: both want stdout."""
    chosen = getattr(args, "export", None)
    if chosen is None:
        return None
    if chosen.lower() != "curl":
        raise ConfigurationError(f"--export supports only 'curl', got {chosen!r}")
    if getattr(args, "json", False):
        raise ConfigurationError("--export curl and --json both write to stdout: use one of them")
    return "curl"


def write_reports(args: argparse.Namespace, report: Any, verdicts: Any = None) -> None:
    """Write the ``--junit`` and ``--report-json`` files of a ``reports.Report`` (a testcase per verdict if given)."""
    for option, path, write in (("--junit", getattr(args, "junit", None), report.write_junit),
                                ("--report-json", getattr(args, "report_json", None), report.write_json)):
        if path:
            try:
                write(path, verdicts)
            except OSError as exc:
                raise ConfigurationError(f"{option}: cannot write {path!r}: {exc.strerror or exc}") from exc


def named_key_secrets(keys: Any) -> dict[Any, str]:
    """String policy keys as ``EnvRef -> value`` for curl export: each becomes ``$B2C_KEY_<name>``."""
    from ..keys import normalize_key_name
    from ..reporting._curl import EnvRef

    found: dict[Any, str] = {}
    for name in keys.names() if keys is not None else ():
        try:
            value = keys.get(name)
        except ConnectorSimError:
            continue
        if isinstance(value, str):
            variable = "B2C_KEY_" + "".join(ch if ch.isalnum() else "_" for ch in normalize_key_name(name)).upper()
            found[EnvRef(variable, f"the policy key {name}")] = value
    return found


def assignments(values: Iterable[str], option: str) -> dict[str, str]:
    """``NAME=VALUE`` strings as a dict; a value may itself contain ``=``."""
    result: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(f"{option} expects NAME=VALUE, got {item!r}")
        result[name.strip()] = value
    return result


def claims_from(args: argparse.Namespace) -> dict[str, Any]:
    """The starting claims bag: ``--claims-file`` first, then each ``--claim`` (strings)."""
    claims: dict[str, Any] = {}
    path = getattr(args, "claims_file", None)
    if path:
        data = read_user_json(path, what="claims file")
        if not isinstance(data, dict):
            raise ConfigurationError(f"claims file {path!r} must hold a JSON object of claim names to values, "
                                     f"not a JSON {type(data).__name__}")
        claims.update(data)
    claims.update(typed_assignments(getattr(args, "claims", []) or [], "--claim"))
    return claims


def service_urls_from(args: argparse.Namespace) -> dict[str, str]:
    """``--service-url PROFILE_ID=URL`` values as a dict."""
    return assignments(getattr(args, "service_urls", []) or [], "--service-url")


def profile_options(args: argparse.Namespace) -> dict[str, Any]:
    """``ca_bundle``, ``deployment_mode`` and ``timing`` for ``Policy.profile``, checked."""
    mode = getattr(args, "deployment_mode", None)
    if mode is not None and mode not in DEPLOYMENT_MODES:
        raise ConfigurationError(f"--deployment-mode must be one of {', '.join(DEPLOYMENT_MODES)}, got {mode!r}")
    timing = getattr(args, "timing", None)
    ca_bundle = getattr(args, "ca_bundle", None)
    if ca_bundle is not None and not Path(ca_bundle).is_file():
        raise ConfigurationError(f"--ca-bundle {ca_bundle!r} is not a file")
    return {"ca_bundle": ca_bundle, "deployment_mode": mode,
            "timing": timing_profile(timing) if timing is not None else None}


def policy_from(args: argparse.Namespace, *, check_transformations: bool = True) -> Policy:
    """Load the ``--policy`` files, with ``--settings`` / ``--environment`` when given.

    ``check_transformations=False`` (for ``lint``) loads a policy B2C would refuse for its claims
    transformations, so that every problem is a finding rather than one load error.
    """
    from ..policy._policy import load_policy

    if not args.policies:
        raise ConfigurationError("give at least one policy file with --policy FILE")
    return load_policy(*args.policies, settings_file=getattr(args, "settings", None) or None,
                       environment=getattr(args, "environment", None), check_transformations=check_transformations)


def keys_from(args: argparse.Namespace) -> KeyStore:
    """The KeyStore: ``--keys FILE`` first when given, then environment variables."""
    from ..keys import KeyStore

    return KeyStore.from_sources(getattr(args, "keys", None))


def key_secrets(keys: Any) -> list[str]:
    """Every secret value a KeyStore holds (strings and pfx passwords), to mask in output."""
    return keys.secret_values() if keys is not None else []


def format_claims(claims: Mapping[str, Any], indent: str = "  ") -> str:
    """Claims one per line, token-like values masked; ``(none)`` for an empty bag."""
    if not claims:
        return f"{indent}(none)"
    shown = redact_claims(claims)
    width = max(len(name) for name in shown)
    return "\n".join(f"{indent}{name.ljust(width)}  {_show(value)}" for name, value in shown.items())


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
