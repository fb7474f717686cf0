"""The small containers `testing` used trustme for: a CA, a leaf certificate and PEM blobs, on `cryptography`.

`make_certificates` builds every key and certificate itself (`_x509`); trustme only held them and
loaded them into `ssl` contexts. These classes keep trustme's names and methods (``CA.cert_pem``,
``CA.configure_trust``, ``CA.issue_cert``, ``LeafCert.cert_chain_pems``,
``LeafCert.private_key_and_cert_chain_pem``, ``LeafCert.configure_cert``, ``Blob.bytes`` /
``write_to_path`` / ``tempfile``), so code written against them keeps working, and
``connector-sim demo`` needs nothing beyond the core dependencies.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import ssl
import tempfile as _tempfile
from collections.abc import Iterator, Sequence

from cryptography import x509

from ._x509 import PrivateKey, build_ca_cert, build_leaf_cert, key_pem, new_rsa_key, pem, throwaway_name, utc_now

__all__ = ["CA", "Blob", "LeafCert"]


class Blob:
    """PEM data in memory, with trustme's ways to get at it."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def bytes(self) -> bytes:
        """The data."""
        return self._data

    def write_to_path(self, path: str | os.PathLike[str], append: bool = False) -> None:
        """Write (or append) the data to `path`."""
        with open(path, "ab" if append else "wb") as handle:
            handle.write(self._data)

    @contextlib.contextmanager
    def tempfile(self, dir: str | None = None) -> Iterator[str]:  # noqa: A002 - trustme's name
        """A temporary file holding the data, deleted on exit; yields its path."""
        descriptor, path = _tempfile.mkstemp(suffix=".pem", dir=dir)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(self._data)
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def __repr__(self) -> str:
        return f"Blob({len(self._data)} bytes)"


class LeafCert:
    """An end-entity certificate with its private key and chain (trustme's constructor arguments)."""

    def __init__(self, private_key_pem: bytes, server_cert_pem: bytes, chain_to_ca: Sequence[bytes]) -> None:
        self.private_key_pem = Blob(private_key_pem)
        self.cert_chain_pems = [Blob(pem) for pem in [server_cert_pem, *chain_to_ca]]
        self.private_key_and_cert_chain_pem = Blob(private_key_pem + server_cert_pem + b"".join(chain_to_ca))

    def configure_cert(self, ctx: ssl.SSLContext) -> None:
        """Make `ctx` present this certificate (ssl loads key and chain from a file only)."""
        with self.private_key_and_cert_chain_pem.tempfile() as path:
            ctx.load_cert_chain(path)

    def __repr__(self) -> str:
        return "LeafCert(private key not shown)"


class CA:
    """A certificate authority: its certificate and key, able to issue server certificates."""

    def __init__(self, certificate: x509.Certificate, private_key: PrivateKey) -> None:
        self._certificate = certificate
        self._private_key = private_key

    @classmethod
    def new(cls) -> CA:
        """A fresh CA (RSA 2048), valid from a day ago for ten years."""
        key = new_rsa_key()
        now = utc_now()
        day = datetime.timedelta(days=1)
        return cls(build_ca_cert(key, not_before=now - day, not_after=now + 3650 * day), key)

    @property
    def cert_pem(self) -> Blob:
        """The CA certificate (what a client trusts)."""
        return Blob(pem(self._certificate))

    @property
    def private_key_pem(self) -> Blob:
        """The CA's private key."""
        return Blob(key_pem(self._private_key))

    def configure_trust(self, ctx: ssl.SSLContext) -> None:
        """Make `ctx` trust certificates this CA issued."""
        ctx.load_verify_locations(cadata=self.cert_pem.bytes().decode("ascii"))

    def issue_cert(self, *identities: str, common_name: str | None = None,
                   not_before: datetime.datetime | None = None,
                   not_after: datetime.datetime | None = None) -> LeafCert:
        """A server certificate for these host names / IP addresses, signed by this CA."""
        if not identities:
            raise ValueError("issue_cert needs at least one host name or IP address")
        now = utc_now()
        key = new_rsa_key()
        cert = build_leaf_cert(
            key, subject=throwaway_name(common_name or identities[0]),
            not_before=not_before or now - datetime.timedelta(days=1),
            not_after=not_after or now + datetime.timedelta(days=365),
            issuer_cert=self._certificate, issuer_key=self._private_key, identities=identities, client=False,
            server=True,
        )
        return LeafCert(key_pem(key), pem(cert), [])

    def __repr__(self) -> str:
        return f"CA({self._certificate.subject.rfc4514_string()})"
