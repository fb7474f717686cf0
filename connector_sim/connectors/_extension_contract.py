"""Entra External ID's answer contract for custom authentication extensions. Pure functions, no I/O.

An answer is HTTP 200, ``Content-Type: application/json``, ``{"data": {"@odata.type": "<event
response data>", "actions": [ONE action]}}``; the action's ``@odata.type`` is
``microsoft.graph.<event>.<action>``. Each rule names the sign-in log error code Entra records
for it (custom-extension-troubleshoot.md). Sources and open questions: ``external_id``'s docstring.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from ._connector_contract import Verdict
from ._outcome import Violation

__all__ = ["BLOCK_PAGE_DEFAULT", "EVENTS", "Event", "failure_text", "judge_extension_answer"]

#: showBlockPage without a message [custom-extension-onattributecollectionstart-reference.md, 2023].
BLOCK_PAGE_DEFAULT = "You are not permitted to sign up. Please contact the owner of the application/website."
CLAIMS_LIMIT_BYTES = 3 * 1024  # "limited to 3KB ... the sum of all the key and value pairs"


@dataclass(frozen=True)
class Event:
    """One authentication event: its request ``type``, callout data type, answer data type and actions."""

    name: str
    type: str
    callout: str
    response: str
    action_prefix: str
    actions: tuple[str, ...]


def _event(name: str, short: str, actions: tuple[str, ...]) -> Event:
    return Event(name, f"microsoft.graph.authenticationEvent.{short}", f"microsoft.graph.on{short[0].upper()}"
                 f"{short[1:]}CalloutData", f"microsoft.graph.on{short[0].upper()}{short[1:]}ResponseData",
                 f"microsoft.graph.{short}.", actions)


EVENTS: Mapping[str, Event] = {
    e.name: e for e in (
        _event("OnAttributeCollectionStart", "attributeCollectionStart",
               ("continueWithDefaultBehavior", "setPrefillValues", "showBlockPage")),
        _event("OnAttributeCollectionSubmit", "attributeCollectionSubmit",
               ("continueWithDefaultBehavior", "modifyAttributeValues", "showValidationError", "showBlockPage")),
        _event("OnTokenIssuanceStart", "tokenIssuanceStart", ("provideClaimsForToken",)),
    )
}
_VALUE_TYPES = {"microsoft.graph.stringDirectoryAttributeValue": str,
                "microsoft.graph.booleanDirectoryAttributeValue": bool,
                "microsoft.graph.int64DirectoryAttributeValue": int}


def failure_text(event: Event, code: str) -> str:
    """What the user gets when Entra cannot use the answer (the error code is in the sign-in logs)."""
    if event.name == "OnTokenIssuanceStart":
        return ("Entra redirects the user back to the application with an error and issues no token "
                f"(sign-in logs: {code}).")
    return f"Entra stops the sign-up on a generic error page (UNCONFIRMED wording; sign-in logs: {code})."


class _Judge:
    def __init__(self, event: Event) -> None:
        self.event = event
        self.violations: list[Violation] = []
        self.warnings: list[str] = []
        self.first_code: str | None = None

    def fail(self, rule: str, code: str, reason: str) -> None:
        self.first_code = self.first_code or code
        self.violations.append(Violation(rule, reason, f"Entra fails the flow ({code})"))

    def drop(self, rule: str, reason: str, does: str) -> None:
        self.violations.append(Violation(rule, reason, does))

    def values(self, field: str, action: Mapping[str, Any], sent: Mapping[str, str]) -> dict[str, Any]:
        """The attribute values of setPrefillValues / modifyAttributeValues that Entra keeps."""
        given = action.get(field)
        if not isinstance(given, dict):
            self.fail(f"missing-{field}", "1003003 CustomExtensionInvalidResponseBody",
                      f"the action needs an object {field!r}; got {json.dumps(given)}")
            return {}
        kept = {}
        for name, value in given.items():
            if name not in sent:
                self.drop("unknown-attribute", f"{name!r} is not an attribute collected in this flow; the API "
                          "can't add attributes", "Entra ignores it (documented)")
            elif value is None:
                self.drop("null-value", f"{name!r} is null", "Entra ignores it (UNCONFIRMED)")
            elif not _matches(value, sent[name]):
                self.drop("attribute-value-type", f"{name!r} was sent as {sent[name].split('.')[-1]} but the answer "
                          f"holds a {type(value).__name__} (multi-value attributes are comma-delimited strings)",
                          "UNCONFIRMED: connector_sim assumes Entra ignores it")
            else:
                kept[name] = value
        return kept

    def claims(self, action: Mapping[str, Any]) -> dict[str, Any]:
        given = action.get("claims")
        if given is None:
            self.fail("null-claims", "1003007 CustomExtensionNullClaimsResponse", "provideClaimsForToken has no claims")
            return {}
        if not isinstance(given, dict):
            self.fail("missing-claims", "1003003 CustomExtensionInvalidResponseBody",
                      f"claims must be an object; got a JSON {type(given).__name__}")
            return {}
        kept: dict[str, Any] = {}
        size = 0
        for name, value in given.items():
            parts = value if isinstance(value, list) else [value]
            size += len(name.encode()) + sum(len(str(v).encode()) for v in parts)
            if not name.strip():
                self.fail("empty-claim-key", "1003026 CustomExtensionNullOrEmptyClaimKeyNotSupported",
                          "a claim has an empty name")
            elif value is None:
                self.drop("null-value", f"claim {name!r} is null", "UNCONFIRMED: connector_sim assumes it is dropped")
            elif isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                kept[name] = value
            else:
                self.drop("claim-value-type", f"claim {name!r} is a {type(value).__name__}; token claims are String "
                          "or String array (Boolean and JSON are not supported)",
                          "UNCONFIRMED: connector_sim assumes it is dropped")
        if size > CLAIMS_LIMIT_BYTES:
            self.fail("claims-size", "1003025 CustomExtensionResponseClaimsSizeExceeded",
                      f"the claims add up to {size} bytes; the limit is 3 KB")
        return kept


def _matches(value: Any, odata_type: str) -> bool:
    expected = _VALUE_TYPES.get(odata_type, str)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def judge_extension_answer(
    event: Event, status: int, headers: Mapping[str, str], body: bytes, sent: Mapping[str, str]
) -> Verdict:
    """Judge one answer to ``event``; ``sent`` maps the attributes in the request to their ``@odata.type``."""
    judge = _Judge(event)

    def stop() -> Verdict:
        return Verdict(None, {}, failure_text(event, judge.first_code or ""), tuple(judge.violations),
                       tuple(judge.warnings))

    if status != 200:
        judge.fail("http-status", "1003002 CustomExtensionInvalidHTTPStatus", f"HTTP {status}: answers are HTTP 200")
        return stop()
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        judge.fail("content-type", "1003006 CustomExtensionInvalidResponseContentType",
                   f"Content-Type is {content_type or 'missing'!r}, not application/json")
    if not body.strip():
        judge.fail("empty-body", "1003009 CustomExtensionEmptyResponse", "the body is empty")
        return stop()
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: JSON nested too deeply
        judge.fail("non-json-body", "1003003 CustomExtensionInvalidResponseBody", "the body is not JSON")
        return stop()
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        judge.fail("missing-data", "1003003 CustomExtensionInvalidResponseBody",
                   'the answer must be a JSON object with a "data" object')
        return stop()
    data_type = data.get("@odata.type")
    if data_type != event.response:
        if isinstance(data_type, str) and data_type.lower() == event.response.lower():
            judge.warnings.append(f"data @odata.type {data_type!r} differs in case from {event.response!r}")
        else:
            judge.fail("response-data-type", "1003003 CustomExtensionInvalidResponseBody",
                       f"data @odata.type must be {event.response!r}; got {json.dumps(data_type)}")
    actions = data.get("actions")
    if not isinstance(actions, list) or len(actions) != 1:
        count = len(actions) if isinstance(actions, list) else "no"
        judge.fail("action-count", "1003010 CustomExtensionInvalidNumberOfActions",
                   f"data.actions must be a list holding exactly one action; got {count} (UNCONFIRMED: one is the "
                   "number every documented answer uses)")
        return stop()
    action = actions[0] if isinstance(actions[0], dict) else {}
    odata = action.get("@odata.type")
    name = next((a for a in event.actions if odata == event.action_prefix + a), None)
    if name is None and isinstance(odata, str):
        name = next((a for a in event.actions if odata.lower() == (event.action_prefix + a).lower()), None)
        if name is not None:
            judge.warnings.append(f"action {odata!r} differs in case from {event.action_prefix + name!r}; the docs' "
                                  "own C# sample uses such casing, so connector_sim accepts it (UNCONFIRMED)")
    if name is None:
        allowed = ", ".join(event.action_prefix + a for a in event.actions)
        judge.fail("invalid-action-type", "1003012 CustomExtensionInvalidActionType",
                   f"action @odata.type {json.dumps(odata)} is not one of {allowed}")
        return stop()

    claims: dict[str, Any] = {}
    user_sees: str | None = None
    errors: dict[str, str] = {}
    if name == "setPrefillValues":
        claims = judge.values("inputs", action, sent)
    elif name == "modifyAttributeValues":
        claims = judge.values("attributes", action, sent)
    elif name == "provideClaimsForToken":
        claims = judge.claims(action)
    elif name == "showBlockPage":
        message = action.get("message")
        user_sees = message if isinstance(message, str) and message else BLOCK_PAGE_DEFAULT
    elif name == "showValidationError":
        message = action.get("message")
        if not isinstance(message, str) or not message:
            judge.drop("missing-message", "showValidationError has no message",
                       "UNCONFIRMED: what Entra shows without one is undocumented")
        user_sees = message if isinstance(message, str) else None
        given = action.get("attributeErrors") or {}
        for field, text in (given.items() if isinstance(given, dict) else ()):
            if field not in sent:
                judge.drop("unknown-attribute", f"attributeErrors names {field!r}, which is not on the form",
                           "UNCONFIRMED: the message has no field to appear next to")
            errors[str(field)] = str(text)
    if judge.first_code:
        return stop()
    return Verdict(name, claims, user_sees, tuple(judge.violations), tuple(judge.warnings), errors)
