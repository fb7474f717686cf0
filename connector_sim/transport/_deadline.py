"""Connections whose attempt ends at its deadline, however the server stalls it.

urllib3's timeouts bound each socket operation, so a server that sends its headers a byte at a
time, or ``100 Continue`` for ever, would hold an attempt open indefinitely; B2C's timeout
bounds the whole attempt. These connections register their socket with ``WATCHDOG``
while they send and read the headers; the body is read by ``Transport._read``, which keeps the
deadline itself.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["ATTEMPT", "WATCHDOG", "Watchdog", "deadlined"]


class Watchdog:
    """Ends an attempt at its deadline, however the server stalls it (headers a byte at a time, endless
    ``100 Continue``): at the deadline the attempt's socket is shut down, so every blocked read returns.

    One daemon thread serves the whole process. Registering is a heap push; a finished attempt is
    only marked done (lazy deletion), so the thread is woken only when a deadline comes due.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Watch]] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._counter = itertools.count()

    def watch(self, deadline: float, sock: socket.socket) -> _Watch:
        """Shut ``sock`` down at ``deadline`` (``time.monotonic``) unless the watch is ended first."""
        watch = _Watch(sock, self._wake)
        with self._wake:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="connector-sim-deadlines", daemon=True)
                self._thread.start()
            earliest = self._heap[0][0] if self._heap else None
            heapq.heappush(self._heap, (deadline, next(self._counter), watch))
            if earliest is None or deadline < earliest:
                self._wake.notify()
        return watch

    def _run(self) -> None:
        with self._wake:
            while True:
                if not self._heap:
                    self._wake.wait()
                    continue
                deadline, _, watch = self._heap[0]
                remaining = deadline - time.monotonic()
                if remaining > 0 and not watch.done:
                    self._wake.wait(remaining)
                    continue
                heapq.heappop(self._heap)
                if not watch.done:
                    watch.expire()


class _Watch:
    """One attempt's registration with the watchdog."""

    __slots__ = ("_lock", "done", "expired", "sock")

    def __init__(self, sock: socket.socket, lock: threading.Condition) -> None:
        self.sock: socket.socket | None = sock
        self.done = False
        self.expired = False
        self._lock = lock  # the watchdog's: ending and expiring never overlap

    def end(self) -> None:
        """The attempt finished (or moved on to reading the body, which keeps its own deadline)."""
        with self._lock:
            self.done = True
            self.sock = None

    def expire(self) -> None:
        """Called by the watchdog thread, holding the lock: shut the socket down."""
        sock, self.sock = self.sock, None
        self.expired = True
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: the attempt is over anyway


#: The process's one watchdog.
WATCHDOG = Watchdog()

# The attempt under way on this thread: its deadline, and whether the watchdog had to end it.
ATTEMPT = threading.local()


class _Deadlined:
    """A connection whose sending and header reading end at the attempt's deadline."""

    sock: Any
    _watch: _Watch | None = None

    def _watched(self) -> None:
        deadline = getattr(ATTEMPT, "deadline", None)
        if deadline is not None and self.sock is not None and getattr(self, "_watch", None) is None:
            self._watch = WATCHDOG.watch(deadline, self.sock)

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self._watched()
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        self._watched()
        try:
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]
        finally:
            watch, self._watch = self._watch, None
            if watch is not None:
                watch.end()
                ATTEMPT.expired = watch.expired


class _HTTPSConnection(_Deadlined, HTTPSConnection):
    pass


class _HTTPConnection(_Deadlined, HTTPConnection):
    pass


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


def deadlined(adapter: HTTPAdapter) -> HTTPAdapter:
    """The adapter, its pools now making deadline-bound connections."""
    adapter.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return adapter
