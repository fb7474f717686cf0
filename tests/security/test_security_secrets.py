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
import re
import traceback
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import quote, quote_plus

import pytest

from connector_sim import (
    ApiConnector, ApiKeyHeader, Basic, Bearer, CallError, CertificateError, ClientCertificate, ClientCredentials,
    ConnectorSimError, ExternalIdExtension, InputClaim, KeyStore, OutputClaim, RestfulProfile, StaticBearer,
    TimingProfile, TokenAcquisitionError, load_policy_text,
)
from connector_sim.testing import FakeTokenEndpoint, Reply, ServerRequest, TlsServer, make_certificates, unused_port_url

from tests.helpers import SECRETS

FAST = TimingProfile("security-test", 0.3, 1)
SECRET = {
    **SECRETS,
    "basic_odd": "Pä$$:w0rd%41 \"quoted\" <tag>&amp; ; | `tick` 😀",
    "pfx_password": "pfx-Pässwort-7Qm!",
    "query_key": "fn-Key_9zXq/w+Ab==",
    "claim_token": "eyJhbGciOiJub25lIn0.claim-bearer-token-5531",
    "key_from_env": "env-held-secret-ZZ81",
}


class Sweep:
    """Everything a scenario showed, by label; ``check()`` fails on any known secret in any of it."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog
        self.texts: List[Tuple[str, str]] = []
        self.secrets: Dict[str, str] = dict(SECRET)

    def secret(self, name: str, value: str) -> None:
        """Search for this value too (tokens issued during the run, encoded forms)."""
        if value:
            self.secrets[name] = value

    def text(self, label: str, text: Any) -> None:
        self.texts.append((label, str(text)))

    def obj(self, label: str, obj: Any) -> None:
        """repr, str and (when it has one) the JSON of to_dict()."""
        self.text(f"{label} repr", repr(obj))
        self.text(f"{label} str", str(obj))
        to_dict = getattr(obj, "to_dict", None)
        if callable(to_dict):
            self.text(f"{label} to_dict", json.dumps(to_dict(), default=str, ensure_ascii=False))
        request = getattr(obj, "request", None)
        if request is not None and hasattr(request, "headers"):
            self.text(f"{label} request", repr(request))
            self.text(f"{label} request body", request.text() if hasattr(request, "text") else request.body)

    def error(self, label: str, exc: BaseException) -> None:
        """Message, repr, to_dict, the full traceback with chained causes, and the attached result."""
        self.obj(label, exc)
        self.text(f"{label} traceback", "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        for name in ("user_message", "user_sees", "developer_message", "hint", "error_description"):
            self.text(f"{label}.{name}", getattr(exc, name, None))
        if getattr(exc, "result", None) is not None:
            self.obj(f"{label}.result", exc.result)

    def check(self, *, logs: bool = True) -> None:
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        for record in self.caplog.records:
            self.text(f"log {record.name}", formatter.format(record))  # exc_info included
        assert self.caplog.records or not logs, "the scenario logged nothing: DEBUG capture is not working"
        values = {}
        for name, value in self.secrets.items():
            for form in _written_forms(value):
                if len(form) >= 6:
                    values[form] = name
        found = [(label, name) for label, text in self.texts for value, name in values.items() if value in text]
        assert found == [], f"secrets shown: {found[:10]}"


@pytest.fixture
def sweep(caplog: pytest.LogCaptureFixture) -> Iterator[Sweep]:
    caplog.set_level(logging.DEBUG)  # the root logger: connector_sim, urllib3 and msal all reach it
    yield Sweep(caplog)


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def _dotnet(text: str) -> str:
    """A .NET JSON encoder's string: every character but ASCII letters and digits as \\uXXXX (UTF-16)."""
    out = []
    for char in text:
        if char.isascii() and char.isalnum():
            out.append(char)
            continue
        units = char.encode("utf-16-be")
        out.extend("\\u%04X" % int.from_bytes(units[i:i + 2], "big") for i in range(0, len(units), 2))
    return "".join(out)


def _written_forms(value: str) -> set:
    """Every way a server may plausibly write a secret back: the leak scan looks for each."""
    return {value, quote(value, safe=""), quote(value), value.replace(" ", "+"), quote_plus(value),
            _lower_hex(quote(value, safe="")), _dotnet(value), json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1]}


def _reencoded(leaked: str) -> str:
    """The echo re-encoded the ways servers do (lower-case percent, / left alone, .NET JSON escapes)."""
    return " ~ ".join((_lower_hex(quote(leaked, safe="")), quote(leaked, safe="/"), quote_plus(leaked)))


# -- servers and key material -----------------------------------------------------------------------------

def _echo(request: ServerRequest) -> Reply:
    """A hostile API: it answers with everything secret it was sent."""
    leaked = " | ".join(v for v in (request.header("Authorization"), request.header("x-functions-key"),
                                    request.raw_query, request.body.decode("utf-8", "replace")) if v)
    header = (request.header("Authorization") or "") + " " + request.raw_query  # ASCII: fits a header
    if request.path.endswith("/fail"):
        # Raw JSON text, as a .NET API writes it: the userMessage's non-alphanumerics as \uXXXX.
        body = ('{"version":"1.0.0","status":409,"userMessage":"Denied: ' + _dotnet(leaked) + '",'
                '"developerMessage":' + json.dumps(leaked + " ~ " + _reencoded(leaked)) + ','
                '"code":' + json.dumps(leaked[:40]) + ',"requestId":' + json.dumps(leaked[-40:]) + ','
                '"moreInfo":' + json.dumps("https://docs.contoso.example/?" + quote(leaked)) + '}')
        return Reply(409, body=body.encode("utf-8"), headers={"X-Echo": header, "WWW-Authenticate": header,
                                                              "Content-Type": "application/json"})
    if request.path.endswith("/error"):
        return Reply(500, body=leaked + " ~ " + _reencoded(leaked), headers={"X-Echo": header})
    if request.path.endswith("/connector"):
        return Reply(200, json={"version": "1.0.0", "action": "ShowBlockPage", "userMessage": f"Blocked: {leaked}"},
                     headers={"X-Echo": header})
    return Reply(200, json={"loyaltyNumber": "L-0042", "echo": leaked, "reencoded": _reencoded(leaked),
                            "access_token": "issued-by-echo-0042"}, headers={"X-Echo": header})


@pytest.fixture(scope="module")
def secret_certs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with make_certificates(tmp_path_factory.mktemp("secret-certs"), password=SECRET["pfx_password"]) as made:
        yield made


@pytest.fixture(scope="module")
def echo_api(secret_certs: Any) -> Iterator[TlsServer]:
    with TlsServer(_echo, certificates=secret_certs) as server:
        yield server


@pytest.fixture(scope="module")
def mtls_echo(secret_certs: Any) -> Iterator[TlsServer]:
    with TlsServer(_echo, certificates=secret_certs, require_client_cert=True) as server:
        yield server


@pytest.fixture(scope="module")
def token_endpoint(secret_certs: Any) -> Iterator[FakeTokenEndpoint]:
    with FakeTokenEndpoint(clients={"b2c-client": SECRET["client_secret"]}, certificates=secret_certs) as endpoint:
        yield endpoint


def _private_key_lines(certs: Any) -> List[str]:
    """Lines of the client's private key as PEM: the key bytes must never be shown in any encoding."""
    text = Path(certs.client_pem).read_text()
    body = text.split("-----BEGIN PRIVATE KEY-----")[1].split("-----END PRIVATE KEY-----")[0].split()
    return [line for line in body[1:-1] if len(line) >= 32][:4]


def _key_material(sweep: Sweep, certs: Any) -> None:
    for i, line in enumerate(_private_key_lines(certs)):
        sweep.secret(f"private key line {i}", line)


def _issued(sweep: Sweep, server: TlsServer) -> None:
    """Every credential that reached the server (issued tokens, encoded Basic headers) counts as a secret."""
    for i, request in enumerate(server.requests):
        for name in ("Authorization", "x-functions-key"):
            value = request.header(name)
            if value:
                sweep.secret(f"{name} #{i}", value.split(" ", 1)[-1])


def _strategies(certs: Any, token_endpoint: FakeTokenEndpoint) -> Dict[str, Any]:
    credentials = ClientCredentials(authority=token_endpoint.authority, client_id="b2c-client",
                                    client_secret=SECRET["client_secret"], scope="api://contoso/.default",
                                    ca_bundle=str(certs.ca_pem))
    return {
        "basic": Basic("b2c-user", SECRET["basic_odd"]),
        "api-key": ApiKeyHeader("x-functions-key", SECRET["api_key"]),
        "static-bearer": StaticBearer(SECRET["static_token"]),
        "bearer-claim": Bearer("bearerToken"),
        "client-credentials": Bearer(credentials=credentials),
        "client-certificate": ClientCertificate(certs.client_pfx, SECRET["pfx_password"]),
    }


# -- RESTful profiles -------------------------------------------------------------------------------------

@pytest.mark.parametrize("strategy", ["basic", "api-key", "static-bearer", "bearer-claim", "client-credentials",
                                      "client-certificate"])
@pytest.mark.parametrize("mode", ["Body", "Form", "Header", "QueryString"])
def test_restful_profile_calls_show_no_secret(sweep: Sweep, secret_certs: Any, echo_api: TlsServer,
                                              mtls_echo: TlsServer, token_endpoint: FakeTokenEndpoint,
                                              strategy: str, mode: str) -> None:
    auth = _strategies(secret_certs, token_endpoint)[strategy]
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
        _issued(sweep, server)
    _key_material(sweep, secret_certs)
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
    _key_material(sweep, secret_certs)
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

def _policy_xml(api: TlsServer, mtls: TlsServer, entra: FakeTokenEndpoint) -> str:
    code = quote(SECRET["query_key"], safe="")

    def profile(pid: str, url: str, auth: str, keys: str, mode: str = "Body", extra: str = "",
                inputs: str = '<InputClaim ClaimTypeReferenceId="email" />',
                outputs: str = '<OutputClaim ClaimTypeReferenceId="loyaltyNumber" />') -> str:
        return (f'<TechnicalProfile Id="{pid}"><Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.'
                f'RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />'
                f'<Metadata><Item Key="ServiceUrl">{url}</Item><Item Key="SendClaimsIn">{mode}</Item>'
                f'<Item Key="AuthenticationType">{auth}</Item>{extra}</Metadata>'
                f"<CryptographicKeys>{keys}</CryptographicKeys><InputClaims>{inputs}</InputClaims>"
                f"<OutputClaims>{outputs}</OutputClaims></TechnicalProfile>")

    def key(kid: str, ref: str) -> str:
        return f'<Key Id="{kid}" StorageReferenceId="{ref}" />'

    basic = key("BasicAuthenticationUsername", "B2C_1A_RestApiUsername") + key(
        "BasicAuthenticationPassword", "B2C_1A_RestApiPassword")
    token_keys = key("BasicAuthenticationUsername", "B2C_1A_SecureRESTClientId") + key(
        "BasicAuthenticationPassword", "B2C_1A_SecureRESTClientSecret")
    profiles = [
        profile("REST-AcquireAccessToken", entra.token_url, "Basic", token_keys, "Form",
                inputs='<InputClaim ClaimTypeReferenceId="grant_type" DefaultValue="client_credentials" '
                       'AlwaysUseDefaultValue="true" /><InputClaim ClaimTypeReferenceId="scope" '
                       'DefaultValue="api://contoso/.default" AlwaysUseDefaultValue="true" />',
                outputs='<OutputClaim ClaimTypeReferenceId="bearerToken" PartnerClaimType="access_token" />'),
        profile("REST-Bearer", api.url("/api/ok") + f"?code={code}", "Bearer", "",
                extra='<Item Key="UseClaimAsBearerToken">bearerToken</Item>',
                inputs='<InputClaim ClaimTypeReferenceId="bearerToken" /><InputClaim ClaimTypeReferenceId="email" />'),
        profile("REST-Basic", api.url("/api/ok") + f"?code={code}", "Basic", basic, "Form"),
        profile("REST-ApiKey", api.url("/api/ok"), "ApiKeyHeader", key("x-functions-key", "B2C_1A_RestApiKey"),
                "QueryString"),
        profile("REST-Static", api.url("/api/ok") + f"?code={code}", "Bearer",
                key("BearerAuthenticationToken", "B2C_1A_StaticToken"), "Header"),
        profile("REST-Cert", mtls.url("/api/ok") + f"?code={code}", "ClientCertificate",
                key("ClientCertificate", "B2C_1A_RestApiClientCertificate")),
        profile("REST-Fail", api.url("/api/fail") + f"?code={code}", "Basic", basic,
                extra='<Item Key="DebugMode">true</Item>'),
    ]
    claims = "".join(f'<ClaimType Id="{c}"><DataType>string</DataType></ClaimType>'
                     for c in ("email", "bearerToken", "grant_type", "scope", "loyaltyNumber"))
    return ('<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" '
            'TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_Secrets" DeploymentMode="Development">'
            f"<BuildingBlocks><ClaimsSchema>{claims}</ClaimsSchema></BuildingBlocks><ClaimsProviders><ClaimsProvider>"
            f"<DisplayName>REST</DisplayName><TechnicalProfiles>{''.join(profiles)}</TechnicalProfiles>"
            "</ClaimsProvider></ClaimsProviders></TrustFrameworkPolicy>")


KEYS = {
    "B2C_1A_SecureRESTClientId": "b2c-client",
    "B2C_1A_SecureRESTClientSecret": SECRET["client_secret"],
    "B2C_1A_RestApiUsername": "b2c-user",
    "B2C_1A_RestApiPassword": SECRET["basic_odd"],
    "B2C_1A_RestApiKey": SECRET["api_key"],
    "B2C_1A_StaticToken": SECRET["static_token"],
}
CHAIN = ["REST-AcquireAccessToken", "REST-Bearer", "REST-Basic", "REST-ApiKey", "REST-Static", "REST-Cert"]


@pytest.fixture
def policy_files(tmp_path: Path, secret_certs: Any, echo_api: TlsServer, mtls_echo: TlsServer,
                 token_endpoint: FakeTokenEndpoint) -> Tuple[Path, Path]:
    policy = tmp_path / "SecretsPolicy.xml"
    policy.write_text(_policy_xml(echo_api, mtls_echo, token_endpoint), encoding="utf-8")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({**KEYS, "B2C_1A_RestApiClientCertificate": {
        "pfx": str(secret_certs.client_pfx), "password": SECRET["pfx_password"]}}), encoding="utf-8")
    return policy, keys


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
    _issued(sweep, echo_api)
    _key_material(sweep, secret_certs)
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
    _issued(sweep, server)
    sweep.check()


@pytest.mark.parametrize("source", ["static", "client-credentials"])
def test_external_id_extensions_show_no_secret(sweep: Sweep, secret_certs: Any, echo_api: TlsServer,
                                               token_endpoint: FakeTokenEndpoint, source: str) -> None:
    auth = _strategies(secret_certs, token_endpoint)["static-bearer" if source == "static" else "client-credentials"]
    echo_api.clear()
    with ExternalIdExtension(echo_api.url("/api/connector") + "?code=" + quote(SECRET["query_key"], safe=""), auth,
                             ca_bundle=str(secret_certs.ca_pem)) as extension:
        sweep.obj("extension", extension)
        outcome = extension.on_attribute_collection_submit(email="ada@contoso.com")
        sweep.obj("outcome", outcome)
        sweep.text("outcome response", outcome.response)
    _issued(sweep, echo_api)
    sweep.check()


# -- reports and curl exports ---------------------------------------------------------------------------------

def test_reports_and_curl_exports_show_no_secret(sweep: Sweep, secret_certs: Any, echo_api: TlsServer,
                                                 mtls_echo: TlsServer, token_endpoint: FakeTokenEndpoint,
                                                 policy_files: Tuple[Path, Path], tmp_path: Path) -> None:
    reports = pytest.importorskip("connector_sim.reporting._reports", reason="the reports module is not there yet")
    export = pytest.importorskip("connector_sim.reporting._curl", reason="the curl export module is not there yet")
    report = reports.Report("security")  # no secrets given: the records themselves must be clean
    strategies = _strategies(secret_certs, token_endpoint)
    claims = {"email": "ada@contoso.com", "bearerToken": SECRET["claim_token"]}
    for name, auth in strategies.items():
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
        _issued(sweep, server)
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
