"""Auth strategies on their own: headers, key checks at construction, redaction, the type table."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from connector_sim import (
    ApiKeyHeader, Basic, Bearer, CertificateError, CertificateKey, ClaimsError, ClientCertificate,
    ClientCredentials, ConfigurationError, NoAuth, StaticBearer, WireRequest,
)
from connector_sim.auth import AUTHENTICATION_TYPES, build_auth
from connector_sim.auth._certificates import load_pfx, select_certificate

REQUEST = WireRequest("POST", "https://api.contoso.com/x")


@pytest.mark.parametrize("username,password", [
    ("api-user", "s3cret"), ("user:with:colons", "pa:ss"), ("100%", "%41%"), ("Jürgen", "пароль-密码"),
], ids=["plain", "colons", "percent", "non-ascii"])
def test_basic_header_is_rfc7617_utf8(username: str, password: str) -> None:
    header = Basic(username, password).apply(REQUEST, {}).headers["Authorization"]
    assert header == "Basic " + base64.b64encode(f"{username}:{password}".encode("utf-8")).decode("ascii")
    assert password not in repr(Basic(username, password))


@pytest.mark.parametrize("make", [lambda: Basic("", "p"), lambda: Basic("u", ""), lambda: StaticBearer(""),
                                  lambda: ApiKeyHeader("x-functions-key", "")], ids=["user", "password", "token", "key"])
def test_empty_secrets_are_refused(make: Any) -> None:
    with pytest.raises(ConfigurationError):
        make()


def test_non_string_secret_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Basic("u", 1234)  # type: ignore[arg-type]


def test_bearer_from_claim_errors_are_b2cs() -> None:
    with pytest.raises(ClaimsError) as missing:
        Bearer().apply(REQUEST, {}, profile_id="REST-GetProfile")
    assert missing.value.b2c_code == "AADB2C90194" and missing.value.profile_id == "REST-GetProfile"
    with pytest.raises(ClaimsError) as empty:
        Bearer("tok").apply(REQUEST, {"tok": ""})
    assert empty.value.b2c_code == "AADB2C90195"
    assert Bearer("tok").apply(REQUEST, {"tok": "abc"}).headers["Authorization"] == "Bearer abc"


def test_bearer_takes_a_claim_or_credentials_not_both() -> None:
    credentials = ClientCredentials(authority="https://login.example/t", client_id="c",
                                    client_secret="cc-secret-value", scope="api://x/.default")
    assert Bearer(credentials=credentials).claim is None
    with pytest.raises(ConfigurationError):
        Bearer("bearerToken", credentials=credentials)
    assert "cc-secret-value" not in repr(Bearer(credentials=credentials))


def test_api_key_header_name_is_checked_and_value_hidden() -> None:
    strategy = ApiKeyHeader("x-functions-key", "k3y")
    assert strategy.apply(REQUEST, {}).headers == {"x-functions-key": "k3y"}
    assert "k3y" not in repr(strategy)
    assert strategy.apply(REQUEST, {}).redacted(strategy.secret_values(), strategy.secret_headers).headers == {
        "x-functions-key": "***"}
    with pytest.raises(ConfigurationError):
        ApiKeyHeader("bad header", "k")


# -- client certificates -----------------------------------------------------------------------------

def test_client_certificate_decodes_once_and_shows_no_secret(certs: Any) -> None:
    strategy = ClientCertificate(certs.client_pfx, certs.password)
    assert strategy.ssl_context is not None
    assert strategy.info.key_type == "RSA" and "CN=" + certs.subject_cn("client") in strategy.info.subject
    assert certs.password not in repr(strategy)
    assert ClientCertificate(certs.client_pfx_bytes, certs.password).info.thumbprint == strategy.info.thumbprint


@pytest.mark.parametrize("role,password,reason", [
    ("client", "wrong-password", "wrong password"),
    ("no_key", None, "no private key"),
    ("ecdsa", None, "needs an RSA key"),
    ("expired", None, "expired on"),
    ("not_yet_valid", None, "not valid before"),
], ids=["wrong-password", "no-key", "ecdsa", "expired", "not-yet-valid"])
def test_b2c_would_refuse_these_certificates(certs: Any, role: str, password: str | None, reason: str) -> None:
    with pytest.raises(CertificateError, match=reason) as info:
        ClientCertificate(certs.pfx_files[role], password or certs.password)
    assert certs.password not in str(info.value)


def test_of_several_certificates_the_most_recent_valid_one_is_used(certs: Any) -> None:
    files = [certs.older_pfx, certs.expired_pfx, certs.client_pfx, certs.not_yet_valid_pfx]
    chosen = ClientCertificate(files, certs.password)
    assert "CN=" + certs.subject_cn("client") in chosen.info.subject
    older = load_pfx(certs.older_pfx, certs.password).info
    assert older.not_before < chosen.info.not_before


def test_select_certificate_uses_the_clock(certs: Any) -> None:
    keys = [CertificateKey(certs.client_pfx, certs.password)]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3650)
    with pytest.raises(CertificateError, match="expired"):
        select_certificate(keys, now=later)


def test_missing_pfx_file_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(CertificateError, match="cannot read the .pfx file"):
        ClientCertificate(tmp_path / "absent.pfx", "x")


# -- the AuthenticationType table -----------------------------------------------------------------------

def test_build_auth_maps_every_authentication_type(certs: Any) -> None:
    assert isinstance(build_auth("None", {}), NoAuth)
    assert isinstance(build_auth("Basic", {"BasicAuthenticationUsername": "u", "BasicAuthenticationPassword": "p"}),
                      Basic)
    assert isinstance(build_auth("ClientCertificate", {"ClientCertificate": CertificateKey(certs.client_pfx,
                                                                                              certs.password)}),
                      ClientCertificate)
    assert build_auth("Bearer", {}, bearer_claim="bearerToken").claim == "bearerToken"  # type: ignore[attr-defined]
    assert isinstance(build_auth("Bearer", {"BearerAuthenticationToken": "t"}), StaticBearer)
    assert build_auth("ApiKeyHeader", {"x-api-key": "k"}).header == "x-api-key"  # type: ignore[attr-defined]
    assert set(AUTHENTICATION_TYPES) == {"None", "Basic", "ClientCertificate", "Bearer", "ApiKeyHeader"}


@pytest.mark.parametrize("auth_type,keys,code", [
    ("Basic", {"BasicAuthenticationUsername": "u"}, "AADB2C90025"),
    ("Bearer", {}, "AADB2C90192"),
    ("ApiKeyHeader", {"x-a": "1", "x-b": "2"}, "AADB2C90025"),
    ("Digest", {}, "AADB2C90024"),
    (None, {}, "AADB2C90023"),
], ids=["basic-missing-password", "bearer-no-source", "two-api-keys", "unknown-type", "missing-type"])
def test_build_auth_refusals_carry_b2c_codes(auth_type: str | None, keys: dict[str, str], code: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        build_auth(auth_type, keys, profile_id="REST-X")
    assert info.value.b2c_code == code and "REST-X" in str(info.value)
