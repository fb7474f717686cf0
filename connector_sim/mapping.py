"""An answer to output claims, or the error B2C would raise: pure functions, no I/O.

Success is HTTP 200 (§7.1); output claims are read by PartnerClaimType from a flat JSON object,
or by JSON path with ResolveJsonPathsInJsonTokens (§6.3); a 4xx with ``userMessage`` is the
error contract (§7.2); anything else is AADB2C90075 or AADB2C90261 (§7.3, §12.5).
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

from .datatypes import from_json
from .errors import CallError, HttpStatusError, InvalidResponseError, RestApiError
from .messages import user_message
from .profile import OutputClaim, RestfulProfile
from .redact import Secrets
from .wire import WireResponse

__all__ = ["map_response", "parse_json_body", "read_json_path", "status_name"]

_SEGMENT = re.compile(r"([^.\[\]]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")
# .NET HttpStatusCode names where they differ from Python's HTTPStatus names.
_DOTNET_NAMES = {413: "RequestEntityTooLarge", 414: "RequestUriTooLong", 416: "RequestedRangeNotSatisfiable",
                 302: "Redirect", 422: "UnprocessableEntity"}


def status_name(status: int) -> str:
    """The .NET ``HttpStatusCode`` name B2C prints for a status (``NotFound``, ``BadRequest``)."""
    if status in _DOTNET_NAMES:
        return _DOTNET_NAMES[status]
    try:
        return "".join(part.capitalize() for part in HTTPStatus(status).name.split("_"))
    except ValueError:
        return str(status)


def _phrase(status: int, reason: str) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return reason or "Unknown"


def parse_json_body(body: bytes) -> Any:
    """Decode a JSON answer; raise ``ValueError`` with a reason when it is not JSON."""
    if not body.strip():
        raise ValueError("the body is empty")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"the body is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None


_MISSING = object()


def read_json_path(document: Any, path: str) -> Any:
    """The value at a B2C JSON path (``contacts[0].person.name``), or ``_MISSING``."""
    current = document
    for segment in path.split("."):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            return _MISSING
        name, indexes = match.groups()
        if name:
            if not isinstance(current, dict) or name not in current:
                return _MISSING
            current = current[name]
        for index in _INDEX.findall(indexes):
            if not isinstance(current, list) or int(index) >= len(current):
                return _MISSING
            current = current[int(index)]
    return current


def _output_value(profile: RestfulProfile, claim: OutputClaim, document: dict[str, Any],
                  warnings: list[str]) -> Any:
    if claim.always_use_default_value and claim.default_value is not None:
        return claim.default_value
    if profile.resolve_json_paths_in_json_tokens:
        value = read_json_path(document, claim.wire_name)
        if value is _MISSING and re.search(r"\.\d+(\.|$)", claim.wire_name):
            warnings.append(f"output claim {claim.claim_type_reference_id!r}: {claim.wire_name!r} uses dotted "
                            "indexes; B2C reads arrays with brackets, e.g. data[0].email")
    else:
        value = document.get(claim.wire_name, _MISSING)
    if value is None:
        if profile.emulation.null_is_error:
            raise ValueError(f"output claim {claim.claim_type_reference_id!r}: the answer holds null for "
                             f"{claim.wire_name!r}")
        warnings.append(f"output claim {claim.claim_type_reference_id!r}: {claim.wire_name!r} is null; B2C advises "
                        "leaving the key out, treated as absent")
        value = _MISSING
    if value is _MISSING:
        return claim.default_value if claim.default_value is not None else _MISSING
    if value == [] and claim.data_type == "stringCollection":
        warnings.append(f"output claim {claim.claim_type_reference_id!r}: an empty array in a stringCollection has "
                        "broken token issuance in B2C (azure-docs #55126)")
    return value


def _unusable(profile: RestfulProfile, exchange: WireResponse, message: str) -> InvalidResponseError:
    """A 200 whose body B2C cannot use: the user sees the generic request-failed text."""
    return InvalidResponseError(message, http_status=exchange.status, profile_id=profile.id,
                                attempts=exchange.attempts,
                                user_message=user_message(profile.messages, "request_failed", profile.service_url))


def _success(profile: RestfulProfile, exchange: WireResponse) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    if not profile.output_claims:
        return {}, warnings
    if not exchange.content.strip():
        document: Any = {}
        warnings.append("the answer has no body; output claims take their DefaultValue or stay unset")
    else:
        try:
            document = parse_json_body(exchange.content)
        except ValueError as exc:
            raise _unusable(profile, exchange, f"HTTP {exchange.status} answer cannot be read: {exc}") from None
    if not isinstance(document, dict):
        raise _unusable(profile, exchange, f"HTTP {exchange.status} answer is a JSON {type(document).__name__}, "
                        "but B2C expects a JSON object")
    claims: dict[str, Any] = {}
    for claim in profile.output_claims:
        try:
            value = _output_value(profile, claim, document, warnings)
        except ValueError as exc:
            raise _unusable(profile, exchange, str(exc)) from None
        if value is _MISSING:
            continue
        try:
            claims[claim.claim_type_reference_id] = from_json(value, claim.data_type)
        except ValueError as exc:
            raise _unusable(profile, exchange, f"output claim {claim.claim_type_reference_id!r} ({claim.data_type}) "
                            f"cannot take the answer's {claim.wire_name!r}: {exc}") from None
    return claims, warnings


def _error_contract(profile: RestfulProfile, exchange: WireResponse, step: int) -> CallError:
    try:
        document = parse_json_body(exchange.content)
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("userMessage"), str):
        if exchange.status in (401, 403) and profile.auth.rejected_code is not None:
            return _status_error(profile, exchange, step)  # rejected credentials, not a broken answer
        return InvalidResponseError(
            f"The claims exchange '{profile.id}' specified in step '{step}' returned HTTP error response that "
            "could not be parsed.", http_status=exchange.status, b2c_code="AADB2C90261", profile_id=profile.id,
            attempts=exchange.attempts,
            hint="a 4xx answer needs a JSON body with version, status (409) and userMessage")
    body_status = document.get("status")
    if profile.emulation.strict_error_status and str(body_status) != "409":
        return InvalidResponseError(f"the error contract's status must be 409, got {body_status!r}",
                                    http_status=exchange.status, profile_id=profile.id, attempts=exchange.attempts)
    fields = {k: document.get(k) for k in ("code", "requestId", "developerMessage", "moreInfo")}
    debug = [f"{k}: {v}" for k, v in fields.items() if v not in (None, "")] if profile.debug_mode else []
    user_sees = document["userMessage"] + ("\n" + "\n".join(debug) if debug else "")
    return RestApiError(
        f"{profile.id} answered HTTP {exchange.status} with userMessage {document['userMessage']!r}",
        user_message=document["userMessage"], status=_int_status(body_status),
        http_status=exchange.status, code=_text(fields["code"]), request_id=_text(fields["requestId"]),
        developer_message=_text(fields["developerMessage"]), more_info=_text(fields["moreInfo"]),
        version=_text(document.get("version")), user_sees=user_sees, profile_id=profile.id,
        attempts=exchange.attempts)


def _int_status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _status_error(profile: RestfulProfile, exchange: WireResponse, step: int) -> CallError:
    status, auth = exchange.status, profile.auth
    text = (f"The claims exchange '{profile.id}' specified in step '{step}' returned HTTP error response with "
            f"Code '{status_name(status)}' and Reason '{_phrase(status, exchange.reason)}'.")
    code, hint = "AADB2C90075", None
    # Which statuses B2C reports as bad credentials is undocumented (§7.3); this is the likely mapping.
    if status in (401, 403) and auth.rejected_code is not None:
        code, hint = auth.rejected_code, auth.rejected_hint.format(profile=profile.id)
    elif 300 <= status < 400:
        hint = "B2C does not follow redirects to another location; the answer itself was used"
    return HttpStatusError(text, http_status=status, b2c_code=code, hint=hint, profile_id=profile.id,
                           user_message=text, attempts=exchange.attempts)


def map_response(profile: RestfulProfile, exchange: WireResponse, *, step: int = 1,
                 secrets: Secrets | None = None) -> tuple[dict[str, Any], list[str]]:
    """Output claims and warnings for a successful answer; raise the ``CallError`` B2C would raise.

    The error's texts quote the API's answer, so ``secrets`` are masked in it before it is raised
    (an API may echo the credentials it was sent).
    """
    status = exchange.status
    try:
        if status == 200 or (profile.emulation.accept_any_2xx and 200 <= status < 300):
            return _success(profile, exchange)
        error = _error_contract(profile, exchange, step) if 400 <= status < 500 else _status_error(
            profile, exchange, step)
    except InvalidResponseError as unusable:
        error = unusable
    if secrets:
        secrets.error(error)
    raise error
