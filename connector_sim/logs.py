"""Keeping secrets out of log records that connector_sim does not write itself.

urllib3 logs each request line at DEBUG, query string included, and an Azure Functions key
travels as ``?code=...``; this filter masks key-carrying query parameters in those records.
"""

from __future__ import annotations

import logging

from .wire import redact_query_keys

__all__ = ["QueryKeyFilter", "install"]


class QueryKeyFilter(logging.Filter):
    """Masks ``code=``, ``key=``... query values in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        if isinstance(record.msg, str):
            record.msg = redact_query_keys(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query_keys(a) if isinstance(a, str) else a for a in record.args)
        return True


_FILTER = QueryKeyFilter()


def install() -> None:
    """Attach the filter to the loggers that print URLs (idempotent)."""
    for name in ("urllib3.connectionpool", "urllib3.connection", "msal"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
