"""What a run leaves behind: JSON and JUnit reports, curl export, assertion helpers, tables, tls-check."""

from __future__ import annotations

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
