"""AuthenticationType ApiKeyHeader: one header named by the key's Id."""

from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import ConfigurationError
from ..wire import WireRequest
from ._base import AuthStrategy, require_header_value, require_text

__all__ = ["ApiKeyHeader"]

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class ApiKeyHeader(AuthStrategy):
    """AuthenticationType ApiKeyHeader: one header named by the key Id (``x-functions-key``)."""

    authentication_type = "ApiKeyHeader"
    secret_names = (("B2C_API_KEY", "the API key"),)

    def __init__(self, header: str, key: str) -> None:
        if not isinstance(header, str) or not _HEADER_NAME.match(header):
            raise ConfigurationError(f"{header!r} is not a valid HTTP header name for ApiKeyHeader")
        self.header = header
        what = f"the API key ({header})"
        self._key = require_header_value(require_text(key, what), what)
        self.secret_headers = (header,)  # per instance: the header is the key Id
        self.key_ids = (header,)

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add the API key header."""
        return request.with_headers({self.header: self._key})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The key."""
        return (self._key,)

    def __repr__(self) -> str:
        return f"ApiKeyHeader(header={self.header!r}, key=***)"
