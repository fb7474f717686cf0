"""Drive the sample endpoint exactly as B2C does, over real HTTPS on 127.0.0.1, with connector_sim."""

from __future__ import annotations

import ssl
import threading
from typing import Iterator

import pytest

pytest.importorskip("flask")  # the sample's only extra dependency

from werkzeug.serving import make_server  # noqa: E402  (werkzeug comes with flask)

from connector_sim import Basic, ContractViolationError  # noqa: E402
from connector_sim.connectors._api_connector import ApiConnector  # noqa: E402
from connector_sim.testing import CertificateSet, make_certificates  # noqa: E402
from loyalty_api import create_app  # noqa: E402

APP_ID = "0d4d5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"  # the b2c-extensions-app of the tenant


@pytest.fixture(scope="module")
def certs() -> Iterator[CertificateSet]:
    with make_certificates() as made:
        yield made


@pytest.fixture(scope="module")
def url(certs: CertificateSet) -> Iterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certs.server.configure_cert(context)  # a throwaway certificate for 127.0.0.1, issued by certs' CA
    server = make_server("127.0.0.1", 0, create_app("b2c", "s3cret"), ssl_context=context, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_port}/api/validate"
    server.shutdown()
    thread.join()


def connector(url: str, certs: CertificateSet, password: str = "s3cret") -> ApiConnector:
    # strict=True: any break of B2C's contract fails the test with the reason.
    return ApiConnector(url, Basic("b2c", password), extensions_app_id=APP_ID, ca_bundle=str(certs.ca_pem),
                        strict=True)


def test_a_valid_sign_up_continues_with_the_loyalty_tier(url: str, certs: CertificateSet) -> None:
    outcome = connector(url, certs).post_attribute_collection(
        email="alice@contoso.com", given_name="Alice", postal_code="98052", attributes={"loyaltyId": "L-1"})
    assert outcome.action == "Continue"
    assert outcome.claims == {f"extension_{APP_ID.replace('-', '')}_loyaltyTier": "silver"}


def test_a_bad_postal_code_keeps_the_user_on_the_page(url: str, certs: CertificateSet) -> None:
    outcome = connector(url, certs).post_attribute_collection(email="alice@contoso.com", postal_code="ABC")
    assert outcome.action == "ValidationError"
    assert outcome.user_sees == "Please enter a valid 5-digit postal code."


@pytest.mark.parametrize("step", ["PostFederationSignup", "PostAttributeCollection"])
def test_blocked_domains_see_a_block_page(url: str, certs: CertificateSet, step: str) -> None:
    outcome = connector(url, certs).call(step, email="bob@spam.example")
    assert outcome.action == "ShowBlockPage" and "not allowed" in outcome.user_sees


def test_the_token_gets_a_job_title(url: str, certs: CertificateSet) -> None:
    assert connector(url, certs).pre_token_issuance(email="alice@contoso.com").claims == {"jobTitle": "Member"}


def test_wrong_credentials_are_refused(url: str, certs: CertificateSet) -> None:
    with pytest.raises(ContractViolationError) as caught:
        connector(url, certs, password="wrong").post_attribute_collection(email="alice@contoso.com")
    assert caught.value.violations[0].rule == "http-status" and caught.value.http_status == 401
