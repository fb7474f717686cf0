"""The negative token matrix against real local APIs: a correct PyJWT API passes, each broken API is caught."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from connector_sim import ConfigurationError, StaticBearer
from connector_sim.connectors._external_id import ExternalIdExtension
from connector_sim.testing import CertificateSet, EntraAuthority, TlsServer
from connector_sim.testing._negative import CASE_NAMES
from tests.helpers.extension_apis import BROKEN, validating_api

APP = "5528a4be-4453-44f1-82f6-2ce4130cac1b"


@pytest.fixture(scope="module", params=["login", "ciamlogin", "sts"])
def authority(request: Any, certs: CertificateSet) -> Iterator[EntraAuthority]:
    with EntraAuthority(issuer_format=request.param, certificates=certs) as made:
        yield made


def _extension(api: TlsServer, certs: CertificateSet, **kw: Any) -> ExternalIdExtension:
    return ExternalIdExtension(api.url("/api/events"), StaticBearer("unused"), ca_bundle=str(certs.ca_pem),
                               maximum_retries=0, **kw)


def test_a_correct_api_refuses_every_wrong_token_and_accepts_the_right_one(
        authority: EntraAuthority, api: TlsServer, certs: CertificateSet) -> None:
    api.handler = validating_api(authority, APP)
    result = _extension(api, certs).auth_check(authority, APP)
    assert [case.name for case in result.cases] == list(CASE_NAMES)
    assert result.ok and result.findings == (), result.summary()
    statuses = {case.name: case.status for case in result.cases}
    assert statuses["valid"] == 200 and statuses["other-client-app"] == 403
    assert all(statuses[name] == 401 for name in CASE_NAMES if name not in ("valid", "other-client-app"))
    assert result.version == authority.default_version and result.issuer == authority.issuer
    # The header of each case really differs: the API saw one request per case, the first without a header.
    seen = [request.header("Authorization") for request in api.requests]
    assert len(seen) == len(CASE_NAMES) and seen[1] is None and len(set(seen)) == len(CASE_NAMES)


@pytest.mark.parametrize("mistake", sorted(BROKEN))
def test_each_broken_api_is_flagged_for_exactly_its_mistake(
        mistake: str, authority: EntraAuthority, api: TlsServer, certs: CertificateSet) -> None:
    api.handler = validating_api(authority, APP, mistake=mistake)
    result = _extension(api, certs).auth_check(authority, APP)
    assert {case.name for case in result.findings} == BROKEN[mistake], result.summary()
    assert not result.ok and "SECURITY" in result.summary()
    valid = result.cases[0]
    assert valid.name == "valid" and valid.ok


def test_an_api_that_refuses_the_right_token_fails_with_the_reason(
        authority: EntraAuthority, api: TlsServer, certs: CertificateSet) -> None:
    api.handler = validating_api(authority, "00000000-1111-2222-3333-444444444444")  # configured for another app
    result = _extension(api, certs).auth_check(authority, APP)
    valid = result.cases[0]
    assert not valid.ok and valid.accepted is False and "audience" in valid.reason
    assert result.findings == () and not result.ok


def test_refusing_with_another_status_is_no_finding_but_fails(
        authority: EntraAuthority, api: TlsServer, certs: CertificateSet) -> None:
    good = validating_api(authority, APP)

    def handler(request: Any) -> Any:
        reply = good(request)
        return (500, {"error": "boom"}) if reply.status == 401 else reply

    api.handler = handler
    result = _extension(api, certs).auth_check(authority, APP)
    wrong = [case for case in result.cases if not case.ok]
    assert wrong and all(case.accepted is None and "401" in case.reason for case in wrong)
    assert result.findings == ()


def test_the_result_names_no_token(authority: EntraAuthority, api: TlsServer, certs: CertificateSet) -> None:
    api.handler = validating_api(authority, APP)
    result = _extension(api, certs).auth_check(authority, APP)
    shown = json.dumps(result.to_dict()) + result.summary() + repr(result)
    tokens = [request.header("Authorization") for request in api.requests if request.header("Authorization")]
    assert tokens and not any(token.split(" ", 1)[1] in shown for token in tokens)


def test_auth_check_takes_any_event(authority: EntraAuthority, api: TlsServer, certs: CertificateSet) -> None:
    api.handler = validating_api(authority, APP)
    result = _extension(api, certs).auth_check(authority, APP, event="attribute-collection-start")
    assert result.event == "OnAttributeCollectionStart" and result.ok
    assert api.requests[0].json()["type"].endswith("attributeCollectionStart")


def test_bad_input_is_a_configuration_error(api: TlsServer, certs: CertificateSet,
                                            authority: EntraAuthority) -> None:
    with pytest.raises(ConfigurationError, match="not an application"):
        _extension(api, certs).auth_check(authority, "not-a-guid")
    with pytest.raises(ConfigurationError, match="EntraAuthority"):
        _extension(api, certs).auth_check(object(), APP)
    with pytest.raises(ConfigurationError, match="unknown authentication event"):
        _extension(api, certs).auth_check(authority, APP, event="OnSomethingElse")
