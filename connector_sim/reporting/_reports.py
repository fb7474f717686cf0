"""Reports of every call for CI systems: one JSON document, or JUnit XML (a testsuite per run, a testcase per call).

A ``Report`` is fed ``CallResult``s, ``JourneyResult``s (one record per step), ``ConnectorOutcome``s
and ``CallError``s; each becomes a ``CallRecord``: profile, redacted request, answer (token-like
values and cookies masked), attempts and timing, outcome, and the error B2C would raise with the
message the user would see. Known secret values given to the report are masked once more on output.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Sequence

from ..connectors._outcome import ConnectorOutcome
from ..journey.result import JourneyResult, StepResult
from ..redact import REDACTED, redact_claims, redact_text
from ..result import CallResult
from ..wire import WireRequest
from ._describe import describe_record
from ._junit import TestVerdict, junit_xml

__all__ = ["CallRecord", "Report", "describe_record", "records_from"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

#: Answer headers that carry credentials or sessions: masked in every record.
SECRET_RESPONSE_HEADERS = frozenset({"set-cookie", "authorization", "proxy-authorization", "cookie"})


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class CallRecord:
    """One call as a report shows it: what was sent (redacted), the answer, timing and outcome."""

    profile: str
    outcome: str  # success, error, skipped, supplied, or a connector's action
    ok: bool
    kind: str = "restful"  # restful, b2c-user-flow, external-id
    test: str | None = None  # the pytest node id, or what the CLI ran
    label: str | None = None  # the b2c_step marker's name
    step: int | None = None
    validation_of: str | None = None
    status: int | None = None
    elapsed_ms: float = 0.0
    attempts: tuple[Mapping[str, Any], ...] = ()
    request: Mapping[str, Any] | None = None
    response: Mapping[str, Any] | None = None
    error: Mapping[str, Any] | None = None
    user_sees: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict)  # output claims, token-like ones masked
    violations: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    note: str = ""
    continued: bool = False  # failed, but B2C carried on (ContinueOnError): not a failure of the run
    recorded_at: str = field(default_factory=_now)

    @property
    def name(self) -> str:
        """The test case name: profile, with the step label or the self-asserted profile it validates."""
        name = self.profile
        if self.validation_of:
            name += f" (validation of {self.validation_of})"
        return f"{name} [{self.label}]" if self.label else name

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "test": self.test, "label": self.label, "profile": self.profile, "kind": self.kind,
            "step": self.step, "validation_of": self.validation_of, "outcome": self.outcome, "ok": self.ok,
            "status": self.status, "elapsed_ms": round(self.elapsed_ms, 3), "attempts": list(self.attempts),
            "request": self.request, "response": self.response, "error": self.error, "user_sees": self.user_sees,
            "claims": dict(self.claims), "violations": list(self.violations), "warnings": list(self.warnings),
            "note": self.note, "continued": self.continued, "recorded_at": self.recorded_at,
        }


def _request(request: WireRequest | None) -> dict[str, Any] | None:
    if request is None:
        return None
    from ._curl_secrets import sensitive_fields

    # Idempotent on a record; masks Authorization if a raw request slipped in, and password- or
    # token-like claims the request carries (a validation API may receive the user's password).
    shown = request.redacted(v for v in sensitive_fields(request).values() if len(v) >= 4)
    return {"method": shown.method, "url": shown.url, "headers": dict(shown.headers), "body": shown.text()}


def _response(response: Any) -> dict[str, Any] | None:
    if response is None:
        return None
    data = response.to_dict()
    data["headers"] = {k: (REDACTED if k.lower() in SECRET_RESPONSE_HEADERS else v) for k, v in data["headers"].items()}
    return data


def _error(error: Any) -> dict[str, Any] | None:
    if error is None:
        return None
    data = error.to_dict() if hasattr(error, "to_dict") else {"type": type(error).__name__, "message": str(error)}
    data.setdefault("userMessage", getattr(error, "user_message", None))
    return data


def _from_call(result: Any, **context: Any) -> CallRecord:
    error = result.error
    return CallRecord(
        profile=result.profile_id, outcome="error" if error is not None else "success", ok=error is None,
        status=getattr(error, "http_status", None) or result.status, elapsed_ms=result.elapsed_ms,
        attempts=tuple(a.to_dict() for a in result.attempts), request=_request(result.request),
        response=_response(result.response), error=_error(error),
        user_sees=(getattr(error, "user_sees", None) or getattr(error, "user_message", None)) if error else None,
        claims=redact_claims(result.claims), warnings=tuple(result.warnings), **context)


def _from_step(step: Any, journey: Any = None, **context: Any) -> CallRecord:
    result = step.result
    stopped = journey is not None and journey.error is not None and journey.error is step.error
    user_sees = journey.user_sees if stopped else (
        getattr(step.error, "user_sees", None) or getattr(step.error, "user_message", None))
    continued = step.outcome == "error" and journey is not None and not stopped
    note = step.note or ("B2C carried on (ContinueOnError)" if continued else "")
    return CallRecord(
        profile=step.profile, outcome=step.outcome, ok=step.ok, step=step.step, validation_of=step.validation_of,
        status=step.status, elapsed_ms=step.elapsed_ms,
        attempts=tuple(a.to_dict() for a in result.attempts) if result is not None else (),
        request=_request(result.request) if result is not None and result.attempts else None,
        response=_response(result.response) if result is not None else None, error=_error(step.error),
        user_sees=user_sees, claims=redact_claims(step.claims_added),
        warnings=tuple(result.warnings) if result is not None else (), note=note, continued=continued, **context)


def _from_outcome(outcome: Any, **context: Any) -> CallRecord:
    return CallRecord(
        profile=outcome.step, kind=outcome.kind, outcome=outcome.action or "error", ok=outcome.ok,
        status=outcome.status, elapsed_ms=outcome.elapsed_ms, attempts=tuple(a.to_dict() for a in outcome.attempts),
        request=_request(outcome.request), response=_response(outcome.response), error=_error(outcome.error),
        user_sees=outcome.user_sees, claims=redact_claims(outcome.claims),
        violations=tuple(str(v) for v in outcome.violations), warnings=tuple(outcome.warnings), **context)


def records_from(obj: Any, *, test: str | None = None, label: str | None = None) -> List[CallRecord]:
    """Records for a CallResult, JourneyResult (one per step), StepResult, ConnectorOutcome or CallError."""
    context: Dict[str, Any] = {"test": test, "label": label}
    if isinstance(obj, JourneyResult):
        return [_from_step(step, obj, **context) for step in obj.steps]
    if isinstance(obj, StepResult):
        return [_from_step(obj, **context)]
    if isinstance(obj, ConnectorOutcome):
        return [_from_outcome(obj, **context)]
    if isinstance(obj, CallResult):
        return [_from_call(obj, **context)]
    if isinstance(obj, BaseException):
        if getattr(obj, "result", None) is not None:
            return records_from(obj.result, **context)  # type: ignore[attr-defined]
        attempts = tuple(a.to_dict() for a in getattr(obj, "attempts", ()))
        return [CallRecord(profile=getattr(obj, "profile_id", None) or "?", outcome="error", ok=False,
                           status=getattr(obj, "status", None), attempts=attempts, error=_error(obj),
                           user_sees=getattr(obj, "user_message", None), **context)]
    raise TypeError(f"cannot report a {type(obj).__name__}: give a CallResult, JourneyResult, ConnectorOutcome "
                    "or CallError")


def _mask(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {k: _mask(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask(v, secrets) for v in value]
    return value


class Report:
    """The calls of one run (a CLI run or a pytest session), written as JSON or JUnit XML."""

    def __init__(self, name: str = "connector-sim", *, secrets: Iterable[str] = ()) -> None:
        self.name = name
        self.records: List[CallRecord] = []
        self.started = _now()
        self.secrets = sorted({s for s in secrets if isinstance(s, str) and len(s) >= 4}, key=len, reverse=True)

    def add(self, obj: Any, *, test: str | None = None, label: str | None = None) -> List[CallRecord]:
        """Record every call in a result (see ``records_from``); return the new records."""
        new = records_from(obj, test=test, label=label)
        self.records.extend(new)
        return new

    def add_secrets(self, values: Iterable[Any]) -> None:
        """Mask these values too wherever they appear in the written report."""
        known = set(self.secrets) | {v for v in values if isinstance(v, str) and len(v) >= 4}
        self.secrets = sorted(known, key=len, reverse=True)

    @property
    def failures(self) -> int:
        """How many calls failed the run (a ContinueOnError failure does not)."""
        return sum(1 for r in self.records if _failed(r))

    def to_dict(self, verdicts: Sequence[TestVerdict] | None = None) -> dict[str, Any]:
        """The JSON report: summary counts, the list of calls and, when given, the tests' verdicts."""
        from .. import __version__

        skipped = sum(1 for r in self.records if r.outcome == "skipped")
        data = {
            "tool": "connector-sim", "version": __version__, "name": self.name, "started": self.started,
            "summary": {"calls": len(self.records), "failed": self.failures, "skipped": skipped,
                        "elapsed_ms": round(sum(r.elapsed_ms for r in self.records), 3)},
            "calls": [r.to_dict() for r in self.records],
        }
        if verdicts is not None:
            data["tests"] = [v.to_dict() for v in verdicts]
            data["summary"]["tests"] = len(verdicts)  # type: ignore[index]
            data["summary"]["tests_failed"] = sum(v.outcome in ("failed", "error") for v in verdicts)  # type: ignore[index]
        return _mask(data, self.secrets)

    def to_json(self, verdicts: Sequence[TestVerdict] | None = None) -> str:
        """The JSON report as text."""
        text = json.dumps(self.to_dict(verdicts), indent=2, ensure_ascii=False, default=str)
        # An API's answer may hold a lone surrogate: JSON's own escape for it, so the file encodes as UTF-8.
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

    def to_junit_xml(self, verdicts: Sequence[TestVerdict] | None = None) -> str:
        """JUnit XML: a testcase per test verdict (its calls in system-out), else a testcase per call."""
        from .. import __version__

        records = [self._masked(r) for r in self.records]
        properties = {"tool": "connector-sim", "version": __version__, "b2c.calls": str(len(records)),
                      "b2c.failed_calls": str(sum(1 for r in records if _failed(r)))}
        shown = None if verdicts is None else [
            TestVerdict(v.test, v.outcome, _mask(v.message, self.secrets), _mask(v.details, self.secrets), v.type,
                        v.seconds) for v in verdicts]
        return junit_xml(self.name, records, describe_record, _failed, verdicts=shown, started=self.started,
                         properties=properties)

    def _masked(self, record: CallRecord) -> CallRecord:
        return CallRecord(**{**record.__dict__, **_mask(record.__dict__, self.secrets)})

    def add_records(self, calls: Iterable[Mapping[str, Any]]) -> None:
        """Add calls already in ``CallRecord.to_dict`` form (from another process, e.g. a pytest-xdist worker)."""
        for data in calls:
            known = {k: v for k, v in data.items() if k in CallRecord.__dataclass_fields__}
            for name in ("attempts", "violations", "warnings"):
                known[name] = tuple(known.get(name) or ())
            self.records.append(CallRecord(**known))

    def write_json(self, path: str | Path, verdicts: Sequence[TestVerdict] | None = None) -> Path:
        """Write the JSON report (UTF-8); return its path."""
        return _write(path, self.to_json(verdicts) + "\n")

    def write_junit(self, path: str | Path, verdicts: Sequence[TestVerdict] | None = None) -> Path:
        """Write the JUnit XML report (UTF-8); return its path."""
        return _write(path, self.to_junit_xml(verdicts))


def _failed(record: CallRecord) -> bool:
    return not record.ok and not record.continued and record.outcome != "skipped"


def _write(path: str | Path, text: str) -> Path:
    target = Path(path)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
