"""Answers to claims or errors, without a network: the pure half of the pipeline."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector_sim import (
    Basic, ClientCertificate, Emulation, HttpStatusError, InvalidResponseError, OutputClaim, RestApiError,
    RestfulProfile,
)
from connector_sim.mapping import map_response, read_json_path, status_name
from connector_sim.wire import WireResponse


def _exchange(status: int, body: Any = b"", reason: str = "") -> WireResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WireResponse(status, reason, {}, raw)


def _profile(*outputs: OutputClaim, **kw: Any) -> RestfulProfile:
    kw.setdefault("auth", Basic("u", "p"))
    return RestfulProfile("https://api.contoso.com/x", id="REST-X", output_claims=outputs, **kw)


def test_flat_answer_by_partner_claim_type() -> None:
    profile = _profile(OutputClaim("loyaltyNumber", partner_claim_type="MembershipId"),
                       OutputClaim("loyaltyNumberIsNew", default_value="true", data_type="boolean"))
    claims, warnings = map_response(profile, _exchange(200, {"MembershipId": 1234, "extra": "ignored"}))
    assert claims == {"loyaltyNumber": "1234", "loyaltyNumberIsNew": True} and warnings == []


def test_nested_properties_need_json_paths() -> None:
    claim = OutputClaim("name", partner_claim_type="firstName.localized")
    answer = _exchange(200, {"firstName": {"localized": "Zoë"}})
    assert map_response(_profile(claim), answer)[0] == {}
    assert map_response(_profile(claim, resolve_json_paths_in_json_tokens=True), answer)[0] == {"name": "Zoë"}


@pytest.mark.parametrize("path,expected", [
    ("contacts[0].person.name", "Ann"), ("contacts[0].person.emails[1].email", "b@x"),
    ("elements[0].handle~.emailAddress", "li@x"), ("contacts[5].person", None), ("contacts.0.person", None),
    ("missing", None),
])
def test_json_paths_use_brackets(path: str, expected: Any) -> None:
    document = {"contacts": [{"person": {"name": "Ann", "emails": [{"email": "a@x"}, {"email": "b@x"}]}}],
                "elements": [{"handle~": {"emailAddress": "li@x"}}]}
    value = read_json_path(document, path)
    assert (value if isinstance(value, str) else None) == expected


def test_dotted_indexes_warn() -> None:
    profile = _profile(OutputClaim("e", partner_claim_type="data.0.email"), resolve_json_paths_in_json_tokens=True)
    claims, warnings = map_response(profile, _exchange(200, {"data": [{"email": "x"}]}))
    assert claims == {} and "brackets" in warnings[0]


def test_null_is_absent_with_a_warning_or_an_error_in_strict_mode() -> None:
    claim = OutputClaim("city", default_value="n/a")
    claims, warnings = map_response(_profile(claim), _exchange(200, {"city": None}))
    assert claims == {"city": "n/a"} and "null" in warnings[0]
    with pytest.raises(InvalidResponseError, match="null"):
        map_response(_profile(claim, emulation=Emulation(null_is_error=True)), _exchange(200, {"city": None}))


def test_arrays_of_objects_become_json_strings_in_a_string_collection() -> None:
    profile = _profile(OutputClaim("groups", data_type="stringCollection"))
    claims, _ = map_response(profile, _exchange(200, {"groups": ["a", {"id": 1}]}))
    assert claims == {"groups": ["a", '{"id":1}']}
    _, warnings = map_response(profile, _exchange(200, {"groups": []}))
    assert "55126" in warnings[0]


@pytest.mark.parametrize("body,match", [
    (b"not json", "not JSON"), (b'{"a": ', "not JSON"), (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2]", "JSON list"), (b'"text"', "JSON str"), (b"[" * 100000 + b"]" * 100000, "nested too deeply|not JSON"),
], ids=["text", "truncated", "bad-utf8", "array", "scalar", "deep"])
def test_unusable_200_answers(body: bytes, match: str) -> None:
    with pytest.raises(InvalidResponseError, match=match) as info:
        map_response(_profile(OutputClaim("x")), _exchange(200, body))
    assert info.value.user_message.startswith("Failed to establish connection to restful service end point")


def test_empty_body_is_fine_without_output_claims() -> None:
    assert map_response(_profile(), _exchange(200, b"")) == ({}, [])


def test_wrong_type_in_answer() -> None:
    with pytest.raises(InvalidResponseError, match="'age' \\(int\\)"):
        map_response(_profile(OutputClaim("age", data_type="int")), _exchange(200, {"age": "old"}))


def test_other_2xx_only_with_the_lenient_switch() -> None:
    with pytest.raises(HttpStatusError, match="Code 'Created'"):
        map_response(_profile(), _exchange(201, {}))
    assert map_response(_profile(emulation=Emulation(accept_any_2xx=True)), _exchange(201, {})) == ({}, [])


def test_error_contract_with_string_status_and_strict_mode() -> None:
    body = {"version": "1.0.0", "status": "409", "userMessage": "Nope"}
    with pytest.raises(RestApiError) as info:
        map_response(_profile(), _exchange(400, body))
    assert info.value.status == 409 and info.value.http_status == 400
    with pytest.raises(InvalidResponseError, match="must be 409"):
        map_response(_profile(emulation=Emulation(strict_error_status=True)), _exchange(400, {**body, "status": 400}))


@pytest.mark.parametrize("status,auth,code,error", [
    (401, "basic", "AADB2C90027", HttpStatusError), (403, "cert", "AADB2C90028", HttpStatusError),
    (404, "basic", "AADB2C90261", InvalidResponseError), (503, "basic", "AADB2C90075", HttpStatusError),
])
def test_status_codes(status: int, auth: str, code: str, error: type, certs: Any) -> None:
    strategy = Basic("u", "p") if auth == "basic" else ClientCertificate(certs.client_pfx, certs.password)
    with pytest.raises(error) as info:
        map_response(_profile(auth=strategy), _exchange(status, b""), step=2)
    assert info.value.b2c_code == code and "specified in step '2'" in info.value.user_message


def test_status_names_are_dotnets() -> None:
    assert [status_name(s) for s in (400, 404, 409, 413, 500, 599)] == [
        "BadRequest", "NotFound", "Conflict", "RequestEntityTooLarge", "InternalServerError", "599"]
