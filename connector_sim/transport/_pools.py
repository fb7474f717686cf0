"""One connection pool per TLS identity, shared by every transport in the process.

A journey's steps, the profiles built from one policy and the demo's scenarios call the same
hosts; keyed by the SSL context (B2C's rules, the trust store and the client certificate it
presents), they share one requests ``Session`` and so one kept-alive connection per host,
where each profile used to open its own.
"""

from __future__ import annotations

import ssl
import threading
from typing import Iterable

import requests
from requests.adapters import HTTPAdapter

from ._deadline import deadlined
from ._tls import TlsAdapter

__all__ = ["acquire", "new_session", "release"]

_LOCK = threading.Lock()
# id(context) -> (context, session, users): the context is held so its id cannot be reused.
_SESSIONS: dict[int, tuple[ssl.SSLContext, requests.Session, int]] = {}
_POOL_SIZE = 64  # as many connections per host as the threads a test suite may share one profile with


def new_session(context: ssl.SSLContext) -> requests.Session:
    """A session of its own for this TLS identity (not shared: ``Transport(shared=False)``)."""
    session = requests.Session()
    # Sessions ignore the environment (proxies, .netrc, REQUESTS_CA_BUNDLE): the trust store is
    # the one in the context, so a call trusts the same servers on every machine.
    session.trust_env = False
    session.headers.clear()  # no requests defaults (User-Agent, Accept): B2C's own are unknown
    session.mount("https://", deadlined(TlsAdapter(context, pool_connections=16, pool_maxsize=_POOL_SIZE)))
    session.mount("http://", deadlined(HTTPAdapter(pool_connections=16, pool_maxsize=_POOL_SIZE)))
    return session


def acquire(context: ssl.SSLContext) -> requests.Session:
    """The shared session for this TLS identity (made on first use); pair with ``release``."""
    with _LOCK:
        held = _SESSIONS.get(id(context))
        if held is None:
            held = (context, new_session(context), 0)
        _SESSIONS[id(context)] = (held[0], held[1], held[2] + 1)
        return held[1]


def release(context: ssl.SSLContext, hosts: Iterable[str] = ()) -> None:
    """One user fewer; the last one closes the session, another closes the pools of ``hosts``.

    A closed profile leaves nothing open behind it even while other profiles share the session:
    the connections to the hosts it called are closed (a later call to them simply reconnects).
    """
    with _LOCK:
        held = _SESSIONS.get(id(context))
        if held is None:
            return
        if held[2] <= 1:
            del _SESSIONS[id(context)]
            held[1].close()
            return
        _SESSIONS[id(context)] = (held[0], held[1], held[2] - 1)
        wanted = set(hosts)
        for adapter in held[1].adapters.values():
            pools = adapter.poolmanager.pools  # type: ignore[attr-defined]
            for key in list(pools.keys()):
                if f"{key.key_host}:{key.key_port}" in wanted or key.key_host in wanted:
                    del pools[key]  # the container closes the pool it drops
