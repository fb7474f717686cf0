"""The public surface is a contract: what ``connector_sim`` exports, and how it behaves as a tree."""

from __future__ import annotations

import inspect

import connector_sim
from connector_sim import errors

CONTRACT = {  # names other tools and tests rely on (issue: the core)
    "RestfulProfile", "InputClaim", "OutputClaim", "NoAuth", "Basic", "ClientCertificate", "Bearer",
    "StaticBearer", "ApiKeyHeader", "ClientCredentials", "ConnectorSimError", "RestApiError",
}


def test_all_is_sorted_and_complete() -> None:
    assert connector_sim.__all__ == sorted(connector_sim.__all__)
    public = {name for name in dir(connector_sim) if not name.startswith("_")} - {"annotations"} - {
        # submodules, not API
        name for name, obj in vars(connector_sim).items() if inspect.ismodule(obj)}
    assert public | {"__version__"} == set(connector_sim.__all__)
    assert CONTRACT <= set(connector_sim.__all__)


def test_every_public_name_has_a_docstring_and_shows_as_connector_sim() -> None:
    for name in connector_sim.__all__:
        obj = getattr(connector_sim, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name
            assert obj.__module__ == "connector_sim", name


def test_every_error_is_in_the_one_tree_with_an_exit_code() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, connector_sim.ConnectorSimError)
        assert cls.exit_code in (1, 2)
        assert getattr(connector_sim, name) is cls
    assert connector_sim.CallError.exit_code == 1 and connector_sim.ConfigurationError.exit_code == 2


def test_rest_api_error_carries_the_contract_fields() -> None:
    error = connector_sim.RestApiError("x", user_message="m", status=409, http_status=400, code="c",
                                       request_id="r", developer_message="d", more_info="i")
    assert (error.user_message, error.status, error.code, error.request_id, error.developer_message,
            error.more_info) == ("m", 409, "c", "r", "d", "i")
    assert error.http_status == 400 and error.to_dict()["status"] == 400
