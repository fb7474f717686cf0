"""Every attempt ends at its deadline, headers included: a stalling server cannot hold a call open.

Real servers on 127.0.0.1 that (a) answer ``100 Continue`` for ever, (b) trickle the status line
and headers a byte at a time, (c) accept and say nothing. Each call must end within the timing
profile's budget (attempts x timeout) plus a small margin, as a RequestTimeoutError.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable, Iterator

import pytest

from connector_sim import InputClaim, NoAuth, RequestTimeoutError, RestfulProfile, TimingProfile

QUICK = TimingProfile("test-deadline", 0.4, 1)
MARGIN = 0.6  # seconds beyond the budget: thread scheduling, not a second timeout


def _endless_continue(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    while not stop.is_set():
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        time.sleep(0.05)


def _trickled_headers(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 10_000:
        if stop.is_set():
            return
        conn.sendall(bytes([byte]))
        time.sleep(0.1)  # under the per-read timeout: only a whole-attempt deadline stops this


def _silent(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    stop.wait(10)


@pytest.fixture
def stalling_server() -> Iterator[Callable[[Callable[[socket.socket, threading.Event], None]], str]]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()
    behaviour: list[Callable[[socket.socket, threading.Event], None]] = []
    threads: list[threading.Thread] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            thread = threading.Thread(target=_handle, args=(conn,), daemon=True)
            threads.append(thread)
            thread.start()

    def _handle(conn: socket.socket) -> None:
        with conn:
            try:
                behaviour[0](conn, stop)
            except OSError:
                pass  # the client gave up: that is the point

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()

    def start(what: Callable[[socket.socket, threading.Event], None]) -> str:
        behaviour.append(what)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/api/profile"

    yield start
    stop.set()
    acceptor.join(2)
    for thread in threads:
        thread.join(2)
    listener.close()


@pytest.mark.parametrize("behaviour", [_endless_continue, _trickled_headers, _silent],
                         ids=["endless-100-continue", "trickled-headers", "silent"])
def test_a_stalling_server_cannot_hold_a_call_past_its_budget(
        stalling_server: Callable[..., str], behaviour: Callable[[socket.socket, threading.Event], None]) -> None:
    url = stalling_server(behaviour)
    profile = RestfulProfile(url, auth=NoAuth(), deployment_mode="Development", timing=QUICK,
                             input_claims=[InputClaim("email")])
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as caught:
        profile.call({"email": "ada@contoso.com"})
    elapsed = time.monotonic() - started
    profile.close()
    assert len(caught.value.attempts) == QUICK.attempts
    assert elapsed < QUICK.budget + MARGIN, f"{elapsed:.2f} s for a {QUICK.budget:g} s budget"
