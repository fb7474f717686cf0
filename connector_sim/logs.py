"""Keeping secrets out of log records that connector_sim does not write itself.

urllib3 logs each request line at DEBUG, query string included, and an Azure Functions key
travels as ``?code=...``; this filter masks key-carrying query parameters in those records.
"""

from __future__ import annotations

import logging
import re

from .wire import REDACTED, SECRET_QUERY_PARAMETERS

__all__ = ["QueryKeyFilter", "install"]

_PARAM = re.compile(r"([?&](?:%s)=)[^&\s\"']*" % "|".join(re.escape(p) for p in sorted(SECRET_QUERY_PARAMETERS)),
                    re.IGNORECASE)


class QueryKeyFilter(logging.Filter):
    """Masks ``code=``, ``key=``... query values in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        if isinstance(record.msg, str):
            record.msg = _PARAM.sub(r"\1" + REDACTED, record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_PARAM.sub(r"\1" + REDACTED, a) if isinstance(a, str) else a for a in record.args)
        return True


_FILTER = QueryKeyFilter()


def install() -> None:
    """Attach the filter to the loggers that print URLs (idempotent)."""
    for name in ("urllib3.connectionpool", "urllib3.connection", "msal"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
