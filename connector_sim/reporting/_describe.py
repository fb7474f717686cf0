"""A readable account of one recorded call: the request sent (redacted), the answer, the error, what the user sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._reports import CallRecord

__all__ = ["describe_record"]

_BODY_SHOWN = 4000  # characters of a body in readable text (the JSON report keeps what the result kept)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _cap(text: str | None) -> str:
    if text is None:
        return ""
    return text if len(text) <= _BODY_SHOWN else text[:_BODY_SHOWN] + f"... ({len(text) - _BODY_SHOWN} more characters)"


def describe_record(record: CallRecord) -> str:
    """A readable account of one call: the request sent (redacted), the answer, the error and what the user sees."""
    status = f", HTTP {record.status}" if record.status is not None else ""
    tries = len(record.attempts)
    timing = f" after {tries} attempt{'s' if tries != 1 else ''} in {record.elapsed_ms:.1f} ms" if tries else ""
    lines = [f"{record.name}: {record.outcome}{status}{timing}"]
    if record.note:
        lines.append(f"  note: {record.note}")
    request = record.request
    if request is not None:
        lines += ["  request sent (secrets masked):", f"    {request['method']} {request['url']}"]
        lines += [f"    {k}: {v}" for k, v in request["headers"].items()]
        if request.get("body") is not None:
            lines += ["", _indent(_cap(request["body"]))]
    response = record.response
    if response is not None:
        lines += ["  answer:", f"    {response['status']} {response.get('reason', '')}".rstrip()]
        lines += [f"    {k}: {v}" for k, v in response["headers"].items()]
        if response.get("body"):
            lines += ["", _indent(_cap(response["body"]))]
    elif request is not None and not record.ok:
        lines.append("  answer: none")
    for attempt in record.attempts if tries > 1 or (tries and record.attempts[0].get("status") is None) else ():
        lines.append(f"  attempt {attempt['number']}: {attempt['outcome']} {attempt.get('status') or ''} "
                     f"in {attempt['elapsed_ms']:.1f} ms".replace("  ", " "))
    error = record.error
    if error is not None:
        code = f" {error['code']}" if error.get("code") else ""
        lines.append(f"  error: {error.get('type', 'error')}{code}: {error.get('message') or error.get('userMessage')}")
    if record.user_sees:
        lines.append(f"  the user sees: {record.user_sees}")
    lines += [f"  contract: {v}" for v in record.violations]
    lines += [f"  warning: {w}" for w in record.warnings]
    return "\n".join(lines)
