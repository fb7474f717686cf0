"""Would B2C connect to this server? TLS 1.2, B2C's eight cipher suites and the certificate (behaviour §9.3).

``tls_check(url)`` makes a few TLS handshakes (no HTTP request): one as B2C's client would (TLS 1.2,
the eight ECDHE suites), one per suite, one per old or new protocol version, and one that verifies
the certificate chain and host name. The report says what passed and gives a verdict. TLS 1.0/1.1
still offered is a warning (deprecated; B2C will not use them); TLS 1.3 is informational, since
whether B2C uses it is UNCONFIRMED. A server that requires a client certificate needs
``client_certificate=`` for the TLS 1.2 handshakes to complete.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import socket
import ssl
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit

from cryptography import x509

from ..auth import ClientCertificate
from ..auth._certificates import RENEWAL_WARNING_DAYS
from ..errors import ConfigurationError
from ..redact import redact_url
from ..transport import B2C_CIPHERS

__all__ = ["B2C_SUITES", "Handshake", "TlsReport", "tls_check"]

#: B2C's eight suites: IANA name (as the TLS article lists them) -> OpenSSL name.
B2C_SUITES: Mapping[str, str] = dict(zip(
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    ),
    B2C_CIPHERS.split(":"),
))
_V = ssl.TLSVersion
_OLD_CIPHERS = "DEFAULT:@SECLEVEL=0"  # OpenSSL 3 offers TLS 1.0/1.1 only at security level 0
_NAME_MISMATCH = (62, 64)  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


@dataclass(frozen=True)
class Handshake:
    """One probe: did the handshake complete, with which version and suite, or why not."""

    ok: bool
    version: str | None = None
    cipher: str | None = None
    error: str | None = None
    kind: str = "ok"  # ok, tls, certificate, timeout, dns, connection, unsupported
    verify_code: int | None = None
    der: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TlsReport:
    """What a server offers against B2C's transport rules, and the verdict."""

    url: str
    host: str
    port: int
    connection_error: str | None = None
    tls12: bool = False
    negotiated: tuple[str, str] | None = None  # (version, suite) with B2C's client settings
    suites: Mapping[str, bool] = field(default_factory=dict)  # IANA name -> accepted
    tls10: bool | None = None  # None: not tested (this OpenSSL cannot offer it, or no connection)
    tls11: bool | None = None
    tls13: bool | None = None
    certificate_trusted: bool | None = None
    certificate_error: str | None = None
    hostname_matches: bool | None = None
    subject: str | None = None
    issuer: str | None = None
    not_after: _dt.datetime | None = None
    days_left: int | None = None
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def passes(self) -> bool:
        """True when B2C would connect."""
        return not self.problems

    @property
    def verdict(self) -> str:
        """``B2C would connect`` or ``B2C would fail: <reasons>``."""
        return "B2C would connect" if self.passes else "B2C would fail: " + "; ".join(self.problems)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI's ``--json`` object)."""
        return {
            "url": self.url, "host": self.host, "port": self.port, "passes": self.passes, "verdict": self.verdict,
            "connection_error": self.connection_error, "tls12": self.tls12,
            "negotiated": list(self.negotiated) if self.negotiated else None, "suites": dict(self.suites),
            "tls10": self.tls10, "tls11": self.tls11, "tls13": self.tls13,
            "certificate": {
                "trusted": self.certificate_trusted, "error": self.certificate_error,
                "hostname_matches": self.hostname_matches, "subject": self.subject, "issuer": self.issuer,
                "not_after": self.not_after.isoformat() if self.not_after else None, "days_left": self.days_left,
            },
            "problems": list(self.problems), "warnings": list(self.warnings),
        }


class _Prober:
    """Runs handshakes against one host:port with one (reconfigured) SSL context."""

    def __init__(self, host: str, port: int, timeout: float, ca_bundle: str | None,
                 client_certificate: ClientCertificate | None) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.ctx = client_certificate.new_ssl_context() if client_certificate else ssl.SSLContext(
            ssl.PROTOCOL_TLS_CLIENT)
        # The trust store the transport uses: the given bundle, REQUESTS_CA_BUNDLE, else requests' own.
        bundle = ca_bundle or os.environ.get("REQUESTS_CA_BUNDLE")
        if bundle is None:
            import requests.certs

            bundle = requests.certs.where()  # re-exported from certifi
        try:
            self.ctx.load_verify_locations(cafile=bundle)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(f"cannot read the CA bundle {bundle!r}: {getattr(exc, 'strerror', None) or exc}",
                                     hint="pass --ca-bundle PEM, or fix REQUESTS_CA_BUNDLE") from exc

    def probe(self, low: ssl.TLSVersion, high: ssl.TLSVersion, ciphers: str, *, verify: bool = False,
              listen: bool = False) -> Handshake:
        ctx = self.ctx
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # naming TLS 1.0/1.1 is the point here
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
                ctx.check_hostname = verify
                ctx.minimum_version, ctx.maximum_version = _V.MINIMUM_SUPPORTED, _V.MAXIMUM_SUPPORTED
                ctx.minimum_version, ctx.maximum_version = low, high
                ctx.set_ciphers(ciphers)
        except (ValueError, ssl.SSLError) as exc:
            return Handshake(False, error=f"this OpenSSL cannot offer it ({exc})", kind="unsupported")
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as raw:
                with ctx.wrap_socket(raw, server_hostname=self.host) as tls:
                    cipher = tls.cipher()
                    if listen and _refuses_after_handshake(tls, self.timeout):
                        return Handshake(False, tls.version(), error="the server requires a client certificate",
                                         kind="client-certificate")
                    return Handshake(True, tls.version(), cipher[0] if cipher else None,
                                     der=tls.getpeercert(binary_form=True))
        except ssl.SSLCertVerificationError as exc:
            return Handshake(False, error=exc.verify_message or _reason(exc), kind="certificate",
                             verify_code=exc.verify_code)
        except ssl.SSLError as exc:
            return Handshake(False, error=_reason(exc), kind="tls")
        except socket.timeout:
            return Handshake(False, error=f"no answer within {self.timeout:g} s", kind="timeout")
        except socket.gaierror:
            return Handshake(False, error="the host name does not resolve", kind="dns")
        except OSError as exc:
            return Handshake(False, error=exc.strerror or type(exc).__name__, kind="connection")


def _refuses_after_handshake(tls: ssl.SSLSocket, timeout: float) -> bool:
    """With TLS 1.3 a server checks the client certificate after the client's handshake ends: listen briefly."""
    tls.settimeout(min(timeout / 4, 0.25))
    try:
        tls.recv(1)
    except ssl.SSLError as exc:
        return "CERTIFICATE_REQUIRED" in str(exc).upper()
    except OSError:  # silence (the server waits for a request) or a closed connection
        pass
    return False


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason).lower().replace("_", " ") if reason else (str(exc) or type(exc).__name__)


def _split(url: str) -> tuple[str, int]:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname:
        raise ConfigurationError(f"tls-check needs an absolute https:// URL, got {url!r}",
                                 hint="B2C calls only HTTPS endpoints; e.g. https://api.contoso.com/api/profile")
    try:
        return parts.hostname, parts.port or 443
    except ValueError:
        raise ConfigurationError(f"the port of {url!r} is not a number") from None


def _hostname_matches(cert: x509.Certificate, host: str) -> bool:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    try:
        return ipaddress.ip_address(host) in names.get_values_for_type(x509.IPAddress)
    except ValueError:
        pass
    wanted = host.lower().rstrip(".")
    for name in names.get_values_for_type(x509.DNSName):
        name = name.lower().rstrip(".")
        if name == wanted or (name.startswith("*.") and "." in wanted and wanted.split(".", 1)[1] == name[2:]):
            return True
    return False


def tls_check(url: str, *, ca_bundle: str | None = None, timeout: float = 5.0,
              client_certificate: ClientCertificate | None = None) -> TlsReport:
    """Handshake with ``url``'s server as B2C would and report whether B2C's transport rules hold."""
    host, port = _split(url)
    url = redact_url(url)  # only host and port are used; a ?code= key is never shown
    if ca_bundle is not None and not os.path.isfile(ca_bundle):
        raise ConfigurationError(f"the CA bundle {ca_bundle!r} is not a file")
    prober = _Prober(host, port, timeout, ca_bundle, client_certificate)
    b2c = prober.probe(_V.TLSv1_2, _V.TLSv1_2, B2C_CIPHERS)
    if b2c.kind in ("timeout", "dns", "connection"):
        reason = f"cannot connect to {host}:{port}: {b2c.error}"
        return TlsReport(url, host, port, connection_error=b2c.error, problems=(reason,))
    problems: list[str] = []
    notes: list[str] = []
    suites = {iana: prober.probe(_V.TLSv1_2, _V.TLSv1_2, name).ok for iana, name in B2C_SUITES.items()}
    versions: dict[str, bool | None] = {}
    needs_certificate = False
    for label, version, ciphers in (("1.0", _V.TLSv1, _OLD_CIPHERS), ("1.1", _V.TLSv1_1, _OLD_CIPHERS),
                                    ("1.3", _V.TLSv1_3, "DEFAULT")):
        shake = prober.probe(version, version, ciphers, listen=label == "1.3")
        needs_certificate = needs_certificate or shake.kind == "client-certificate"
        versions[label] = None if shake.kind == "unsupported" else shake.ok or shake.kind == "client-certificate"
    old = [label for label in ("1.0", "1.1") if versions[label]]
    if old:
        notes.append(f"the server still offers TLS {' and '.join(old)}, which is deprecated; B2C uses TLS 1.2")
    if not b2c.ok:
        any12 = prober.probe(_V.TLSv1_2, _V.TLSv1_2, "DEFAULT")
        offered = [label for label, ok in versions.items() if ok]
        if any12.ok:
            problems.append(f"the server accepts TLS 1.2 only with {any12.cipher}, none of B2C's eight ECDHE suites")
        elif needs_certificate and client_certificate is None:
            problems.append("the server requires a client certificate, so the TLS 1.2 handshakes failed; check again "
                            "with the certificate B2C presents (--pfx)")
        else:
            problems.append("the server does not accept TLS 1.2 " + (
                f"(it offers TLS {' and '.join(offered)} only)" if offered else f"({b2c.error})"))
            if "1.3" in offered:
                notes.append("B2C's TLS article requires TLS 1.2; whether B2C would use TLS 1.3 is unconfirmed")
            if client_certificate is None and not old:
                notes.append("if the server requires a client certificate, check again with one (--pfx)")
    cert = _certificate(prober, host, problems, notes)
    negotiated = (b2c.version or "", b2c.cipher or "") if b2c.ok else None
    return TlsReport(url, host, port, tls12=b2c.ok, negotiated=negotiated, suites=suites, tls10=versions["1.0"],
                     tls11=versions["1.1"], tls13=versions["1.3"], problems=tuple(problems), warnings=tuple(notes),
                     **cert)


def _certificate(prober: _Prober, host: str, problems: list[str], notes: list[str]) -> dict[str, Any]:
    """Chain, host name and dates of the server certificate (any protocol version, to see it at all)."""
    low, high = _V.MINIMUM_SUPPORTED, _V.MAXIMUM_SUPPORTED
    verified = prober.probe(low, high, _OLD_CIPHERS, verify=True)
    seen = verified if verified.ok else prober.probe(low, high, _OLD_CIPHERS)
    found: dict[str, Any] = {"certificate_trusted": verified.ok, "hostname_matches": verified.ok or None}
    if not seen.ok or not seen.der:
        found["certificate_error"] = verified.error
        problems.append(f"the server certificate could not be checked: {verified.error}")
        return found
    cert = x509.load_der_x509_certificate(seen.der)
    now = _dt.datetime.now(_dt.timezone.utc)
    found.update(subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
                 not_after=cert.not_valid_after_utc, days_left=(cert.not_valid_after_utc - now).days)
    if not verified.ok:
        mismatch = verified.verify_code in _NAME_MISMATCH
        found.update(certificate_trusted=mismatch, certificate_error=None if mismatch else verified.error,
                     hostname_matches=_hostname_matches(cert, host))
        if not mismatch:
            problems.append(f"the server certificate is not trusted: {verified.error}")
    if found["hostname_matches"] is False:
        problems.append(f"the server certificate is not issued for {host}")
    if now > cert.not_valid_after_utc and not any("expired" in p for p in problems):
        problems.append(f"the server certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}")
    elif 0 <= found["days_left"] < RENEWAL_WARNING_DAYS:
        notes.append(f"the server certificate expires in {found['days_left']} days")
    return found
