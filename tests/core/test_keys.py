"""keys: policy keys from dicts, JSON files and environment variables, with or without B2C_1A_."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector_sim.auth._certificates import CertificateKey
from connector_sim.errors import ConfigurationError, MissingKeyError
from connector_sim.keys import KeyStore, normalize_key_name

SECRET = "s3cret-value-9f"


@pytest.mark.parametrize("stored, asked", [
    ("B2C_1A_RestApiPassword", "B2C_1A_RestApiPassword"),
    ("B2C_1A_RestApiPassword", "RestApiPassword"),
    ("RestApiPassword", "B2C_1A_RestApiPassword"),
    ("RestApiPassword", "RestApiPassword"),
    ("b2c_1a_restapipassword", "B2C_1A_RestApiPassword"),
], ids=["both", "stored-prefixed", "asked-prefixed", "neither", "case"])
def test_prefix_on_either_side(stored: str, asked: str) -> None:
    keys = KeyStore.from_dict({stored: SECRET})
    assert keys.get(asked) == SECRET and asked in keys and keys[asked] == SECRET


def test_exact_name_wins_over_case_folded() -> None:
    keys = KeyStore.from_dict({"restapikey": "lower", "RestApiKey": "exact"})
    assert keys.get("B2C_1A_RestApiKey") == "exact"


def test_normalize_key_name() -> None:
    assert normalize_key_name("B2C_1A_X") == normalize_key_name("b2c_1a_X") == "X"
    assert normalize_key_name("X") == "X"


def test_missing_key_error_says_where(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text("{}")
    keys = KeyStore.from_file(path).chain(KeyStore.from_env(environ={}))
    with pytest.raises(MissingKeyError) as info:
        keys.resolve("B2C_1A_RestApiKey", profile_id="REST-X", key_id="x-functions-key")
    message = str(info.value)
    assert str(path) in message and "CONNECTOR_SIM_KEY_RestApiKey" in message
    assert "REST-X" in message and "x-functions-key" in message and info.value.key == "B2C_1A_RestApiKey"
    assert info.value.exit_code == 2 and info.value.b2c_code == "AADB2C90130"
    with pytest.raises(MissingKeyError):
        keys["Nope"]
    assert keys.get("Nope") is None and "Nope" not in keys


def test_describe_source_without_sources() -> None:
    text = KeyStore().describe_source("B2C_1A_RestApiKey")
    assert "--keys" in text and "CONNECTOR_SIM_KEY_RestApiKey" in text


def test_from_file_resolves_certificates_relative_to_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "secrets"
    folder.mkdir()
    monkeypatch.setenv("PFX_PASS", "from-env")
    (folder / "keys.json").write_text(json.dumps({
        "B2C_1A_RestApiClientCertificate": {"pfx": "certs/client.pfx", "password": "pw"},
        "OtherCert": {"pfx": "/abs/client.pfx", "password_env": "PFX_PASS"},
        "Rotating": [{"pfx": "old.pfx", "password": "a"}, {"pfx": "new.pfx"}],
    }))
    keys = KeyStore.from_file(folder / "keys.json")
    cert = keys.get("RestApiClientCertificate")
    assert cert == CertificateKey(pfx=(folder / "certs/client.pfx").resolve(), password="pw")
    assert keys.get("OtherCert") == CertificateKey(pfx=Path("/abs/client.pfx"), password="from-env")
    rotating = keys.get("Rotating")
    assert [c.pfx.name for c in rotating] == ["old.pfx", "new.pfx"] and rotating[1].password is None
    assert "pw" not in repr(cert) and "from-env" not in repr(keys.get("OtherCert"))


def test_env_reference_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_API_PASSWORD", SECRET)
    keys = KeyStore.from_dict({"RestApiPassword": {"env": "MY_API_PASSWORD"}, "Gone": {"env": "NOT_SET_ANYWHERE_42"},
                               "CertGone": {"pfx": "c.pfx", "password_env": "NOT_SET_ANYWHERE_42"}})
    assert keys.get("B2C_1A_RestApiPassword") == SECRET
    with pytest.raises(MissingKeyError, match="NOT_SET_ANYWHERE_42"):
        keys.get("Gone")
    with pytest.raises(MissingKeyError, match="NOT_SET_ANYWHERE_42"):
        keys.get("CertGone")


def test_from_env_with_and_without_prefix() -> None:
    environ = {"CONNECTOR_SIM_KEY_B2C_1A_RestApiUsername": "user", "CONNECTOR_SIM_KEY_RestApiPassword": SECRET,
               "OTHER": "x", "CONNECTOR_SIM_KEY_Cert": '{"pfx": "client.pfx", "password": "pw"}',
               "CONNECTOR_SIM_KEY_Braces": "{not json"}
    keys = KeyStore.from_env(environ=environ)
    assert keys.get("RestApiUsername") == "user" and keys.get("B2C_1A_RestApiPassword") == SECRET
    assert isinstance(keys.get("B2C_1A_Cert"), CertificateKey) and keys.get("Braces") == "{not json"
    assert sorted(keys.names()) == ["B2C_1A_RestApiUsername", "Braces", "Cert", "RestApiPassword"]
    assert "set the environment variable CONNECTOR_SIM_KEY_Missing" in keys.describe_source("B2C_1A_Missing")


def test_custom_env_prefix_reads_the_live_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = KeyStore.from_env(prefix="MYAPP_")
    assert keys.get("Token") is None
    monkeypatch.setenv("MYAPP_Token", "t")
    assert keys.get("B2C_1A_Token") == "t"


def test_chain_order_and_combining() -> None:
    first = KeyStore.from_dict({"A": "first"})
    second = {"A": "second", "B": "b"}
    chained = first.chain(second)
    assert chained.get("A") == "first" and chained.get("B") == "b"
    combined = KeyStore(second, first)
    assert combined.get("A") == "second" and combined.names() == ["A", "B"]
    with pytest.raises(TypeError):
        KeyStore(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_repr_shows_names_never_values(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"B2C_1A_RestApiPassword": SECRET, "Cert": {"pfx": "c.pfx", "password": SECRET}}))
    keys = KeyStore.from_file(path).chain(KeyStore.from_env(environ={"CONNECTOR_SIM_KEY_Env": SECRET}))
    text = repr(keys)
    assert SECRET not in text and "B2C_1A_RestApiPassword" in text and "Env" in text and str(path) in text


@pytest.mark.parametrize("content, fragment", [
    ('{"a": "b",\n  "c": }', ":2:8: keys file is not valid JSON"),
    ("", ":1:1: keys file is not valid JSON"),
    ('["a"]', "must hold one JSON object"),
    ('{"a": 42}', "key 'a' must be a string"),
    ('{"a": {"password": "x"}}', "key 'a' must be a string"),
    ('{"a": []}', "non-empty list of certificates"),
    ('{"a": {"pfx": "c.pfx", "password": 5}}', "'password' must be a string"),
], ids=["syntax", "empty", "not-object", "number", "no-pfx", "empty-list", "password-type"])
def test_bad_keys_files(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError) as info:
        KeyStore.from_file(path)
    assert fragment in str(info.value) and str(path) in str(info.value) and info.value.exit_code == 2


def test_bad_json_error_never_shows_the_file_text(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text('{"B2C_1A_RestApiPassword": "' + SECRET + '" "oops"}')
    with pytest.raises(ConfigurationError) as info:
        KeyStore.from_file(path)
    assert SECRET not in str(info.value)


def test_unreadable_keys_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read keys file"):
        KeyStore.from_file(tmp_path / "nope.json")
