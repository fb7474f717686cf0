"""What a run leaves behind: JSON and JUnit reports, curl export, assertion helpers, tables, tls-check."""

from __future__ import annotations

import typing as _typing

from ..faces import lazy_face

if _typing.TYPE_CHECKING:
    from ._assertions import assert_b2c_error, assert_claims, assert_ok, assert_outcome, assert_user_sees, explain
    from ._curl import CurlCommand, EnvRef, curl_command, curl_for_result, curl_script, to_curl
    from ._reports import CallRecord, Report
    from ._tables import format_table

__all__ = [
    "CallRecord",
    "CurlCommand",
    "EnvRef",
    "Report",
    "assert_b2c_error",
    "assert_claims",
    "assert_ok",
    "assert_outcome",
    "assert_user_sees",
    "curl_command",
    "curl_for_result",
    "curl_script",
    "explain",
    "format_table",
    "to_curl",
]

# Each name is imported on first use (PEP 562): writing a report does not pay for the assertion
# helpers or the curl export.
_LAZY = {"assert_b2c_error": "._assertions", "assert_claims": "._assertions", "assert_ok": "._assertions",
         "assert_outcome": "._assertions", "assert_user_sees": "._assertions", "explain": "._assertions",
         "CurlCommand": "._curl", "EnvRef": "._curl", "curl_command": "._curl", "curl_for_result": "._curl",
         "curl_script": "._curl", "to_curl": "._curl", "CallRecord": "._reports", "Report": "._reports",
         "format_table": "._tables"}


__getattr__, __dir__ = lazy_face(__name__, _LAZY, globals())
