"""Connections whose attempt ends at its deadline, however the server stalls it.

urllib3's timeouts bound each socket operation, so a server that sends its headers a byte at a
time, or ``100 Continue`` for ever, would hold an attempt open indefinitely; B2C's timeout
bounds the whole attempt. These connections register their socket with ``WATCHDOG``
while they send and read the headers; the body is read by ``Transport._read``, which keeps the
deadline itself.
"""

from __future__ import annotations

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

    One daemon thread serves the whole process. It looks at the attempts under way every ``tick``
    seconds and sleeps while there are none, so registering an attempt is one dict insert, with
    no lock and no wake-up on the path of every call; an attempt ends at most a tick late.
    """

    tick = 0.02

    def __init__(self) -> None:
        self._active: dict[int, _Watch] = {}
        self._lock = threading.Lock()  # ending and expiring one watch never overlap
        self._busy = threading.Event()
        self._thread: threading.Thread | None = None
        self._keys = itertools.count()

    def watch(self, deadline: float, sock: socket.socket) -> _Watch:
        """Shut ``sock`` down at ``deadline`` (``time.monotonic``) unless the watch is ended first."""
        watch = _Watch(next(self._keys), deadline, sock, self)
        self._active[watch.key] = watch  # one insert: atomic under the GIL
        if not self._busy.is_set():
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="connector-sim-deadlines", daemon=True)
                    self._thread.start()
            self._busy.set()
        return watch

    def end(self, watch: _Watch) -> None:
        """The attempt finished (or moved on to reading the body, which keeps its own deadline)."""
        with self._lock:
            self._active.pop(watch.key, None)

    def _run(self) -> None:
        while True:
            self._busy.wait()
            time.sleep(self.tick)
            now = time.monotonic()
            for watch in [w for w in list(self._active.values()) if w.deadline <= now]:
                with self._lock:
                    if self._active.pop(watch.key, None) is not None:
                        watch.expire()
            if not self._active:
                self._busy.clear()
                if self._active:  # one arrived between the look and the clear
                    self._busy.set()


class _Watch:
    """One attempt's registration with the watchdog."""

    __slots__ = ("deadline", "expired", "key", "owner", "sock")

    def __init__(self, key: int, deadline: float, sock: socket.socket, owner: Watchdog) -> None:
        self.key, self.deadline, self.owner = key, deadline, owner
        self.sock: socket.socket | None = sock
        self.expired = False

    def end(self) -> None:
        """The attempt finished (or moved on to reading the body, which keeps its own deadline)."""
        self.owner.end(self)

    def expire(self) -> None:
        """Called by the watchdog thread, holding its lock: shut the socket down."""
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
