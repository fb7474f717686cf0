"""AuthenticationType Basic (RFC 7617 over UTF-8)."""

from __future__ import annotations

import base64
from typing import Any, Mapping

from ..wire import WireRequest
from ._base import AuthStrategy, require_text

__all__ = ["Basic"]


class Basic(AuthStrategy):
    """AuthenticationType Basic: ``Authorization: Basic base64(username:password)`` (RFC 7617, UTF-8)."""

    authentication_type = "Basic"
    key_ids = ("BasicAuthenticationUsername", "BasicAuthenticationPassword")
    rejected_code = "AADB2C90027"
    secret_names = (("B2C_PASSWORD", "the Basic password (policy key BasicAuthenticationPassword)"),
                    ("B2C_BASIC_CREDENTIALS", "base64 of username:password"))
    rejected_hint = "Basic credentials specified for '{profile}' are invalid"

    def __init__(self, username: str, password: str) -> None:
        self.username = require_text(username, "the Basic username (BasicAuthenticationUsername)")
        self._password = require_text(password, "the Basic password (BasicAuthenticationPassword)")
        # Built once: the header is the same for every call.
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add the Basic header."""
        return request.with_headers({"Authorization": self._header})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The password and the encoded header value."""
        return (self._password, self._header.split(" ", 1)[1])

    def __repr__(self) -> str:
        return f"Basic(username={self.username!r}, password=***)"
