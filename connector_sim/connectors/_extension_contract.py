"""Entra External ID's answer contract for custom authentication extensions. Pure functions, no I/O.

An answer is HTTP 200, ``Content-Type: application/json``, ``{"data": {"@odata.type": "<event
response data>", "actions": [ONE action]}}``; the action's ``@odata.type`` is the event's prefix
plus the action name (``microsoft.graph.tokenIssuanceStart.provideClaimsForToken``). Each rule
names the sign-in log error code Entra records for it (custom-extension-troubleshoot.md). What
each action carries is read by ``_extension_actions``. Sources and open questions:
``_external_id``'s docstring.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import ConfigurationError
from ._connector_contract import Verdict
from ._extension_actions import BLOCK_PAGE_DEFAULT, read_action
from ._judge import Judge
from ._outcome import CONTINUING_EXTENSION_ACTIONS

__all__ = [
    "BEHAVIORS_ON_ERROR",
    "BLOCK_PAGE_DEFAULT",
    "CONTINUING_EXTENSION_ACTIONS",
    "EVENTS",
    "CallContext",
    "Event",
    "failure_text",
    "find_event",
    "judge_extension_answer",
]

#: Graph customExtensionBehaviorOnError types an OnOtpSend listener can carry (short names).
BEHAVIORS_ON_ERROR = ("customExtensionBehaviorOnError", "fallbackToMicrosoftProviderOnError")
#: Actions after which the flow goes on, beyond the B2C/attribute-collection ones in ``_outcome``.


@dataclass(frozen=True)
class Event:
    """One authentication event: its request ``type``, callout data type, answer data type and actions."""

    name: str
    type: str
    callout: str
    response: str
    action_prefix: str
    actions: tuple[str, ...]
    tenant: str  # where it exists: "external", "workforce" or "both"


def _event(name: str, short: str, actions: tuple[str, ...], tenant: str) -> Event:
    upper = short[0].upper() + short[1:]
    return Event(name, f"microsoft.graph.authenticationEvent.{short}", f"microsoft.graph.on{upper}CalloutData",
                 f"microsoft.graph.on{upper}ResponseData", f"microsoft.graph.{short}.", actions, tenant)


EVENTS: Mapping[str, Event] = {
    e.name: e for e in (
        _event("OnTokenIssuanceStart", "tokenIssuanceStart", ("provideClaimsForToken",), "both"),
        _event("OnAttributeCollectionStart", "attributeCollectionStart",
               ("continueWithDefaultBehavior", "setPrefillValues", "showBlockPage"), "external"),
        _event("OnAttributeCollectionSubmit", "attributeCollectionSubmit",
               ("continueWithDefaultBehavior", "modifyAttributeValues", "showValidationError", "showBlockPage"),
               "external"),
        # The OTP event breaks the pattern: type emailOtpSend, callout onOtpSend..., answer OnOtpSend... with a
        # capital O and actions under OtpSend [custom-extension-email-otp-send-data.md].
        Event("OnOtpSend", "microsoft.graph.authenticationEvent.emailOtpSend", "microsoft.graph.onOtpSendCalloutData",
              "microsoft.graph.OnOtpSendResponseData", "microsoft.graph.OtpSend.", ("continueWithDefaultBehavior",),
              "external"),
        _event("OnPasswordSubmit", "passwordSubmit", ("MigratePassword", "UpdatePassword", "Retry", "Block"),
               "external"),
        _event("OnVerifiedIdClaimValidation", "verifiedIdClaimValidation", ("pass", "failed"), "workforce"),
    )
}
_ALIASES = {"emailotpsend": "OnOtpSend", "onemailotpsend": "OnOtpSend", "otpsend": "OnOtpSend",
            "accountrecovery": "OnVerifiedIdClaimValidation"}


def find_event(name: Any) -> Event:
    """The event for ``name`` in any case, kebab-case or snake_case, with or without ``On``."""
    wanted = str(name).replace("-", "").replace("_", "").lower()
    wanted = _ALIASES.get(wanted, wanted).lower()
    for event in EVENTS.values():
        if event.name.lower() in (wanted, "on" + wanted):
            return event
    raise ConfigurationError(f"unknown authentication event {name!r}; use one of {', '.join(EVENTS)}")


@dataclass(frozen=True)
class CallContext:
    """What the request carried that the answer is judged against (attributes sent, nonce, OTP code...)."""

    attributes: Mapping[str, str] = field(default_factory=dict)  # attribute name -> its @odata.type
    nonce: str | None = None  # OnPasswordSubmit: the nonce inside encryptedPasswordContext
    one_time_code: str | None = field(default=None, repr=False)  # OnOtpSend: the code the API must not echo
    behavior_on_error: str = "customExtensionBehaviorOnError"  # OnOtpSend listener setting
    claim_names: tuple[str, ...] = ()  # OnVerifiedIdClaimValidation: the claims sent
    exact_case: bool = False  # a case difference in an @odata.type is a violation, not a warning


def failure_text(event: Event, code: str, behavior_on_error: str = "customExtensionBehaviorOnError") -> str:
    """What the user gets when Entra cannot use the answer (the error code is in the sign-in logs)."""
    logs = f"sign-in logs: {code}"
    if event.name == "OnTokenIssuanceStart":
        return f"Entra redirects the user back to the application with an error and issues no token ({logs})."
    if event.name == "OnOtpSend":
        if behavior_on_error == "fallbackToMicrosoftProviderOnError":
            return f"Entra falls back to its own provider: Microsoft emails the one-time code to the user ({logs})."
        return f"Entra sends no one-time code: the user sees an error and cannot go on ({logs})."
    if event.name == "OnPasswordSubmit":
        return f"The password cannot be checked: the sign-in fails on an error page (UNCONFIRMED wording; {logs})."
    if event.name == "OnVerifiedIdClaimValidation":
        return f"Account recovery stops on an error (UNCONFIRMED wording; {logs})."
    return f"Entra stops the sign-up on a generic error page (UNCONFIRMED wording; {logs})."


def _data(judge: Judge, body: bytes) -> dict[str, Any] | None:
    if not body.strip():
        judge.fail("empty-body", "1003009 CustomExtensionEmptyResponse", "the body is empty")
        return None
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: JSON nested too deeply
        judge.fail("non-json-body", "1003003 CustomExtensionInvalidResponseBody", "the body is not JSON")
        return None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        judge.fail("missing-data", "1003003 CustomExtensionInvalidResponseBody",
                   'the answer must be a JSON object with a "data" object')
        return None
    return data


def _action_name(judge: Judge, event: Event, action: Mapping[str, Any], exact: bool) -> str | None:
    odata = action.get("@odata.type")
    name = next((a for a in event.actions if odata == event.action_prefix + a), None)
    if name is None and isinstance(odata, str):
        name = next((a for a in event.actions if odata.lower() == (event.action_prefix + a).lower()), None)
        if name is not None and exact:
            judge.fail("odata-type-case", "1003012 CustomExtensionInvalidActionType (UNCONFIRMED: case-sensitive)",
                       f"action {odata!r} differs in case from {event.action_prefix + name!r}")
            return None
        if name is not None:
            judge.warnings.append(f"action {odata!r} differs in case from {event.action_prefix + name!r}; the docs' "
                                  "own samples use such casing, so connector_sim accepts it (UNCONFIRMED)")
    if name is None and not judge.first_code:
        allowed = ", ".join(event.action_prefix + a for a in event.actions)
        judge.fail("invalid-action-type", "1003012 CustomExtensionInvalidActionType",
                   f"action @odata.type {json.dumps(odata)} is not one of {allowed}")
    return name


def judge_extension_answer(
    event: Event, status: int, headers: Mapping[str, str], body: bytes, sent: Mapping[str, str] | None = None,
    context: CallContext | None = None,
) -> Verdict:
    """Judge one answer to ``event``; ``sent`` (or ``context.attributes``) maps the attributes sent to their type."""
    context = context or CallContext(attributes=dict(sent or {}))
    if sent is not None and not context.attributes:
        context = replace(context, attributes=dict(sent))
    judge = Judge()

    def stop() -> Verdict:
        return Verdict(None, {}, failure_text(event, judge.first_code or "", context.behavior_on_error),
                       tuple(judge.violations), tuple(judge.warnings))

    if context.one_time_code and context.one_time_code.encode() in body:
        judge.drop("otp-code-echoed", "the answer contains the one-time code it was sent: the code is a secret "
                   "and belongs only in the email", "Entra ignores it, but it may now sit in logs and proxies")
    if status != 200:
        judge.fail("http-status", "1003002 CustomExtensionInvalidHTTPStatus", f"HTTP {status}: answers are HTTP 200")
        return stop()
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        judge.fail("content-type", "1003006 CustomExtensionInvalidResponseContentType",
                   f"Content-Type is {content_type or 'missing'!r}, not application/json")
    data = _data(judge, body)
    if data is None:
        return stop()
    data_type = data.get("@odata.type")
    if data_type != event.response:
        if isinstance(data_type, str) and data_type.lower() == event.response.lower() and context.exact_case:
            judge.fail("odata-type-case", "1003003 CustomExtensionInvalidResponseBody (UNCONFIRMED: case-sensitive)",
                       f"data @odata.type {data_type!r} differs in case from {event.response!r}")
        elif isinstance(data_type, str) and data_type.lower() == event.response.lower():
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
    name = _action_name(judge, event, action, context.exact_case)
    if name is None:
        return stop()
    claims, user_sees, errors = read_action(judge, event.name, name, action, data, context)
    if judge.first_code:
        return stop()
    return Verdict(name, claims, user_sees, tuple(judge.violations), tuple(judge.warnings), errors)
