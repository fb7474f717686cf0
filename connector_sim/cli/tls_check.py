"""``connector-sim tls-check URL``: would B2C's TLS rules let it connect to this server?"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ..auth import ClientCertificate
from ..errors import ConfigurationError, ConnectorSimError
from ..reporting._tls_check import TlsReport, tls_check
from ._common import Output, add_json_argument, format_table, json_errors

__all__ = ["register"]

_DESCRIPTION = """\
Handshake with the server of URL as B2C would (TLS 1.2 and its eight ECDHE cipher suites), try
each suite, TLS 1.0/1.1 (deprecated: a warning) and TLS 1.3 (informational), and check the
certificate chain, host name and expiry. No HTTP request is sent. A server that requires a client
certificate needs --pfx (its password from --pfx-password-env). Exit codes: 0 B2C would connect,
1 B2C would fail, 2 usage error."""


def register(subparsers: Any) -> None:
    """Add the ``tls-check`` command."""
    parser = subparsers.add_parser("tls-check", help="check that a server meets B2C's TLS rules",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", metavar="URL", help="the API's https URL (only host and port are used)")
    parser.add_argument("--ca-bundle", metavar="PEM", help="trust this CA bundle (a local or private CA)")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                        help="per handshake (default 5)")
    parser.add_argument("--pfx", metavar="FILE", help="a client certificate, for servers that require one")
    parser.add_argument("--pfx-password-env", metavar="VAR", help="environment variable holding the .pfx password")
    add_json_argument(parser)
    parser.set_defaults(handler=handle)


def _empty(exc: ConnectorSimError) -> dict[str, Any]:
    return {"passes": False, "verdict": None, "error": exc.to_dict()}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Run the check; print the JSON object or the readable report; 0 pass, 1 fail."""
    if not args.timeout > 0:
        raise ConfigurationError(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    client = None
    if args.pfx:
        if not Path(args.pfx).is_file():
            raise ConfigurationError(f"--pfx {args.pfx!r} is not a file")
        password = os.environ.get(args.pfx_password_env or "") if args.pfx_password_env else None
        if args.pfx_password_env and password is None:
            raise ConfigurationError(f"environment variable {args.pfx_password_env} is not set",
                                     hint="export the .pfx password in it")
        output.add_secrets([password or ""])
        client = ClientCertificate(args.pfx, password)
    report = tls_check(args.url, ca_bundle=args.ca_bundle, timeout=args.timeout, client_certificate=client)
    if args.json:
        output.json(report.to_dict())
    else:
        output.out(summary(report))
    return 0 if report.passes else 1


def _yes(value: bool | None, detail: str = "") -> str:
    text = "not tested" if value is None else ("yes" if value else "no")
    return f"{text} ({detail})" if detail and value else text


def summary(report: TlsReport) -> str:
    """The readable report: protocol versions, suites, certificate, warnings and the verdict."""
    lines = [f"TLS check of {report.host}:{report.port}"]
    if report.connection_error is None:
        negotiated = " with ".join(report.negotiated) if report.negotiated else ""
        accepted = sum(report.suites.values())
        rows = [
            ("TLS 1.2 with B2C's suites", _yes(report.tls12, negotiated)),
            ("B2C suites accepted", f"{accepted} of {len(report.suites)}"),
            *((f"  {name}", _yes(ok)) for name, ok in report.suites.items()),
            ("TLS 1.0 offered", _yes(report.tls10)),
            ("TLS 1.1 offered", _yes(report.tls11)),
            ("TLS 1.3 offered", _yes(report.tls13) + " (informational: whether B2C uses TLS 1.3 is unconfirmed)"),
            ("certificate trusted", _yes(report.certificate_trusted) + (
                f" ({report.certificate_error})" if report.certificate_error else "")),
            ("host name matches", _yes(report.hostname_matches)),
            ("subject", report.subject),
            ("expires", f"{report.not_after:%Y-%m-%d} ({report.days_left} days left)" if report.not_after else None),
        ]
        lines.append(format_table(("check", "result"), rows))
    lines.extend(f"warning: {w}" for w in report.warnings)
    lines.append(f"Verdict: {report.verdict}")
    return "\n".join(lines)
