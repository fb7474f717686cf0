"""Property-based tests (hypothesis): any input either works exactly or fails with a ``ConnectorSimError``.

(a) Claim encoding: any Unicode claim name and value, in every SendClaimsIn mode, reaches a real local
    HTTPS server and decodes there to exactly what was sent, or is refused before sending with a
    ``ClaimsError`` (a header name that is not a token, a lone surrogate, a value that would change the
    URL's path) or a ``ConfigurationError`` for a name B2C would refuse at upload.
(b) Output mapping: any JSON answer, any output claim data types, with and without
    ResolveJsonPathsInJsonTokens, maps to claims or raises a ``ConnectorSimError``, never anything else.
(c) The API connector and External ID judges turn any answer into a verdict without raising.
"""

from __future__ import annotations

import json
from typing import Any, Iterator
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from connector_sim import ClaimsError, ConnectorSimError, InputClaim, NoAuth, OutputClaim, RestfulProfile, TimingProfile
from connector_sim.connectors._connector_contract import judge_answer
from connector_sim.connectors._request import STEPS
from connector_sim.datatypes import DATA_TYPES
from connector_sim.connectors._extension_contract import EVENTS, judge_extension_answer
from connector_sim.mapping import map_response
from connector_sim.testing import Reply, TlsServer
from connector_sim.wire import WireResponse

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)
TIMING = TimingProfile("property-test", 5.0, 0)

# Any Unicode text, lone surrogates included (they cannot be encoded, so they must be refused), mixed
# with fragments that break naive encoders: separators, dot segments, edge whitespace, controls.
TRICKY = ["..", ".", "/", "%2F", "+", "&", "=", ";", "#", "?", "{x}", " ", "\t", "\x0b", "\x0c", "\x1c", "\x85",
          "\xa0", "\u2028", "\r", "\n", "\x00", "\x7f", "\ud800", "\udfff", "\ufeff", "Å", "ß", "😀", "\u0301"]
ANY_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=()), min_size=1, max_size=24),
    st.lists(st.sampled_from(TRICKY) | st.text(max_size=3), min_size=1, max_size=6).map("".join).filter(bool),
)
PLACEHOLDER_NAME = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd"), max_codepoint=0x24F),
                           min_size=1, max_size=12)


@pytest.fixture(scope="module")
def server(certs: Any) -> Iterator[TlsServer]:
    """One server for every example: it answers 200 and records what it decoded."""
    with TlsServer(lambda request: Reply(200, json={}), certificates=certs) as running:
        yield running


def _call(server: TlsServer, certs: Any, mode: str, name: str, value: str, url_path: str = "/api") -> Any:
    """Send one claim; return the request as the server received it, or None when connector_sim refused it
    with a ``ClaimsError`` (a ``ConnectorSimError``) before anything went over the wire."""
    server.clear()
    try:
        profile = RestfulProfile(server.url(url_path), auth=NoAuth(), send_claims_in=mode, timing=TIMING,
                                 ca_bundle=str(certs.ca_pem), deployment_mode="Development",
                                 input_claims=[InputClaim(name)])
    except ConnectorSimError:
        return None  # a claim name B2C would refuse at upload
    try:
        profile.call({name: value})
    except ClaimsError:
        return None  # refused before sending; any other error (a transport failure) fails the property
    finally:
        profile.close()
    (received,) = server.requests
    return received


@pytest.mark.parametrize("mode", ["Body", "Form", "QueryString"])
def test_any_claim_round_trips_in_the_payload(server: TlsServer, certs: Any, mode: str) -> None:
    @EXAMPLES
    @given(name=ANY_TEXT, value=ANY_TEXT)
    @example(name="n", value="\ud800")
    @example(name="\udfff", value="v")
    @example(name="a&b=c", value="x+y z%20/?#")
    def check(name: str, value: str) -> None:
        received = _call(server, certs, mode, name, value)
        encodable = not any(0xD800 <= ord(c) <= 0xDFFF for c in name + value)
        if received is None:
            assert not encodable, "refused a claim that can be sent"
            return
        assert encodable
        if mode == "Body":
            assert received.json() == {name: value}
        elif mode == "Form":
            assert received.form() == {name: value}
        else:
            assert {k: v for k, v in received.query.items()} == {name: [value]}

    check()


def test_any_claim_round_trips_in_a_header(server: TlsServer, certs: Any) -> None:
    @EXAMPLES
    @given(name=st.one_of(ANY_TEXT, st.from_regex(r"\A[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}\Z")), value=ANY_TEXT)
    @example(name="x-value", value="\x0bleading vertical tab")
    @example(name="x-value", value="trailing form feed\x0c")
    @example(name="x-value", value="J\u00fcrgen \u00c5sa \x85")
    @example(name="x value", value="v")
    def check(name: str, value: str) -> None:
        received = _call(server, certs, "Header", name, value)
        if received is None:
            return  # refused with a ConnectorSimError: names must be tokens, values plain text on one line
        # The test server reads header bytes as Latin-1; connector_sim sends non-ASCII values as UTF-8.
        assert received.header(name).encode("latin-1").decode("utf-8") == value

    check()


def test_any_claim_round_trips_in_the_url_path(server: TlsServer, certs: Any) -> None:
    @EXAMPLES
    @given(name=PLACEHOLDER_NAME, value=ANY_TEXT)
    @example(name="id", value="..")
    @example(name="id", value=".")
    @example(name="id", value="\ud800")
    @example(name="id", value="a/../b")
    def check(name: str, value: str) -> None:
        assume("{" not in name and "}" not in name)
        received = _call(server, certs, "Url", name, value, url_path=f"/api/users/{{{name}}}/profile")
        if received is None:
            return  # refused: lone surrogates, or a dot segment that would move the path
        assert received.path.startswith("/api/users/") and received.path.endswith("/profile")
        segment = received.path[len("/api/users/"):-len("/profile")]
        assert unquote(segment, errors="strict") == value

    check()


# -- (b) output mapping ----------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(["a", "b", "loyaltyNumber", "a[0]", "a.b", "a[0].b", "b[1][0]", "", "[0]", "a..b"])


@st.composite
def answers(draw: Any) -> tuple[RestfulProfile, WireResponse]:
    document = draw(st.dictionaries(st.sampled_from(["a", "b", "loyaltyNumber"]), JSON, max_size=3) | JSON)
    body = draw(st.sampled_from(["json", "bytes"]))
    raw = json.dumps(document).encode() if body == "json" else draw(st.binary(max_size=64))
    claims = [OutputClaim(f"c{i}", partner_claim_type=draw(KEYS), data_type=draw(st.sampled_from(sorted(DATA_TYPES))),
                          default_value=draw(st.none() | st.text(max_size=4)))
              for i in range(draw(st.integers(1, 3)))]
    profile = RestfulProfile("https://api.contoso.example/api", auth=NoAuth(), deployment_mode="Development",
                             output_claims=claims, resolve_json_paths_in_json_tokens=draw(st.booleans()))
    status = draw(st.sampled_from([200, 200, 200, 201, 204, 302, 400, 401, 409, 500]))
    exchange = WireResponse(status, "", {"Content-Type": "application/json"}, raw)
    return profile, exchange


@settings(max_examples=200, deadline=None, derandomize=True)
@given(answers())
def test_any_answer_maps_or_raises_a_connector_sim_error(answer: tuple[RestfulProfile, WireResponse]) -> None:
    profile, exchange = answer
    try:
        claims, warnings = map_response(profile, exchange)
    except ConnectorSimError:
        return
    assert exchange.status == 200 and set(claims) <= {c.claim_type_reference_id for c in profile.output_claims}
    assert all(isinstance(w, str) for w in warnings)


# -- (c) connector judges -------------------------------------------------------------------------------

ANSWER_BODY = st.one_of(
    st.binary(max_size=64),
    JSON.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"version": JSON, "action": JSON, "status": JSON, "userMessage": JSON},
                          optional={"email": JSON, "extension_x": JSON}).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"data": st.fixed_dictionaries(
        {"@odata.type": JSON, "actions": st.lists(st.dictionaries(st.sampled_from(
            ["@odata.type", "message", "attributes", "inputs", "claims", "attributeErrors"]), JSON), max_size=2)})
    }).map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(step=st.sampled_from(STEPS), status=st.sampled_from([200, 400, 401, 500]), body=ANSWER_BODY)
def test_any_connector_answer_gets_a_verdict(step: str, status: int, body: bytes) -> None:
    verdict = judge_answer(step, status, body, extensions_app_id="25883231-668a-43a7-80b2-5685c3f874bc")
    assert verdict.action is None or verdict.action in ("Continue", "ShowBlockPage", "ValidationError")


@settings(max_examples=100, deadline=None, derandomize=True)
@given(event=st.sampled_from(sorted(EVENTS)), status=st.sampled_from([200, 400, 500]), body=ANSWER_BODY)
def test_any_external_id_answer_gets_a_verdict(event: str, status: int, body: bytes) -> None:
    sent = {"city": "microsoft.graph.stringDirectoryAttributeValue"}
    judge_extension_answer(EVENTS[event], status, {"Content-Type": "application/json"}, body, sent)
