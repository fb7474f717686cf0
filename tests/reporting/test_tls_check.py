"""``tls_check`` and ``connector-sim tls-check`` against real local servers with weak or broken TLS."""

from __future__ import annotations

import json
import socket
import time
from typing import Any, Iterator

import pytest

from connector_sim import ClientCertificate, ConfigurationError
from connector_sim.cli import main
from connector_sim.testing import TlsServer, tls_version_supported, unused_port_url
from connector_sim.reporting._tls_check import B2C_SUITES, TlsReport, tls_check

RSA_SUITES = [name for name in B2C_SUITES if "_RSA_" in name]


def check(server: TlsServer, certs: Any, **options: Any) -> TlsReport:
    started = time.monotonic()
    report = tls_check(server.url("/api/profile"), ca_bundle=str(certs.ca_pem), timeout=0.5, **options)
    assert time.monotonic() - started < 3
    return report


def test_a_good_server_passes_with_every_rsa_suite(api: TlsServer, certs: Any) -> None:
    report = check(api, certs)

    assert report.passes and report.verdict == "B2C would connect"
    assert report.tls12 and report.negotiated is not None and report.negotiated[0] == "TLSv1.2"
    # The server's key is RSA: the four ECDHE_RSA suites pass, the ECDSA ones cannot.
    assert [name for name, ok in report.suites.items() if ok] == RSA_SUITES
    assert report.tls10 is False and report.tls11 is False and report.tls13 is True
    assert report.certificate_trusted and report.hostname_matches
    assert report.days_left is not None and report.days_left > 300 and report.warnings == ()
    assert api.requests == []  # handshakes only: no HTTP request reaches the API


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_a_server_with_only_old_tls_fails_with_a_warning(certs: Any, version: str) -> None:
    if not tls_version_supported(version):
        pytest.skip(f"this OpenSSL cannot offer TLS {version}")
    with TlsServer(certificates=certs, tls_max_version=version) as old:
        report = check(old, certs)

    assert not report.passes and not report.tls12 and not any(report.suites.values())
    assert "does not accept TLS 1.2" in report.verdict and version in report.verdict
    assert report.tls11 is (version == "1.1") and report.tls10 is True
    assert any("deprecated" in w for w in report.warnings)


def test_old_versions_offered_besides_tls12_are_only_a_warning(certs: Any) -> None:
    if not tls_version_supported("1.0"):
        pytest.skip("this OpenSSL cannot offer TLS 1.0")
    with TlsServer(certificates=certs, tls_min_version="1.0", tls_max_version="1.2") as server:
        report = check(server, certs)

    assert report.passes and report.tls10 and report.tls11
    assert report.warnings and "TLS 1.0 and 1.1" in report.warnings[0] and "deprecated" in report.warnings[0]


def test_a_server_without_ecdhe_suites_fails(certs: Any) -> None:
    with TlsServer(certificates=certs, tls_max_version="1.2", ciphers="AES128-GCM-SHA256") as weak:
        report = check(weak, certs)

    assert not report.passes and not any(report.suites.values())
    assert "only with AES128-GCM-SHA256, none of B2C's eight ECDHE suites" in report.verdict


def test_a_server_with_some_of_the_suites_passes(certs: Any) -> None:
    with TlsServer(certificates=certs, tls_max_version="1.2", ciphers="ECDHE-RSA-AES128-SHA256") as one:
        report = check(one, certs)

    assert report.passes
    assert [name for name, ok in report.suites.items() if ok] == ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"]
    assert report.negotiated == ("TLSv1.2", "ECDHE-RSA-AES128-SHA256")


def test_tls13_only_fails_because_b2c_asks_for_tls12(certs: Any) -> None:
    with TlsServer(certificates=certs, tls_min_version="1.3") as modern:
        report = check(modern, certs)

    assert not report.passes and report.tls13 and "TLS 1.3 only" in report.verdict
    assert any("unconfirmed" in w for w in report.warnings)


@pytest.mark.parametrize("which,reason", [
    ("expired_server", "certificate has expired"), ("self_signed_server", "self-signed certificate"),
], ids=["expired", "self-signed"])
def test_untrusted_certificates_fail(certs: Any, which: str, reason: str) -> None:
    with TlsServer(certificates=certs, server_cert=getattr(certs, which)) as server:
        report = check(server, certs)

    assert report.tls12  # the handshake itself works; B2C would stop at the certificate
    assert not report.passes and report.certificate_trusted is False and reason in report.certificate_error
    assert f"not trusted: {reason}" in report.verdict
    if which == "expired_server":
        assert report.days_left is not None and report.days_left < 0


def test_a_certificate_for_another_host_fails(certs: Any) -> None:
    other_host = certs.ca.issue_cert("api.contoso.example")  # trusted CA, wrong name
    with TlsServer(certificates=certs, server_cert=other_host) as server:
        report = check(server, certs)

    assert report.certificate_trusted is True and report.hostname_matches is False
    assert report.verdict == "B2C would fail: the server certificate is not issued for 127.0.0.1"


def test_a_ca_the_machine_does_not_trust_fails(api: TlsServer, certs: Any) -> None:
    report = tls_check(api.url("/"), timeout=2)  # no ca_bundle: the machine's trust store lacks the test CA

    assert not report.passes and report.certificate_trusted is False
    assert "the server certificate is not trusted" in report.verdict


def test_a_server_requiring_a_client_certificate(mtls_api: TlsServer, certs: Any) -> None:
    without = check(mtls_api, certs)
    assert not without.passes and "requires a client certificate" in without.verdict

    with_cert = check(mtls_api, certs, client_certificate=ClientCertificate(certs.client_pfx, certs.password))
    assert with_cert.passes, with_cert.verdict


def test_a_server_that_is_down_fails_fast(certs: Any) -> None:
    started = time.monotonic()
    report = tls_check(unused_port_url("/api"), ca_bundle=str(certs.ca_pem), timeout=2)

    assert time.monotonic() - started < 1
    assert not report.passes and report.connection_error and "cannot connect" in report.verdict
    assert report.suites == {}  # nothing else was tried


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (kernel backlog) but never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield listener.getsockname()[1]


def test_a_silent_server_costs_one_timeout(silent_port: int, certs: Any) -> None:
    started = time.monotonic()
    report = tls_check(f"https://127.0.0.1:{silent_port}/", ca_bundle=str(certs.ca_pem), timeout=0.3)

    assert time.monotonic() - started < 1.0
    assert "no answer within 0.3 s" in report.verdict


@pytest.mark.parametrize("url", ["http://api.contoso.com/x", "api.contoso.com", "https:///nohost", "https://h:port/"],
                         ids=["http", "no-scheme", "no-host", "bad-port"])
def test_bad_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigurationError):
        tls_check(url)


# -- the command --------------------------------------------------------------------------------------------

def test_cli_pass_readable(api: TlsServer, certs: Any, capsys: Any) -> None:
    code = main(["tls-check", api.url("/api"), "--ca-bundle", str(certs.ca_pem)])
    out, err = capsys.readouterr()

    assert code == 0 and err == ""
    assert "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" in out and "Verdict: B2C would connect" in out


def test_cli_fail_json(certs: Any, capsys: Any) -> None:
    with TlsServer(certificates=certs, server_cert=certs.self_signed_server) as server:
        code = main(["tls-check", server.url("/"), "--ca-bundle", str(certs.ca_pem), "--json"])
    out, _ = capsys.readouterr()

    data = json.loads(out)
    assert code == 1 and data["passes"] is False and data["verdict"].startswith("B2C would fail: ")
    assert data["certificate"]["trusted"] is False and set(data["suites"]) == set(B2C_SUITES)


def test_cli_down_server_exits_1(certs: Any, capsys: Any) -> None:
    assert main(["tls-check", unused_port_url("/"), "--ca-bundle", str(certs.ca_pem)]) == 1
    assert "cannot connect" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["http://x/"], ["https://x/", "--ca-bundle", "/no/such.pem"],
                                  ["https://x/", "--timeout", "0"], ["https://x/", "--pfx", "/no/such.pfx"]],
                         ids=["http", "ca-bundle", "timeout", "pfx"])
def test_cli_usage_errors_exit_2(argv: Any, capsys: Any) -> None:
    assert main(["tls-check", *argv]) == 2
    out, err = capsys.readouterr()
    assert "connector-sim: error:" in err and "Traceback" not in out + err


def test_cli_client_certificate_password_comes_from_the_environment(
        mtls_api: TlsServer, certs: Any, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("PFX_PASS", certs.password)
    code = main(["tls-check", mtls_api.url("/"), "--ca-bundle", str(certs.ca_pem), "--pfx", str(certs.client_pfx),
                 "--pfx-password-env", "PFX_PASS", "--json"])
    out, err = capsys.readouterr()

    assert code == 0 and json.loads(out)["passes"] is True
    assert certs.password not in out + err
