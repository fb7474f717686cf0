"""EntraAuthority over real HTTPS: discovery per issuer format, JWKS, the exact caller token, refresh, state."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from connector_sim import ConfigurationError
from connector_sim.connectors._external_id import ExternalIdExtension
from connector_sim.testing import (
    CALLER_APP_ID,
    CertificateSet,
    EntraAuthority,
    Reply,
    TlsServer,
    unused_port_url,
)

APP = "5528a4be-4453-44f1-82f6-2ce4130cac1b"
TENANT = "aaaabbbb-0000-cccc-1111-dddd2222eeee"


def _get(authority: EntraAuthority, url: str) -> Any:
    answer = requests.get(url, verify=str(authority.ca_pem), timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("issuer_format, issuer, version", [
    ("login", f"https://login.microsoftonline.com/{TENANT}/v2.0", 2),
    ("ciamlogin", f"https://contoso.ciamlogin.com/{TENANT}/v2.0", 2),
    ("sts", f"https://sts.windows.net/{TENANT}/", 1),
])
def test_discovery_names_the_chosen_issuer_and_the_token_validates_through_it(
        issuer_format: str, issuer: str, version: int, certs: CertificateSet) -> None:
    with EntraAuthority(issuer_format=issuer_format, tenant_id=TENANT, certificates=certs) as authority:
        assert authority.issuer == issuer and authority.default_version == version
        discovery = _get(authority, authority.openid_configuration_url)
        assert discovery["issuer"] == issuer and discovery["jwks_uri"] == authority.jwks_url
        assert discovery["jwks_uri"].startswith(authority.base_url)  # nothing the API follows leaves the machine
        keys = _get(authority, discovery["jwks_uri"])["keys"]
        token = authority.caller_token(APP, version)
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "RS256" and header["kid"] in {k["kid"] for k in keys}
        client = jwt.PyJWKClient(discovery["jwks_uri"], ssl_context=ssl.create_default_context(
            cafile=str(authority.ca_pem)))
        audience = APP if version == 2 else f"api://localhost/{APP}"
        claims = jwt.decode(token, client.get_signing_key_from_jwt(token).key, algorithms=["RS256"],
                            audience=audience, issuer=discovery["issuer"])
        assert claims["ver"] == f"{version}.0" and claims["tid"] == TENANT and claims["idtyp"] == "app"
        assert claims["oid"] == claims["sub"] == authority.service_principal_id
        assert claims["nbf"] <= claims["iat"] < claims["exp"]
        caller = "azp" if version == 2 else "appid"
        assert claims[caller] == CALLER_APP_ID and ("appid" if version == 2 else "azp") not in claims


def test_the_sdk_authority_url_and_the_v1_discovery_are_served(certs: CertificateSet) -> None:
    with EntraAuthority(issuer_format="login", certificates=certs) as authority:
        v2 = _get(authority, f"{authority.authority_url}/v2.0/.well-known/openid-configuration")
        v1 = _get(authority, f"{authority.authority_url}/.well-known/openid-configuration")
        assert v2["issuer"].endswith("/v2.0") and v1["issuer"] == f"https://sts.windows.net/{authority.tenant_id}/"
        assert _get(authority, v1["jwks_uri"]) == _get(authority, v2["jwks_uri"])
        other = requests.get(f"{authority.base_url}/another-tenant/v2.0/.well-known/openid-configuration",
                             verify=str(authority.ca_pem), timeout=5)
        assert other.status_code == 400 and "AADSTS90002" in other.json()["error_description"]


def test_overrides_change_or_drop_claims() -> None:
    authority = EntraAuthority(issuer_format="login")
    claims = jwt.decode(authority.caller_token(APP, azp="someone-else", ver=None, extra="x"),
                        options={"verify_signature": False})
    assert claims["azp"] == "someone-else" and "ver" not in claims and claims["extra"] == "x"


def test_the_token_endpoint_grants_the_caller_token(certs: CertificateSet) -> None:
    with EntraAuthority(certificates=certs) as authority:
        answer = requests.post(authority.token_url, verify=str(authority.ca_pem), timeout=5, data={
            "grant_type": "client_credentials", "client_id": CALLER_APP_ID, "client_secret": authority.client_secret,
            "scope": f"api://events.contoso.com/{APP}/.default"}).json()
        claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
        assert claims["aud"] == APP and claims["azp"] == CALLER_APP_ID and answer["token_type"] == "Bearer"
        refused = requests.post(authority.token_url, verify=str(authority.ca_pem), timeout=5, data={
            "grant_type": "client_credentials", "client_id": CALLER_APP_ID, "client_secret": "wrong",
            "scope": f"api://events.contoso.com/{APP}/.default"})
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_caller_reaches_the_api_and_refreshes_before_expiry(api: TlsServer, certs: CertificateSet) -> None:
    now = [1_800_000_000.0]
    api.handler = lambda request: Reply(200, json={"data": {
        "@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData",
        "actions": [{"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken", "claims": {}}]}})
    authority = EntraAuthority(clock=lambda: now[0], token_lifetime=3600)
    auth = authority.caller(APP)
    with ExternalIdExtension(api.url("/api/events"), auth, ca_bundle=str(certs.ca_pem)) as extension:
        first = extension.on_token_issuance_start()
        extension.on_token_issuance_start()
        now[0] += 3000  # 10 minutes before expiry: still reused
        extension.on_token_issuance_start()
        now[0] += 400  # within the refresh margin: a new token
        extension.on_token_issuance_start()
    tokens = [request.header("Authorization") for request in api.requests]
    assert first.ok and auth.minted == 2 and len(set(tokens)) == 2 and tokens[0] == tokens[2] != tokens[3]
    assert "***" in repr(auth) and tokens[0].split()[1] not in json.dumps(first.to_dict()) + repr(first)


def test_a_state_dir_keeps_the_keys_and_a_port_can_be_fixed(tmp_path: Path) -> None:
    port = int(unused_port_url().rsplit(":", 1)[1].split("/")[0])
    with EntraAuthority(state_dir=tmp_path, port=port) as first:
        kid, ca = first.signer.kid, Path(str(first.ca_pem)).read_bytes()
        assert first.base_url == f"https://127.0.0.1:{port}"
        _get(first, first.jwks_url)
    with EntraAuthority(state_dir=tmp_path, port=port) as second:
        assert second.signer.kid == kid and Path(str(second.ca_pem)).read_bytes() == ca
        assert _get(second, second.jwks_url)["keys"][0]["kid"] == kid  # an API that cached the JWKS still trusts it
    private = [p for p in tmp_path.iterdir() if "key" in p.name]
    assert private and all(p.stat().st_mode & 0o077 == 0 for p in private)
    assert "PRIVATE" not in repr(second) and "PRIVATE" not in repr(second.signer)


def test_a_busy_port_is_a_configuration_error(certs: CertificateSet) -> None:
    with EntraAuthority(certificates=certs) as busy, pytest.raises(ConfigurationError, match="cannot listen"):
        EntraAuthority(certificates=certs, port=busy.server.port).start()


@pytest.mark.parametrize("kwargs, match", [
    ({"issuer_format": "b2c"}, "issuer_format"),
    ({"tenant_id": "contoso"}, "tenant_id"),
    ({"tenant_name": "Contoso.onmicrosoft.com"}, "tenant_name"),
    ({"port": 70000}, "port"),
])
def test_bad_settings_are_configuration_errors(kwargs: Any, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        EntraAuthority(**kwargs)


def test_bad_app_ids_and_versions_are_configuration_errors() -> None:
    authority = EntraAuthority()
    for call in (lambda: authority.caller_token("my-api"), lambda: authority.caller("12345"),
                 lambda: authority.caller_token(APP, 3), lambda: authority.token_cases("")):
        with pytest.raises(ConfigurationError):
            call()


def test_a_state_dir_with_a_broken_key_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "signing-key.pem").write_text("not a key")
    with pytest.raises(ConfigurationError, match="state directory"):
        EntraAuthority(state_dir=tmp_path)
