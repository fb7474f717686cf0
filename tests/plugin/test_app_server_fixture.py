"""``b2c_app_server``: a user's own Flask and FastAPI apps under the plugin, direct and behind App Service."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytest.importorskip("flask")
pytest.importorskip("fastapi")

PLUGIN = ("-p", "connector_sim.pytest_plugin", "-W", "ignore::pytest.PytestAssertRewriteWarning",
          "-p", "no:hypothesispytest")
USER_TESTS = '''
import base64
import ssl

import flask
import fastapi
import pytest
from cryptography import x509

from connector_sim import Basic, ClientCertificate, InputClaim, OutputClaim, RestfulProfile
from connector_sim.pytest_plugin import assert_b2c_error, assert_claims


def subject(pem):
    return x509.load_pem_x509_certificate(pem.encode()).subject.rfc4514_string()


def who(headers, peer_pem):
    arr = headers.get("x-arr-clientcert")
    if arr:
        return "header " + subject(ssl.DER_cert_to_PEM_cert(base64.b64decode(arr)))
    return ("tls " + subject(peer_pem)) if peer_pem else None


flask_app = flask.Flask("mine")


@flask_app.post("/api/profile")
def flask_profile():
    headers = {k.lower(): v for k, v in flask.request.headers.items()}
    seen = who(headers, flask.request.environ.get("SSL_CLIENT_CERT"))
    if seen is None and headers.get("authorization") != "Basic " + base64.b64encode(b"u:pw-123456").decode():
        return flask.jsonify(version="1.0.0", status=409, userMessage="Sign in first."), 409
    return flask.jsonify(loyaltyNumber="LN-1", seen=seen or "basic")


fast_app = fastapi.FastAPI()


@fast_app.post("/api/profile")
async def fast_profile(request: fastapi.Request):
    chain = (request.scope.get("extensions", {}).get("tls") or {}).get("client_cert_chain") or []
    seen = who(dict(request.headers), chain[0] if chain else None)
    if seen is None and request.headers.get("authorization") != "Basic " + base64.b64encode(b"u:pw-123456").decode():
        return fastapi.responses.JSONResponse({"version": "1.0.0", "status": 409, "userMessage": "Sign in first."},
                                              status_code=409)
    return {"loyaltyNumber": "LN-1", "seen": seen or "basic"}


def profile(server, auth, ca):
    return RestfulProfile(server.url("/api/profile"), auth=auth, input_claims=[InputClaim("email")],
                          output_claims=[OutputClaim("loyaltyNumber"), OutputClaim("seen")], ca_bundle=ca)


@pytest.mark.parametrize("app", [flask_app, fast_app], ids=["flask", "fastapi"])
@pytest.mark.parametrize("app_service", [False, True], ids=["direct", "app-service"])
def test_my_app(b2c_app_server, b2c_certificates, b2c_ca_bundle, b2c_report, app, app_service):
    server = b2c_app_server(app, app_service=app_service)
    certificate = ClientCertificate(b2c_certificates.client_pfx, b2c_certificates.password)
    result = b2c_report.add(profile(server, certificate, b2c_ca_bundle).call({"email": "a@b.c"}))
    assert result.claims["seen"].startswith("header CN=" if app_service else "tls CN=")
    assert_claims(b2c_report.add(profile(server, Basic("u", "pw-123456"), b2c_ca_bundle).call({"email": "a@b.c"})),
                  {"seen": "basic"})
    assert_b2c_error(lambda: profile(server, Basic("u", "wrong-password"), b2c_ca_bundle).call({"email": "a@b.c"}),
                     user_message="Sign in first.", status=409)


@pytest.mark.parametrize("app", [flask_app, fast_app], ids=["flask", "fastapi"])
def test_required_mode_refuses_a_call_without_certificate(b2c_app_server, b2c_ca_bundle, app):
    from connector_sim import TransportError

    server = b2c_app_server(app, app_service=True, require_client_cert=True)
    with pytest.raises(TransportError):
        profile(server, Basic("u", "pw-123456"), b2c_ca_bundle).call({"email": "a@b.c"})
'''


def test_users_serve_their_own_flask_and_fastapi_apps(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mine=USER_TESTS)

    result = pytester.runpytest_subprocess(*PLUGIN, "--b2c-junit", "junit.xml")

    result.assert_outcomes(passed=6)
    assert (pytester.path / "junit.xml").is_file()
