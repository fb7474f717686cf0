"""The pytest side of reporting: the objects behind ``b2c_report`` and ``b2c_run``, and the session's test results.

Imported by the plugin only (``connector_sim.pytest_plugin``), so pytest is never needed elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional

import pytest

from ..errors import ConfigurationError, ConnectorSimError
from ._verdicts import VerdictBook

if TYPE_CHECKING:
    from ..journey import JourneyResult
    from ._reports import CallRecord, Report

__all__ = ["B2CReport", "B2CRunner", "SessionResults"]


class SessionResults:
    """A plugin object: each test's verdict for the JUnit report, and the B2C calls of pytest-xdist workers."""

    def __init__(self, report: Callable[[], Report]) -> None:
        self.book = VerdictBook()
        self._report = report

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
        """Keep the exception class name on a failed report: the JUnit ``<failure type>``."""
        outcome = yield
        report = outcome.get_result()  # type: ignore[attr-defined]
        if call.excinfo is not None and report.failed:
            report.b2c_exception = call.excinfo.typename

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Add one phase report (under pytest-xdist the controller sees every worker's)."""
        self.book.add(report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """pytest-xdist: take the B2C calls a worker recorded, so the controller writes one merged report."""
        calls = getattr(node, "workeroutput", {}).get("connector_sim_calls")
        if calls:
            self._report().add_records(calls)


class B2CReport:
    """The ``b2c_report`` fixture: records calls of one test in the session's reports."""

    def __init__(self, report: Report, test: str, label: Optional[str]) -> None:
        self._report = report
        self.test = test
        self.label = label
        self.records: List[CallRecord] = []

    def add(self, result: Any, *, label: Optional[str] = None) -> Any:
        """Record a CallResult, JourneyResult, ConnectorOutcome or CallError; return it unchanged."""
        self.records += self._report.add(result, test=self.test, label=label or self.label)
        return result

    def add_secrets(self, values: Any) -> None:
        """Mask these values in the written reports as well."""
        self._report.add_secrets(values)


class B2CRunner:
    """The ``b2c_run`` fixture: runs profiles of a policy as B2C would and records each call."""

    def __init__(self, request: pytest.FixtureRequest, report: B2CReport, service_urls: Dict[str, str]) -> None:
        self._request = request
        self._report = report
        self._service_urls = dict(service_urls)
        self.results: List[JourneyResult] = []

    @property
    def last(self) -> JourneyResult:
        """The result of the latest run."""
        if not self.results:
            raise LookupError("b2c_run has not run anything yet in this test")
        return self.results[-1]

    def __call__(self, target: Any = None, *, claims: Any = None, service_urls: Any = None, policy: Any = None,
                 keys: Any = None, ca_bundle: Optional[str] = None, label: Optional[str] = None,
                 **options: Any) -> JourneyResult:
        """Run profile ids in order, one UserJourney id or one self-asserted id; return the JourneyResult.

        Without ``target`` the test's ``b2c_profile`` marker names them. The policy and keys default
        to the ``b2c_policy`` and ``b2c_keys`` fixtures; ``ca_bundle`` to the test CA when the test
        uses ``b2c_certificates`` (the local servers); other options go to ``run_journey``.
        """
        __tracebackhide__ = True
        from ..journey import run_journey

        request = self._request
        marker = request.node.get_closest_marker("b2c_profile")
        defaults = dict(marker.kwargs) if marker is not None else {}
        if target is None:
            if marker is None or not marker.args:
                pytest.fail("b2c_run() needs technical profile ids: pass them, or mark the test with "
                            "@pytest.mark.b2c_profile('REST-...')", pytrace=False)
            target = list(marker.args) if len(marker.args) > 1 else marker.args[0]
        urls = {**self._service_urls, **(defaults.get("service_urls") or {}), **(service_urls or {})}
        if claims is None:
            claims = defaults.get("claims")
        if policy is None:
            policy = request.getfixturevalue("b2c_policy")
        if keys is None:
            keys = request.getfixturevalue("b2c_keys")
        if ca_bundle is None and "b2c_certificates" in request.fixturenames:
            ca_bundle = request.getfixturevalue("b2c_ca_bundle")
        self._report.add_secrets(keys.secret_values() if hasattr(keys, "secret_values") else [])
        try:
            result = run_journey(policy, target, claims=claims, keys=keys, service_urls=urls, ca_bundle=ca_bundle,
                                 **options)
        except ConfigurationError as exc:
            # A typo in a profile id or an option is the test's mistake: one line, with "did you mean".
            self._report.add(exc, label=label)
            hint = f"; {exc.hint}" if exc.hint else ""
            pytest.fail(f"b2c_run: {exc.message}{hint}", pytrace=False)
        except ConnectorSimError as exc:
            self._report.add(exc, label=label)
            raise
        self.results.append(result)
        self._report.add(result, label=label)
        return result
