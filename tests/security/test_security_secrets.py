"""No secret anywhere: every feature runs with known secret values, and everything it shows is searched.

Searched: ``repr``/``str``/``to_dict`` of every public object (profiles, strategies, KeyStore,
ClientCredentials, CallResult, JourneyResult, ConnectorOutcome, errors), exception messages and full
tracebacks with their chained causes, log records of every logger at DEBUG (connector_sim, urllib3,
msal with a real token acquisition), CLI output (readable and ``--json``), JUnit and JSON reports,
curl exports and ``result.request``. The API under test is hostile: it echoes the credentials and
the query string back in bodies, headers and error messages.

Secrets: a Basic password with odd characters, a client secret, tokens issued by the fake Entra
endpoint, a static bearer token, a bearer token from a claim, an API key, an Azure Functions
``?code=`` key, the .pfx password and the private key itself.
"""

from __future__ import annotations

import base64
import json
import logging
import traceback
from pathlib import Path
from typing import Any, Tuple
from urllib.parse import quote

import pytest

from connector_sim import (
    ApiConnector,
    Basic,
    CallError,
    CertificateError,
    ClientCertificate,
    ClientCredentials,
    ConnectorSimError,
    ExternalIdExtension,
    InputClaim,
    KeyStore,
    OutputClaim,
    RestfulProfile,
    TokenAcquisitionError,
    load_policy_text,
)
from connector_sim.testing import FakeTokenEndpoint, Reply, TlsServer, unused_port_url
from tests.helpers.leaks import CHAIN, FAST, SECRET, Sweep, issued, key_material, strategies

# -- RESTful profiles -------------------------------------------------------------------------------------

@pytest.mark.parametrize("strategy", ["basic", "api-key", "static-bearer", "bearer-claim", "client-credentials",
                                      "client-certificate"])
@pytest.mark.parametrize("mode", ["Body", "Form", "Header", "QueryString"])
def test_restful_profile_calls_show_no_secret(sweep: Sweep, secret_certs: Any, echo_api: TlsServer,
                                              mtls_echo: TlsServer, token_endpoint: FakeTokenEndpoint,
                                              strategy: str, mode: str) -> None:
    auth = strategies(secret_certs, token_endpoint)[strategy]
    server = mtls_echo if strategy == "client-certificate" else echo_api
    claims = {"email": "ada@contoso.com", "bearerToken": SECRET["claim_token"]}
    inputs = [InputClaim("email")] + ([InputClaim("bearerToken")] if strategy == "bearer-claim" else [])
    for path, debug in (("/api/ok", False), ("/api/fail", True), ("/api/error", False)):
        server.clear()
        profile = RestfulProfile(server.url(path) + "?code=" + quote(SECRET["query_key"], safe=""), auth=auth,
                                 send_claims_in=mode, input_claims=inputs, debug_mode=debug, timing=FAST,
                                 ca_bundle=str(secret_certs.ca_pem),
                                 output_claims=[OutputClaim("loyaltyNumber"),
                                                OutputClaim("accessToken", partner_claim_type="access_token")])
        sweep.obj("profile", profile)
        sweep.obj("auth", auth)
        try:
            result = profile.call(claims)
            sweep.obj("result", result)
            sweep.text("result.response", result.response)
        except CallError as exc:
            assert path != "/api/ok", exc
            sweep.error(f"error {path}", exc)
        finally:
            profile.close()
        issued(sweep, server)
    key_material(sweep, secret_certs)
    sweep.check()


@pytest.mark.parametrize("where", ["down", "tls", "timeout", "dns"])
def test_transport_failures_show_no_secret(sweep: Sweep, secret_certs: Any, where: str) -> None:
    auth = Basic("b2c-user", SECRET["basic_odd"])
    query = "?code=" + quote(SECRET["query_key"], safe="") + "&key=" + SECRET["api_key"]
    if where == "down":
        url, server = unused_port_url("/api/x") + query, None
    elif where == "dns":
        url, server = "https://no-such-host.invalid/api/x" + query, None
    else:
        server = TlsServer(lambda r: Reply(200, json={}, delay=2.0), certificates=secret_certs,
                           server_cert=secret_certs.self_signed_server if where == "tls" else None).start()
        url = server.url("/api/x") + query
    try:
        profile = RestfulProfile(url, auth=auth, timing=FAST, ca_bundle=str(secret_certs.ca_pem))
        with pytest.raises(CallError) as info:
            profile.call({"email": "ada@contoso.com"})
        profile.close()
        sweep.error(where, info.value)
    finally:
        if server is not None:
            server.stop()
    sweep.check()


def test_client_credentials_show_no_secret(sweep: Sweep, secret_certs: Any, token_endpoint: FakeTokenEndpoint,
                                           echo_api: TlsServer) -> None:
    ca = str(secret_certs.ca_pem)
    good = ClientCredentials(authority=token_endpoint.authority, client_id="b2c-client",
                             client_secret=SECRET["client_secret"], scope="api://contoso/.default", ca_bundle=ca)
    token = good.acquire_token()
    sweep.secret("issued token", token)
    sweep.obj("credentials", good)
    wrong = ClientCredentials(authority=token_endpoint.authority, client_id="b2c-client",
                              client_secret=SECRET["client_secret"] + "-wrong", scope="api://contoso/.default",
                              ca_bundle=ca)
    down = ClientCredentials(authority=unused_port_url("/tenant"), client_id="b2c-client",
                             client_secret=SECRET["client_secret"], scope="x", ca_bundle=ca, timeout=0.5)
    for label, credentials in (("wrong", wrong), ("down", down)):
        with pytest.raises(TokenAcquisitionError) as info:
            credentials.acquire_token()
        sweep.error(label, info.value)
    token_endpoint.fail_next(503)
    failing = ClientCredentials(authority=token_endpoint.authority, client_id="b2c-client",
                                client_secret=SECRET["client_secret"], scope="api://contoso/.default", ca_bundle=ca)
    with pytest.raises(TokenAcquisitionError) as info:
        failing.acquire_token()
    sweep.error("503", info.value)
    sweep.secret("wrong secret", SECRET["client_secret"] + "-wrong")
    sweep.check()
    assert any(r.name.startswith("msal") for r in sweep.caplog.records), "msal's DEBUG log was not captured"


def test_certificate_errors_show_no_secret(sweep: Sweep, secret_certs: Any) -> None:
    wrong = SECRET["pfx_password"] + "-wrong"
    sweep.secret("wrong pfx password", wrong)
    for label, make in (("wrong password", lambda: ClientCertificate(secret_certs.client_pfx, wrong)),
                        ("expired", lambda: ClientCertificate(secret_certs.expired_pfx, SECRET["pfx_password"])),
                        ("no key", lambda: ClientCertificate(secret_certs.no_key_pfx, SECRET["pfx_password"])),
                        ("not a pfx", lambda: ClientCertificate(b"not a pfx at all", SECRET["pfx_password"]))):
        with pytest.raises(CertificateError) as info:
            make()
        sweep.error(label, info.value)
    strategy = ClientCertificate([secret_certs.older_pfx, secret_certs.client_pfx], SECRET["pfx_password"])
    sweep.obj("strategy", strategy)
    sweep.obj("certificate", strategy.certificate)
    sweep.obj("info", strategy.info)
    key_material(sweep, secret_certs)
    sweep.check(logs=False)  # nothing goes over the wire here


def test_key_store_shows_no_secret(sweep: Sweep, secret_certs: Any, tmp_path: Path, monkeypatch: Any) -> None:
    data = {"B2C_1A_RestApiPassword": SECRET["basic_odd"], "B2C_1A_ClientSecret": SECRET["client_secret"],
            "B2C_1A_RestApiKey": SECRET["api_key"], "StaticToken": SECRET["static_token"],
            "B2C_1A_Cert": {"pfx": str(secret_certs.client_pfx), "password": SECRET["pfx_password"]},
            "FromEnv": {"env": "SECURITY_TEST_SECRET"}}
    monkeypatch.setenv("SECURITY_TEST_SECRET", SECRET["key_from_env"])
    monkeypatch.setenv("CONNECTOR_SIM_KEY_EnvKey", SECRET["key_from_env"])
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    store = KeyStore.from_file(path).chain(KeyStore.from_env())
    sweep.obj("store", store)
    sweep.obj("certificate key", store.get("B2C_1A_Cert"))
    for bad in ({"K": 12345}, {"K": {"pfx": "x", "password": 1}}, {"K": {"nothing": SECRET["api_key"]}}):
        with pytest.raises(ConnectorSimError) as info:
            KeyStore.from_dict(bad)
        sweep.error("bad key", info.value)
    (tmp_path / "broken.json").write_text('{"K": "' + SECRET["api_key"] + '", oops}', encoding="utf-8")
    for attempt in (lambda: KeyStore.from_file(tmp_path / "broken.json"), lambda: store.resolve("B2C_1A_Missing")):
        with pytest.raises(ConnectorSimError) as info:
            attempt()
        sweep.error("key error", info.value)
    logging.getLogger("connector_sim.test").debug("keys loaded: %r", store)
    sweep.check()


# -- policies and journeys ------------------------------------------------------------------------------


def test_journeys_show_no_secret(sweep: Sweep, secret_certs: Any, policy_files: Tuple[Path, Path],
                                 echo_api: TlsServer, mtls_echo: TlsServer) -> None:
    policy_path, keys_path = policy_files
    policy = load_policy_text(policy_path.read_text(encoding="utf-8"))
    keys = KeyStore.from_file(keys_path)
    sweep.obj("policy", policy)
    for profile_id in CHAIN:
        sweep.obj(f"profile {profile_id}", policy.profile(profile_id, keys, ca_bundle=str(secret_certs.ca_pem)))
    echo_api.clear()
    mtls_echo.clear()
    result = policy.run(CHAIN, claims={"email": "ada@contoso.com"}, keys=keys, ca_bundle=str(secret_certs.ca_pem))
    assert result.ok, result
    sweep.obj("journey", result)
    for step in result.steps:
        sweep.obj(f"step {step.profile}", step)
        sweep.obj(f"step {step.profile} result", step.result)
    sweep.secret("acquired token", result.claims["bearerToken"])
    failed = policy.run(["REST-AcquireAccessToken", "REST-Fail"], claims={"email": "ada@contoso.com"}, keys=keys,
                        ca_bundle=str(secret_certs.ca_pem))
    assert not failed.ok
    sweep.obj("failed journey", failed)
    sweep.text("failed user_sees", failed.user_sees)
    sweep.text("failed error_description", failed.error_description)
    sweep.error("journey error", failed.error)
    issued(sweep, echo_api)
    key_material(sweep, secret_certs)
    sweep.check()


# -- user-flow API connectors and External ID -------------------------------------------------------------

@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
@pytest.mark.parametrize("auth_kind", ["basic", "certificate"])
def test_api_connectors_show_no_secret(sweep: Sweep, secret_certs: Any, echo_api: TlsServer, mtls_echo: TlsServer,
                                       auth_kind: str, strict: bool) -> None:
    auth = (Basic("b2c-user", SECRET["basic_odd"]) if auth_kind == "basic"
            else ClientCertificate(secret_certs.client_pfx, SECRET["pfx_password"]))
    server = echo_api if auth_kind == "basic" else mtls_echo
    code = "?code=" + quote(SECRET["query_key"], safe="")
    for url in (server.url("/api/connector") + code, server.url("/api/error") + code, unused_port_url("/x") + code):
        with ApiConnector(url, auth, timing=FAST, ca_bundle=str(secret_certs.ca_pem), strict=strict) as connector:
            sweep.obj("connector", connector)
            try:
                outcome = connector.post_attribute_collection(email="ada@contoso.com", given_name="Ada")
                sweep.obj("outcome", outcome)
                sweep.text("outcome response", outcome.response)
                if outcome.error is not None:
                    sweep.error("outcome error", outcome.error)
            except CallError as exc:
                assert strict
                sweep.error("strict error", exc)
    issued(sweep, server)
    sweep.check()


@pytest.mark.parametrize("source", ["static", "client-credentials"])
def test_external_id_extensions_show_no_secret(sweep: Sweep, secret_certs: Any, echo_api: TlsServer,
                                               token_endpoint: FakeTokenEndpoint, source: str) -> None:
    auth = strategies(secret_certs, token_endpoint)["static-bearer" if source == "static" else "client-credentials"]
    echo_api.clear()
    with ExternalIdExtension(echo_api.url("/api/connector") + "?code=" + quote(SECRET["query_key"], safe=""), auth,
                             ca_bundle=str(secret_certs.ca_pem)) as extension:
        sweep.obj("extension", extension)
        outcome = extension.on_attribute_collection_submit(email="ada@contoso.com")
        sweep.obj("outcome", outcome)
        sweep.text("outcome response", outcome.response)
    issued(sweep, echo_api)
    sweep.check()


# -- reports and curl exports ---------------------------------------------------------------------------------

def test_reports_and_curl_exports_show_no_secret(sweep: Sweep, secret_certs: Any, echo_api: TlsServer,
                                                 mtls_echo: TlsServer, token_endpoint: FakeTokenEndpoint,
                                                 policy_files: Tuple[Path, Path], tmp_path: Path) -> None:
    from connector_sim.reporting import _curl as export
    from connector_sim.reporting import _reports as reports

    report = reports.Report("security")  # no secrets given: the records themselves must be clean
    claims = {"email": "ada@contoso.com", "bearerToken": SECRET["claim_token"]}
    for name, auth in strategies(secret_certs, token_endpoint).items():
        server = mtls_echo if name == "client-certificate" else echo_api
        for path in ("/api/ok", "/api/fail"):
            profile = RestfulProfile(server.url(path) + "?code=" + quote(SECRET["query_key"], safe=""), auth=auth,
                                     input_claims=[InputClaim("email")] + (
                                         [InputClaim("bearerToken")] if name == "bearer-claim" else []),
                                     timing=FAST, ca_bundle=str(secret_certs.ca_pem), debug_mode=True)
            try:
                result = profile.call(claims)
            except CallError as exc:
                result = exc.result
                report.add(exc)
            profile.close()
            report.add(result)
            sweep.text(f"curl {name}", export.curl_for_result(result, auth=auth, claims=claims).text)
        issued(sweep, server)
    policy_path, keys_path = policy_files
    journey = load_policy_text(policy_path.read_text(encoding="utf-8")).run(
        CHAIN, claims={"email": "ada@contoso.com"}, keys=KeyStore.from_file(keys_path),
        ca_bundle=str(secret_certs.ca_pem))
    sweep.secret("acquired token", journey.claims["bearerToken"])
    report.add(journey)
    with ApiConnector(echo_api.url("/api/connector"), Basic("b2c-user", SECRET["basic_odd"]), timing=FAST,
                      ca_bundle=str(secret_certs.ca_pem)) as connector:
        report.add(connector.post_attribute_collection(email="ada@contoso.com"))
    sweep.text("report json", report.to_json())
    sweep.text("report junit", report.to_junit_xml())
    for record in report.records:
        sweep.text("record", reports.describe_record(record))
    sweep.check()


def test_basic_header_value_is_a_secret_too() -> None:
    # The base64 of user:password is as good as the password: it is masked by header name and by value.
    strategy = Basic("b2c-user", SECRET["basic_odd"])
    encoded = base64.b64encode(f"b2c-user:{SECRET['basic_odd']}".encode()).decode()
    assert encoded in strategy.secret_values()
    assert encoded not in repr(strategy)


def test_a_credential_claim_that_cannot_be_sent_is_not_quoted() -> None:
    from connector_sim import ClaimsError, NoAuth

    profile = RestfulProfile("https://api.contoso.example/api", auth=NoAuth(), deployment_mode="Development",
                             input_claims=[InputClaim("newPassword", data_type="int"),
                                           InputClaim("age", data_type="int")])
    with pytest.raises(ClaimsError) as info:
        profile.call({"newPassword": SECRET["basic_odd"]})
    assert SECRET["basic_odd"] not in "".join(traceback.format_exception(type(info.value), info.value, None))
    with pytest.raises(ClaimsError, match="'forty' is not an int"):  # other claims keep the helpful quote
        profile.call({"age": "forty"})
