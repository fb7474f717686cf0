"""User-flow API connectors and Entra External ID custom authentication extensions.

Both are endpoints called on the core's transport and redaction; each answer is judged against
its contract and summed up as a ``ConnectorOutcome``.
"""

from __future__ import annotations

import typing as _typing

from ..faces import lazy_face

if _typing.TYPE_CHECKING:
    from ._api_connector import ApiConnector
    from ._auth_check import AuthCase, AuthCheckResult
    from ._external_id import ExternalIdExtension
    from ._migrate import MigrationItem, MigrationReport, migrate_check
    from ._outcome import ConnectorOutcome, Violation
    from ._token_claims import TokenView

__all__ = [
    "ApiConnector", "AuthCase", "AuthCheckResult", "ConnectorOutcome", "ExternalIdExtension", "MigrationItem",
    "MigrationReport", "TokenView", "Violation", "migrate_check",
]

# Each name is imported on first use (PEP 562): a report that only reads ConnectorOutcome does not
# pay for the transport, and only an extension that encrypts pays for cryptography.
_LAZY = {"ApiConnector": "._api_connector", "ExternalIdExtension": "._external_id",
         "ConnectorOutcome": "._outcome", "Violation": "._outcome",
         "AuthCase": "._auth_check", "AuthCheckResult": "._auth_check", "MigrationItem": "._migrate",
         "MigrationReport": "._migrate", "migrate_check": "._migrate", "TokenView": "._token_claims"}


__getattr__, __dir__ = lazy_face(__name__, _LAZY, globals())
