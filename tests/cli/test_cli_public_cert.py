"""``cert new --public-cert``: the public certificate the API side trusts, DER or PEM, matching the .pfx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from connector_sim.cli import main

PASSWORD = "public-cert-Test-9"


@pytest.mark.parametrize("name", ["client.cer", "client.pem"])
def test_cert_new_writes_the_public_certificate(tmp_path: Path, capsys: Any, monkeypatch: Any, name: str) -> None:
    monkeypatch.setenv("PFX_PASSWORD", PASSWORD)
    pfx, public = tmp_path / "client.pfx", tmp_path / name

    code = main(["cert", "new", "--subject", "CN=api.contoso.onmicrosoft.com", "--out", str(pfx),
                 "--password-env", "PFX_PASSWORD", "--public-cert", str(public), "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["public_cert"] == str(public)
    raw = public.read_bytes()
    cert = x509.load_pem_x509_certificate(raw) if name.endswith(".pem") else x509.load_der_x509_certificate(raw)
    assert (b"-----BEGIN CERTIFICATE-----" in raw) == name.endswith(".pem")
    assert b"PRIVATE KEY" not in raw
    _key, inside, _ = pkcs12.load_key_and_certificates(pfx.read_bytes(), PASSWORD.encode())
    assert inside is not None and cert == inside


def test_the_public_certificate_is_not_overwritten_without_force(tmp_path: Path, capsys: Any,
                                                                 monkeypatch: Any) -> None:
    monkeypatch.setenv("PFX_PASSWORD", PASSWORD)
    public = tmp_path / "client.cer"
    public.write_bytes(b"keep me")

    code = main(["cert", "new", "--subject", "CN=x", "--out", str(tmp_path / "c.pfx"), "--password-env",
                 "PFX_PASSWORD", "--public-cert", str(public)])

    assert code == 2 and "pass --force" in capsys.readouterr().err
    assert public.read_bytes() == b"keep me" and not (tmp_path / "c.pfx").exists()
