"""Tests for connector_sim.testing.server: real HTTPS requests against TlsServer, faults included."""

from __future__ import annotations

import json
import os
import socket
import ssl
import threading
import time
from typing import Iterator

import pytest
import requests
import requests_pkcs12
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12

from connector_sim.testing import (
    CertificateSet,
    Fault,
    Reply,
    ServerRequest,
    TlsServer,
    TlsUnsupportedError,
    json_filler,
    make_certificates,
    tls_version_supported,
    unused_port_url,
)
from connector_sim.testing.replies import coerce_reply

# The eight suites B2C accepts (https-cipher-tls-requirements.md), in OpenSSL's names.
B2C_SUITES = ":".join([
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES256-SHA384",
])


@pytest.fixture(scope="module")
def certs() -> Iterator[CertificateSet]:
    with make_certificates() as made:
        yield made


@pytest.fixture(scope="module")
def server(certs: CertificateSet) -> Iterator[TlsServer]:
    with TlsServer(certificates=certs) as running:
        yield running


@pytest.fixture
def api(server: TlsServer) -> Iterator[TlsServer]:
    """The shared server, reset to the default handler with nothing recorded."""
    server.clear()
    server.handler = lambda request: Reply(json={})
    yield server


def session(ca_pem) -> requests.Session:
    # trust_env=False: the machine's REQUESTS_CA_BUNDLE would otherwise override verify.
    s = requests.Session()
    s.trust_env = False
    s.verify = str(ca_pem)
    return s


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def _eventually(condition, timeout: float = 2.0) -> None:
    # The server learns of a failed handshake a moment after the client gives up.
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def _swallow(call, *args, **kwargs) -> None:
    try:
        call(*args, **kwargs)
    except requests.RequestException:
        pass


# -- recording and replies ------------------------------------------------------------------
def test_records_every_field_of_a_request(api: TlsServer) -> None:
    api.handler = lambda request: (201, {"seen": request.path})
    response = session(api.ca_pem).post(
        api.url("/api/GetProfile?code=abc&x=1&x=2"), data={"email": "a@b.c"}, headers={"X-Functions-Key": "k"}, timeout=5
    )
    assert response.status_code == 201 and response.json() == {"seen": "/api/GetProfile"}
    (request,) = api.requests
    assert request.method == "POST" and request.path == "/api/GetProfile"
    assert request.raw_query == "code=abc&x=1&x=2" and request.query == {"code": ["abc"], "x": ["1", "2"]}
    assert request.header("x-functions-key") == "k" and request.headers["X-Functions-Key"] == "k"
    assert request.header("missing") is None
    assert request.form() == {"email": "a@b.c"}
    assert request.tls_version in ("TLSv1.2", "TLSv1.3") and request.cipher
    assert request.client_cert_subject is None
    assert request.client_address[0] == "127.0.0.1"
    assert api.last_request == request


def test_json_and_chunked_bodies_are_read(api: TlsServer) -> None:
    s = session(api.ca_pem)
    s.post(api.url("/json"), json={"givenName": "Ana"}, timeout=5)
    s.post(api.url("/chunked"), data=iter([b"ab", b"cd"]), timeout=5)
    first, second = api.requests
    assert first.json() == {"givenName": "Ana"}
    assert second.body == b"abcd" and second.header("transfer-encoding") == "chunked"


@pytest.mark.parametrize(
    ("result", "status", "body", "content_type"),
    [
        (None, 200, b"{}", "application/json"),
        (204, 204, b"", None),
        ((409, {"version": "1.0.0", "status": 409}), 409, b'{"version": "1.0.0", "status": 409}', "application/json"),
        ((200, [1, 2]), 200, b"[1, 2]", "application/json"),
        ((200, {"X-Extra": "1", "Content-Type": "text/xml"}, "<a/>"), 200, b"<a/>", "text/xml"),
        ((500, {}, b"\x00raw"), 500, b"\x00raw", None),
        (Reply(400, body="plain"), 400, b"plain", "text/plain; charset=utf-8"),
        (Reply(200, body={"a": 1}), 200, b'{"a": 1}', "application/json"),
    ],
    ids=["none", "status-only", "tuple-json", "tuple-list", "tuple-headers-str", "tuple-bytes", "reply-str", "reply-dict"],
)
def test_handler_results_are_coerced(api: TlsServer, result, status, body, content_type) -> None:
    api.handler = lambda request: result
    response = session(api.ca_pem).get(api.url("/"), timeout=5)
    assert response.status_code == status and response.content == body
    assert response.headers.get("Content-Type") == content_type


def test_coerce_reply_rejects_garbage() -> None:
    with pytest.raises(TypeError):
        coerce_reply("nonsense")  # type: ignore[arg-type]


def test_a_raising_handler_answers_500_and_is_recorded(api: TlsServer) -> None:
    def broken(request: ServerRequest) -> Reply:
        raise KeyError("boom")

    api.handler = broken
    response = session(api.ca_pem).get(api.url("/"), timeout=5)
    assert response.status_code == 500 and "KeyError" in response.json()["detail"]
    assert isinstance(api.handler_errors[0], KeyError)


def test_head_and_keep_alive(api: TlsServer) -> None:
    s = session(api.ca_pem)
    assert s.head(api.url("/"), timeout=5).content == b""
    s.get(api.url("/"), timeout=5)
    assert len({request.client_address for request in api.requests}) == 1  # one reused connection


def test_clear_and_wait_for_requests(api: TlsServer) -> None:
    session(api.ca_pem).get(api.url("/"), timeout=5)
    assert len(api.wait_for_requests(1, timeout=1)) == 1
    api.clear()
    assert api.requests == []
    with pytest.raises(TimeoutError):
        api.wait_for_requests(1, timeout=0.05)


# -- client certificates ----------------------------------------------------------------------
def test_required_client_certificate(certs: CertificateSet) -> None:
    with TlsServer(certificates=certs, require_client_cert=True) as mtls:
        s = session(mtls.ca_pem)
        s.mount("https://", requests_pkcs12.Pkcs12Adapter(pkcs12_filename=str(certs.client_pfx), pkcs12_password=certs.password))
        assert s.get(mtls.url("/"), timeout=5).status_code == 200
        assert mtls.last_request.client_cert_subject == certs.common_name
        with pytest.raises(requests.exceptions.ConnectionError):
            session(mtls.ca_pem).get(mtls.url("/"), timeout=5)
        untrusted = session(mtls.ca_pem)
        untrusted.mount("https://", requests_pkcs12.Pkcs12Adapter(pkcs12_filename=str(certs.self_signed_pfx), pkcs12_password=certs.password))
        with pytest.raises(requests.exceptions.ConnectionError):
            untrusted.get(mtls.url("/"), timeout=5)
        assert len(mtls.requests) == 1
        _eventually(lambda: len(mtls.tls_failures) == 2)


def test_optional_mode_sees_a_not_yet_valid_certificate(api: TlsServer, certs: CertificateSet) -> None:
    response = requests_pkcs12.get(
        api.url("/"), verify=str(api.ca_pem), timeout=5,
        pkcs12_filename=str(certs.not_yet_valid_pfx), pkcs12_password=certs.password,
    )
    assert response.status_code == 200
    assert api.last_request.client_cert_subject == certs.subjects["not_yet_valid"]
    assert api.last_request.client_cert is not None


def test_expired_client_certificate_optional_vs_required(certs: CertificateSet, tmp_path) -> None:
    # requests-pkcs12 refuses an expired .pfx, so present it as PEM through plain requests.
    key, cert, _ = pkcs12.load_key_and_certificates(certs.expired_pfx.read_bytes(), certs.password.encode())
    pem = tmp_path / "expired.pem"
    pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()) + cert.public_bytes(Encoding.PEM))
    with TlsServer(certificates=certs) as optional, TlsServer(certificates=certs, require_client_cert=True) as strict:
        assert session(certs.ca_pem).get(optional.url("/"), cert=str(pem), timeout=5).status_code == 200
        assert optional.last_request.client_cert_subject == certs.subjects["expired"]
        with pytest.raises(requests.exceptions.SSLError):
            session(certs.ca_pem).get(strict.url("/"), cert=str(pem), timeout=5)
        _eventually(lambda: any("expired" in failure for failure in strict.tls_failures))


# -- faults -------------------------------------------------------------------------------------
def test_hang_gives_a_read_timeout_and_does_not_block_stop(certs: CertificateSet) -> None:
    with TlsServer(lambda request: Fault.HANG, certificates=certs) as hanging:
        with pytest.raises(requests.exceptions.ReadTimeout):
            session(hanging.ca_pem).get(hanging.url("/"), timeout=0.3)
        assert len(hanging.requests) == 1
        started = time.monotonic()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("fault", [Fault.RESET, Fault.CLOSE], ids=["reset", "close"])
def test_reset_and_close_give_connection_errors(api: TlsServer, fault: Fault) -> None:
    api.handler = lambda request: fault
    with pytest.raises(requests.exceptions.ConnectionError):
        session(api.ca_pem).get(api.url("/"), timeout=5)


def test_reset_sends_a_tcp_rst() -> None:
    # Over TLS, Python's ssl reports a peer's RST as EOF; plain HTTP shows the reset itself.
    with TlsServer(lambda request: Fault.RESET, plain_http=True) as plain:
        with pytest.raises(requests.exceptions.ConnectionError, match="reset"):
            requests.get(plain.url("/"), timeout=5)


def test_close_after_headers_breaks_the_body(api: TlsServer) -> None:
    api.handler = lambda request: Fault.CLOSE_AFTER_HEADERS
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        session(api.ca_pem).get(api.url("/"), timeout=5)


def test_delay_is_slow_and_interrupted_by_stop(certs: CertificateSet) -> None:
    with TlsServer(lambda request: Reply(json={"late": True}, delay=0.4), certificates=certs) as slow:
        with pytest.raises(requests.exceptions.ReadTimeout):
            session(slow.ca_pem).get(slow.url("/"), timeout=0.1)
        started = time.monotonic()
        assert session(slow.ca_pem).get(slow.url("/"), timeout=5).json() == {"late": True}
        assert time.monotonic() - started >= 0.35
        slow.handler = lambda request: Reply(delay=60)
        threading.Thread(target=lambda: _swallow(session(slow.ca_pem).get, slow.url("/"), timeout=30), daemon=True).start()
        slow.wait_for_requests(3)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 2


def test_a_100_mb_answer_streams_without_being_built(api: TlsServer) -> None:
    api.handler = lambda request: Reply(body_size=100 * 1024 * 1024)
    with session(api.ca_pem).get(api.url("/big"), stream=True, timeout=5) as response:
        assert response.headers["Content-Length"] == str(100 * 1024 * 1024)
        first = next(response.iter_content(1024 * 1024))
        assert first.startswith(b'{"padding":"')


def test_streamed_and_sized_bodies_arrive_whole(api: TlsServer) -> None:
    api.handler = lambda request: Reply(body_size=3 * 1024 * 1024 + 7)
    body = session(api.ca_pem).get(api.url("/"), timeout=5).content
    assert len(body) == 3 * 1024 * 1024 + 7 and json.loads(body)["padding"].startswith("xxx")
    api.handler = lambda request: Reply(stream=iter([b'{"a":', b"1}"]), headers={"Content-Type": "application/json"})
    response = session(api.ca_pem).get(api.url("/"), timeout=5)
    assert response.json() == {"a": 1} and response.headers["Transfer-Encoding"] == "chunked"


@pytest.mark.parametrize("size", [0, 1, 5, 13, 14, 15, 100, 70_000])
def test_json_filler_is_exact_and_valid(size: int) -> None:
    data = b"".join(json_filler(size, chunk_size=1000))
    assert len(data) == size
    if size:
        json.loads(data)


# -- TLS options ------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_old_tls_only_server(certs: CertificateSet, version: str) -> None:
    if not tls_version_supported(version):
        pytest.skip(f"this OpenSSL cannot negotiate TLS {version} even at @SECLEVEL=0")
    with TlsServer(certificates=certs, tls_max_version=version) as old:
        with pytest.raises(requests.exceptions.SSLError):
            session(old.ca_pem).get(old.url("/"), timeout=5)  # urllib3's floor is TLS 1.2
        context = ssl.create_default_context(cafile=str(old.ca_pem))
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with socket.create_connection(("127.0.0.1", old.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                assert tls.version() == ("TLSv1" if version == "1.0" else "TLSv1.1")


def _handshake(context: ssl.SSLContext, port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.cipher()[0]


def _b2c_client(ca_pem) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_pem))
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(B2C_SUITES)
    return context


def test_non_ecdhe_cipher_server(certs: CertificateSet) -> None:
    with TlsServer(certificates=certs, tls_max_version="1.2", ciphers="AES128-GCM-SHA256") as weak:
        # No requests call here: since 3.10 Python's default cipher string leaves out RSA key
        # exchange (so requests fails too), while 3.9's still offers it.
        lenient = ssl.create_default_context(cafile=str(weak.ca_pem))
        lenient.set_ciphers("DEFAULT")
        assert _handshake(lenient, weak.port) == "AES128-GCM-SHA256"
        with pytest.raises(ssl.SSLError):
            _handshake(_b2c_client(weak.ca_pem), weak.port)


def test_ecdhe_suite_outside_b2c_list(certs: CertificateSet) -> None:
    with TlsServer(certificates=certs, tls_max_version="1.2", ciphers="ECDHE-RSA-CHACHA20-POLY1305") as server:
        assert session(server.ca_pem).get(server.url("/"), timeout=5).status_code == 200
        assert server.last_request.cipher == "ECDHE-RSA-CHACHA20-POLY1305"
        assert server.last_request.tls_version == "TLSv1.2"
        with pytest.raises(ssl.SSLError):
            _handshake(_b2c_client(server.ca_pem), server.port)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_default_floor_is_tls_1_2_and_min_version_raises_it(certs: CertificateSet) -> None:
    old_client = ssl.create_default_context(cafile=str(certs.ca_pem))
    old_client.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    old_client.maximum_version = ssl.TLSVersion.TLSv1_1
    old_client.set_ciphers("DEFAULT:@SECLEVEL=0")
    tls12_client = _b2c_client(certs.ca_pem)
    with TlsServer(certificates=certs) as modern, TlsServer(certificates=certs, tls_min_version="1.3") as only13:
        with pytest.raises(ssl.SSLError):
            _handshake(old_client, modern.port)
        assert _handshake(tls12_client, modern.port).startswith("ECDHE-RSA-")
        with pytest.raises(ssl.SSLError):
            _handshake(tls12_client, only13.port)
        assert session(only13.ca_pem).get(only13.url("/"), timeout=5).status_code == 200
        assert only13.last_request.tls_version == "TLSv1.3"


def test_ipv6_loopback(certs: CertificateSet) -> None:
    try:
        socket.socket(socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 on this machine")
    with TlsServer(certificates=certs, host="::1") as v6:
        assert v6.base_url.startswith("https://[::1]:")
        assert session(v6.ca_pem).get(v6.url("/"), timeout=5).status_code == 200


def test_unknown_tls_version_and_cipher_are_refused(certs: CertificateSet) -> None:
    with pytest.raises(ValueError):
        TlsServer(certificates=certs, tls_max_version="2.0").start()
    with pytest.raises(TlsUnsupportedError):
        TlsServer(certificates=certs, ciphers="NO-SUCH-CIPHER").start()


@pytest.mark.parametrize(("which", "reason"), [("expired_server", "expired"), ("self_signed_server", "self")])
def test_bad_server_certificates_fail_verification(certs: CertificateSet, which: str, reason: str) -> None:
    with TlsServer(certificates=certs, server_cert=getattr(certs, which)) as bad:
        with pytest.raises(requests.exceptions.SSLError, match=reason):
            session(bad.ca_pem).get(bad.url("/"), timeout=5)
        _eventually(lambda: bad.tls_failures)


def test_plain_http(certs: CertificateSet) -> None:
    with TlsServer(plain_http=True) as plain:
        assert plain.base_url.startswith("http://") and plain.ca_pem is None
        assert requests.get(plain.url("x"), timeout=5).json() == {}
        assert plain.last_request.tls_version is None and plain.last_request.path == "/x"
    with pytest.raises(ValueError):
        TlsServer(plain_http=True, require_client_cert=True)


def test_down_urls_refuse_connections(api: TlsServer) -> None:
    for url in (unused_port_url("/api"), api.down_url("/api")):
        assert url.startswith("https://127.0.0.1:") and url.endswith("/api")
        with pytest.raises(requests.exceptions.ConnectionError):
            session(api.ca_pem).get(url, timeout=5)


# -- lifecycle ----------------------------------------------------------------------------------
def test_stop_leaves_no_threads_sockets_or_output(certs: CertificateSet, capfd: pytest.CaptureFixture[str]) -> None:
    # Compare thread sets, not counts: the shared server's connection threads may end meanwhile.
    threads, fds = set(threading.enumerate()), _open_fds()
    server = TlsServer(lambda request: Fault.HANG if request.path == "/hang" else Reply(json={}), certificates=certs)
    with server:
        idle = session(server.ca_pem)
        idle.get(server.url("/"), timeout=5)  # leaves an idle keep-alive connection open
        _swallow(session(server.ca_pem).get, server.url("/hang"), timeout=0.2)
        _swallow(requests.get, server.url("/"), timeout=5)  # the system CAs do not trust ours
        silent = socket.create_connection(("127.0.0.1", server.port))  # never sends a ClientHello
        _swallow(session(certs.ca_pem).get, server.url("/"), timeout=5, cert=str(certs.client_pem))
        time.sleep(0.1)
    silent.close()
    idle.close()
    assert set(threading.enumerate()) - threads == set()
    assert _open_fds() <= fds
    assert capfd.readouterr().err == ""
    with pytest.raises(RuntimeError):
        server.start()
    with pytest.raises(RuntimeError):
        server.port  # noqa: B018


def test_owned_certificates_are_deleted_on_stop() -> None:
    with TlsServer() as own:
        directory = own.certificates.directory
        assert session(own.ca_pem).get(own.url("/"), timeout=5).status_code == 200
    assert not directory.exists()
