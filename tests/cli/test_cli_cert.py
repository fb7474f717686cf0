"""``connector-sim cert new|check``: a B2C-ready .pfx on any OS, and B2C's verdict on one; never the password."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from connector_sim import ClientCertificate
from connector_sim.auth._certgen import add_months, new_self_signed_pfx
from connector_sim.auth._certificates import load_pfx
from connector_sim.cli import cert as cert_cli
from connector_sim.cli import main

PASSWORD = "Pfx-pa55word-Zq81"
SUBJECT = "CN=myapi.contoso.onmicrosoft.com"


@pytest.fixture
def run(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``connector-sim ARGS`` with PFX_PASSWORD set and no terminal; returns (code, out, err)."""
    monkeypatch.setenv("PFX_PASSWORD", PASSWORD)
    monkeypatch.setattr(cert_cli, "_interactive", lambda: False)
    secrets: List[str] = [PASSWORD]

    def go(*argv: str) -> Any:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        for secret in secrets:
            assert secret not in out + err
        return code, out, err

    go.secrets = secrets  # type: ignore[attr-defined]
    yield go


def test_new_makes_what_the_article_asks_for(run: Any, tmp_path: Path) -> None:
    out_file = tmp_path / "api.pfx"
    code, out, _ = run("cert", "new", "--subject", SUBJECT, "--out", str(out_file), "--password-env", "PFX_PASSWORD")

    assert code == 0
    loaded = load_pfx(out_file, PASSWORD)
    info = loaded.info
    assert (info.subject, info.issuer, info.key_type, info.key_size) == (SUBJECT, SUBJECT, "RSA", 2048)
    assert info.has_private_key and info.problems() == []
    assert 364 <= info.days_left() <= 366
    usage = loaded.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert info.thumbprint in out and "Policy keys" in out
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600 or os.name == "nt"
    ClientCertificate(out_file, PASSWORD)  # the auth strategy takes it as B2C would


def test_new_json_months_and_key_size(run: Any, tmp_path: Path) -> None:
    code, out, _ = run("cert", "new", "--subject", "myapi.contoso.onmicrosoft.com", "--out", str(tmp_path / "a.pfx"),
                       "--months", "3", "--key-size", "3072", "--password-env", "PFX_PASSWORD", "--json")

    data = json.loads(out)
    assert code == 0 and data["error"] is None and data["subject"] == SUBJECT and data["key_size"] == 3072
    days = (dt.datetime.fromisoformat(data["not_after"]) - dt.datetime.now(dt.timezone.utc)).days
    assert 85 <= days <= 92


def test_new_refuses_to_overwrite_unless_forced(run: Any, tmp_path: Path) -> None:
    target = tmp_path / "api.pfx"
    target.write_bytes(b"precious")
    argv = ["cert", "new", "--subject", SUBJECT, "--out", str(target), "--password-env", "PFX_PASSWORD"]

    code, out, err = run(*argv)
    assert code == 2 and "--force" in err and target.read_bytes() == b"precious"
    code, _, _ = run(*argv, "--force")
    assert code == 0 and load_pfx(target, PASSWORD).info.subject == SUBJECT


@pytest.mark.parametrize("argv, message", [
    (["--subject", "CN=x"], "--password-env"),  # no terminal and no variable
    (["--subject", "CN=x", "--password-env", "UNSET_VAR_FOR_TEST"], "UNSET_VAR_FOR_TEST is not set"),
    (["--subject", "O=no common name", "--password-env", "PFX_PASSWORD"], "has no CN"),
    (["--subject", "CN=x", "--months", "0", "--password-env", "PFX_PASSWORD"], "1 to 120 months"),
    (["--subject", "CN=x", "--key-size", "1024", "--password-env", "PFX_PASSWORD"], "key size"),
], ids=["no-password", "unset-variable", "no-cn", "zero-months", "small-key"])
def test_new_usage_errors_exit_2_and_write_nothing(run: Any, tmp_path: Path, argv: List[str], message: str) -> None:
    target = tmp_path / "api.pfx"
    code, out, err = run("cert", "new", "--out", str(target), *argv)

    assert code == 2 and message in err and not target.exists()


def test_new_asks_twice_on_a_terminal(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cert_cli, "_interactive", lambda: True)
    answers = iter(["Typed-secret-9911", "Typed-secret-9911", "Typed-secret-9911", "typo"])
    monkeypatch.setattr(cert_cli.getpass, "getpass", lambda prompt="": next(answers))
    run.secrets.append("Typed-secret-9911")

    code, _, _ = run("cert", "new", "--subject", SUBJECT, "--out", str(tmp_path / "a.pfx"))
    assert code == 0 and load_pfx(tmp_path / "a.pfx", "Typed-secret-9911").info.subject == SUBJECT
    code, _, err = run("cert", "new", "--subject", SUBJECT, "--out", str(tmp_path / "b.pfx"))
    assert code == 2 and "differ" in err and not (tmp_path / "b.pfx").exists()


def test_check_accepts_a_good_certificate(run: Any, certs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PFX_PASSWORD", certs.password)
    run.secrets.append(certs.password)
    info = load_pfx(certs.client_pfx, certs.password).info
    code, out, _ = run("cert", "check", str(certs.client_pfx), "--password-env", "PFX_PASSWORD")

    assert code == 0 and "B2C would accept this certificate." in out
    assert info.thumbprint in out and info.sha256 in out and info.subject in out and "private key included" in out
    code, out, _ = run("cert", "check", str(certs.client_pfx), "--password-env", "PFX_PASSWORD", "--json")
    data = json.loads(out)
    assert code == 0 and data["accepted"] is True and data["problems"] == [] and data["error"] is None
    assert (data["thumbprint"], data["key_type"], data["key_size"], data["self_signed"]) == (
        info.thumbprint, "RSA", 2048, False)


@pytest.mark.parametrize("role, reason", [
    ("expired", "expired on"), ("not_yet_valid", "not valid before"), ("ecdsa", "RSA key set"),
    ("no_key", "no private key"),
])
def test_check_refuses_what_b2c_refuses(run: Any, certs: Any, monkeypatch: pytest.MonkeyPatch, role: str,
                                        reason: str) -> None:
    monkeypatch.setenv("PFX_PASSWORD", certs.password)
    run.secrets.append(certs.password)
    path = str(certs.pfx_files[role])
    code, out, _ = run("cert", "check", path, "--password-env", "PFX_PASSWORD")
    assert code == 1 and "B2C would refuse this certificate:" in out and reason in out

    code, out, _ = run("cert", "check", path, "--password-env", "PFX_PASSWORD", "--json")
    data = json.loads(out)
    assert code == 1 and data["accepted"] is False and any(reason in p for p in data["problems"])


def test_check_warns_before_expiry_and_on_self_signed(run: Any, tmp_path: Path) -> None:
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=25)
    path = tmp_path / "soon.pfx"
    path.write_bytes(new_self_signed_pfx(SUBJECT, password=PASSWORD, months=1, now=start))
    code, out, _ = run("cert", "check", str(path), "--password-env", "PFX_PASSWORD", "--json")

    data = json.loads(out)
    assert code == 0 and data["accepted"] and 0 <= data["days_left"] < 30
    assert any("expires in" in w for w in data["warnings"]) and any("self-signed" in w for w in data["warnings"])


def test_check_unreadable_exits_2(run: Any, certs: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("cert", "check", str(certs.client_pfx), "--password-env", "PFX_PASSWORD", "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "AADB2C90220" and "PFX_PASSWORD" in err
    code, _, err = run("cert", "check", str(certs.client_pfx))  # no terminal, no variable: tries no password
    assert code == 2 and "--password-env" in err
    code, _, err = run("cert", "check", str(tmp_path / "absent.pfx"), "--password-env", "PFX_PASSWORD")
    assert code == 2 and "cannot read" in err
    code, _, err = run("cert", "check", str(certs.client_pfx), "--password-env", "UNSET_VAR_FOR_TEST")
    assert code == 2 and "UNSET_VAR_FOR_TEST" in err


def test_check_opens_a_pfx_without_password_and_prompts_on_a_terminal(run: Any, certs: Any, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_pfx(certs.client_pfx, certs.password)
    bare = tmp_path / "bare.pfx"
    from cryptography.hazmat.primitives.serialization import NoEncryption

    bare.write_bytes(pkcs12.serialize_key_and_certificates(None, loaded.key, loaded.certificate, None,  # type: ignore
                                                           NoEncryption()))
    assert run("cert", "check", str(bare))[0] == 0

    monkeypatch.setattr(cert_cli, "_interactive", lambda: True)
    monkeypatch.setattr(cert_cli.getpass, "getpass", lambda prompt="": certs.password)
    run.secrets.append(certs.password)
    assert run("cert", "check", str(certs.client_pfx))[0] == 0


def test_cert_without_action_prints_help(run: Any) -> None:
    code, _, err = run("cert")
    assert code == 2 and "new" in err and "check" in err


def test_generator_helpers() -> None:
    assert add_months(dt.datetime(2024, 1, 31), 1) == dt.datetime(2024, 2, 29)
    assert add_months(dt.datetime(2024, 11, 15), 14) == dt.datetime(2026, 1, 15)
    data = new_self_signed_pfx("CN=a.contoso.onmicrosoft.com", password=b"bytes-pass-77")
    key = load_pfx(data, b"bytes-pass-77").key
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
