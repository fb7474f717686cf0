"""Transport faults against real local servers: each ends within the timing budget, with the right error
and attempt count, and leaves no thread, socket or temporary file behind.

The budget is B2C's: timeout x attempts, plus a small margin for the machine. TLS failures are not
retried (a handshake that failed once fails again), so they cost one attempt.
"""

from __future__ import annotations

import gc
import os
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Optional

import pytest

from connector_sim import (
    ApiConnector, Basic, ClientCertificate, ConnectionFailedError, OutputClaim, RequestTimeoutError, RestfulProfile,
    TimingProfile, TlsError, UserMessages,
)
from connector_sim.testing import Fault, Reply, TlsServer, tls_version_supported, unused_port_url

from tests.helpers import SECRETS

TIMING = TimingProfile("fault-test", 0.3, 1)  # 0.3 s per attempt, one retry
MARGIN = 0.4  # seconds the machine may add on top of B2C's budget
BUDGET = TIMING.timeout * TIMING.attempts + MARGIN
TIMEOUT_MESSAGE = "Failed to establish connection to restful service end point within timeout limit 0.3 seconds."
FAILED_MESSAGE = "Failed to establish connection to restful service end point. Restful service URL: "


def _fds() -> Optional[int]:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # not Linux: the thread and temp-file checks still run
        return None


@contextmanager
def nothing_left_behind() -> Iterator[None]:
    """Fail when the block leaves a thread, an open file descriptor, a temp file or an unclosed socket."""
    gc.collect()
    threads, fds = set(threading.enumerate()), _fds()
    # A private temporary directory: other processes on the machine cannot confuse the listing.
    temp_dir, saved = tempfile.mkdtemp(prefix="connector-sim-faults-"), tempfile.tempdir
    tempfile.tempdir = temp_dir
    try:
        yield
    finally:
        tempfile.tempdir = saved
    assert os.listdir(temp_dir) == []
    os.rmdir(temp_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()  # an object dropped without close() warns here
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    deadline = time.monotonic() + 2.0
    while set(threading.enumerate()) - threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert set(threading.enumerate()) - threads == set()
    if fds is not None:
        assert _fds() <= fds  # fewer is fine: an idle keep-alive connection of an earlier test may close meanwhile


def drip(request: Any) -> Reply:
    """An answer that trickles one byte every 0.1 s for 3 s: each read is quick, the whole is not."""

    def body() -> Iterator[bytes]:
        yield b'{"loyaltyNumber":"'
        for _ in range(30):
            time.sleep(0.1)
            yield b"7"
        yield b'"}'

    return Reply(200, stream=body())


def _always(reply: Any) -> Callable[[Any], Any]:
    return lambda request: reply


# id -> (server options, handler, error class, attempts, reason in the message)
FAULTS: Dict[str, Any] = {
    "hang": ({}, _always(Fault.HANG), RequestTimeoutError, 2, "did not answer within 0.3 s"),
    "slow": ({}, _always(Reply(200, json={}, delay=3.0)), RequestTimeoutError, 2, "did not answer"),
    "drip": ({}, drip, RequestTimeoutError, 2, "did not answer"),
    "reset": ({}, _always(Fault.RESET), ConnectionFailedError, 2, "failed"),
    "close": ({}, _always(Fault.CLOSE), ConnectionFailedError, 2, "failed"),
    "close-after-headers": ({}, _always(Fault.CLOSE_AFTER_HEADERS), ConnectionFailedError, 2, "failed"),
    "tls1.0": ({"tls_max_version": "1.0"}, None, TlsError, 1, "TLS with"),
    "tls1.1": ({"tls_max_version": "1.1"}, None, TlsError, 1, "TLS with"),
    "non-ecdhe": ({"tls_max_version": "1.2", "ciphers": "AES128-GCM-SHA256"}, None, TlsError, 1, "TLS with"),
    "expired-cert": ({"server_cert": "expired_server"}, None, TlsError, 1, "certificate has expired"),
    "self-signed-cert": ({"server_cert": "self_signed_server"}, None, TlsError, 1, "self-signed certificate"),
    "down": (None, None, ConnectionFailedError, 2, "failed"),
}


@contextmanager
def fault_server(certs: Any, fault: str) -> Iterator[str]:
    """The URL of a server with this fault (a port nothing listens on for ``down``)."""
    options, handler, *_ = FAULTS[fault]
    if options is None:
        yield unused_port_url("/api/profile")
        return
    version = options.get("tls_max_version")
    if version in ("1.0", "1.1") and not tls_version_supported(version):
        pytest.skip(f"this OpenSSL cannot offer TLS {version}")
    options = dict(options)
    if isinstance(options.get("server_cert"), str):
        options["server_cert"] = getattr(certs, options["server_cert"])
    with TlsServer(handler, certificates=certs, **options) as server:
        yield server.url("/api/profile")


@pytest.mark.parametrize("fault", list(FAULTS))
def test_restful_profile_fault(certs: Any, fault: str) -> None:
    _, _, error_class, attempts, reason = FAULTS[fault]
    with nothing_left_behind():
        with fault_server(certs, fault) as url:
            profile = RestfulProfile(url, auth=Basic("b2c", SECRETS["password"]), timing=TIMING,
                                     ca_bundle=str(certs.ca_pem), output_claims=[OutputClaim("loyaltyNumber")])
            started = time.monotonic()
            with pytest.raises(error_class) as info:
                profile.call({"email": "ada@contoso.com"})
            elapsed = time.monotonic() - started
            # No profile.close(): a failed call must not keep its connection open.
        error = info.value
        del info
    assert elapsed < TIMING.timeout * attempts + MARGIN
    assert type(error) is error_class and len(error.attempts) == attempts == len(error.result.attempts)
    assert reason in error.message
    assert error.b2c_code == ("AADB2C90162" if attempts > 1 else None)  # retries used up
    expected = TIMEOUT_MESSAGE if error_class is RequestTimeoutError else FAILED_MESSAGE
    assert error.user_message.startswith(expected)
    assert error.__cause__ is not None  # the foreign exception, chained and scrubbed
    assert SECRETS["password"] not in repr(error.__cause__)


@pytest.mark.parametrize("fault", ["hang", "drip", "reset", "close-after-headers", "non-ecdhe", "expired-cert",
                                   "down"])
def test_api_connector_fault(certs: Any, fault: str) -> None:
    _, _, error_class, attempts, _ = FAULTS[fault]
    with nothing_left_behind():
        with fault_server(certs, fault) as url:
            with ApiConnector(url, Basic("b2c", SECRETS["password"]), timing=TIMING,
                              ca_bundle=str(certs.ca_pem)) as connector:
                started = time.monotonic()
                outcome = connector.post_attribute_collection(email="ada@contoso.com")
                elapsed = time.monotonic() - started
    assert elapsed < TIMING.timeout * attempts + MARGIN
    assert outcome.action is None and not outcome.ok and type(outcome.error) is error_class
    assert len(outcome.attempts) == attempts
    assert [v.rule for v in outcome.violations] == ["timeout" if error_class is RequestTimeoutError
                                                    else "transport-error"]


def test_custom_timeout_message_is_used(certs: Any) -> None:
    with TlsServer(_always(Fault.HANG), certificates=certs) as server:
        profile = RestfulProfile(server.url("/api"), auth=Basic("b2c", "pw-1234"), timing=TIMING,
                                 ca_bundle=str(certs.ca_pem),
                                 messages=UserMessages(request_timeout="Slow service ({0} s), try later."))
        with pytest.raises(RequestTimeoutError) as info:
            profile.call({})
        profile.close()
    assert info.value.user_message == "Slow service (0.3 s), try later."


def test_slow_answer_within_the_timeout_succeeds(certs: Any) -> None:
    with nothing_left_behind():
        with TlsServer(_always(Reply(200, json={"loyaltyNumber": "L-1"}, delay=0.15)), certificates=certs) as server:
            profile = RestfulProfile(server.url("/api"), auth=Basic("b2c", SECRETS["password"]), timing=TIMING,
                                     ca_bundle=str(certs.ca_pem), output_claims=[OutputClaim("loyaltyNumber")])
            result = profile.call({})
            profile.close()
    assert result.claims == {"loyaltyNumber": "L-1"} and len(result.attempts) == 1
    assert result.elapsed_ms >= 150


def test_a_timeout_then_an_answer_is_one_retry(certs: Any) -> None:
    calls = []

    def first_hangs(request: Any) -> Any:
        calls.append(request)
        return Fault.HANG if len(calls) == 1 else Reply(200, json={"loyaltyNumber": "L-2"})

    with TlsServer(first_hangs, certificates=certs) as server:
        profile = RestfulProfile(server.url("/api"), auth=Basic("b2c", "pw-1234"), timing=TIMING,
                                 ca_bundle=str(certs.ca_pem), output_claims=[OutputClaim("loyaltyNumber")])
        result = profile.call({})
        profile.close()
    assert [a.outcome for a in result.attempts] == ["timeout", "answered"]
    assert result.claims == {"loyaltyNumber": "L-2"}


def test_http_errors_are_not_retried(certs: Any) -> None:
    with TlsServer(_always(Reply(503, json={})), certificates=certs) as server:
        profile = RestfulProfile(server.url("/api"), auth=Basic("b2c", "pw-1234"), timing=TIMING,
                                 ca_bundle=str(certs.ca_pem))
        with pytest.raises(Exception) as info:
            profile.call({})
        profile.close()
        assert len(server.requests) == 1
    assert info.value.b2c_code == "AADB2C90075" and len(info.value.attempts) == 1


# -- the client certificate's private key never reaches the disk unencrypted ---------------------------------

def test_pfx_key_reaches_the_disk_only_encrypted_and_briefly(certs: Any, monkeypatch: Any) -> None:
    import requests_pkcs12

    written: Dict[str, bytes] = {}
    real_remove = requests_pkcs12.os.remove

    def remove(path: str) -> None:  # look at the temporary file just before requests-pkcs12 deletes it
        with open(path, "rb") as handle:
            written[path] = handle.read()
        real_remove(path)

    monkeypatch.setattr(requests_pkcs12.os, "remove", remove)
    from connector_sim.auth import _certificate

    monkeypatch.setattr(_certificate, "_CONTEXTS", {})  # a TLS context is made once per certificate
    with nothing_left_behind():
        strategy = ClientCertificate(certs.client_pfx, certs.password)

    assert len(written) == 1
    (path, content), = written.items()
    assert not os.path.exists(path)
    assert b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in content
    assert b"-----BEGIN PRIVATE KEY-----" not in content and b"-----BEGIN RSA PRIVATE KEY-----" not in content
    from cryptography.hazmat.primitives import serialization

    raw_key = strategy.certificate.key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    assert raw_key[-64:] not in content  # not even the key's bytes in another encoding
    assert certs.password.encode() not in content


def test_mutual_tls_calls_leave_nothing_behind(mtls_api: Any, certs: Any) -> None:
    mtls_api.handler = _always(Reply(200, json={"loyaltyNumber": "L-3"}))
    with nothing_left_behind():
        profile = RestfulProfile(mtls_api.url("/api"), auth=ClientCertificate(certs.client_pfx, certs.password),
                                 timing=TIMING, ca_bundle=str(certs.ca_pem),
                                 output_claims=[OutputClaim("loyaltyNumber")])
        for _ in range(3):
            assert profile.call({}).claims == {"loyaltyNumber": "L-3"}
        profile.close()
