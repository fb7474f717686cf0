"""The leak sweep shared by the security tests: known secrets, a hostile echoing API, and the search.

Every feature runs with these secret values; ``Sweep`` collects everything a run shows (reprs,
messages, tracebacks, logs, CLI output, reports) and searches it for every secret in every form a
server may write it back in. Fixtures built on these live in ``tests/security/conftest.py``.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import quote, quote_plus

import pytest

from connector_sim import (
    ApiKeyHeader,
    Basic,
    Bearer,
    ClientCertificate,
    ClientCredentials,
    StaticBearer,
    TimingProfile,
)
from connector_sim.testing import FakeTokenEndpoint, Reply, ServerRequest, TlsServer
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

def echo(request: ServerRequest) -> Reply:
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


def private_key_lines(certs: Any) -> List[str]:
    """Lines of the client's private key as PEM: the key bytes must never be shown in any encoding."""
    text = Path(certs.client_pem).read_text()
    body = text.split("-----BEGIN PRIVATE KEY-----")[1].split("-----END PRIVATE KEY-----")[0].split()
    return [line for line in body[1:-1] if len(line) >= 32][:4]


def key_material(sweep: Sweep, certs: Any) -> None:
    for i, line in enumerate(private_key_lines(certs)):
        sweep.secret(f"private key line {i}", line)


def issued(sweep: Sweep, server: TlsServer) -> None:
    """Every credential that reached the server (issued tokens, encoded Basic headers) counts as a secret."""
    for i, request in enumerate(server.requests):
        for name in ("Authorization", "x-functions-key"):
            value = request.header(name)
            if value:
                sweep.secret(f"{name} #{i}", value.split(" ", 1)[-1])


def strategies(certs: Any, token_endpoint: FakeTokenEndpoint) -> Dict[str, Any]:
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


def policy_xml(api: TlsServer, mtls: TlsServer, entra: FakeTokenEndpoint) -> str:
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
