"""Your own app under test: a real Flask app and a real FastAPI app, served over HTTPS by `AppServer`,
directly and behind `AppServiceFront`, called with every B2C authentication type."""

from __future__ import annotations

import base64
import ssl
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple

import pytest
import requests

from connector_sim import (
    ApiKeyHeader,
    Basic,
    Bearer,
    CallError,
    ClientCertificate,
    ClientCredentials,
    InputClaim,
    NoAuth,
    OutputClaim,
    RestfulProfile,
    StaticBearer,
    TransportError,
)
from connector_sim.testing import CertificateSet, FakeTokenEndpoint
from connector_sim.testing.app_service import CLIENT_CERT_HEADER, AppServiceFront
from connector_sim.testing.serve import AppServer, app_interface
from tests.helpers import FAST, SECRETS

flask = pytest.importorskip("flask")
fastapi = pytest.importorskip("fastapi")

USERNAME = "b2c-user"
AUDIENCE = "api://loyalty-api"


def _pem_subject(pem: str) -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def _der_subject(header: str) -> str:
    return _pem_subject(ssl.DER_cert_to_PEM_cert(base64.b64decode(header)))


class Checks:
    """The API's logic, shared by the Flask and the FastAPI app: one path per authentication type."""

    def __init__(self, entra: FakeTokenEndpoint, client_cn: str) -> None:
        self.entra = entra
        self.client_cn = client_cn

    def answer(self, kind: str, headers: Mapping[str, str], peer_pem: Optional[str]) -> Tuple[int, Dict[str, Any]]:
        """(status, JSON body) for a call to /api/<kind>/profile."""
        auth = headers.get("authorization", "")
        via = ""
        if kind == "basic":
            expected = base64.b64encode(f"{USERNAME}:{SECRETS['password']}".encode()).decode()
            ok = auth == f"Basic {expected}"
        elif kind == "key":
            ok = headers.get("x-functions-key") == SECRETS["api_key"]
        elif kind == "static":
            ok = auth == f"Bearer {SECRETS['static_token']}"
        elif kind == "bearer":
            try:
                ok = self.entra.verify(auth.partition(" ")[2], audience=AUDIENCE)["appid"] == "b2c-client"
            except ValueError:
                ok = False
        elif kind == "certificate":
            # Behind App Service the certificate is a header; served directly, the TLS layer has it.
            arr = headers.get(CLIENT_CERT_HEADER.lower())
            subject = _der_subject(arr) if arr else _pem_subject(peer_pem) if peer_pem else None
            via = "X-ARR-ClientCert" if arr else "TLS" if peer_pem else ""
            ok = subject == self.client_cn
        else:
            ok = True
        if not ok:
            return 401, {"error": "unauthorized"}
        return 200, {"loyaltyNumber": f"LN-{kind}", "seenVia": via, "forwardedProto": headers.get("x-forwarded-proto",
                                                                                                    "")}


def flask_app(checks: Checks) -> Any:
    app = flask.Flask("loyalty")

    @app.post("/api/<kind>/profile")
    def profile(kind: str) -> Any:
        headers = {k.lower(): v for k, v in flask.request.headers.items()}
        status, body = checks.answer(kind, headers, flask.request.environ.get("SSL_CLIENT_CERT"))
        return flask.jsonify(body), status

    return app


def fastapi_app(checks: Checks) -> Any:
    app = fastapi.FastAPI()

    @app.post("/api/{kind}/profile")
    async def profile(kind: str, request: fastapi.Request) -> Any:
        tls = request.scope.get("extensions", {}).get("tls") or {}
        chain = tls.get("client_cert_chain") or []
        status, body = checks.answer(kind, dict(request.headers), chain[0] if chain else None)
        return fastapi.responses.JSONResponse(body, status_code=status)

    return app


APPS: Dict[str, Callable[[Checks], Any]] = {"flask": flask_app, "fastapi": fastapi_app}


@pytest.fixture(scope="module")
def module_entra(certs: CertificateSet) -> Iterator[FakeTokenEndpoint]:
    with FakeTokenEndpoint(clients={"b2c-client": SECRETS["client_secret"]}, certificates=certs) as endpoint:
        yield endpoint


@pytest.fixture(scope="module", params=[(f, m) for f in APPS for m in ("direct", "app-service")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def served(request: pytest.FixtureRequest, certs: CertificateSet, module_entra: FakeTokenEndpoint) -> Iterator[Any]:
    framework, mode = request.param
    app = APPS[framework](Checks(module_entra, certs.common_name))
    # "Optional": the front passes a certificate on when one is sent, so every auth type can get through.
    server = (AppServer(app, certificates=certs) if mode == "direct"
              else AppServiceFront(app, certificates=certs, client_certificate_mode="Optional"))
    with server:
        yield server


def _auth(kind: str, certs: CertificateSet, entra: FakeTokenEndpoint) -> Any:
    if kind == "none":
        return NoAuth()
    if kind == "basic":
        return Basic(USERNAME, SECRETS["password"])
    if kind == "certificate":
        return ClientCertificate(certs.client_pfx, certs.password)
    if kind == "bearer":
        return Bearer(credentials=ClientCredentials(authority=entra.authority, client_id="b2c-client",
                                                    client_secret=SECRETS["client_secret"],
                                                    scope=f"{AUDIENCE}/.default", ca_bundle=str(certs.ca_pem)))
    if kind == "static":
        return StaticBearer(SECRETS["static_token"])
    return ApiKeyHeader("x-functions-key", SECRETS["api_key"])


def _profile(served: Any, kind: str, auth: Any, certs: CertificateSet) -> RestfulProfile:
    return RestfulProfile(served.url(f"/api/{kind}/profile"), auth=auth, input_claims=[InputClaim("email")],
                          output_claims=[OutputClaim("loyaltyNumber"), OutputClaim("seenVia")],
                          ca_bundle=str(certs.ca_pem), deployment_mode="Development", timing=FAST)


@pytest.mark.parametrize("kind", ["none", "basic", "certificate", "bearer", "static", "key"])
def test_every_auth_type_reaches_the_app(served: Any, kind: str, certs: CertificateSet,
                                         module_entra: FakeTokenEndpoint) -> None:
    profile = _profile(served, kind, _auth(kind, certs, module_entra), certs)

    result = profile.call({"email": "alice@contoso.com"})

    assert result.claims["loyaltyNumber"] == f"LN-{kind}"
    if kind == "certificate":
        behind = isinstance(served, AppServiceFront)
        assert result.claims["seenVia"] == ("X-ARR-ClientCert" if behind else "TLS")


@pytest.mark.parametrize("kind", ["basic", "certificate", "static", "key"])
def test_a_wrong_credential_is_b2cs_rejected_credential(served: Any, kind: str, certs: CertificateSet,
                                                        module_entra: FakeTokenEndpoint) -> None:
    wrong = {"basic": Basic(USERNAME, "not-the-password"),
             "certificate": ClientCertificate(certs.older_pfx, certs.password),
             "static": StaticBearer("not-the-token"), "key": ApiKeyHeader("x-functions-key", "not-the-key")}[kind]
    profile = _profile(served, kind, wrong, certs)

    with pytest.raises(CallError) as caught:
        profile.call({"email": "alice@contoso.com"})

    # A 401 means bad credentials only for Basic and ClientCertificate; otherwise it is an unparsable 4xx.
    assert caught.value.b2c_code == {"basic": "AADB2C90027", "certificate": "AADB2C90028"}.get(kind, "AADB2C90261")


def test_the_interface_is_detected() -> None:
    checks = Checks(None, "x")  # type: ignore[arg-type]
    assert app_interface(flask_app(checks)) == "wsgi"
    assert app_interface(fastapi_app(checks)) == "asgi"

    async def raw(scope: Any, receive: Any, send: Any) -> None:
        pass

    assert app_interface(raw) == "asgi"


@pytest.mark.parametrize("framework", list(APPS))
def test_a_required_client_certificate_fails_the_handshake_without_one(framework: str, certs: CertificateSet) -> None:
    app = APPS[framework](Checks(None, certs.common_name))  # type: ignore[arg-type]
    with AppServer(app, certificates=certs, require_client_cert=True) as server:
        # TLS 1.3: the server judges the certificate after the client finished; either error may come.
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(server.url("/api/none/profile"), json={}, verify=str(certs.ca_pem), timeout=5)
        answer = requests.post(server.url("/api/none/profile"), json={}, verify=str(certs.ca_pem),
                               cert=str(certs.client_pem), timeout=5)
        assert answer.status_code == 200


def test_the_front_strips_a_forged_client_certificate_header(certs: CertificateSet) -> None:
    seen: Dict[str, Any] = {}

    def app(environ: Any, start_response: Any) -> Any:
        seen.update({k: v for k, v in environ.items() if k.startswith("HTTP_")})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    forged = base64.b64encode(b"not a certificate").decode()
    with AppServiceFront(app, certificates=certs, client_certificate_mode="Optional") as front:
        requests.post(front.url("/x?a=1"), json={}, verify=str(certs.ca_pem), timeout=5,
                      headers={CLIENT_CERT_HEADER: forged, "X-Forwarded-Proto": "http"})
        assert "HTTP_X_ARR_CLIENTCERT" not in seen  # no certificate sent: no header at all
        assert seen["HTTP_X_FORWARDED_PROTO"] == "https" and seen["HTTP_X_ORIGINAL_URL"] == "/x?a=1"

        requests.post(front.url("/x"), json={}, verify=str(certs.ca_pem), timeout=5, cert=str(certs.client_pem),
                      headers={CLIENT_CERT_HEADER: forged})
        assert _der_subject(seen["HTTP_X_ARR_CLIENTCERT"]) == certs.common_name
        assert front.last_request is not None and front.last_request.header(CLIENT_CERT_HEADER) == forged


def test_the_front_passes_an_expired_certificate_on_for_the_app_to_judge(certs: CertificateSet) -> None:
    # App Service does not check the certificate's dates: the app must (B2C's article says so).
    from cryptography.hazmat.primitives.serialization import pkcs12

    seen: Dict[str, str] = {}

    def app(environ: Any, start_response: Any) -> Any:
        seen["cert"] = environ.get("HTTP_X_ARR_CLIENTCERT", "")
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    key, cert, _ = pkcs12.load_key_and_certificates(certs.expired_pfx.read_bytes(), certs.password.encode())
    assert key is not None and cert is not None
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    pem = certs.directory / "expired-client.pem"
    pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
                    + cert.public_bytes(Encoding.PEM))
    with AppServiceFront(app, certificates=certs) as front:
        requests.post(front.url("/x"), json={}, verify=str(certs.ca_pem), cert=str(pem), timeout=5)
    assert _der_subject(seen["cert"]) == certs.subjects["expired"]


@pytest.mark.parametrize("framework", list(APPS))
def test_the_front_requires_a_certificate_in_required_mode(framework: str, certs: CertificateSet,
                                                           module_entra: FakeTokenEndpoint) -> None:
    app = APPS[framework](Checks(module_entra, certs.common_name))
    with AppServiceFront(app, certificates=certs) as front:
        assert front.client_certificate_mode == "Required"
        basic = _profile(front, "basic", Basic(USERNAME, SECRETS["password"]), certs)
        with pytest.raises(TransportError):
            basic.call({"email": "alice@contoso.com"})
        assert not front.requests  # refused in the handshake: nothing reached the app
        mtls = _profile(front, "certificate", ClientCertificate(certs.client_pfx, certs.password), certs)
        assert mtls.call({"email": "alice@contoso.com"}).claims["seenVia"] == "X-ARR-ClientCert"


def test_the_front_forwards_to_a_url_and_says_when_the_app_is_down(certs: CertificateSet) -> None:
    with AppServer(flask_app(Checks(None, "x")), plain_http=True) as app:  # type: ignore[arg-type]
        with AppServiceFront(app.base_url, certificates=certs, client_certificate_mode="Ignore") as front:
            answer = requests.post(front.url("/api/none/profile"), json={}, verify=str(certs.ca_pem), timeout=5)
            assert answer.json()["loyaltyNumber"] == "LN-none" and front.app_url == app.base_url
            app.stop()
            down = requests.post(front.url("/api/none/profile"), json={}, verify=str(certs.ca_pem), timeout=5)
            assert down.status_code == 502


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        AppServiceFront("https://127.0.0.1:1")
    with pytest.raises(ValueError):
        AppServiceFront("http://127.0.0.1:1", client_certificate_mode="sometimes")
    with pytest.raises(ValueError):
        AppServer(lambda e, s: [], plain_http=True, require_client_cert=True)
    with pytest.raises(RuntimeError):
        AppServer(lambda e, s: []).port  # noqa: B018 (not started)
