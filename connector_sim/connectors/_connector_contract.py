"""B2C's answer contract for user-flow API connectors, and what the user sees (behaviour §10.3).

The contract [AAC]: HTTP 200 with ``action`` ``Continue`` (claims to keep) or ``ShowBlockPage``
(``userMessage`` required; not at PreTokenIssuance); HTTP 400 with ``action`` ``ValidationError``,
``status`` 400 or "400" and ``userMessage``, at PostAttributeCollection only; ``version`` always.

Everything else is a ``Violation``. Where the docs do not say what B2C does with a broken answer
(§10.3, §14: other statuses, malformed bodies, case of ``action``), connector_sim assumes the strict
reading: B2C refuses the answer and shows its generic error page. Those texts are the closest
documented ones [ERR]: AADB2C90075 for an HTTP error status, AADB2C90261 for an error answer that
cannot be used, AADB2C90048 (unhandled exception) for a 200 answer that cannot be used.
A claim B2C would not take (unknown name, foreign app id, ``null``, ``email`` at PreTokenIssuance)
only drops that claim. Pure functions, no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Mapping

from ._outcome import Violation
from ._request import compact_app_id, graph_name, parse_extension_name

__all__ = ["ACTIONS", "GENERIC_PAGE", "Verdict", "generic_error_text", "judge_answer"]

#: Allowed actions -> steps where they are allowed [AAC].
ACTIONS: Mapping[str, tuple[str, ...]] = {
    "Continue": ("PostFederationSignup", "PostAttributeCollection", "PreTokenIssuance"),
    "ShowBlockPage": ("PostFederationSignup", "PostAttributeCollection"),
    "ValidationError": ("PostAttributeCollection",),
}
_PROTOCOL_FIELDS = frozenset({"version", "action", "userMessage", "status"})
# objectId is assigned by the directory; the API cannot set it (UNCONFIRMED, the docs are silent).
_READ_ONLY = frozenset({"objectId"})
GENERIC_PAGE = "B2C shows its generic error page instead of using the answer"
_IGNORED = "B2C ignores this claim"
_NOT_JSON = object()


@dataclass(frozen=True)
class Verdict:
    """What B2C makes of one answer: the action taken, the claims kept, the page text, the violations."""

    action: str | None
    claims: Mapping[str, Any] = field(default_factory=dict)
    user_sees: str | None = None
    violations: tuple[Violation, ...] = ()
    warnings: tuple[str, ...] = ()
    attribute_errors: Mapping[str, str] = field(default_factory=dict)


def generic_error_text(name: str, step: str, status: int | None, reason: str = "") -> str:
    """The closest documented text of B2C's error page for an answer it cannot use [ERR]."""
    if status is not None and status not in (200, 400):
        try:
            known = HTTPStatus(status)
            code, phrase = "".join(p.capitalize() for p in known.name.split("_")), known.phrase
        except ValueError:
            code, phrase = str(status), ""
        return (f"AADB2C90075: The claims exchange '{name}' specified in step '{step}' returned HTTP error "
                f"response with Code '{code}' and Reason '{reason or phrase}'.")
    if status is not None and status >= 400:
        return (f"AADB2C90261: The claims exchange '{name}' specified in step '{step}' returned HTTP error "
                "response that could not be parsed.")
    return "AADB2C90048: An unhandled exception has occurred on the server."


class _Judge:
    def __init__(self, step: str, status: int, app_id: str | None) -> None:
        self.step, self.status, self.app_id = step, status, app_id
        self.violations: list[Violation] = []
        self.warnings: list[str] = []
        self.fatal = False

    def fail(self, rule: str, reason: str, b2c_does: str = GENERIC_PAGE) -> None:
        self.violations.append(Violation(rule, reason, b2c_does))
        self.fatal = True

    def drop(self, rule: str, reason: str, b2c_does: str = _IGNORED) -> None:
        self.violations.append(Violation(rule, reason, b2c_does))

    def user_message(self, body: Mapping[str, Any], action: str) -> str | None:
        message = body.get("userMessage")
        if not isinstance(message, str) or not message.strip():
            self.fail("missing-user-message", f"a {action} answer needs a non-empty string userMessage; got "
                      f"{json.dumps(message)}")
            return None
        return message

    def claim(self, name: str, value: Any) -> str | None:
        """The name B2C keeps the returned value under, or None (with a violation) when it drops it."""
        if value is None:
            self.drop("null-claim", f"claim {name!r} is null; leave a claim out instead of sending null")
            return None
        parsed = parse_extension_name(name)
        if parsed is not None:
            app, short = parsed
            if app is not None and self.app_id is not None and app != self.app_id:
                self.drop("extension-app-id", f"claim {name!r} carries app id {app}, not the extensions app id "
                          f"{self.app_id}")
                return None
            if not isinstance(value, (str, bool, int)):
                self.drop("claim-value-type", f"custom attribute {name!r} is a {type(value).__name__}; user-flow "
                          "custom attributes are String, Boolean or Int",
                          "B2C cannot store it (UNCONFIRMED: connector_sim assumes the claim is ignored)")
                return None
            if self.app_id is None:
                self.warnings.append(f"{name!r}: no extensions_app_id given, so its app id was not checked")
                return name
            return f"extension_{self.app_id}_{short}"
        graph = graph_name(name)
        if graph != name:
            hint = f" (did you mean {graph!r}? names are case-sensitive, UNCONFIRMED)" if graph else ""
            self.drop("unknown-claim", f"{name!r} is neither a built-in user attribute nor an extension "
                      f"attribute (extension_<app id>_<Name> or extension_<Name>){hint}")
            return None
        if name in _READ_ONLY:
            self.drop("read-only-claim", f"{name!r} cannot be set by the API",
                      "B2C ignores this claim (UNCONFIRMED: the docs are silent)")
            return None
        if name == "email" and self.step == "PreTokenIssuance":
            self.drop("read-only-claim", "email cannot be overwritten at PreTokenIssuance (AAC)")
            return None
        if not isinstance(value, str):
            self.drop("claim-value-type", f"built-in attribute {name!r} is a String attribute; got "
                      f"{type(value).__name__}", "B2C cannot use it (UNCONFIRMED: assumed ignored)")
            return None
        return name


def judge_answer(
    step: str,
    status: int,
    body: bytes,
    *,
    reason: str = "",
    extensions_app_id: str | None = None,
    name: str = "ApiConnector",
) -> Verdict:
    """Judge one answer at ``step`` against the connector contract (``step`` is B2C's spelling)."""
    app_id = compact_app_id(extensions_app_id) if extensions_app_id else None
    judge = _Judge(step, status, app_id)
    page = generic_error_text(name, step, status, reason)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: JSON nested too deeply
        data = _NOT_JSON
    if status not in (200, 400):
        if isinstance(data, dict) and data.get("action") == "ValidationError":
            judge.fail("validation-error-http-status", f"a ValidationError needs HTTP 400, got {status}")
        else:
            why = " (401/403 typically mean the API refused B2C's credentials, AAC)" if status in (401, 403) else ""
            judge.fail("http-status", f"HTTP {status}: a connector answers 200, or 400 for a ValidationError{why}")
        return Verdict(None, {}, page, tuple(judge.violations))
    if data is _NOT_JSON:
        judge.fail("non-json-body", "the body is not JSON" if body.strip() else "the body is empty")
        return Verdict(None, {}, page, tuple(judge.violations))
    if not isinstance(data, dict):
        judge.fail("body-not-object", f"the body is a JSON {type(data).__name__}, not an object")
        return Verdict(None, {}, page, tuple(judge.violations))

    version = data.get("version")
    if version is None or version == "":
        judge.fail("missing-version", "the answer has no version (required in every answer, AAC)",
                   GENERIC_PAGE + " (UNCONFIRMED: assumed, the docs only mark version as required)")
    action = data.get("action")
    looks_like_error = action == "ValidationError" or str(data.get("status", ""))[:1] in ("4", "5")
    if status == 200 and looks_like_error:
        judge.fail("error-with-http-200", "an error answer was sent with HTTP 200; a ValidationError needs "
                   "HTTP 400 and blocking uses action ShowBlockPage")
    if action is None:
        judge.fail("missing-action", "the answer has no action (Continue, ShowBlockPage or ValidationError)")
    elif not isinstance(action, str) or action not in ACTIONS:  # a list or object is no action (nor hashable)
        exact = next((a for a in ACTIONS if isinstance(action, str) and a.lower() == action.lower()), None)
        if exact:
            judge.fail("action-case", f"action {action!r} should be written {exact!r}",
                       GENERIC_PAGE + " (UNCONFIRMED: the docs do not say whether action is case-sensitive)")
        else:
            judge.fail("unknown-action", f"unknown action {json.dumps(action)}; use Continue, ShowBlockPage or "
                       "ValidationError")
        action = None
    elif step not in ACTIONS[action]:
        judge.fail("validation-error-wrong-step" if action == "ValidationError" else "action-not-allowed-at-step",
                   f"{action} is allowed at {', '.join(ACTIONS[action])} only, not at {step}")

    user_sees: str | None = None
    if action == "ValidationError":
        if data.get("status") not in (400, "400"):
            judge.fail("validation-error-body-status", f"a ValidationError needs \"status\": 400 or \"400\" in the "
                       f"body, got {json.dumps(data.get('status'))}")
        user_sees = judge.user_message(data, action)
    elif status == 400:
        judge.fail("http-status", f"HTTP 400 is for ValidationError answers only; action is {json.dumps(action)}")
    elif action == "ShowBlockPage":
        user_sees = judge.user_message(data, action)

    claims: dict[str, Any] = {}
    if action == "Continue":
        for key, value in data.items():
            if key not in _PROTOCOL_FIELDS:
                kept = judge.claim(key, value)
                if kept is not None:
                    claims[kept] = value
    if judge.fatal:
        return Verdict(None, {}, page, tuple(judge.violations), tuple(judge.warnings))
    return Verdict(action, claims, user_sees, tuple(judge.violations), tuple(judge.warnings))
