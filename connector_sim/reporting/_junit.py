"""JUnit XML for CI: a testcase per test (pytest, CLI scenarios) or, without tests, per call.

The XML keeps to the JUnit schema of Jenkins' xunit plugin (``junit-10.xsd``): ``<properties>`` only
at suite level, no ``skipped`` count on ``<testsuites>``. A testcase fails only when its test failed
(an assertion, an expectation that did not hold); what B2C did with each call of the test (status,
B2C code, what the user sees) goes in its ``<system-out>``. ``<failure type>`` and ``<error type>``
are always a Python exception class name (``AssertionError``, ``ExpectationFailed``, ``HttpStatusError``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import (
    Any,
)

__all__ = ["OUTCOMES", "TestVerdict", "junit_xml", "split_node_id"]

#: What a test can end as, in JUnit's terms.
OUTCOMES = ("passed", "failed", "error", "skipped")
#: The failure type of a call that failed when no exception class is known.
CALL_FAILED = "CallFailed"

# Characters XML 1.0 cannot hold even escaped; shown as \xNN so a report always parses.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: Any) -> str:
    """`text` as a string XML 1.0 can hold."""
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", "" if text is None else str(text))


@dataclass(frozen=True)
class TestVerdict:
    """What the test runner said about one test: its outcome, and why when it did not pass."""

    __test__ = False  # not a pytest test class, whatever its name

    test: str  # pytest node id or the CLI scenario's name; CallRecord.test points at it
    outcome: str = "passed"  # passed, failed, error, skipped
    message: str = ""
    details: str = ""
    type: str = ""  # the exception class name of a failure or error
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"test": self.test, "outcome": self.outcome, "message": self.message, "type": self.type or None,
                "seconds": round(self.seconds, 6)}


def split_node_id(node_id: str) -> tuple[str, str]:
    """(classname, name) of a pytest node id, as pytest's own JUnit report names them."""
    parts = node_id.split("::")
    if len(parts) == 1:
        return "", node_id
    module = parts[0]
    module = module.removesuffix(".py")
    return ".".join([module.replace("/", ".").replace("\\", "."), *parts[1:-1]]), parts[-1]


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def _counts(outcomes: Sequence[str], seconds: float) -> dict[str, str]:
    return {"tests": str(len(outcomes)), "failures": str(outcomes.count("failed")),
            "errors": str(outcomes.count("error")), "skipped": str(outcomes.count("skipped")),
            "time": _seconds(seconds)}


def junit_xml(
    name: str,
    records: Sequence[Any],
    describe: Callable[[Any], str],
    failed: Callable[[Any], bool],
    *,
    verdicts: Sequence[TestVerdict] | None = None,
    started: str = "",
    properties: Mapping[str, str] = {},
) -> str:
    """The JUnit document: a testcase per verdict with its calls in system-out, else one per call record."""
    if verdicts is None:
        cases = [_call_case(record, name, describe, failed) for record in records]
    else:
        by_test: dict[str, list[Any]] = {}
        for record in records:
            by_test.setdefault(record.test or "", []).append(record)
        cases = [_test_case(verdict, by_test.pop(verdict.test, []), describe, name) for verdict in verdicts]
        orphans = [record for group in by_test.values() for record in group]
        if orphans:
            # Calls recorded outside any reported test (a session fixture): kept, never lost.
            cases.append(_suite_calls(orphans, name, describe))
    outcomes = [case[0] for case in cases if case[0] != "none"]
    seconds = sum(case[1] for case in cases)
    counts = _counts(outcomes, seconds)
    root = ET.Element("testsuites", {"name": xml_text(name), **{k: v for k, v in counts.items() if k != "skipped"}})
    suite = ET.SubElement(root, "testsuite", {"name": xml_text(name), **counts, "timestamp": started})
    if properties:
        holder = ET.SubElement(suite, "properties")
        for key, value in properties.items():
            ET.SubElement(holder, "property", {"name": xml_text(key), "value": xml_text(value)})
    for _outcome, _time, element in cases:
        suite.append(element)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _element(tag: str, attributes: Mapping[str, str], text: str | None = None) -> ET.Element:
    element = ET.Element(tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _call_case(record: Any, suite: str, describe: Callable[[Any], str],
               failed: Callable[[Any], bool]) -> tuple[str, float, ET.Element]:
    seconds = record.elapsed_ms / 1000
    case = _element("testcase", {"classname": record.test or suite, "name": record.name, "time": _seconds(seconds)})
    outcome = "passed"
    if record.outcome == "skipped":
        outcome = "skipped"
        case.append(_element("skipped", {"message": record.note}))
    elif failed(record):
        outcome = "failed"
        error = record.error or {}
        code = error.get("code")
        text = error.get("userMessage") or record.user_sees or error.get("message") or record.outcome
        message = f"{code}: {text}" if code and not str(text).startswith(code) else text
        case.append(_element("failure", {"message": message, "type": error.get("type") or CALL_FAILED},
                             describe(record)))
    if outcome != "failed":
        case.append(_element("system-out", {}, describe(record)))
    return outcome, seconds, case


def _test_case(verdict: TestVerdict, calls: Iterable[Any], describe: Callable[[Any], str],
               suite: str) -> tuple[str, float, ET.Element]:
    classname, name = split_node_id(verdict.test)
    case = _element("testcase", {"classname": classname or suite, "name": name, "time": _seconds(verdict.seconds)})
    if verdict.outcome == "skipped":
        case.append(_element("skipped", {"message": verdict.message}, verdict.details or None))
    elif verdict.outcome in ("failed", "error"):
        tag = "failure" if verdict.outcome == "failed" else "error"
        case.append(_element(tag, {"message": verdict.message, "type": verdict.type or "Exception"},
                             verdict.details))
    calls = list(calls)
    if calls:
        text = "\n\n".join(describe(record) for record in calls)
        case.append(_element("system-out", {}, f"B2C calls of this test ({len(calls)}):\n\n{text}"))
    return verdict.outcome, verdict.seconds, case


def _suite_calls(records: Sequence[Any], suite: str, describe: Callable[[Any], str]) -> tuple[str, float, ET.Element]:
    element = _element("system-out", {}, "B2C calls outside any test:\n\n"
                       + "\n\n".join(describe(record) for record in records))
    return "none", 0.0, element
