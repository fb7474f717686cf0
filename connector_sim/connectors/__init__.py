"""User-flow API connectors and Entra External ID custom authentication extensions.

Both are endpoints called on the core's transport and redaction; each answer is judged against
its contract and summed up as a ``ConnectorOutcome``.
"""

from __future__ import annotations

from ._api_connector import ApiConnector
from ._external_id import ExternalIdExtension
from ._outcome import ConnectorOutcome, Violation

__all__ = ["ApiConnector", "ConnectorOutcome", "ExternalIdExtension", "Violation"]
