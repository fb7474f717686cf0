"""The transport's one translation table covers every exception requests, urllib3, ssl and socket define."""

from __future__ import annotations

import inspect
import socket
import ssl

import pytest
import requests
import urllib3

from connector_sim.transport import _CAUGHT, _TRANSLATIONS, FAILURE_KINDS, failure_kind


def _foreign_exceptions() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for module in (requests.exceptions, urllib3.exceptions, ssl, socket):
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and not obj.__name__.startswith("_") and obj.__module__.split(".")[0] in ("requests", "urllib3", "ssl",
                                                                                  "_ssl", "socket", "_socket"):
                found.append(obj)
    return found


def _warning(cls: type[BaseException]) -> bool:
    return issubclass(cls, Warning)


@pytest.mark.parametrize("cls", _foreign_exceptions(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_foreign_exception_is_caught_and_translated(cls: type[BaseException]) -> None:
    if _warning(cls):
        pytest.skip("warnings are not raised on the call path")
    assert issubclass(cls, _CAUGHT), f"{cls} would escape the transport untranslated"
    assert any(issubclass(cls, classes) for classes, _ in _TRANSLATIONS), f"{cls} has no row"
    try:
        instance = cls.__new__(cls)
        BaseException.__init__(instance, "x")
    except TypeError:
        pytest.skip("cannot be built without arguments")
    assert failure_kind(instance) in FAILURE_KINDS


def test_a_wrapped_dns_failure_is_dns_and_a_timeout_is_a_timeout() -> None:
    inner = socket.gaierror(-2, "Name or service not known")
    wrapped = requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", inner))
    assert failure_kind(wrapped) == "dns"
    assert failure_kind(requests.exceptions.ReadTimeout("slow")) == "timeout"
    assert failure_kind(requests.exceptions.SSLError("bad cert")) == "tls-error"
    assert failure_kind(ConnectionResetError()) == "connection-error"
