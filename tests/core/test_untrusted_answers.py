"""API answers are untrusted input: each bad answer, sent by a real local server, maps to the B2C error it
would cause, for a RESTful technical profile and for a user-flow API connector alike; memory stays bounded.

What B2C does with a 200 answer it cannot read is not documented (behaviour file §7.1, §14): connector_sim
fails the call with the profile's DefaultUserMessageIfRequestFailed text. A 4xx it cannot read is
AADB2C90261, any other status AADB2C90075 (§7.3). B2C's handling of redirects is not documented either:
connector_sim never follows one (so the credentials never travel to another host) and reports the 3xx
as AADB2C90075, like any other non-success status.
"""

from __future__ import annotations

import time
import tracemalloc
import zlib
from typing import Any, Callable, Dict, Tuple

import pytest

from connector_sim import (
    ApiConnector, Basic, HttpStatusError, InvalidResponseError, OutputClaim, RestfulProfile, TimingProfile,
)
from connector_sim.testing import Reply, TlsServer

from tests.helpers import SECRETS

MB = 1024 * 1024
TIMING = TimingProfile("answers-test", 2.0, 1)
FAILED = "Failed to establish connection to restful service end point. Restful service URL: "
DEEP = b"[" * 100_000 + b"]" * 100_000
JSON_TYPE = {"Content-Type": "application/json"}


def _gzip_bomb() -> bytes:
    # 100 MB of JSON in about 100 KB: the cap must hold on the decoded size, not the size on the wire.
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: the gzip format
    block = b"0" * MB
    parts = [packer.compress(b'{"padding":"')] + [packer.compress(block) for _ in range(100)]
    return b"".join(parts + [packer.compress(b'"}'), packer.flush()])


_BOMB: Dict[str, bytes] = {}


def bomb() -> bytes:
    if "x" not in _BOMB:
        _BOMB["x"] = _gzip_bomb()
    return _BOMB["x"]


# case -> handler; answers sent with status 200 unless the case says otherwise
ANSWERS: Dict[str, Callable[[], Reply]] = {
    "html": lambda: Reply(200, body="<html><body>Welcome</body></html>", headers={"Content-Type": "text/html"}),
    "truncated-json": lambda: Reply(200, body=b'{"loyaltyNumber": "12', headers={"Content-Type": "application/json"}),
    "invalid-utf8": lambda: Reply(200, body=b'{"loyaltyNumber": "\xff\xfe"}', headers=JSON_TYPE),
    "json-array": lambda: Reply(200, json=[{"loyaltyNumber": "L-1"}]),
    "json-scalar": lambda: Reply(200, body=b"42", headers={"Content-Type": "application/json"}),
    "json-string": lambda: Reply(200, body=b'"L-1"', headers={"Content-Type": "application/json"}),
    "deeply-nested": lambda: Reply(200, body=DEEP, headers={"Content-Type": "application/json"}),
    "100mb": lambda: Reply(200, body_size=100 * MB),
    "gzip-bomb": lambda: Reply(200, body=bomb(), headers={"Content-Type": "application/json",
                                                           "Content-Encoding": "gzip"}),
    "json-as-html": lambda: Reply(200, body=b"<!doctype html><p>oops</p>", headers=JSON_TYPE),
}

# case -> (error class, reason in the message, b2c code)
PROFILE_EXPECTED: Dict[str, Tuple[type, str, Any]] = {
    "html": (InvalidResponseError, "not JSON", None),
    "truncated-json": (InvalidResponseError, "not JSON", None),
    "invalid-utf8": (InvalidResponseError, "not UTF-8", None),
    "json-array": (InvalidResponseError, "JSON list, but B2C expects a JSON object", None),
    "json-scalar": (InvalidResponseError, "JSON int, but B2C expects a JSON object", None),
    "json-string": (InvalidResponseError, "JSON str, but B2C expects a JSON object", None),
    "deeply-nested": (InvalidResponseError, "nested too deeply", None),
    "100mb": (InvalidResponseError, "larger than 4194304 bytes", None),
    "gzip-bomb": (InvalidResponseError, "larger than 4194304 bytes", None),
    "json-as-html": (InvalidResponseError, "not JSON", None),
}

# case -> (violation rule, what the user sees starts with)
CONNECTOR_EXPECTED: Dict[str, Tuple[str, str]] = {
    "html": ("non-json-body", "AADB2C90048"),
    "truncated-json": ("non-json-body", "AADB2C90048"),
    "invalid-utf8": ("non-json-body", "AADB2C90048"),
    "json-array": ("body-not-object", "AADB2C90048"),
    "json-scalar": ("body-not-object", "AADB2C90048"),
    "json-string": ("body-not-object", "AADB2C90048"),
    "deeply-nested": ("non-json-body", "AADB2C90048"),
    "100mb": ("response-too-large", FAILED),
    "gzip-bomb": ("response-too-large", FAILED),
    "json-as-html": ("non-json-body", "AADB2C90048"),
}


def _profile(url: str, certs: Any) -> RestfulProfile:
    return RestfulProfile(url, auth=Basic("b2c", SECRETS["password"]), timing=TIMING, ca_bundle=str(certs.ca_pem),
                          output_claims=[OutputClaim("loyaltyNumber")])


def _measured(action: Callable[[], Any]) -> Tuple[Any, float, int]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        value = action()
    except Exception as exc:  # noqa: BLE001 - the test inspects whatever came out
        value = exc
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return value, elapsed, peak


@pytest.mark.parametrize("case", list(ANSWERS))
def test_restful_profile_maps_a_bad_answer_to_b2cs_error(api: Any, certs: Any, case: str) -> None:
    reply = ANSWERS[case]()
    api.handler = lambda request: reply
    profile = _profile(api.url("/api/profile"), certs)

    error, elapsed, peak = _measured(lambda: profile.call({"email": "ada@contoso.com"}))
    profile.close()

    error_class, reason, code = PROFILE_EXPECTED[case]
    assert type(error) is error_class, repr(error)
    assert reason in error.message and error.b2c_code == code and error.http_status in (200, None)
    assert error.user_message.startswith(FAILED)  # what the end user would see
    assert len(error.attempts) == 1  # an answer, however bad, is not retried
    assert error.result is not None and error.result.claims == {}
    assert elapsed < 5.0
    assert peak < 24 * MB, f"{peak / MB:.1f} MB"  # the cap is 4 MB; 100 MB never sits in memory


@pytest.mark.parametrize("case", list(ANSWERS))
def test_api_connector_maps_a_bad_answer_to_b2cs_page(api: Any, certs: Any, case: str) -> None:
    reply = ANSWERS[case]()
    api.handler = lambda request: reply
    with ApiConnector(api.url("/api/connector"), Basic("b2c", SECRETS["password"]), timing=TIMING,
                      ca_bundle=str(certs.ca_pem)) as connector:
        outcome, elapsed, peak = _measured(lambda: connector.post_attribute_collection(email="ada@contoso.com"))

    rule, page = CONNECTOR_EXPECTED[case]
    assert outcome.action is None and not outcome.ok and outcome.claims == {}
    assert [v.rule for v in outcome.violations] == [rule]
    assert outcome.user_sees.startswith(page)
    assert elapsed < 5.0 and peak < 24 * MB


@pytest.mark.parametrize("status,body,code,name", [
    (400, b"<html>Bad Request</html>", "AADB2C90261", "InvalidResponseError"),
    (409, b'["not", "an", "object"]', "AADB2C90261", "InvalidResponseError"),
    (409, DEEP, "AADB2C90261", "InvalidResponseError"),
    (409, b'{"version": "1.0.0", "status": 409, "userMessage": "\xff"}', "AADB2C90261", "InvalidResponseError"),
    (500, b"<html>oops</html>", "AADB2C90075", "HttpStatusError"),
    (502, b"", "AADB2C90075", "HttpStatusError"),
], ids=["400-html", "409-array", "409-deep", "409-bad-utf8", "500-html", "502-empty"])
def test_unreadable_error_answers(api: Any, certs: Any, status: int, body: bytes, code: str, name: str) -> None:
    api.handler = lambda request: Reply(status, body=body, headers={"Content-Type": "application/json"})
    profile = _profile(api.url("/api/profile"), certs)
    error, _, _ = _measured(lambda: profile.call({}))
    profile.close()
    assert type(error).__name__ == name and error.b2c_code == code and error.http_status == status


def test_a_redirect_is_not_followed_to_another_host(api: Any, certs: Any) -> None:
    with TlsServer(certificates=certs) as elsewhere:
        api.handler = lambda request: Reply(302, headers={"Location": elsewhere.url("/steal")}, body=b"")
        profile = _profile(api.url("/api/profile"), certs)
        with pytest.raises(HttpStatusError) as info:
            profile.call({"email": "ada@contoso.com"})
        profile.close()
        assert elsewhere.requests == []  # neither the claims nor the Basic credentials went there
    error = info.value
    assert error.b2c_code == "AADB2C90075" and error.http_status == 302
    assert "Code 'Redirect'" in error.message and "does not follow redirects" in (error.hint or "")
    assert len(api.requests) == 1


def test_a_redirect_to_the_same_host_is_not_followed_either(api: Any, certs: Any) -> None:
    api.handler = lambda request: (Reply(307, headers={"Location": api.url("/api/v2")}) if request.path == "/api/v1"
                                   else Reply(200, json={"loyaltyNumber": "L-1"}))
    profile = _profile(api.url("/api/v1"), certs)
    with pytest.raises(HttpStatusError):
        profile.call({})
    profile.close()
    assert [r.path for r in api.requests] == ["/api/v1"]


def test_a_connector_redirect_is_an_http_status_violation(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(301, headers={"Location": "https://evil.example/"})
    with ApiConnector(api.url("/api/connector"), Basic("b2c", SECRETS["password"]), timing=TIMING,
                      ca_bundle=str(certs.ca_pem)) as connector:
        outcome = connector.post_attribute_collection(email="ada@contoso.com")
    assert [v.rule for v in outcome.violations] == ["http-status"] and outcome.user_sees.startswith("AADB2C90075")
    assert len(api.requests) == 1


@pytest.mark.parametrize("content_type", ["text/plain", "text/html", "application/octet-stream", None])
def test_content_type_is_not_checked_for_json_answers(api: Any, certs: Any, content_type: Any) -> None:
    # B2C's documentation names no Content-Type rule for answers; a JSON body is read whatever it says.
    headers = {"Content-Type": content_type} if content_type else {}
    api.handler = lambda request: Reply(200, body=b'{"loyaltyNumber": "L-7"}', headers=headers)
    profile = _profile(api.url("/api/profile"), certs)
    assert profile.call({}).claims == {"loyaltyNumber": "L-7"}
    profile.close()


def test_a_custom_request_failed_message_is_what_the_user_sees(api: Any, certs: Any) -> None:
    from connector_sim import UserMessages

    api.handler = lambda request: Reply(200, body="<html/>", headers={"Content-Type": "text/html"})
    profile = _profile(api.url("/api"), certs).with_changes(messages=UserMessages(request_failed="Try later."))
    error, _, _ = _measured(lambda: profile.call({}))
    profile.close()
    assert isinstance(error, InvalidResponseError) and error.user_message == "Try later."


def test_a_smaller_cap_is_honoured(api: Any, certs: Any) -> None:
    from connector_sim import Emulation

    api.handler = lambda request: Reply(200, body_size=64 * 1024)
    profile = _profile(api.url("/api"), certs).with_changes(emulation=Emulation(max_response_bytes=16 * 1024))
    error, _, _ = _measured(lambda: profile.call({}))
    profile.close()
    assert isinstance(error, InvalidResponseError) and "larger than 16384 bytes" in error.message


def test_an_empty_200_gives_defaults_not_an_error(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, body=b"")
    profile = _profile(api.url("/api"), certs).with_changes(
        output_claims=(OutputClaim("loyaltyNumber", default_value="none"),))
    result = profile.call({})
    profile.close()
    assert result.claims == {"loyaltyNumber": "none"} and result.warnings
