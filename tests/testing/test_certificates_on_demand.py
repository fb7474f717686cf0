"""make_certificates issues the CA, the server and the good client certificate at once, the rest on demand.

RSA keys are counted (never timed): a TlsServer or the demo needs three of the set's ten.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connector_sim.testing import _x509, make_certificates, pfx_subject_cn
from connector_sim.testing import _issuer as issuer_module


@pytest.fixture
def rsa_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many RSA keys were generated since the test began."""
    count = [0]
    real = _x509.new_rsa_key

    def counting(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(_x509, "new_rsa_key", counting)
    yield count


def test_a_set_makes_three_keys_and_each_other_role_its_own_when_read(rsa_keys: list[int]) -> None:
    with make_certificates(reuse_keys=False) as certs:
        assert rsa_keys[0] == 3  # CA, server, client
        assert sorted(p.name for p in certs.directory.iterdir()) == ["ca.pem", "client.pem", "client.pfx"]
        older = certs.older_pfx
        assert certs.older_pfx == older and rsa_keys[0] == 4  # issued once
        assert pfx_subject_cn(older.read_bytes(), certs.password) == certs.subjects["older"]
        assert certs.ecdsa_pfx.exists() and rsa_keys[0] == 4  # an EC key, not RSA
        assert set(certs.pfx_files) == set(certs.subjects)
        assert certs.expired_server.cert_chain_pems and certs.self_signed_server.cert_chain_pems
        assert rsa_keys[0] == 10
        files = set(certs.directory.iterdir())
    assert not any(f.exists() for f in files)


def test_cleanup_issues_nothing_and_removes_what_was_issued(tmp_path: Any, rsa_keys: list[int]) -> None:
    certs = make_certificates(tmp_path / "set", reuse_keys=False)
    assert certs.expired_pfx.exists()
    certs.cleanup()
    assert rsa_keys[0] == 4 and list((tmp_path / "set").iterdir()) == []


def test_pooled_keys_are_made_once_per_slot(rsa_keys: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(issuer_module, "_POOL", {})
    with make_certificates() as first, make_certificates() as second:
        assert rsa_keys[0] == 3
        assert first.no_key_pfx.exists() and second.no_key_pfx.exists()
        assert rsa_keys[0] == 4
        assert first.client_pfx_bytes != second.client_pfx_bytes  # certificates are always new
