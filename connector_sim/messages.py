"""B2C's user-facing texts for a RESTful call that failed, and the metadata that overrides them."""

from __future__ import annotations

from dataclasses import dataclass

from .redact import redact_url

__all__ = ["DEFAULT_MESSAGES", "UserMessages", "user_message"]


@dataclass(frozen=True)
class UserMessages:
    """The four error-message metadata overrides; ``None`` means B2C's localized default (§7.4)."""

    request_failed: str | None = None  # DefaultUserMessageIfRequestFailed
    request_timeout: str | None = None  # UserMessageIfRequestTimeout
    dns_resolution_failed: str | None = None  # UserMessageIfDnsResolutionFailed
    circuit_open: str | None = None  # UserMessageIfCircuitOpen


#: B2C's localized defaults ("Restful service error messages" of localization-string-ids.md).
DEFAULT_MESSAGES = UserMessages(
    request_failed="Failed to establish connection to restful service end point. Restful service URL: {0}",
    request_timeout="Failed to establish connection to restful service end point within timeout limit {0} "
    "seconds. Restful service URL: {1}",
    dns_resolution_failed="Failed to resolve the hostname of the restful service endpoint. "
    "Restful service URL: {0}",
    circuit_open="{0} Restful Service URL: {1}",
)


def user_message(messages: UserMessages, kind: str, url: str, timeout: float = 0.0) -> str:
    """The text B2C shows for a failure ``kind``: the profile's override, else the default, filled in."""
    if getattr(messages, kind) is None and messages.request_failed is not None:
        kind = "request_failed"  # each specific message falls back to DefaultUserMessageIfRequestFailed
    template = getattr(messages, kind) or getattr(DEFAULT_MESSAGES, kind)
    shown = redact_url(url)
    args = (f"{timeout:g}", shown) if kind == "request_timeout" else (shown,)
    try:
        return template.format(*args)
    except (IndexError, KeyError, ValueError):
        return template  # a custom text with braces of its own is shown as written
