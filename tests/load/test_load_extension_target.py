"""load.extension_target: an External ID event under load, at Entra's timing, with the tenant's rate warning."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from connector_sim import ConfigurationError, StaticBearer
from connector_sim.load import ExtensionTarget
from connector_sim.load.extension_target import RateMeter, extension_fields
from connector_sim.load.failures import Sample
from connector_sim.testing import EntraAuthority, Fault, Reply

APP = "5528a4be-4453-44f1-82f6-2ce4130cac1b"
OTP_OK = {"data": {"@odata.type": "microsoft.graph.OnOtpSendResponseData",
                   "actions": [{"@odata.type": "microsoft.graph.OtpSend.continueWithDefaultBehavior"}]}}


def _run(target: Any, rows: list[dict]) -> list[Sample]:
    samples: list[Sample] = []
    session = target.open()
    try:
        for row in rows:
            session.run(row, samples.append)
    finally:
        session.close()
    return samples


def test_samples_carry_the_event_and_the_failure_reason(api: Any, certs: Any) -> None:
    target = ExtensionTarget("otp-send", api.url("/api/otp"), EntraAuthority().caller(APP),
                             ca_bundle=str(certs.ca_pem), maximum_retries=0)
    assert target.timing.timeout == 2.0 and target.timing.retries == 0 and "2000 ms, 0 retries" in target.describe()
    api.handler = lambda request: Reply(200, json=OTP_OK)
    ok = _run(target, [{"email": "a@contoso.com"}])
    assert ok[0].name == "OnOtpSend" and ok[0].failure is None
    api.handler = lambda request: Reply(500, json={})
    assert _run(target, [{"email": "a@contoso.com"}])[0].failure.reason == "http-500"
    api.handler = lambda request: Reply(200, json={"data": {}})
    assert _run(target, [{"email": "a@contoso.com"}])[0].failure.reason == "contract-violation"
    api.handler = lambda request: Reply(fault=Fault.RESET)
    assert _run(target, [{"email": "a@contoso.com"}])[0].failure.reason == "connection-error"


def test_a_bad_row_is_a_configuration_failure_not_a_traceback(api: Any, certs: Any) -> None:
    target = ExtensionTarget("OnOtpSend", api.url("/api/otp"), StaticBearer("tok-1234"), ca_bundle=str(certs.ca_pem))
    sample = _run(target, [{"email": "no-address"}])[0]
    assert sample.failure is not None and sample.failure.reason == "configuration-error"


def test_entras_timing_limits_are_kept() -> None:
    for options in ({"timeout_ms": 5000}, {"maximum_retries": 2}):
        with pytest.raises(ConfigurationError):
            ExtensionTarget("OnTokenIssuanceStart", "https://api.contoso.com/x", StaticBearer("t"), **options)


def test_the_rate_meter_warns_once_above_fifty_per_second(caplog: pytest.LogCaptureFixture) -> None:
    now = [100.0]
    meter = RateMeter(clock=lambda: now[0])
    for _ in range(50):
        meter.tick()
        now[0] += 0.019  # 50 calls in 0.95 s: at the limit
    assert meter.peak == 50 and meter.note() is None
    now[0] += 2.0
    with caplog.at_level(logging.WARNING, logger="connector_sim.load"):
        for _ in range(60):
            meter.tick()
            now[0] += 0.01
    assert meter.peak == 60 and "60 extension calls in one second" in (meter.note() or "")
    assert [r.levelname for r in caplog.records if "extension calls" in r.getMessage()] == ["WARNING"]


def test_target_notes_report_the_rate() -> None:
    now = [0.0]
    target = ExtensionTarget("OnTokenIssuanceStart", "https://api.contoso.com/x", StaticBearer("t"),
                             clock=lambda: now[0], rate_limit=2)
    assert target.notes() == []
    for _ in range(3):
        target.meter.tick()
    assert "3 extension calls" in target.notes()[0]


@pytest.mark.parametrize("event, row, expected", [
    ("OnTokenIssuanceStart", {"mail": "a@b.c"}, {"user": {"mail": "a@b.c"}}),
    ("OnVerifiedIdClaimValidation", {"firstName": "J"}, {"claims": {"firstName": "J"}}),
    ("OnOtpSend", {"email": "a@b.c"}, {"email": "a@b.c"}),
    ("OnAttributeCollectionSubmit", {"email": "a@b.c", "city": "Paris"},
     {"built_ins": {"city": "Paris"}, "attributes": {}, "email": "a@b.c"}),
])
def test_rows_become_event_fields(event: str, row: dict, expected: dict) -> None:
    assert extension_fields(event, row) == expected
