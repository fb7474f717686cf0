"""The Locust user: B2C-faithful calls, one Locust request event per call, failures as B2C sees them.

Import order matters: gevent must patch the standard library before ``ssl`` and ``urllib3`` are
imported, and ``import connector_sim`` imports them. ``locust -f locustfile.py`` imports Locust
first, so a locustfile needs nothing special; a script imports ``locust`` before ``connector_sim``
(``connector-sim load`` runs its users in a fresh process for this reason). Profiles must be built
after that too: a TLS context made before patching would block every user while it waits for an
answer, and a client-credentials lock made before patching can deadlock two users; ``B2CUser``
refuses both with a clear error.
"""

from __future__ import annotations

import logging
import ssl
import sys
import threading
from typing import Any, Callable, ClassVar, Dict, Mapping, Optional, Union

from ..errors import ConfigurationError
from ._transports import check_transport
from .config import LoadConfig, parse_wait
from .data import ClaimRows
from .failures import Sample
from .targets import Target


def _require_gevent_first() -> None:
    if "locust" in sys.modules or "urllib3" not in sys.modules:
        return
    monkey = sys.modules.get("gevent.monkey")  # not imported means nothing was patched
    if monkey is None or not monkey.is_module_patched("ssl"):
        raise ConfigurationError(
            "connector_sim.load needs gevent to patch the standard library before ssl and urllib3 are imported, "
            "and connector_sim imports them",
            hint="run the locustfile with `locust -f ...`, use `connector-sim load`, or `import locust` before "
                 "`import connector_sim` in your script")


_require_gevent_first()

from locust import User, between, constant, constant_throughput, task  # noqa: E402  (after the check above)

__all__ = ["B2CUser", "check_cooperative", "shared_target", "user_class", "user_class_from_config",
           "user_class_from_env"]

TargetSpec = Union[Target, Callable[[], Target]]
_PREPARED: Dict[type, Target] = {}


class _OnceEach(logging.Filter):
    """Passes each distinct message once: a warning about an answer would otherwise repeat on every call."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set = set()

    def filter(self, record: logging.LogRecord) -> bool:
        """True the first time a message is seen."""
        text = record.getMessage()
        if text in self.seen or len(self.seen) > 1000:
            return False
        self.seen.add(text)
        return True


logging.getLogger("connector_sim.caller").addFilter(_OnceEach())


def check_cooperative(target: Target) -> None:
    """Refuse TLS contexts and token locks made before gevent patched ``ssl`` and ``threading``."""
    from gevent import monkey

    if not monkey.is_module_patched("ssl"):
        return  # not under gevent (plain Python use): nothing can block other greenlets
    for auth in target.auths():
        context = getattr(auth, "ssl_context", None)
        if context is not None and not isinstance(context, ssl.SSLContext):  # ssl.SSLContext is gevent's now
            raise ConfigurationError(
                f"the {auth.authentication_type} strategy's TLS context was made before gevent patched ssl, so every "
                "simulated user would wait for the others' answers",
                hint="build profiles after importing connector_sim.load (or locust), e.g. in a function passed as "
                     "the target")
        credentials = getattr(auth, "credentials", None)
        lock = getattr(credentials, "_lock", None)
        if lock is not None and type(lock) is not type(threading.Lock()):
            raise ConfigurationError(
                "ClientCredentials was made before gevent patched threading; two users waiting for the first token "
                "could deadlock", hint="build ClientCredentials after importing connector_sim.load (or locust)")


def shared_target(user_class: type) -> Target:
    """The class's target, prepared once per process and shared by all its users."""
    target = _PREPARED.get(user_class)
    if target is None:
        spec = getattr(user_class, "target", None)
        if spec is None:
            raise ConfigurationError(f"{user_class.__name__}.target is not set",
                                     hint="set target = ProfileTarget(...), PolicyTarget(...) or ConnectorTarget(...)")
        # Preparing reads files and decodes certificates but never waits on a socket, so no other
        # greenlet runs meanwhile and the target is built exactly once per process.
        target = spec if isinstance(spec, Target) else spec()
        transport = getattr(user_class, "transport", None)
        if transport is not None:  # the class's choice wins over the target's
            if transport == "fast" and not target.takes_fast_transport:
                raise ConfigurationError(f"{type(target).__name__} does not send on the fast transport yet",
                                         hint="leave transport unset (requests) for this target")
            target.transport = check_transport(transport)
        target.prepare()
        check_cooperative(target)
        _PREPARED[user_class] = target
    return target


class B2CUser(User):
    """A simulated B2C front end calling ``target`` with claims from ``data`` (one row per user, cycled).

    Subclass it and set ``target`` (a ``ProfileTarget``, ``PolicyTarget`` or ``ConnectorTarget``, or a
    function returning one, called once per process), optionally ``data`` (``ClaimRows``), ``claims``
    (claims every call starts with) and ``row_per = "call"`` to take a new row for every call.
    Each call fires Locust's request event: name = technical profile id (or connector step),
    response_time = the whole call as a sign-up waits for it (every attempt, retries included),
    exception = a ``LoadFailure`` ("timeout: ...", "http-500: ...", "slow-200: ...") when B2C would
    fail the call or it came after B2C's timeout. ``transport = "fast"`` sends on geventhttpclient
    (FastHttpUser's client) instead of requests: the same B2C pipeline and bytes, at its rate.
    """

    abstract = True
    target: ClassVar[Optional[TargetSpec]] = None
    data: ClassVar[Optional[ClaimRows]] = None
    claims: ClassVar[Mapping[str, Any]] = {}
    row_per: ClassVar[str] = "user"
    transport: ClassVar[Optional[str]] = None
    wait_time = constant(0)

    def on_start(self) -> None:
        """Open this user's session on the shared target and take its row."""
        self._session = shared_target(type(self)).open()
        self._row = self._draw()

    def on_stop(self) -> None:
        """Close this user's connections."""
        session = getattr(self, "_session", None)
        if session is not None:
            session.close()

    def _draw(self) -> Dict[str, Any]:
        row = self.data.next() if self.data is not None else {}
        return {**self.claims, **row}

    @task
    def call_b2c(self) -> None:
        """One pass over the target, as B2C makes it."""
        claims = self._row if self.row_per == "user" else self._draw()
        self._session.run(claims, self._fire)

    def _fire(self, sample: Sample) -> None:
        self.environment.events.request.fire(
            request_type=sample.request_type, name=sample.name, response_time=sample.response_time_ms,
            response_length=sample.response_length, response=None, context=self.context(),
            exception=sample.failure, start_time=sample.start_time,
        )


def _wait_time(wait: Optional[str], throughput: Optional[float]) -> Any:
    if throughput is not None:
        return constant_throughput(throughput)
    low, high = parse_wait(wait or "0")
    return constant(low) if low == high else between(low, high)


def user_class(
    target: TargetSpec,
    data: Optional[ClaimRows] = None,
    *,
    claims: Optional[Mapping[str, Any]] = None,
    name: str = "B2CUser",
    row_per: str = "user",
    wait: Optional[str] = None,
    throughput: Optional[float] = None,
    transport: Optional[str] = None,
) -> type:
    """A concrete ``B2CUser`` subclass for ``target`` (Locust runs classes, not instances)."""
    if row_per not in ("user", "call"):
        raise ConfigurationError(f"row_per must be 'user' or 'call', got {row_per!r}")
    namespace = {
        "abstract": False, "target": target, "data": data, "claims": dict(claims or {}), "row_per": row_per,
        "wait_time": _wait_time(wait, throughput), "__module__": __name__,
        "transport": check_transport(transport) if transport is not None else None,
        "__doc__": "A B2CUser built by connector_sim.load.user_class.",
    }
    return type(name, (B2CUser,), namespace)


def user_class_from_config(config: LoadConfig, *, prepare: bool = True) -> type:
    """The user class a ``LoadConfig`` describes; ``prepare`` builds the target now to fail fast."""
    config.check()
    built: Dict[str, Any] = {}

    def make() -> Target:
        if "target" not in built:
            built["target"], built["secrets"] = config.build_target()
        return built["target"]

    cls = user_class(make, config.build_rows(), claims=config.claims, name=config.name, row_per=config.row_per,
                     wait=config.wait, throughput=config.throughput)
    if prepare:
        shared_target(cls)
    return cls


def user_class_from_env(environ: Optional[Mapping[str, str]] = None, *, prepare: bool = True) -> type:
    """The user class ``CONNECTOR_SIM_LOAD_CONFIG`` and the ``CONNECTOR_SIM_LOAD_*`` variables describe."""
    return user_class_from_config(LoadConfig.from_env(environ), prepare=prepare)
