"""``Caller``: held like a requests.Session; ``prepare`` builds the exact request without sending it."""

from __future__ import annotations

from typing import Any

import pytest

from connector_sim import Basic, Caller, ClaimsError, InputClaim, OutputClaim, RestfulProfile, StaticBearer
from connector_sim.testing import Reply
from tests.helpers import SECRETS


def _profile(api: Any, certs: Any, **changes: Any) -> RestfulProfile:
    options: dict[str, Any] = dict(auth=Basic("b2c", SECRETS["password"]), input_claims=[InputClaim("email")],
                                   output_claims=[OutputClaim("loyaltyNumber")], ca_bundle=str(certs.ca_pem))
    options.update(changes)
    options.setdefault("service_url", api.url("/api/profile"))
    return RestfulProfile(**options)


def test_prepare_sends_nothing_and_shows_the_request_masked(api: Any, certs: Any) -> None:
    with Caller(_profile(api, certs)) as caller:
        prepared = caller.prepare({"email": "ada@contoso.com"})
    assert api.requests == []
    assert prepared.request.method == "POST" and prepared.request.body == b'{"email":"ada@contoso.com"}'
    assert prepared.request.headers["Authorization"] == "Basic ***"
    assert SECRETS["password"] not in repr(prepared)
    assert prepared.wire_request.headers["Authorization"] != "Basic ***"


def test_prepare_then_send_puts_the_same_bytes_on_the_wire(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "LN-1"})
    with Caller(_profile(api, certs)) as caller:
        prepared = caller.prepare({"email": "ada@contoso.com"})
        result = caller.send(prepared)
    assert result.claims == {"loyaltyNumber": "LN-1"}
    seen = api.requests[0]
    assert seen.body == prepared.wire_request.body
    assert seen.header("Authorization") == prepared.wire_request.headers["Authorization"]


def test_a_caller_keeps_one_connection_across_calls(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "LN-1"})
    with Caller(_profile(api, certs)) as caller:
        for _ in range(5):
            caller.call({"email": "ada@contoso.com"})
    assert len({r.client_address for r in api.requests}) == 1  # one client port: one connection


def test_prepare_raises_what_b2c_would_before_sending(api: Any, certs: Any) -> None:
    profile = _profile(api, certs, send_claims_in="Url",
                       service_url=api.url("/api/profile/{email}"))
    with pytest.raises(ClaimsError) as caught:
        Caller(profile).prepare({})
    assert caught.value.profile_id == profile.id and api.requests == []


def test_the_profile_stays_plain_data(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "LN-1"})
    profile = _profile(api, certs, auth=StaticBearer(SECRETS["static_token"]))
    twin = _profile(api, certs, auth=profile.auth)
    profile.call({"email": "ada@contoso.com"})
    assert profile == twin and repr(profile) == repr(twin)
    assert "caller" not in repr(profile) and "_held_caller" not in [f for f in profile.__dataclass_fields__]
    assert profile.with_changes(id="Other").__dict__.get("_held_caller") is None
    profile.close()


def test_claim_types_match_without_regard_to_case(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "LN-1"})
    profile = _profile(api, certs, input_claims=[InputClaim("surName"), InputClaim("email")])
    result = profile.call({"surname": "Lovelace", "Email": "ada@contoso.com"})
    profile.close()
    assert api.requests[-1].json() == {"surName": "Lovelace", "email": "ada@contoso.com"}
    assert result.ok
