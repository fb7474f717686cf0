"""Request shaping: SendClaimsIn, renaming, defaults, resolvers and data types (pure, no network)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from connector_sim import (
    Basic, Bearer, ClaimResolverContext, ClaimsError, Emulation, InputClaim, OutputClaim, RestfulProfile,
)
from connector_sim.encoding import encode_request

URL = "https://api.contoso.com/api/GetProfile"


def _profile(**kw: Any) -> RestfulProfile:
    kw.setdefault("auth", Basic("u", "p"))
    return RestfulProfile(kw.pop("url", URL), **kw)


def test_body_is_a_json_object_under_partner_names_and_leaves_out_empty_claims() -> None:
    profile = _profile(input_claims=[
        InputClaim("email"), InputClaim("givenName", partner_claim_type="firstName"),
        InputClaim("surname"), InputClaim("city"),
        InputClaim("userLanguage", partner_claim_type="language", default_value="en"),
    ])
    request = encode_request(profile, {"email": "a@b.c", "givenName": "Zoë", "surname": "", "city": None})
    assert (request.method, request.url, request.headers) == ("POST", URL, {"Content-Type": "application/json"})
    assert json.loads(request.body) == {"email": "a@b.c", "firstName": "Zoë", "language": "en"}


def test_always_use_default_value_overrides_the_bag() -> None:
    profile = _profile(send_claims_in="Form", input_claims=[
        InputClaim("grant_type", default_value="client_credentials", always_use_default_value=True),
        InputClaim("scope", default_value="https://graph.microsoft.com/.default", always_use_default_value=True)])
    request = encode_request(profile, {"grant_type": "password", "scope": "other"})
    assert request.headers == {"Content-Type": "application/x-www-form-urlencoded"}
    assert request.body == b"grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"


def test_claim_resolvers_need_both_switches() -> None:
    claims = [InputClaim("lang", default_value="{Culture:LCID}", always_use_default_value=True),
              InputClaim("correlationId", default_value="{Context:CorrelationId}", always_use_default_value=True),
              InputClaim("when", default_value="{Context:DateTimeInUtc}", always_use_default_value=True),
              InputClaim("literal", default_value="{Culture:LCID}")]
    context = ClaimResolverContext(culture="fr-FR", correlation_id="corr-1",
                                   clock=lambda: dt.datetime(2021, 10, 10, 12, 0, tzinfo=dt.timezone.utc))
    on = encode_request(_profile(input_claims=claims, include_claim_resolving_in_claims_handling=True), {}, context)
    assert json.loads(on.body) == {"lang": "1036", "correlationId": "corr-1", "when": "10/10/2021 12:00:00 PM",
                                   "literal": "{Culture:LCID}"}
    off = encode_request(_profile(input_claims=claims), {}, context)
    assert json.loads(off.body)["lang"] == "{Culture:LCID}"


@pytest.mark.parametrize("mode", ["typed", "stringly"])
def test_data_types_in_body(mode: str) -> None:
    profile = _profile(emulation=Emulation(json_types=mode), input_claims=[
        InputClaim("flag", data_type="boolean"), InputClaim("n", data_type="int"), InputClaim("big", data_type="long"),
        InputClaim("groups", data_type="stringCollection"), InputClaim("born", data_type="date"),
        InputClaim("seen", data_type="dateTime")])
    body = json.loads(encode_request(profile, {
        "flag": "True", "n": "7", "big": 2**40, "groups": ["a", "b"], "born": dt.date(2000, 1, 2),
        "seen": dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)}).body)
    typed = {"flag": True, "n": 7, "big": 2**40, "groups": ["a", "b"], "born": "2000-01-02",
             "seen": "2024-05-06T07:08:09Z"}
    assert body == (typed if mode == "typed" else {**typed, "flag": "true", "n": "7", "big": str(2**40)})


@pytest.mark.parametrize("value,data_type", [("yes", "boolean"), ("1.5", "int"), (2**31, "int"),
                                             ("2024-13-01", "date"), ({"a": 1}, "string")])
def test_a_value_that_cannot_be_sent_is_a_claims_error(value: Any, data_type: str) -> None:
    profile = _profile(input_claims=[InputClaim("x", data_type=data_type)])
    with pytest.raises(ClaimsError, match="'x' cannot be sent"):
        encode_request(profile, {"x": value})


def test_query_string_is_merged_with_the_service_url_query() -> None:
    profile = _profile(url="https://fn.azurewebsites.net/api/x?code=abc", send_claims_in="QueryString",
                       input_claims=[InputClaim("givenName", partner_claim_type="name"), InputClaim("tags",
                                     data_type="stringCollection")])
    request = encode_request(profile, {"givenName": "Jean Zoë&co", "tags": ["a", "b"]})
    assert request.method == "GET" and request.body is None
    assert urlsplit(request.url).query == "code=abc&name=Jean%20Zo%C3%AB%26co&tags=a&tags=b"


def test_headers_mode_and_its_limits() -> None:
    profile = _profile(send_claims_in="Header", input_claims=[InputClaim("email"), InputClaim("city")])
    request = encode_request(profile, {"email": "a@b.c", "city": "Zürich"})
    assert request.method == "GET" and request.headers == {"email": "a@b.c", "city": "Zürich".encode()}
    with pytest.raises(ClaimsError, match="line breaks"):
        encode_request(profile, {"email": "a@b.c\r\nX-Injected: 1"})
    bad_name = _profile(send_claims_in="Header", input_claims=[InputClaim("e", partner_claim_type="bad name")])
    with pytest.raises(ClaimsError, match="not a valid HTTP header name"):
        encode_request(bad_name, {"e": "x"})


def test_url_placeholders_match_partner_then_reference_ignoring_case() -> None:
    profile = _profile(url="https://api.contoso.com/users/{objectId}/sessions/{CLIENTSESSIONID}?v={ver}",
                       send_claims_in="Url", input_claims=[
                           InputClaim("oid", partner_claim_type="objectId"), InputClaim("clientsessionId"),
                           InputClaim("ver"), InputClaim("unused")])
    request = encode_request(profile, {"oid": "a/b c", "clientsessionId": "s1", "ver": "2", "unused": "x"})
    assert request.url == "https://api.contoso.com/users/a%2Fb%20c/sessions/s1?v=2"
    with pytest.raises(ClaimsError, match=r"placeholder \{objectId\} has no input claim"):
        encode_request(profile, {"clientsessionId": "s1", "ver": "2"})


def test_claim_used_for_request_payload_is_the_whole_body() -> None:
    profile = _profile(claim_used_for_request_payload="payload",
                       input_claims=[InputClaim("payload"), InputClaim("email")])
    request = encode_request(profile, {"payload": '{"id": 1}', "email": "a@b.c"})
    assert request.body == b'{"id": 1}'


def test_bearer_claim_is_not_sent_in_the_payload() -> None:
    profile = _profile(auth=Bearer(), input_claims=[InputClaim("bearerToken"), InputClaim("email")])
    assert json.loads(encode_request(profile, {"bearerToken": "t", "email": "a@b.c"}).body) == {"email": "a@b.c"}


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ClaimsError, match="not valid Unicode"):
        encode_request(_profile(input_claims=[InputClaim("x")]), {"x": "\ud800"})


@responses.activate
def test_wire_shape_through_requests_with_responses() -> None:
    responses.add(responses.POST, URL, json={"loyaltyNumber": "L-1"},
                  match=[responses.matchers.json_params_matcher({"email": "a@b.c"}),
                         responses.matchers.header_matcher({"Authorization": "Basic dTpw"})])
    profile = _profile(input_claims=[InputClaim("email")], output_claims=[OutputClaim("loyaltyNumber")])
    assert profile.call({"email": "a@b.c"}).claims == {"loyaltyNumber": "L-1"}
    assert parse_qs(urlsplit(responses.calls[0].request.url).query) == {}
