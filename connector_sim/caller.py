"""One B2C-faithful call of a RESTful profile: encode, authenticate, send, map.

``Caller`` composes the pure stages (``encoding``, ``auth``, ``mapping``) around the one I/O
stage (``transport``) and returns a ``CallResult``; on failure it raises the ``CallError`` B2C
would raise, with the result of the failed call attached as ``error.result``.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from .encoding import encode_request
from .errors import CallError
from .profile import RestfulProfile
from .resolvers import ClaimResolverContext
from .result import CallResult, RecordedResponse
from .transport import Exchange, Transport
from .mapping import map_response, parse_json_body
from .wire import SENSITIVE_NAME, WireRequest, is_sensitive_claim, query_secrets, redact_text, sensitive_claim_values

__all__ = ["Caller"]

log = logging.getLogger(__name__)
_BODY_SHOWN = 64 * 1024  # how much of an answer a result keeps for display


class Caller:
    """Calls one profile; keeps its connections alive between calls."""

    def __init__(self, profile: RestfulProfile) -> None:
        self.profile = profile
        self.transport = Transport(
            auth=profile.auth,
            timing=profile.timing_profile,
            ca_bundle=profile.ca_bundle,
            max_response_bytes=profile.emulation.max_response_bytes,
            messages=profile.messages,
        )

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def call(
        self, claims: Mapping[str, Any], *, context: ClaimResolverContext | None = None, step: int = 1
    ) -> CallResult:
        """Call the API with this claims bag; return its output claims or raise what B2C would."""
        profile = self.profile
        request: WireRequest | None = None
        exchange: Exchange | None = None
        try:
            request = profile.auth.apply(encode_request(profile, claims, context), claims, profile_id=profile.id)
            exchange = self.transport.send(request, profile_id=profile.id, claims=claims)
            output, warnings = map_response(profile, exchange, step=step)
        except CallError as error:
            error.profile_id = error.profile_id or profile.id
            if exchange is not None:
                error.attempts = exchange.attempts
            error.redact(self._secrets(request, exchange, claims))  # an API may echo the credentials back
            error.result = self._result(request, exchange, claims, error=error)
            log.debug("%s failed: %s", profile.id, error.message)
            raise
        for warning in warnings:
            log.warning("%s: %s", profile.id, warning)
        return self._result(request, exchange, claims, output=output, warnings=tuple(warnings))

    def _result(self, request: WireRequest | None, exchange: Exchange | None, claims: Mapping[str, Any], *,
                output: Mapping[str, Any] | None = None, warnings: tuple[str, ...] = (),
                error: CallError | None = None) -> CallResult:
        claims = dict(claims)  # the bag may change before the record is built

        def record() -> tuple[WireRequest, RecordedResponse | None]:
            secrets = self._secrets(request, exchange, claims)
            if exchange is not None:
                shown = exchange.request
            elif request is not None:
                shown = request.redacted(secrets, self.profile.auth.secret_headers)
            else:
                shown = WireRequest(self.profile.method, self.profile.service_url).redacted()
            if exchange is None:
                return shown, None
            text = redact_text(exchange.body[:_BODY_SHOWN].decode("utf-8", "backslashreplace"), secrets)
            headers = {name: redact_text(value, secrets) for name, value in exchange.headers.items()}
            return shown, RecordedResponse(exchange.status, exchange.reason, headers, text,
                                           truncated=len(exchange.body) > _BODY_SHOWN)

        attempts = exchange.attempts if exchange is not None else (error.attempts if error is not None else ())
        size = len(exchange.body) if exchange is not None else 0
        return CallResult(self.profile.id, dict(output or {}), tuple(attempts), record, warnings, error, size)

    def _secrets(self, request: WireRequest | None, exchange: Exchange | None, claims: Mapping[str, Any]) -> list[str]:
        """Every value to mask in what this call shows: credentials, ``?code=`` keys, tokens in the answer."""
        url = request.url if request is not None else self.profile.service_url
        found = [*self.profile.auth.secret_values(claims), *query_secrets(url), *sensitive_claim_values(claims)]
        return found + _sensitive_values(exchange.body) if exchange is not None else found


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
