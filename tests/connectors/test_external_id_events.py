"""The newer extension events over real HTTPS: OnOtpSend, OnPasswordSubmit, OnVerifiedIdClaimValidation.

The OnPasswordSubmit JWE is decrypted here with ``cryptography``'s RSA-OAEP and AES-GCM directly,
independently of joserfc, which built it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import pkcs12

from connector_sim import ConfigurationError, StaticBearer
from connector_sim.connectors._external_id import ExternalIdExtension
from connector_sim.testing import CertificateSet, Reply, TlsServer, make_self_signed_pfx
from tests.helpers import SECRETS

OTP, PASSWORD, VERIFIED = "OtpSend", "passwordSubmit", "verifiedIdClaimValidation"
CODE = "90817263"


def _answer(prefix: str, data_type: str, action: str, *, extra: dict[str, Any] | None = None,
            **fields: Any) -> Reply:
    return Reply(200, json={"data": {"@odata.type": data_type, **(extra or {}),
                                     "actions": [{"@odata.type": f"microsoft.graph.{prefix}.{action}", **fields}]}})


def _extension(api: TlsServer, certs: CertificateSet, **kw: Any) -> ExternalIdExtension:
    return ExternalIdExtension(api.url("/api/events"), StaticBearer(SECRETS["static_token"]),
                               ca_bundle=str(certs.ca_pem), maximum_retries=0, **kw)


# -- OnOtpSend -----------------------------------------------------------------------------

def test_otp_send_sends_the_documented_request(api: TlsServer, certs: CertificateSet) -> None:
    api.handler = lambda r: _answer(OTP, "microsoft.graph.OnOtpSendResponseData", "continueWithDefaultBehavior")
    outcome = _extension(api, certs).on_otp_send(email="casey@contoso.com", one_time_code=CODE,
                                                 request_type="passwordReset")
    body = api.requests[-1].json()
    assert body["type"] == "microsoft.graph.authenticationEvent.emailOtpSend"
    assert body["data"]["@odata.type"] == "microsoft.graph.onOtpSendCalloutData"
    assert body["data"]["otpContext"] == {"identifier": "casey@contoso.com", "oneTimeCode": CODE}
    assert body["data"]["authenticationContext"]["requestType"] == "passwordReset"
    assert outcome.action == "continueWithDefaultBehavior" and outcome.ok and outcome.violations == ()
    # The code is the user's secret: the record of what was sent masks it.
    shown = json.dumps(outcome.to_dict()) + repr(outcome)
    assert CODE not in shown and '"oneTimeCode":"***"' in outcome.request.text()


def test_otp_send_makes_a_code_when_none_is_given(api: TlsServer, certs: CertificateSet) -> None:
    api.handler = lambda r: _answer(OTP, "microsoft.graph.OnOtpSendResponseData", "continueWithDefaultBehavior")
    _extension(api, certs).on_otp_send(email="casey@contoso.com")
    code = api.requests[-1].json()["data"]["otpContext"]["oneTimeCode"]
    assert code.isdigit() and len(code) == 8
    assert api.requests[-1].json()["data"]["authenticationContext"]["requestType"] == "signUp"


def test_an_answer_echoing_the_code_is_a_violation(api: TlsServer, certs: CertificateSet) -> None:
    api.handler = lambda r: _answer(OTP, "microsoft.graph.OnOtpSendResponseData", "continueWithDefaultBehavior",
                                    sent=CODE)
    outcome = _extension(api, certs).on_otp_send(email="casey@contoso.com", one_time_code=CODE)
    assert [v.rule for v in outcome.violations] == ["otp-code-echoed"] and not outcome.ok
    assert CODE not in json.dumps(outcome.to_dict())  # the echoed body is masked too


@pytest.mark.parametrize("behavior, expected", [
    ("default", "sends no one-time code"),
    ("fallback", "Microsoft emails the one-time code"),
    ("microsoft.graph.fallbackToMicrosoftProviderOnError", "Microsoft emails the one-time code"),
])
def test_behavior_on_error_decides_what_the_user_gets(behavior: str, expected: str, api: TlsServer,
                                                      certs: CertificateSet) -> None:
    api.handler = lambda r: Reply(500, json={"error": "mail relay down"})
    outcome = _extension(api, certs, behavior_on_error=behavior).on_otp_send(email="casey@contoso.com")
    assert outcome.action is None and expected in (outcome.user_sees or "")
    assert "1003002" in outcome.user_sees


def test_the_docs_casing_of_the_otp_answer_is_exact(api: TlsServer, certs: CertificateSet) -> None:
    # Microsoft's answer type has a capital O; the pattern of the other events would give onOtpSend...
    api.handler = lambda r: _answer(OTP, "microsoft.graph.onOtpSendResponseData", "continueWithDefaultBehavior")
    outcome = _extension(api, certs).on_otp_send(email="casey@contoso.com")
    assert outcome.violations == () and any("differs in case" in w for w in outcome.warnings)
    api.handler = lambda r: _answer(OTP, "microsoft.graph.OnOtpSendResponseData", "sendCode")
    outcome = _extension(api, certs).on_otp_send(email="casey@contoso.com")
    assert [v.rule for v in outcome.violations] == ["invalid-action-type"] and outcome.action is None


# -- OnPasswordSubmit ----------------------------------------------------------------------

def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decrypt_jwe(token: str, key: rsa.RSAPrivateKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """(JWE header, inner JWT claims), with cryptography's primitives only (RSA-OAEP[-256], AES-GCM)."""
    parts = token.split(".")
    assert len(parts) == 5, "a compact JWE has five parts"
    protected, encrypted_key, iv, ciphertext, tag = parts
    header = json.loads(_b64(protected))
    digest = {"RSA-OAEP-256": hashes.SHA256(), "RSA-OAEP": hashes.SHA1()}[header["alg"]]
    cek = key.decrypt(_b64(encrypted_key), padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None))
    assert len(cek) * 8 == int(header["enc"][1:4])
    plaintext = AESGCM(cek).decrypt(_b64(iv), _b64(ciphertext) + _b64(tag), protected.encode("ascii"))
    inner_header, inner_claims, signature = plaintext.decode("ascii").split(".")
    assert json.loads(_b64(inner_header))["alg"] == "none" and signature == ""
    return header, json.loads(_b64(inner_claims))


@pytest.fixture(scope="module")
def encryption(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, rsa.RSAPrivateKey, Path]:
    """A .pfx as `connector-sim cert new` makes it, its private key, and its certificate alone (PEM)."""
    folder = tmp_path_factory.mktemp("jit")
    data = make_self_signed_pfx("CN=JitMigration", password="pfx-pw")
    key, cert, _ = pkcs12.load_key_and_certificates(data, b"pfx-pw")
    assert isinstance(key, rsa.RSAPrivateKey) and cert is not None
    (folder / "jit.pfx").write_bytes(data)
    (folder / "jit.cer").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return folder / "jit.pfx", key, folder / "jit.cer"


def _migration_api(key: rsa.RSAPrivateKey, seen: list, action: Callable[[dict[str, Any]], Reply]) -> Callable:
    def handler(request: Any) -> Reply:
        header, claims = decrypt_jwe(request.json()["data"]["encryptedPasswordContext"], key)
        seen.append((header, claims))
        return action(claims)
    return handler


def _password_answer(action: str, nonce: Any, **fields: Any) -> Reply:
    extra = {} if nonce is None else {"nonce": nonce}
    return _answer(PASSWORD, "microsoft.graph.onPasswordSubmitResponseData", action, extra=extra, **fields)


@pytest.mark.parametrize("algorithm, encryption_alg", [("RSA-OAEP-256", "A256GCM"), ("RSA-OAEP", "A128GCM")])
def test_password_submit_encrypts_a_jwt_with_password_username_and_nonce(
        algorithm: str, encryption_alg: str, encryption: Any, api: TlsServer, certs: CertificateSet) -> None:
    pfx, key, _cer = encryption
    seen: list = []
    api.handler = _migration_api(key, seen, lambda c: _password_answer("MigratePassword", c["nonce"]))
    extension = _extension(api, certs, encryption_key=pfx, encryption_key_password="pfx-pw",
                           jwe_algorithm=algorithm, jwe_encryption=encryption_alg)
    outcome = extension.on_password_submit(password=SECRETS["password"], username="casey@contoso.com")
    header, claims = seen[-1]
    assert header["alg"] == algorithm and header["enc"] == encryption_alg and header["kid"]
    assert claims["user-password"] == SECRETS["password"] and claims["username"] == "casey@contoso.com"
    assert len(claims["nonce"]) == 36
    body = api.requests[-1].json()
    assert body["type"] == "microsoft.graph.authenticationEvent.passwordSubmit"
    assert body["data"]["@odata.type"] == "microsoft.graph.onPasswordSubmitCalloutData"
    assert body["data"]["authenticationContext"]["user"]["userType"] == "Member"
    assert outcome.action == "MigratePassword" and outcome.violations == ()
    shown = json.dumps(outcome.to_dict()) + repr(outcome)
    assert SECRETS["password"] not in shown and body["data"]["encryptedPasswordContext"] not in shown


def test_the_defaults_are_rsa_oaep_256_and_a256gcm_and_a_bare_certificate_will_do(
        encryption: Any, api: TlsServer, certs: CertificateSet) -> None:
    _pfx, key, cer = encryption
    seen: list = []
    api.handler = _migration_api(key, seen, lambda c: _password_answer("MigratePassword", c["nonce"]))
    _extension(api, certs, encryption_key=cer).on_password_submit(password="pw-1", nonce="n-1")
    assert (seen[-1][0]["alg"], seen[-1][0]["enc"], seen[-1][1]["nonce"]) == ("RSA-OAEP-256", "A256GCM", "n-1")


@pytest.mark.parametrize("answer, rule", [
    (lambda c: _password_answer("MigratePassword", None), "missing-nonce"),
    (lambda c: _password_answer("MigratePassword", "00000000-0000-0000-0000-000000000000"), "nonce-mismatch"),
])
def test_the_answer_must_echo_the_nonce(answer: Callable, rule: str, encryption: Any, api: TlsServer,
                                        certs: CertificateSet) -> None:
    _pfx, key, cer = encryption
    api.handler = _migration_api(key, [], answer)
    outcome = _extension(api, certs, encryption_key=cer).on_password_submit(password="pw-1")
    assert [v.rule for v in outcome.violations] == [rule] and outcome.action is None
    assert "password cannot be checked" in (outcome.user_sees or "")


@pytest.mark.parametrize("action, fields, user_sees", [
    ("UpdatePassword", {}, "password reset"),
    ("Retry", {}, "try again"),
    ("Block", {"title": "Sign-in blocked", "message": "Contact support."}, "Sign-in blocked: Contact support."),
])
def test_each_password_action_maps_to_what_the_user_sees(action: str, fields: dict[str, Any], user_sees: str,
                                                         encryption: Any, api: TlsServer,
                                                         certs: CertificateSet) -> None:
    _pfx, key, cer = encryption
    api.handler = _migration_api(key, [], lambda c: _password_answer(action, c["nonce"], **fields))
    outcome = _extension(api, certs, encryption_key=cer).on_password_submit(password="pw-1")
    assert outcome.action == action and user_sees in (outcome.user_sees or "") and outcome.violations == ()


def test_the_docs_sample_lower_case_passwordsubmit_is_accepted_with_a_warning(
        encryption: Any, api: TlsServer, certs: CertificateSet) -> None:
    _pfx, key, cer = encryption
    api.handler = _migration_api(key, [], lambda c: _answer(
        "passwordsubmit", "microsoft.graph.onPasswordSubmitResponseData", "MigratePassword",
        extra={"nonce": c["nonce"]}))
    outcome = _extension(api, certs, encryption_key=cer).on_password_submit(password="pw-1")
    assert outcome.action == "MigratePassword" and "UNCONFIRMED" in outcome.warnings[0]


def test_password_submit_configuration_mistakes(encryption: Any, certs: CertificateSet, tmp_path: Path,
                                               api: TlsServer) -> None:
    url = api.url("/api/events")
    with pytest.raises(ConfigurationError, match="encryption_key"):
        _extension(api, certs).on_password_submit(password="pw-1")
    with pytest.raises(ConfigurationError, match="RSA"):
        ExternalIdExtension(url, StaticBearer("t"), encryption_key=certs.ecdsa_pfx, encryption_key_password="pfx-pass")
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    with pytest.raises(ConfigurationError, match="no certificate or RSA public key"):
        ExternalIdExtension(url, StaticBearer("t"), encryption_key=junk)
    with pytest.raises(ConfigurationError, match="cannot read"):
        ExternalIdExtension(url, StaticBearer("t"), encryption_key=tmp_path / "missing.cer")
    extension = _extension(api, certs, encryption_key=encryption[2], jwe_algorithm="dir")
    with pytest.raises(ConfigurationError, match="key algorithm"):
        extension.on_password_submit(password="pw-1")
    with pytest.raises(ConfigurationError, match="non-empty password"):
        _extension(api, certs, encryption_key=encryption[2]).on_password_submit()
    assert api.requests == []


# -- OnVerifiedIdClaimValidation -----------------------------------------------------------

CLAIMS = {"firstName": "John", "lastName": "Doe", "dateOfBirth": "1990-01-15"}


def test_verified_id_sends_the_claims_context_and_reads_pass(api: TlsServer, certs: CertificateSet) -> None:
    api.handler = lambda r: _answer(VERIFIED, "microsoft.graph.onVerifiedIdClaimValidationResponseData", "pass")
    outcome = _extension(api, certs).on_verified_id_claim_validation(
        claims=CLAIMS, upn="john@contoso.com", additional_info={"employeeId": "12345678"})
    data = api.requests[-1].json()["data"]
    assert data["@odata.type"] == "microsoft.graph.onVerifiedIdClaimValidationCalloutData"
    context = data["verifiedIdClaimsContext"]
    assert context["claims"] == CLAIMS and context["additionalInfo"] == {"employeeId": "12345678"}
    assert context["identities"] == [{"signInType": "userPrincipalName", "issuer": "contoso.com",
                                      "issuerAssignedId": "john@contoso.com"}]
    assert outcome.action == "pass" and outcome.violations == ()


def test_verified_id_failed_names_the_failed_claims(api: TlsServer, certs: CertificateSet) -> None:
    api.handler = lambda r: _answer(VERIFIED, "microsoft.graph.onVerifiedIdClaimValidationResponseData", "failed",
                                    failedClaims=["dateOfBirth", "documentId"])
    outcome = _extension(api, certs).on_verified_id_claim_validation(claims=CLAIMS)
    assert outcome.action == "failed" and outcome.claims == {"failedClaims": ["dateOfBirth", "documentId"]}
    assert [v.rule for v in outcome.violations] == ["unknown-claim"] and "recovery stops" in outcome.user_sees
    api.handler = lambda r: _answer(VERIFIED, "microsoft.graph.onVerifiedIdClaimValidationResponseData", "failed")
    outcome = _extension(api, certs).on_verified_id_claim_validation(claims=CLAIMS)
    assert [v.rule for v in outcome.violations] == ["missing-failedClaims"]


def test_without_joserfc_the_error_names_the_extra(encryption: Any, api: TlsServer, certs: CertificateSet,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "joserfc", None)  # as if the extra were not installed
    with pytest.raises(ConfigurationError) as caught:
        _extension(api, certs, encryption_key=encryption[2]).on_password_submit(password="pw-1")
    assert "connector_sim[jwe]" in str(caught.value) and api.requests == []
