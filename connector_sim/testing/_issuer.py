"""Issuing the certificates of one ``CertificateSet``: each role's key and file made on first use.

Keys come from a process-wide pool by role slot (an RSA key costs 50 to 250 ms to generate), so
sets made one after the other in a test run share them, while the roles of one set stay distinct.
"""

from __future__ import annotations

import datetime
import threading
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union

from cryptography import x509
from cryptography.x509.oid import NameOID

from ..auth._certgen import add_months, parse_subject
from . import _pki as trustme
from . import _x509

__all__ = ["SERVER_IDENTITIES", "Issuer", "pooled_key", "self_signed_pfx", "write"]

SERVER_IDENTITIES = ("127.0.0.1", "localhost", "::1")

# Which pooled RSA key each role uses; distinct slots keep the keys of one set distinct.
_SLOTS = {
    "ca": 0, "server": 1, "client": 2, "older": 3, "expired": 4, "not_yet_valid": 5,
    "no_key": 6, "expired_server": 7, "self_signed_server": 8, "self_signed": 9,
}
_DAY = datetime.timedelta(days=1)
# The process-wide keys of make_certificates, by slot: each generated the first time a set needs it.
_POOL: Dict[int, _x509.PrivateKey] = {}
_POOL_LOCK = threading.Lock()


def pooled_key(slot: int) -> _x509.PrivateKey:
    with _POOL_LOCK:
        key = _POOL.get(slot)
        if key is None:
            key = _POOL[slot] = _x509.new_rsa_key()
        return key


class Issuer:
    """Issues the certificates of one set, each role once, when it is first asked for."""

    def __init__(self, folder: Path, password: str, common_name: str, reuse_keys: bool) -> None:
        self.folder = folder
        self.password = password
        self.rsa_key: Callable[[str], _x509.PrivateKey] = (
            (lambda role: pooled_key(_SLOTS[role])) if reuse_keys else (lambda role: _x509.new_rsa_key()))
        self.now = now = _x509.utc_now()
        self.ca_key = self.rsa_key("ca")
        self.ca_cert = _x509.build_ca_cert(self.ca_key, not_before=now - 800 * _DAY, not_after=now + 3650 * _DAY)
        self.subjects = {
            "client": common_name,
            "older": "older." + common_name,
            "expired": "expired." + common_name,
            "not_yet_valid": "not-yet-valid." + common_name,
            "ecdsa": "ecdsa." + common_name,
            "no_key": "no-key." + common_name,
            "self_signed": "self-signed." + common_name,
        }
        self.validity = {
            "client": (now - _DAY, now + 365 * _DAY),
            # Older start, still valid: what "use the most recent valid certificate" must pass over.
            "older": (now - 30 * _DAY, now + 335 * _DAY),
            "expired": (now - 400 * _DAY, now - _DAY),
            "not_yet_valid": (now + 30 * _DAY, now + 395 * _DAY),
            "ecdsa": (now - _DAY, now + 365 * _DAY),
            "no_key": (now - _DAY, now + 365 * _DAY),
            "server": (now - _DAY, now + 365 * _DAY),
            "expired_server": (now - 400 * _DAY, now - _DAY),
        }
        self.written: List[Path] = []  # every file of the set so far, for cleanup
        self._issued: Dict[str, object] = {}
        self._lock = threading.RLock()

    def _issue(self, role: str, cn: str, key: Optional[_x509.PrivateKey] = None,
               server: bool = False) -> Tuple[_x509.PrivateKey, x509.Certificate]:
        key = key if key is not None else self.rsa_key(role)
        start, end = self.validity[role]
        cert = _x509.build_leaf_cert(
            key, subject=_x509.throwaway_name(cn), not_before=start, not_after=end,
            issuer_cert=self.ca_cert, issuer_key=self.ca_key,
            identities=SERVER_IDENTITIES if server else (), client=not server, server=server,
        )
        return key, cert

    def write(self, name: str, data: bytes) -> Path:
        """Write one file of the set (and remember it for cleanup)."""
        path = write(self.folder / name, data)
        self.written.append(path)
        return path

    def _once(self, role: str, make: Callable[[], object]) -> object:
        with self._lock:
            if role not in self._issued:
                self._issued[role] = make()
            return self._issued[role]

    def server_cert(self, role: str) -> trustme.LeafCert:
        """The server certificate of ``role``: server, expired_server or self_signed_server."""
        return self._once(role, lambda: self._server_cert(role))  # type: ignore[return-value]

    def _server_cert(self, role: str) -> trustme.LeafCert:
        if role == "self_signed_server":
            key = self.rsa_key(role)
            cert = _x509.build_leaf_cert(
                key, subject=_x509.throwaway_name("127.0.0.1"), not_before=self.now - _DAY,
                not_after=self.now + 365 * _DAY, identities=SERVER_IDENTITIES, client=False, server=True,
            )
        else:
            key, cert = self._issue(role, "127.0.0.1", server=True)
        # LeafCert's constructor is undocumented but has been stable since trustme 0.5;
        # building the certificate here is what lets the RSA key come from the pool.
        return trustme.LeafCert(_x509.key_pem(key), _x509.pem(cert), [])

    def pfx(self, role: str) -> Path:
        """The .pfx file of a client role, issued and written on first use."""
        return self._once(role, lambda: self._pfx(role))  # type: ignore[return-value]

    def _pfx(self, role: str) -> Path:
        if role == "self_signed":
            return self.write("self-signed.pfx", self_signed_pfx(self.subjects[role], 12, self.password,
                                                                   self.rsa_key(role)))
        key, cert = self._issue(role, self.subjects[role], key=_x509.new_ec_key() if role == "ecdsa" else None)
        data = _x509.pfx_bytes(cert, None if role == "no_key" else key, self.password,
                               friendly_name=self.subjects[role])
        path = self.write(role.replace("_", "-") + ".pfx", data)
        if role == "client":
            self.write("client.pem", _x509.key_pem(key) + _x509.pem(cert))
        return path


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def self_signed_pfx(subject: str, months: int, password: Union[str, bytes, None], key: _x509.PrivateKey) -> bytes:
    """A self-signed client certificate and its key as PKCS#12 bytes (the article's recipe)."""
    now = _x509.utc_now()
    name = parse_subject(subject)
    cert = _x509.build_leaf_cert(
        # Starting slightly in the past tolerates clock skew between this machine and the server.
        key, subject=name, not_before=now - datetime.timedelta(minutes=10),
        not_after=add_months(now, months), client=True,
    )
    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return _x509.pfx_bytes(cert, key, password, friendly_name=str(cns[0].value) if cns else None)
