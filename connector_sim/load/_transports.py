"""Which transport a load run sends on: the SDK's own (requests) or the fast one (geventhttpclient).

Light on purpose: naming and checking the choice must not import gevent, which only the fast
transport (``_fast_transport``) needs and only once a session opens.
"""

from __future__ import annotations

from ..errors import ConfigurationError

__all__ = ["TRANSPORTS", "check_transport"]

#: The transports a load run can use; "requests" is the SDK's own and the default.
TRANSPORTS = ("requests", "fast")


def check_transport(name: str) -> str:
    """``name`` if it is a load transport ("requests" or "fast"), else a ``ConfigurationError``."""
    if name not in TRANSPORTS:
        raise ConfigurationError(f"transport must be one of {', '.join(TRANSPORTS)}, got {name!r}",
                                 hint="fast runs the same B2C pipeline on geventhttpclient, at FastHttpUser's rate")
    return name
