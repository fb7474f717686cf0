"""testing/jwt.py on PyJWT: its tokens are PyJWT's, it checks PyJWT's tokens, and its clock can be injected."""

from __future__ import annotations

import time

import jwt as pyjwt
import pytest

from connector_sim.testing.jwt import InvalidTokenError, SigningKey, b64url_encode, decode_unverified, verify

NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey()


def _claims(**extra: object) -> dict:
    return {"iss": "https://issuer", "aud": "api://x", "iat": NOW, "nbf": NOW, "exp": NOW + 3600, **extra}


def test_its_tokens_are_standard_and_it_accepts_standard_tokens(key: SigningKey) -> None:
    token = key.sign(_claims())
    header = pyjwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"] == key.kid and header["x5t"] == key.kid
    assert pyjwt.decode(token, key.key.public_key(), algorithms=["RS256"], audience="api://x",
                        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})["iss"] == "https://issuer"

    theirs = pyjwt.encode(_claims(), key.key, algorithm="RS256", headers={"kid": key.kid})
    assert key.verify(theirs, audience="api://x", issuer="https://issuer", now=NOW + 10)["aud"] == "api://x"


@pytest.mark.parametrize(("moment", "message"), [(NOW + 7200, "expired"), (NOW - 60, "not yet valid")],
                         ids=["expired", "not-yet-valid"])
def test_the_clock_is_injected_not_read(key: SigningKey, moment: float, message: str) -> None:
    token = key.sign(_claims())
    with pytest.raises(InvalidTokenError, match=message):
        key.verify(token, now=moment)
    assert key.verify(token, now=moment, leeway=abs(moment - NOW) + 1)


def test_refusals(key: SigningKey) -> None:
    fresh = {"iat": time.time(), "nbf": time.time(), "exp": time.time() + 60}
    unsigned = b64url_encode(b'{"alg":"none","kid":"k"}') + "." + b64url_encode(b"{}") + "."
    with pytest.raises(InvalidTokenError):
        verify(unsigned, {key.kid: key.key.public_key()})
    with pytest.raises(InvalidTokenError, match="unknown key id"):
        verify(pyjwt.encode(fresh, key.key, algorithm="RS256", headers={"kid": "other"}),
               {key.kid: key.key.public_key()})
    with pytest.raises(InvalidTokenError, match="exp"):
        key.verify(key.sign({"iat": NOW, "nbf": NOW}), now=NOW)
    with pytest.raises(InvalidTokenError, match="audience"):
        key.verify(key.sign({**fresh, "aud": "api://y"}), audience="api://x")
    with pytest.raises(InvalidTokenError):
        decode_unverified("not-a-token")
