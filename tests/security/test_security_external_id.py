"""No secret of the External ID events or of the local Entra authority shows anywhere.

Secrets: Entra's caller token (minted and re-minted), the one-time code of OnOtpSend, the password and
the JWE of OnPasswordSubmit, the .pfx password, and the private keys the authority keeps (signing
and TLS). Searched: repr, str and to_dict of outcomes, errors (strict mode, with tracebacks), auth
check results and the authority; records of what was sent and received; JSON and JUnit reports;
log records of every logger at DEBUG; CLI output. The API is hostile: it echoes the request back.
"""

from __future__ import annotations

import io
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from connector_sim import ConnectorSimError, StaticBearer
from connector_sim.cli import main
from connector_sim.connectors._external_id import ExternalIdExtension
from connector_sim.reporting import Report
from connector_sim.testing import (
    EntraAuthority,
    Reply,
    ServerRequest,
    TlsServer,
    make_self_signed_pfx,
)
from tests.helpers import SECRETS
from tests.helpers.extension_apis import validating_api

APP = "5528a4be-4453-44f1-82f6-2ce4130cac1b"
CODE = "48151623"
PFX_PASSWORD = "jit-pfx-Pässwort-3"


def _echo(request: ServerRequest) -> Reply:
    """Answer with everything received, inside an otherwise valid answer, and in a header."""
    received = request.body.decode("utf-8", "replace")
    event = json.loads(received)["type"].rpartition(".")[2]
    short = {"emailOtpSend": "OtpSend"}.get(event, event)
    response = {"emailOtpSend": "microsoft.graph.OnOtpSendResponseData"}.get(
        event, f"microsoft.graph.on{event[0].upper()}{event[1:]}ResponseData")
    action = {"passwordSubmit": "Block", "verifiedIdClaimValidation": "failed"}.get(event,
                                                                                   "continueWithDefaultBehavior")
    return Reply(200, json={"data": {"@odata.type": response, "nonce": "echo", "actions": [{
        "@odata.type": f"microsoft.graph.{short}.{action}", "message": received, "title": str(request.headers),
        "failedClaims": [received]}]}}, headers={"X-Echo": request.header("Authorization") or ""})


class Sweep:
    """Collects everything shown; ``check`` fails on any secret in any of it."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog
        self.texts: list[tuple[str, str]] = []
        self.secrets: dict[str, str] = {"password": SECRETS["password"], "code": CODE, "pfx": PFX_PASSWORD}

    def obj(self, label: str, obj: Any) -> None:
        self.texts.append((f"{label} repr", repr(obj)))
        self.texts.append((f"{label} str", str(obj)))
        if callable(getattr(obj, "to_dict", None)):
            self.texts.append((f"{label} to_dict", json.dumps(obj.to_dict(), default=str, ensure_ascii=False)))
        request = getattr(obj, "request", None)
        if request is not None and hasattr(request, "text"):
            self.texts.append((f"{label} request", f"{request!r} {request.text()}"))
        if getattr(obj, "response", None) is not None:
            self.texts.append((f"{label} response", repr(obj.response)))

    def error(self, label: str, exc: BaseException) -> None:
        self.obj(label, exc)
        self.texts.append((f"{label} traceback", "".join(traceback.format_exception(type(exc), exc,
                                                                                    exc.__traceback__))))
        if getattr(exc, "result", None) is not None:
            self.obj(f"{label} result", exc.result)  # type: ignore[attr-defined]

    def sent(self, server: TlsServer) -> None:
        """What the API received holds the real secrets: search for them (tokens, the JWE) too."""
        for number, request in enumerate(server.requests):
            token = (request.header("Authorization") or "").partition(" ")[2]
            if token:
                self.secrets[f"token {number}"] = token
            data = json.loads(request.body or b"{}").get("data", {})
            if data.get("encryptedPasswordContext"):
                self.secrets[f"jwe {number}"] = data["encryptedPasswordContext"]

    def check(self) -> None:
        self.texts += [(f"log {r.name}", r.getMessage()) for r in self.caplog.records]
        leaks = [(label, name) for label, text in self.texts for name, value in self.secrets.items()
                 if value and value in text]
        assert not leaks, f"secrets shown: {leaks[:10]}"


@pytest.fixture
def sweep(caplog: pytest.LogCaptureFixture) -> Iterator[Sweep]:
    caplog.set_level(logging.DEBUG)
    yield Sweep(caplog)


@pytest.fixture(scope="module")
def jit_pfx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jit") / "jit.pfx"
    path.write_bytes(make_self_signed_pfx("CN=JitMigration", password=PFX_PASSWORD))
    return path


@pytest.mark.parametrize("strict", [False, True])
def test_every_new_event_shows_no_secret(strict: bool, sweep: Sweep, api: TlsServer, certs: Any,
                                         jit_pfx: Path) -> None:
    api.handler = _echo
    authority = EntraAuthority()
    report = Report("security")
    with ExternalIdExtension(api.url("/api/events"), authority.caller(APP), ca_bundle=str(certs.ca_pem),
                             encryption_key=jit_pfx, encryption_key_password=PFX_PASSWORD, strict=strict,
                             maximum_retries=0) as extension:
        sweep.obj("extension", extension)
        for event, fields in (("OnOtpSend", {"email": "casey@contoso.com", "one_time_code": CODE}),
                              ("OnPasswordSubmit", {"password": SECRETS["password"]}),
                              ("OnVerifiedIdClaimValidation", {"claims": {"firstName": "John"}})):
            try:
                outcome = extension.call(event, **fields)
            except ConnectorSimError as exc:
                assert strict
                sweep.error(event, exc)
                report.add(exc)
            else:
                sweep.obj(event, outcome)
                report.add(outcome)
    sweep.texts += [("json report", report.to_json()), ("junit", report.to_junit_xml())]
    sweep.sent(api)
    sweep.check()


def test_the_authority_and_the_matrix_show_no_token_or_key(sweep: Sweep, api: TlsServer, certs: Any,
                                                           tmp_path: Path) -> None:
    with EntraAuthority(state_dir=tmp_path, certificates=certs) as authority:
        api.handler = validating_api(authority, APP)
        result = ExternalIdExtension(api.url("/api/events"), StaticBearer("x" * 8), ca_bundle=str(certs.ca_pem),
                                     maximum_retries=0).auth_check(authority, APP)
        for case in authority.token_cases(APP):
            sweep.obj("case", case)
            if case.authorization:
                sweep.secrets[f"case {case.name}"] = case.authorization.partition(" ")[2]
        sweep.obj("authority", authority)
        sweep.obj("signer", authority.signer)
        sweep.obj("caller", authority.caller(APP))
        sweep.obj("result", result)
        sweep.texts.append(("summary", result.summary()))
    for path in tmp_path.iterdir():
        if "key" in path.name:  # the private keys, line by line (PEM bodies)
            lines = [line for line in path.read_text().splitlines() if line and not line.startswith("-----")]
            sweep.secrets.update({f"{path.name} {n}": line for n, line in enumerate(lines)})
    sweep.sent(api)
    sweep.check()


def test_the_cli_shows_no_secret(sweep: Sweep, api: TlsServer, certs: Any, jit_pfx: Path, capsys: Any,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER_PASSWORD", SECRETS["password"])
    monkeypatch.setenv("PFX_PASSWORD", PFX_PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    api.handler = _echo
    for extra in ([], ["--json"]):
        main(["extension", "OnPasswordSubmit", api.url("/api/jit"), "--app-id", APP, "--password-env", "USER_PASSWORD",
              "--encryption-cert", str(jit_pfx), "--encryption-cert-password-env", "PFX_PASSWORD",
              "--ca-bundle", str(certs.ca_pem), *extra])
        main(["extension", "OnOtpSend", api.url("/api/otp"), "--app-id", APP, "--email", "a@contoso.com",
              "--ca-bundle", str(certs.ca_pem), *extra])
        captured = capsys.readouterr()
        sweep.texts += [("stdout", captured.out), ("stderr", captured.err)]
    key, _cert, _ = pkcs12.load_key_and_certificates(jit_pfx.read_bytes(), PFX_PASSWORD.encode())
    assert key is not None
    sweep.sent(api)
    for number, request in enumerate(api.requests):
        otp = json.loads(request.body).get("data", {}).get("otpContext")
        if otp:
            sweep.secrets[f"otp {number}"] = otp["oneTimeCode"]
    sweep.check()
