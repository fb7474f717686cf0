"""pytest plugin: fixtures named ``b2c_*`` to call your API as Azure AD B2C does, markers, assertions, reports.

Installed with connector_sim, it loads by itself (entry point ``pytest11`` named
``connector_sim.pytest_plugin``, so ``-p connector_sim.pytest_plugin`` or ``pytest_plugins = [...]``
never registers it twice; ``-p no:connector_sim.pytest_plugin`` turns it off). It adds no autouse
fixture and imports no test server, msal, Werkzeug or uvicorn until a fixture needs them.

Fixtures: ``b2c_certificates`` (session; throwaway CA, server and client certificates),
``b2c_ca_bundle`` (its CA file), ``b2c_tls_server`` (factory of local HTTPS servers),
``b2c_token_clients`` + ``b2c_token_endpoint`` (fake Microsoft Entra), ``b2c_keys`` (``--b2c-keys``),
``b2c_policy`` (``--b2c-policy``; skips the test when none is given, fails it with ``--b2c-require-policy``),
``b2c_app_server`` (factory serving your own WSGI/ASGI app, optionally behind an App Service front),
``b2c_service_urls`` (override to point profiles at local servers), ``b2c_run`` (run profiles, recorded for
the reports) and ``b2c_report`` (record calls you make yourself). Markers:
``b2c_profile(*ids, claims=..., service_urls=...)`` gives ``b2c_run()`` its defaults; ``b2c_step(name)``
labels a test's calls in the reports.
``--b2c-report-json FILE`` and ``--b2c-junit FILE`` write every recorded call at the end; the JUnit file has a
testcase per test, failed only when the test failed, with the B2C verdict of each call in its system-out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional

import pytest

from .errors import ConnectorSimError
from .faces import lazy_face

if TYPE_CHECKING:
    from .keys import KeyStore
    from .policy._policy import Policy
    from .reporting._assertions import (
        assert_b2c_error,
        assert_claims,
        assert_ok,
        assert_outcome,
        assert_user_sees,
        explain,
    )
    from .reporting._pytest import B2CReport, B2CRunner
    from .reporting._reports import Report
    from .testing import CertificateSet, FakeTokenEndpoint, TlsServer

__all__ = [
    "B2CReport", "B2CRunner", "assert_b2c_error", "assert_claims", "assert_ok", "assert_outcome",
    "assert_user_sees", "explain",
]

# The helpers load on first use: a pytest run that uses no b2c_ fixture does not pay for the engine.
_LAZY = {"B2CReport": ".reporting._pytest", "B2CRunner": ".reporting._pytest",
         **{name: ".reporting._assertions" for name in ("assert_b2c_error", "assert_claims", "assert_ok",
                                                         "assert_outcome", "assert_user_sees", "explain")}}
# No lazy __dir__ here: pluggy reads every attribute dir() lists when it registers the plugin,
# which would import them all at start-up.
__getattr__ = lazy_face(__name__, _LAZY, globals())[0]

_REPORT = pytest.StashKey["Report"]()
_WRITTEN = pytest.StashKey[List[str]]()
_RESULTS = "connector-sim-results"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``connector-sim`` option group and its ini keys."""
    group = parser.getgroup("connector-sim", "connector_sim: call your API as Azure AD B2C does")
    group.addoption("--b2c-policy", action="append", default=[], dest="b2c_policies", metavar="FILE",
                    help="a custom policy file (or folder of *.xml) for the b2c_policy fixture; repeat for each")
    group.addoption("--b2c-keys", dest="b2c_keys", metavar="FILE",
                    help="JSON file of policy keys for b2c_keys (then CONNECTOR_SIM_KEY_<name> variables)")
    group.addoption("--b2c-settings", dest="b2c_settings", metavar="FILE",
                    help="appsettings.json filling the policy's {Settings:Name} placeholders")
    group.addoption("--b2c-environment", dest="b2c_environment", metavar="NAME",
                    help="the Environments entry of --b2c-settings to use")
    group.addoption("--b2c-report-json", dest="b2c_report_json", metavar="FILE",
                    help="write every B2C call made through the b2c_ fixtures as a JSON report")
    group.addoption("--b2c-junit", dest="b2c_junit", metavar="FILE",
                    help="write JUnit XML: a testcase per test, failed only when the test failed, with what B2C did "
                         "with each of its calls in system-out (pytest-xdist workers merged into FILE)")
    group.addoption("--b2c-require-policy", action="store_true", default=None, dest="b2c_require_policy",
                    help="fail (instead of skip) the tests that use b2c_policy when no policy is given")
    parser.addini("b2c_policy", "policy files for the b2c_policy fixture (one per line)", type="paths", default=[])
    parser.addini("b2c_keys", "keys file for the b2c_keys fixture", default="")
    parser.addini("b2c_settings", "appsettings.json for the b2c_policy fixture", default="")
    parser.addini("b2c_environment", "the Environments entry of b2c_settings", default="")
    parser.addini("b2c_require_policy", "fail instead of skip when no policy is given", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers; refuse ``--b2c-environment`` without settings."""
    config.addinivalue_line(
        "markers", "b2c_profile(*ids, claims=None, service_urls=None): the technical profile ids (or one "
        "UserJourney id) that b2c_run() runs when called without ids, and its default claims and service URLs")
    config.addinivalue_line("markers", "b2c_step(name): a label for the B2C calls of this test in the reports")
    if _setting(config, "b2c_environment") and not _setting(config, "b2c_settings"):
        raise pytest.UsageError("--b2c-environment needs --b2c-settings FILE (the appsettings.json that lists it)")
    if config.getoption("b2c_junit", None) or config.getoption("b2c_report_json", None):
        from .reporting._pytest import SessionResults

        config.pluginmanager.register(SessionResults(lambda: session_report(config)), _RESULTS)


def _setting(config: pytest.Config, name: str) -> Optional[str]:
    """A command line value, else the ini value (paths relative to the ini file)."""
    value = config.getoption(name, default=None)
    if value:
        return str(value)
    value = config.getini(name)
    if not value:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return str(base / value) if name in ("b2c_keys", "b2c_settings") else str(value)


def session_report(config: pytest.Config) -> Report:
    """The session's report of B2C calls (created on first use)."""
    report = config.stash.get(_REPORT, None)
    if report is None:
        from .reporting._reports import Report

        report = config.stash[_REPORT] = Report("connector-sim pytest")
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write ``--b2c-report-json`` and ``--b2c-junit``; an xdist worker hands its calls to the controller."""
    config = session.config
    targets = [(config.getoption("b2c_report_json", None), "write_json"),
               (config.getoption("b2c_junit", None), "write_junit")]
    if not any(path for path, _ in targets):
        return
    report = session_report(config)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        # Masked on the worker: secrets never cross to the controller.
        workeroutput["connector_sim_calls"] = report.to_dict()["calls"]
        return
    results = config.pluginmanager.get_plugin(_RESULTS)
    verdicts = results.book.verdicts() if results is not None else []
    written = config.stash[_WRITTEN] = []
    for path, method in targets:
        if not path:
            continue
        target = Path(config.invocation_params.dir, path)
        try:
            getattr(report, method)(target, verdicts)
            written.append(f"connector-sim: {len(verdicts)} test(s), {len(report.records)} B2C call(s) written "
                           f"to {target}")
        except OSError as exc:
            written.append(f"connector-sim: could not write {target}: {exc.strerror or exc}")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Say where the reports went."""
    for line in config.stash.get(_WRITTEN, []):
        terminalreporter.write_line(line, red="could not" in line)


@pytest.fixture(scope="session")
def b2c_certificates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CertificateSet]:
    """Throwaway TLS material for the session: a CA, server certificates, client .pfx files (good and bad)."""
    from .testing import make_certificates

    with make_certificates(tmp_path_factory.mktemp("b2c-certificates")) as certificates:
        yield certificates


@pytest.fixture(scope="session")
def b2c_ca_bundle(b2c_certificates: CertificateSet) -> str:
    """The path of the test CA (PEM) that signed the local servers' certificates."""
    return str(b2c_certificates.ca_pem)


@pytest.fixture
def b2c_tls_server(b2c_certificates: CertificateSet) -> Iterator[Callable[..., TlsServer]]:
    """A factory: ``b2c_tls_server(handler, require_client_cert=False, **options)`` starts an HTTPS server on
    127.0.0.1 (see ``connector_sim.testing.TlsServer``); every server is stopped after the test."""
    from .testing import TlsServer

    started: List[TlsServer] = []

    def make(handler: Any = None, *, require_client_cert: bool = False, **options: Any) -> TlsServer:
        options.setdefault("certificates", b2c_certificates)
        server = TlsServer(handler, require_client_cert=require_client_cert, **options).start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        server.stop()


@pytest.fixture
def b2c_app_server(b2c_certificates: CertificateSet) -> Iterator[Callable[..., Any]]:
    """A factory: ``b2c_app_server(app, require_client_cert=False, app_service=False, **options)`` serves your WSGI
    or ASGI app over HTTPS on 127.0.0.1 (``connector_sim.testing.AppServer``), or with ``app_service=True`` behind
    an App Service front that passes the client certificate as ``X-ARR-ClientCert`` (``AppServiceFront``; its
    ``client_certificate_mode`` follows ``require_client_cert`` unless given); each is stopped after the test."""
    from .testing.app_service import AppServiceFront
    from .testing.serve import AppServer

    started: List[Any] = []

    def make(app: Any, *, require_client_cert: bool = False, app_service: bool = False, **options: Any) -> Any:
        options.setdefault("certificates", b2c_certificates)
        if app_service:
            # The same switch as for a direct server: App Service's "Required" or "Optional" mode.
            options.setdefault("client_certificate_mode", "Required" if require_client_cert else "Optional")
            server: Any = AppServiceFront(app, **options)
        else:
            server = AppServer(app, require_client_cert=require_client_cert, **options)
        started.append(server.start())
        return server

    yield make
    for server in reversed(started):
        server.stop()


@pytest.fixture
def b2c_token_clients() -> Dict[str, str]:
    """Client ids and secrets the fake token endpoint accepts; override this fixture to choose your own."""
    from .testing import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    return {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}


@pytest.fixture
def b2c_token_endpoint(b2c_certificates: CertificateSet, b2c_token_clients: Dict[str, str],
                       b2c_report: B2CReport) -> Iterator[FakeTokenEndpoint]:
    """A fake Microsoft Entra token endpoint over HTTPS (client credentials, signed JWTs, JWKS, faults)."""
    from .testing import FakeTokenEndpoint

    b2c_report.add_secrets(b2c_token_clients.values())
    with FakeTokenEndpoint(clients=b2c_token_clients, certificates=b2c_certificates) as endpoint:
        yield endpoint


@pytest.fixture
def b2c_keys(pytestconfig: pytest.Config) -> KeyStore:
    """Policy keys from ``--b2c-keys FILE`` (or the ``b2c_keys`` ini key), then CONNECTOR_SIM_KEY_<name> variables."""
    from .keys import KeyStore

    try:
        return KeyStore.from_sources(_setting(pytestconfig, "b2c_keys"))
    except ConnectorSimError as exc:
        pytest.fail(f"connector-sim: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def b2c_policy(pytestconfig: pytest.Config) -> Policy:
    """The ``--b2c-policy`` files (or the ``b2c_policy`` ini key), merged; skips the test when none is given."""
    from .policy._policy import load_policy

    paths = pytestconfig.getoption("b2c_policies") or [str(p) for p in pytestconfig.getini("b2c_policy")]
    if not paths:
        why = ("no B2C policy given: pass --b2c-policy FILE (repeat for each file) or set b2c_policy in the pytest "
               "ini file")
        required = pytestconfig.getoption("b2c_require_policy", None)
        if required or (required is None and pytestconfig.getini("b2c_require_policy")):
            pytest.fail(f"connector-sim: {why} (--b2c-require-policy)", pytrace=False)
        pytest.skip(why)
    try:
        return load_policy(*[Path(pytestconfig.invocation_params.dir, p) for p in paths],
                           settings_file=_setting(pytestconfig, "b2c_settings") or None,
                           environment=_setting(pytestconfig, "b2c_environment") or None)
    except ConnectorSimError as exc:
        pytest.fail(f"connector-sim: {exc}", pytrace=False)


@pytest.fixture
def b2c_service_urls() -> Dict[str, str]:
    """ServiceUrl overrides (profile id -> URL) for every ``b2c_run``; override it to aim at local servers."""
    return {}


@pytest.fixture
def b2c_report(request: pytest.FixtureRequest) -> B2CReport:
    """Records calls you make yourself (``profile.call``, ``connector.call``) in the session's reports."""
    marker = request.node.get_closest_marker("b2c_step")
    label = str(marker.args[0]) if marker is not None and marker.args else None
    from .reporting._pytest import B2CReport

    return B2CReport(session_report(request.config), request.node.nodeid, label)


@pytest.fixture
def b2c_run(request: pytest.FixtureRequest, b2c_report: B2CReport, b2c_service_urls: Dict[str, str]) -> B2CRunner:
    """``b2c_run(ids, claims=..., service_urls=...)`` runs profiles of ``b2c_policy`` with ``b2c_keys``."""
    from .reporting._pytest import B2CRunner

    return B2CRunner(request, b2c_report, b2c_service_urls)
