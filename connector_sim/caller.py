"""One B2C-faithful call of a RESTful profile: encode, authenticate, send, map.

``Caller`` is what a user holds, as they would hold a ``requests.Session``: it keeps its
connections alive between calls and is a context manager. ``prepare`` builds the exact request
B2C would send without sending it (what ``inspect`` and ``--export curl`` show); ``call`` sends it
and returns a ``CallResult``, or raises the ``CallError`` B2C would raise, with that call's record
on ``error.result``.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

from .claims import ClaimsBag
from .encoding import encode_request
from .errors import CallError
from .mapping import map_response, parse_json_body
from .profile import RestfulProfile
from .redact import SENSITIVE_NAME, Secrets, is_sensitive_claim
from .resolvers import ClaimResolverContext
from .result import CallResult
from .transport import Transport
from .wire import WireRequest, WireResponse

__all__ = ["Caller", "PreparedCall"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedCall:
    """The exact request B2C would send for one claims bag, not yet sent.

    ``request`` is safe to print; the request as it goes on the wire, credentials and all, stays
    inside (``Caller.send`` takes it) and is never shown.
    """

    profile_id: str
    secrets: Secrets = field(repr=False)
    claims: Mapping[str, Any] = field(repr=False)
    _sent: WireRequest = field(repr=False)
    _secret_headers: tuple[str, ...] = field(default=(), repr=False)

    @functools.cached_property
    def request(self) -> WireRequest:
        """What would go over the wire, secrets masked; built on first use (most calls never show it)."""
        return self._sent.redacted(self.secrets, self._secret_headers)

    @property
    def wire_request(self) -> WireRequest:
        """The unredacted request, for a second transport (load mode) that sends the same bytes."""
        return self._sent

    def __repr__(self) -> str:
        return f"PreparedCall(profile_id={self.profile_id!r}, request={self.request!r})"


class Caller:
    """Calls one profile as B2C would; keeps its connections alive between calls."""

    def __init__(self, profile: RestfulProfile, *, transport: Transport | None = None,
                 own_connections: bool = False) -> None:
        """``own_connections``: connections of its own, not shared with every caller of the same TLS
        identity (a load-test user stands for one client of the API)."""
        self.profile = profile
        self._transport = transport
        self._own_connections = own_connections
        self._lock = threading.Lock()  # threads sharing a caller make one transport between them

    @property
    def transport(self) -> Transport:
        """The transport, made on the first send: a caller that only prepares opens nothing."""
        if self._transport is None:
            with self._lock:
                if self._transport is None:
                    profile = self.profile
                    self._transport = Transport(
                        timing=profile.timing_profile,
                        ssl_context=profile.auth.ssl_context_for(profile.ca_bundle),
                        max_response_bytes=profile.emulation.max_response_bytes,
                        messages=profile.messages,
                        shared=not self._own_connections,
                    )
        return self._transport

    def __repr__(self) -> str:
        return f"Caller({self.profile.id!r})"

    def close(self) -> None:
        """Close pooled connections."""
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def prepare(self, claims: Mapping[str, Any] | None = None, *,
                context: ClaimResolverContext | None = None) -> PreparedCall:
        """The request B2C would send for this claims bag, without sending it; raise a ``ClaimsError``."""
        profile = self.profile
        bag = claims if isinstance(claims, ClaimsBag) else ClaimsBag(claims or {})
        sent = profile.auth.apply(encode_request(profile, bag, context), bag, profile_id=profile.id)
        # A snapshot: the bag changes as a journey goes on, and the secrets are gathered later, if ever.
        secrets = Secrets.for_call(profile.auth, sent.url, dict(bag))
        return PreparedCall(profile.id, secrets, bag, sent, tuple(profile.auth.secret_headers))

    def call(self, claims: Mapping[str, Any] | None = None, *, context: ClaimResolverContext | None = None,
             step: int = 1) -> CallResult:
        """Call the API with this claims bag; return its output claims or raise what B2C would."""
        bag = claims if isinstance(claims, ClaimsBag) else ClaimsBag(claims or {})
        try:
            prepared = self.prepare(bag, context=context)
        except CallError as error:
            secrets = Secrets.for_call(self.profile.auth, self.profile.service_url, dict(bag))
            error.result = self._result(None, None, secrets, error=error)
            raise
        return self.send(prepared, step=step)

    def send(self, prepared: PreparedCall, *, step: int = 1) -> CallResult:
        """Send a prepared call and map its answer; raise the ``CallError`` B2C would raise."""
        profile = self.profile
        answer: WireResponse | None = None
        # The answer's token-like values join the call's secrets, gathered only when something is shown.
        secrets = Secrets(source=lambda: [*prepared.secrets,
                                          *(_sensitive_values(answer.content) if answer is not None else ())])
        try:
            answer = self.transport.send(prepared.wire_request, profile_id=profile.id, secrets=prepared.secrets)
            output, warnings = map_response(profile, answer, step=step, secrets=secrets)
        except CallError as error:
            error.result = self._result(prepared, answer, secrets, error=error)
            log.debug("%s failed: %s", profile.id, error.message)
            raise
        for warning in warnings:
            log.warning("%s: %s", profile.id, warning)
        return self._result(prepared, answer, secrets, output=output, warnings=tuple(warnings))

    def _result(self, prepared: PreparedCall | None, answer: WireResponse | None, secrets: Secrets, *,
                output: Mapping[str, Any] | None = None, warnings: tuple[str, ...] = (),
                error: CallError | None = None) -> CallResult:
        profile = self.profile

        def record() -> tuple[WireRequest, WireResponse | None]:
            if prepared is not None:
                shown = prepared.request
            else:
                shown = WireRequest(profile.method, profile.service_url).redacted(secrets)
            return shown, answer.redacted(secrets) if answer is not None else None

        attempts = answer.attempts if answer is not None else (error.attempts if error is not None else ())
        size = len(answer.content) if answer is not None else 0
        return CallResult(profile.id, dict(output or {}), tuple(attempts), record, warnings, error, size, profile)


def _sensitive_values(body: bytes) -> list[str]:
    """Values of token-like top-level properties (``access_token``) of a JSON answer, to mask."""
    if not SENSITIVE_NAME.search(body.decode("latin-1")):
        return []  # the common case: nothing token-like, no second parse
    try:
        document = parse_json_body(body)
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    return [str(v) for k, v in document.items() if is_sensitive_claim(k) and isinstance(v, (str, int)) and v != ""]
