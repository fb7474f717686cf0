"""Server-side TLS contexts for the test servers, including deliberately weak ones.

B2C requires TLS 1.2 and eight ECDHE suites; fault tests need servers that offer less. OpenSSL 3
refuses TLS 1.0/1.1 at its default security level, so an old floor adds `@SECLEVEL=0`. A build
without TLS 1.0/1.1 at all raises `TlsUnsupportedError`; `tls_version_supported` checks first.
"""

from __future__ import annotations

import datetime
import ssl
import warnings
from pathlib import Path
from typing import Optional, Tuple, Union

from . import _pki as trustme  # trustme's CA and LeafCert, on cryptography alone (_pki.py)
from . import _x509

__all__ = [
    "ServerCert",
    "TlsUnsupportedError",
    "TlsVersionLike",
    "build_server_context",
    "parse_tls_version",
    "tls_version_supported",
]

TlsVersionLike = Union[ssl.TLSVersion, str, float]
ServerCert = Union[trustme.LeafCert, Tuple[Union[str, Path], Union[str, Path]]]

# X509_V_FLAG_NO_CHECK_TIME: Python names no constant for it, but passes the bit to OpenSSL.
_NO_CHECK_TIME = 0x200000
_NAMES = {
    "1": ssl.TLSVersion.TLSv1, "1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3,
}
_AVAILABLE = {
    ssl.TLSVersion.TLSv1: ssl.HAS_TLSv1, ssl.TLSVersion.TLSv1_1: ssl.HAS_TLSv1_1,
    ssl.TLSVersion.TLSv1_2: ssl.HAS_TLSv1_2, ssl.TLSVersion.TLSv1_3: ssl.HAS_TLSv1_3,
}


class TlsUnsupportedError(RuntimeError):
    """The local OpenSSL cannot offer the TLS version asked for."""


def parse_tls_version(value: TlsVersionLike) -> ssl.TLSVersion:
    """An `ssl.TLSVersion` from itself, "1.2", "TLSv1.2", "tls1.2" or 1.2."""
    if isinstance(value, ssl.TLSVersion):
        return value
    text = str(value).strip().lower().replace("tlsv", "").replace("tls", "").replace("_", ".")
    try:
        return _NAMES[text]
    except KeyError:
        raise ValueError(f"unknown TLS version {value!r}; use 1.0, 1.1, 1.2 or 1.3") from None


def _set_versions(
    ctx: ssl.SSLContext, minimum: Optional[ssl.TLSVersion], maximum: Optional[ssl.TLSVersion]
) -> ssl.TLSVersion:
    """Apply the limits and return the floor in force."""
    for version in (minimum, maximum):
        if version is not None and not _AVAILABLE.get(version, True):
            raise TlsUnsupportedError(f"this OpenSSL ({ssl.OPENSSL_VERSION}) was built without {version.name}")
    if minimum is None:
        # TLS 1.2 unless the ceiling is lower: the same floor on every Python (3.9 has none of its own).
        below = maximum is not None and maximum < ssl.TLSVersion.TLSv1_2
        minimum = ssl.TLSVersion.TLSv1 if below else ssl.TLSVersion.TLSv1_2
    with warnings.catch_warnings():
        # Python deprecates naming TLS 1.0/1.1; offering them is the point of a fault server.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            ctx.minimum_version = minimum
            if maximum is not None:
                ctx.maximum_version = maximum
        except (ValueError, ssl.SSLError) as exc:
            raise TlsUnsupportedError(f"cannot limit TLS to {minimum}..{maximum}: {exc}") from exc
    return minimum


def _load_cert(ctx: ssl.SSLContext, server_cert: ServerCert) -> None:
    if isinstance(server_cert, trustme.LeafCert):
        server_cert.configure_cert(ctx)
    else:
        certfile, keyfile = server_cert
        ctx.load_cert_chain(str(certfile), str(keyfile))


def build_server_context(
    server_cert: ServerCert,
    *,
    client_ca: Optional[trustme.CA] = None,
    require_client_cert: bool = False,
    tls_min_version: Optional[TlsVersionLike] = None,
    tls_max_version: Optional[TlsVersionLike] = None,
    ciphers: Optional[str] = None,
) -> ssl.SSLContext:
    """A server context presenting `server_cert`, asking for client certificates from `client_ca`.

    With `require_client_cert` a client without a valid certificate from `client_ca` fails the
    handshake. Without it the certificate is optional and its dates are not checked, so a test
    can see an expired or not-yet-valid certificate arrive, as an app behind App Service would.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _load_cert(ctx, server_cert)
    minimum = parse_tls_version(tls_min_version) if tls_min_version is not None else None
    maximum = parse_tls_version(tls_max_version) if tls_max_version is not None else None
    old_floor = _set_versions(ctx, minimum, maximum) < ssl.TLSVersion.TLSv1_2
    if ciphers or old_floor:
        spec = ciphers or "DEFAULT"
        if old_floor and "@SECLEVEL" not in spec.upper():
            spec += ":@SECLEVEL=0"
        try:
            ctx.set_ciphers(spec)
        except ssl.SSLError as exc:
            raise TlsUnsupportedError(f"this OpenSSL offers none of the ciphers {spec!r}") from exc
    if client_ca is not None:
        client_ca.configure_trust(ctx)
        if require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
        else:
            ctx.verify_mode = ssl.CERT_OPTIONAL
            ctx.verify_flags = ctx.verify_flags | _NO_CHECK_TIME
    elif require_client_cert:
        raise ValueError("require_client_cert needs a client CA to verify against")
    return ctx


def tls_version_supported(version: TlsVersionLike) -> bool:
    """Whether this OpenSSL can complete a handshake at exactly `version` (probed in memory)."""
    wanted = parse_tls_version(version)
    key = _x509.pooled_rsa_key(20)
    now = _x509.utc_now()
    cert = _x509.build_leaf_cert(
        key, subject=_x509.throwaway_name("probe"), not_before=now, not_after=now + datetime.timedelta(days=1),
        identities=("127.0.0.1",), client=False, server=True,
    )
    try:
        server_ctx = build_server_context(
            trustme.LeafCert(_x509.key_pem(key), _x509.pem(cert), []), tls_min_version=wanted, tls_max_version=wanted
        )
        client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client_ctx.check_hostname = False
        client_ctx.verify_mode = ssl.CERT_NONE
        _set_versions(client_ctx, wanted, wanted)
        client_ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    except TlsUnsupportedError:
        return False
    return _handshake_in_memory(server_ctx, client_ctx) == wanted


def _handshake_in_memory(server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext) -> Optional[ssl.TLSVersion]:
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_side=False)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for name, side in (("client", client), ("server", server)):
            if done[name]:
                continue
            try:
                side.do_handshake()
                done[name] = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                return None
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            text = client.version()
            return parse_tls_version(text) if text else None
    return None
