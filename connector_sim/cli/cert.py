"""``connector-sim cert new|check``: make the .pfx B2C's article asks for, and say whether B2C would take one.

``new`` writes a self-signed RSA 2048 certificate with its exportable key as a password-protected
PKCS #12 file (what ``New-SelfSignedCertificate`` + ``Export-PfxCertificate`` make on Windows).
``check`` opens a .pfx and applies B2C's upload rules (private key, RSA key set, dates) and prints
the SHA-1 thumbprint an API pins. The password comes from ``--password-env VAR`` or, on a
terminal only, a prompt; it is never printed. Exit codes: 0 accepted or written, 1 B2C would
refuse the certificate, 2 usage error or a file that cannot be opened.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from ..auth._certificates import RENEWAL_WARNING_DAYS, LoadedCertificate, load_pfx
from ..errors import CertificateError, ConfigurationError, ConnectorSimError
from ._common import Output, add_json_argument, json_errors

__all__ = ["register"]

_PORTAL = ("Upload it with its password: Azure AD B2C > Identity Experience Framework > Policy keys > Add > "
           "Upload (custom policies), or in the API connector's certificate box (user flows).")


def register(subparsers: Any) -> None:
    """Add the ``cert`` command and its ``new`` and ``check`` actions."""
    parser = subparsers.add_parser(
        "cert", help="make or check the client certificate (.pfx) B2C presents to your API",
        description="Make a self-signed client certificate as B2C's article asks (cert new), or check that B2C "
                    "would accept a .pfx and print its thumbprint (cert check).")
    actions = parser.add_subparsers(dest="cert_action", metavar="ACTION")
    new = actions.add_parser(
        "new", help="make a self-signed RSA 2048 .pfx for ClientCertificate authentication",
        description="Make a self-signed client certificate: RSA 2048, exportable key, clientAuth, PKCS #12 with a "
                    "password. The password comes from --password-env VAR, or a prompt on a terminal.")
    new.add_argument("--subject", required=True, metavar="CN=NAME",
                     help="the subject, e.g. CN=myapi.contoso.onmicrosoft.com (<yourapiname>.<tenantname>)")
    new.add_argument("--out", required=True, metavar="FILE.pfx", help="the .pfx file to write")
    new.add_argument("--months", type=int, default=12, help="validity in months (default 12)")
    new.add_argument("--key-size", type=int, default=2048, help="RSA key size (default 2048, as the article asks)")
    new.add_argument("--password-env", metavar="VAR", help="read the .pfx password from this environment variable")
    new.add_argument("--public-cert", metavar="FILE.cer|FILE.pem",
                     help="also write the public certificate, without the key, for the API side to trust or pin: "
                          "DER for .cer/.crt/.der, PEM for .pem")
    new.add_argument("--force", action="store_true", help="overwrite FILE.pfx (and --public-cert) if it exists")
    add_json_argument(new)
    new.set_defaults(handler=handle_new)
    check = actions.add_parser(
        "check", help="say whether B2C would accept a .pfx; print its thumbprint",
        description="Open a .pfx and say whether B2C would accept it (private key, RSA, dates, days left) with its "
                    "subject, issuer and SHA-1 thumbprint (what the Azure portal and X-ARR-ClientCert pinning use). "
                    "Exit 0 accepted, 1 refused, 2 unreadable or wrong password.")
    check.add_argument("pfx", metavar="FILE.pfx", help="the certificate file")
    check.add_argument("--password-env", metavar="VAR", help="read the .pfx password from this environment variable")
    add_json_argument(check)
    check.set_defaults(handler=handle_check)
    parser.set_defaults(handler=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _interactive() -> bool:
    """True when a person can be asked for the password."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _from_env(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise ConfigurationError(f"the environment variable {variable} is not set or empty: put the .pfx password "
                                 "in it")
    return value


def new_password(args: argparse.Namespace) -> str:
    """The password for a new .pfx: ``--password-env``, or asked twice on a terminal."""
    if args.password_env:
        return _from_env(args.password_env)
    if not _interactive():
        raise ConfigurationError("no terminal to ask for the .pfx password: put it in an environment variable and "
                                 "pass --password-env VAR (for example --password-env PFX_PASSWORD)")
    first = getpass.getpass("Password for the .pfx: ")
    if not first:
        raise ConfigurationError("the password is empty; B2C asks for the .pfx password when you upload it")
    if getpass.getpass("Same password again: ") != first:
        raise ConfigurationError("the two passwords differ")
    return first


def _json_error(exc: ConnectorSimError) -> dict[str, Any]:
    return {"error": {"type": type(exc).__name__, "code": exc.b2c_code, "message": exc.message}}


def _utc(moment: _dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ")


@json_errors(_json_error)
def handle_new(args: argparse.Namespace, output: Output) -> int:
    """Write the certificate; print its subject, dates and thumbprint."""
    from ..auth._certgen import new_self_signed_pfx

    target = Path(args.out)
    public = Path(args.public_cert) if args.public_cert else None
    for path in (target, public):
        if path is not None and path.exists() and not args.force:
            raise ConfigurationError(f"{path} exists: pass --force to overwrite it")
    if public is not None and public.resolve() == target.resolve():
        raise ConfigurationError("--public-cert must be another file than --out")
    password = new_password(args)
    output.add_secrets([password])
    data = new_self_signed_pfx(args.subject, password=password, months=args.months, key_size=args.key_size)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if args.force else os.O_EXCL)
    try:
        # 0600: the file holds a private key, encrypted only by the password.
        descriptor = os.open(target, flags, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise ConfigurationError(f"cannot write {target}: {exc.strerror or exc}") from exc
    loaded = load_pfx(data, password)
    info = loaded.info
    if public is not None:
        _write_public(public, loaded.certificate)
    if args.json:
        output.json({"file": str(target), "public_cert": str(public) if public else None,
                     "subject": info.subject, "thumbprint": info.thumbprint,
                     "sha256": info.sha256, "not_before": info.not_before.isoformat(),
                     "not_after": info.not_after.isoformat(), "key_type": info.key_type, "key_size": info.key_size,
                     "error": None})
    else:
        output.out(f"Wrote {target}: {info.subject}, {info.key_type} {info.key_size}, self-signed\n"
                   f"  valid from  {_utc(info.not_before)}\n  valid until {_utc(info.not_after)}\n"
                   f"  thumbprint  {info.thumbprint} (SHA-1)\n  SHA-256     {info.sha256}\n\n{_PORTAL}\n"
                   f"Check it any time with: connector-sim cert check {target}"
                   + (f"\nPublic certificate (no key) for the API side: {public}" if public else ""))
    return 0


def _write_public(path: Path, certificate: Any) -> None:
    """The certificate alone: PEM for a .pem file, DER (what Windows calls .cer) otherwise."""
    from cryptography.hazmat.primitives.serialization import Encoding

    encoding = Encoding.PEM if path.suffix.lower() == ".pem" else Encoding.DER
    try:
        path.write_bytes(certificate.public_bytes(encoding))
    except OSError as exc:
        raise ConfigurationError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _open(args: argparse.Namespace) -> LoadedCertificate:
    """Open the .pfx with the password from the environment, a prompt, or none at all."""
    if args.password_env:
        password: str | None = _from_env(args.password_env)
    elif _interactive():
        password = getpass.getpass(f"Password of {args.pfx} (empty for none): ") or None
    else:
        password = None
    try:
        return load_pfx(args.pfx, password)
    except CertificateError as exc:
        hint = ("check the password in " + args.password_env if args.password_env else
                "put the password in an environment variable and pass --password-env VAR")
        raise CertificateError(exc.message, b2c_code=exc.b2c_code, hint=hint) from exc


def verdict(loaded: LoadedCertificate, now: _dt.datetime | None = None) -> dict[str, Any]:
    """B2C's verdict on a certificate as the JSON object of ``cert check``: accepted, problems, warnings."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    info = loaded.info
    problems = info.problems(now)
    warnings = []
    days = info.days_left(now)
    if not problems and days < RENEWAL_WARNING_DAYS:
        warnings.append(f"it expires in {days} day{'s' if days != 1 else ''}: make a new one (connector-sim cert "
                        "new) and upload it before then; B2C uses the newest valid one")
    if info.key_type == "RSA" and info.key_size is not None and info.key_size < 2048:
        warnings.append(f"the RSA key has {info.key_size} bits; the article asks for 2048")
    self_signed = info.subject == info.issuer
    if self_signed:
        warnings.append("it is self-signed: fine for tests, but B2C's article says production certificates must be "
                        "signed by a certificate authority")
    if not _client_auth(loaded):
        warnings.append("its extended key usage lacks clientAuth: an API that checks it would refuse the certificate")
    return {"accepted": not problems, "subject": info.subject, "issuer": info.issuer, "self_signed": self_signed,
            "thumbprint": info.thumbprint, "sha256": info.sha256, "key_type": info.key_type, "key_size": info.key_size,
            "has_private_key": info.has_private_key, "not_before": info.not_before.isoformat(),
            "not_after": info.not_after.isoformat(), "days_left": days, "problems": problems, "warnings": warnings}


def _client_auth(loaded: LoadedCertificate) -> bool:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    try:
        usages = loaded.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True  # no EKU extension: any use is allowed
    return ExtendedKeyUsageOID.CLIENT_AUTH in usages


@json_errors(_json_error)
def handle_check(args: argparse.Namespace, output: Output) -> int:
    """Print the certificate's details and B2C's verdict; exit 0 accepted, 1 refused."""
    if args.password_env and os.environ.get(args.password_env):
        output.add_secrets([os.environ[args.password_env]])
    result = verdict(_open(args))
    if args.json:
        output.json({"file": args.pfx, **result, "error": None})
    else:
        output.out(_readable(args.pfx, result))
    return 0 if result["accepted"] else 1


def _readable(path: str, r: dict[str, Any]) -> str:
    key = f"{r['key_type']} {r['key_size']} bits" if r["key_size"] else r["key_type"]
    key += ", private key included" if r["has_private_key"] else ", NO private key"
    days = r["days_left"]
    left = f"{days} days left" if days >= 0 else f"expired {-days} days ago"
    lines = [path,
             f"  subject      {r['subject']}",
             f"  issuer       {r['issuer']}" + (" (self-signed)" if r["self_signed"] else ""),
             f"  thumbprint   {r['thumbprint']} (SHA-1: what the Azure portal shows and X-ARR-ClientCert pinning "
             "compares)",
             f"  SHA-256      {r['sha256']}",
             f"  key          {key}",
             f"  valid from   {_utc(_dt.datetime.fromisoformat(r['not_before']))}",
             f"  valid until  {_utc(_dt.datetime.fromisoformat(r['not_after']))} ({left})", ""]
    if r["accepted"]:
        lines.append("B2C would accept this certificate.")
    else:
        lines.append("B2C would refuse this certificate:")
        lines += [f"  - {p}" for p in r["problems"]]
    lines += [f"Warning: {w}" for w in r["warnings"]]
    return "\n".join(lines)
