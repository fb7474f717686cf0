"""RestfulProfile is checked when built, as B2C checks a policy at upload (§12.9)."""

from __future__ import annotations

from typing import Any

import pytest

from connector_sim import (
    Basic, Bearer, ConfigurationError, InputClaim, NoAuth, OutputClaim, RestfulProfile, TimingProfile,
)
from connector_sim.timing import TIMING_PROFILES, timing_profile

URL = "https://api.contoso.com/x"


@pytest.mark.parametrize("kwargs,code", [
    ({"send_claims_in": "Json"}, "AADB2C90029"),
    ({"service_url": ""}, "AADB2C90023"),
    ({"service_url": "ftp://api.contoso.com"}, "AADB2C90026"),
    ({"service_url": "https://{tenant}.contoso.com/x"}, "AADB2C90026"),
    ({"service_url": "http://api.contoso.com/x"}, "AADB2C90256"),
    ({"auth": NoAuth()}, "AADB2C90258"),
    ({"auth": Bearer("bearerToken")}, "AADB2C90193"),
    ({"claim_used_for_request_payload": "payload"}, "AADB2C90023"),
    ({"input_claims": [InputClaim("a", partner_claim_type="x"), InputClaim("b", partner_claim_type="x")]},
     "AADB2C99022"),
    ({"deployment_mode": "Staging"}, "AADB2C90026"),
], ids=["send-claims-in", "no-url", "not-http", "claim-in-host", "http-in-production", "none-in-production",
        "bearer-claim-not-input", "payload-claim-missing", "duplicate-names", "deployment-mode"])
def test_refused_at_construction_with_b2c_codes(kwargs: dict[str, Any], code: str) -> None:
    kwargs.setdefault("auth", Basic("u", "p"))
    service_url = kwargs.pop("service_url", URL)
    with pytest.raises(ConfigurationError) as info:
        RestfulProfile(service_url, **kwargs)
    assert info.value.b2c_code == code and info.value.exit_code == 2


@pytest.mark.parametrize("kwargs", [
    {"auth": NoAuth(), "allow_insecure_auth_in_production": True},
    {"auth": NoAuth(), "deployment_mode": "Development"},
    {"service_url": "http://localhost:7071/api/x", "deployment_mode": "Development"},
], ids=["none-allowed", "none-in-development", "http-in-development"])
def test_insecure_settings_allowed_where_b2c_allows_them(kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("auth", Basic("u", "p"))
    RestfulProfile(kwargs.pop("service_url", URL), **kwargs)


def test_unknown_data_type() -> None:
    with pytest.raises(ConfigurationError, match="unknown data type"):
        OutputClaim("x", data_type="float")


def test_auth_must_be_a_strategy() -> None:
    with pytest.raises(TypeError, match="AuthStrategy"):
        RestfulProfile(URL, auth=("u", "p"))  # type: ignore[arg-type]


def test_verb_follows_send_claims_in_and_lists_become_tuples() -> None:
    profile = RestfulProfile(URL, auth=Basic("u", "p"), send_claims_in="QueryString",
                             input_claims=[InputClaim("a")], timing="legacy-custom-policy")
    assert profile.method == "GET" and isinstance(profile.input_claims, tuple)
    assert profile.timing_profile == TimingProfile("legacy-custom-policy", 30.0, 2)
    assert profile.with_changes(service_url="https://localhost/x").service_url == "https://localhost/x"


def test_repr_names_claims_and_hides_keys_in_the_url() -> None:
    profile = RestfulProfile(URL + "?code=abc123", auth=Basic("u", "pw-77"), input_claims=[InputClaim("email")])
    text = repr(profile)
    assert "abc123" not in text and "pw-77" not in text and "'email'" in text


def test_timing_profiles() -> None:
    assert {n: (p.timeout, p.attempts) for n, p in TIMING_PROFILES.items()} == {
        "custom-policy": (10.0, 2), "user-flow": (5.0, 2), "legacy-custom-policy": (30.0, 3),
        "legacy-user-flow": (20.0, 2)}
    assert timing_profile("user-flow").budget == 10.0
    with pytest.raises(ConfigurationError, match="choose one of"):
        timing_profile("fast")
    with pytest.raises(ConfigurationError):
        TimingProfile("bad", 0, 1)
