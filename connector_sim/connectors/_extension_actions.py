"""What each custom authentication extension action carries, and what Entra does with it. Pure functions.

Sources: the event references named in ``_external_id``'s docstring; OnPasswordSubmit from
``how-to-migrate-passwords-just-in-time.md`` (12/2025: the four actions, ``data.nonce``, Block's
title and message); OnVerifiedIdClaimValidation from rogulati/AccountRecoveryClaimsMatchingAPI's
README and szubajak/entra-event-handlers ``docs/events/verified-id-claim-validation.md``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._judge import Judge

if TYPE_CHECKING:
    from ._extension_contract import CallContext

__all__ = ["BLOCK_PAGE_DEFAULT", "CLAIMS_LIMIT_BYTES", "read_action"]

#: showBlockPage without a message [custom-extension-onattributecollectionstart-reference.md, 2023].
BLOCK_PAGE_DEFAULT = "You are not permitted to sign up. Please contact the owner of the application/website."
CLAIMS_LIMIT_BYTES = 3 * 1024  # "limited to 3KB ... the sum of all the key and value pairs"
_VALUE_TYPES = {"microsoft.graph.stringDirectoryAttributeValue": str,
                "microsoft.graph.booleanDirectoryAttributeValue": bool,
                "microsoft.graph.int64DirectoryAttributeValue": int}
_BAD_BODY = "1003003 CustomExtensionInvalidResponseBody"


def _matches(value: Any, odata_type: str) -> bool:
    expected = _VALUE_TYPES.get(odata_type, str)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _values(judge: Judge, field: str, action: Mapping[str, Any], sent: Mapping[str, str]) -> dict[str, Any]:
    """The attribute values of setPrefillValues / modifyAttributeValues that Entra keeps."""
    given = action.get(field)
    if not isinstance(given, dict):
        judge.fail(f"missing-{field}", _BAD_BODY, f"the action needs an object {field!r}; got {json.dumps(given)}")
        return {}
    kept = {}
    for name, value in given.items():
        if name not in sent:
            judge.drop("unknown-attribute", f"{name!r} is not an attribute collected in this flow; the API "
                       "can't add attributes", "Entra ignores it (documented)")
        elif value is None:
            judge.drop("null-value", f"{name!r} is null", "Entra ignores it (UNCONFIRMED)")
        elif not _matches(value, sent[name]):
            judge.drop("attribute-value-type", f"{name!r} was sent as {sent[name].split('.')[-1]} but the answer "
                       f"holds a {type(value).__name__} (multi-value attributes are comma-delimited strings)",
                       "UNCONFIRMED: connector_sim assumes Entra ignores it")
        else:
            kept[name] = value
    return kept


def _claims(judge: Judge, action: Mapping[str, Any]) -> dict[str, Any]:
    given = action.get("claims")
    if given is None:
        judge.fail("null-claims", "1003007 CustomExtensionNullClaimsResponse", "provideClaimsForToken has no claims")
        return {}
    if not isinstance(given, dict):
        judge.fail("missing-claims", _BAD_BODY, f"claims must be an object; got a JSON {type(given).__name__}")
        return {}
    kept: dict[str, Any] = {}
    size = 0
    for name, value in given.items():
        parts = value if isinstance(value, list) else [value]
        size += len(name.encode()) + sum(len(str(v).encode()) for v in parts)
        if not name.strip():
            judge.fail("empty-claim-key", "1003026 CustomExtensionNullOrEmptyClaimKeyNotSupported",
                       "a claim has an empty name")
        elif value is None:
            judge.drop("null-value", f"claim {name!r} is null", "UNCONFIRMED: connector_sim assumes it is dropped")
        elif isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            kept[name] = value
        else:
            judge.drop("claim-value-type", f"claim {name!r} is a {type(value).__name__}; token claims are String "
                       "or String array (Boolean and JSON are not supported)",
                       "UNCONFIRMED: connector_sim assumes it is dropped")
    if size > CLAIMS_LIMIT_BYTES:
        judge.fail("claims-size", "1003025 CustomExtensionResponseClaimsSizeExceeded",
                   f"the claims add up to {size} bytes; the limit is 3 KB")
    return kept


def _text(action: Mapping[str, Any], field: str) -> str | None:
    value = action.get(field)
    return value if isinstance(value, str) and value.strip() else None


def _password(judge: Judge, name: str, action: Mapping[str, Any], data: Mapping[str, Any],
              context: CallContext) -> str | None:
    nonce = data.get("nonce")
    if nonce is None:
        judge.fail("missing-nonce", _BAD_BODY + " (UNCONFIRMED code)",
                   "data.nonce is missing: the answer must echo the nonce of encryptedPasswordContext")
    elif nonce != context.nonce:
        judge.fail("nonce-mismatch", _BAD_BODY + " (UNCONFIRMED code)",
                   "data.nonce is not the nonce of this request's encryptedPasswordContext (a replayed or "
                   "hard-coded answer)")
    title, message = _text(action, "title"), _text(action, "message")
    if name == "Block":
        if message is None:
            judge.drop("missing-message", "Block has no message", "UNCONFIRMED: what Entra shows without one is "
                       "undocumented")
        return ": ".join(t for t in (title, message) if t) or None
    if name == "Retry":
        return message or "The password is incorrect; the user may try again (UNCONFIRMED wording)."
    if name == "UpdatePassword":
        return "Entra sends the user through password reset to choose a new password (UNCONFIRMED wording)."
    return None  # MigratePassword: Entra stores the password and clears the migration flag


def _failed_claims(judge: Judge, action: Mapping[str, Any], context: CallContext) -> list[str]:
    given = action.get("failedClaims")
    if not isinstance(given, list) or not all(isinstance(c, str) for c in given):
        judge.drop("missing-failedClaims", f"failed should name the claims in a failedClaims list of strings; got "
                   f"{json.dumps(given)}", "UNCONFIRMED: recovery stops without saying which claim failed")
        return []
    for claim in given:
        if context.claim_names and claim not in context.claim_names:
            judge.drop("unknown-claim", f"failedClaims names {claim!r}, which was not among the claims sent",
                       "UNCONFIRMED: Entra cannot relate it to the credential")
    return list(given)


def read_action(judge: Judge, event: str, name: str, action: Mapping[str, Any], data: Mapping[str, Any],
                context: CallContext) -> tuple[dict[str, Any], str | None, dict[str, str]]:
    """The claims Entra keeps, what the user sees, and per-attribute errors, for action ``name`` of ``event``."""
    claims: dict[str, Any] = {}
    user_sees: str | None = None
    errors: dict[str, str] = {}
    if name == "setPrefillValues":
        claims = _values(judge, "inputs", action, context.attributes)
    elif name == "modifyAttributeValues":
        claims = _values(judge, "attributes", action, context.attributes)
    elif name == "provideClaimsForToken":
        claims = _claims(judge, action)
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
            if field not in context.attributes:
                judge.drop("unknown-attribute", f"attributeErrors names {field!r}, which is not on the form",
                           "UNCONFIRMED: the message has no field to appear next to")
            errors[str(field)] = str(text)
    elif event == "OnPasswordSubmit":
        user_sees = _password(judge, name, action, data, context)
    elif name == "failed":
        claims = {"failedClaims": _failed_claims(judge, action, context)}
        user_sees = "Account recovery stops: the Verified ID claims do not match (UNCONFIRMED wording)."
    return claims, user_sees, errors
