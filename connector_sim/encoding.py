"""Input claims to the request B2C would send: pure functions, no I/O.

PartnerClaimType renaming, DefaultValue and AlwaysUseDefaultValue, claim resolvers and data types
are applied here and nowhere else. SendClaimsIn picks the verb and where claims go (§3):
Body (JSON), Form, Header, QueryString and Url; ClaimUsedForRequestPayload sends one string
claim as the whole body. Claims with no value are left out (§12.2).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from .claims import fold
from .datatypes import to_json, to_text
from .errors import ClaimsError
from .profile import InputClaim, RestfulProfile
from .redact import is_sensitive_claim
from .resolvers import ClaimResolverContext, resolve_claim_resolvers
from .wire import WireRequest

__all__ = ["encode_request", "input_values"]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# Headers that frame or route the request: a claim that set them would change where the request
# goes or how it is read, not what it says (B2C's behaviour is undocumented: refused, README §choices).
_FRAMING_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive", "te",
                              "trailer", "upgrade", "expect", "proxy-connection"})
_JSON = "application/json"
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one encoder, not one per call
_FORM = "application/x-www-form-urlencoded"


def _claim_value(claim: InputClaim, profile: RestfulProfile, claims: Mapping[str, Any],
                 context: ClaimResolverContext | None) -> Any:
    value = claims.get(claim.claim_type_reference_id)
    if claim.default_value is not None and (claim.always_use_default_value or value in (None, "")):
        value = claim.default_value
        # Resolvers need both switches (behaviour file §5.2); otherwise the text goes out as written.
        if profile.include_claim_resolving_in_claims_handling and claim.always_use_default_value:
            value = resolve_claim_resolvers(value, context or ClaimResolverContext(), claims)
    return value


def input_values(
    profile: RestfulProfile, claims: Mapping[str, Any], context: ClaimResolverContext | None = None
) -> Iterator[tuple[InputClaim, Any]]:
    """Each input claim that has a value, with that value (defaults and resolvers applied)."""
    bearer = fold(profile.auth.bearer_claim) if profile.auth.bearer_claim is not None else None
    for claim in profile.input_claims:
        if fold(claim.claim_type_reference_id) == bearer:
            continue  # the bearer claim travels in the Authorization header only (§4.3)
        value = _claim_value(claim, profile, claims, context)
        if value is None or value == "" or value == []:
            continue
        yield claim, value


def _convert(profile: RestfulProfile, claim: InputClaim, value: Any, as_text: bool) -> Any:
    try:
        if as_text:
            return to_text(value, claim.data_type)
        return to_json(value, claim.data_type, profile.emulation.json_types)
    except ValueError as exc:
        # The reason quotes the value: not for a claim that holds a credential (password, token).
        reason = "its value does not fit" if is_sensitive_claim(claim.claim_type_reference_id) else str(exc)
        raise ClaimsError(
            f"input claim {claim.claim_type_reference_id!r} cannot be sent as {claim.data_type}: {reason}",
            claim=claim.claim_type_reference_id, profile_id=profile.id,
        ) from None


def _utf8(profile: RestfulProfile, text: str, what: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ClaimsError(f"{what} is not valid Unicode text (it holds a lone surrogate)",
                          profile_id=profile.id) from None


def _body(profile: RestfulProfile, pairs: list[tuple[InputClaim, Any]]) -> tuple[dict[str, str], bytes]:
    payload_claim = profile.claim_used_for_request_payload
    if payload_claim is not None:
        value = next((v for c, v in pairs if fold(c.claim_type_reference_id) == fold(payload_claim)), None)
        if value is None:
            raise ClaimsError(f"ClaimUsedForRequestPayload {payload_claim!r} has no value in the claims bag",
                              claim=payload_claim, profile_id=profile.id)
        return {"Content-Type": _JSON}, _utf8(profile, str(value), f"claim {payload_claim!r}")
    document = {c.wire_name: _convert(profile, c, v, as_text=False) for c, v in pairs}
    text = _ENCODER.encode(document)
    return {"Content-Type": _JSON}, _utf8(profile, text, "a claim value")


def _form_pairs(profile: RestfulProfile, pairs: list[tuple[InputClaim, Any]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for claim, value in pairs:
        converted = _convert(profile, claim, value, as_text=claim.data_type != "stringCollection")
        items = converted if isinstance(converted, list) else [converted]
        out.extend((claim.wire_name, item) for item in items)  # collections repeat the key
    for name, value in out:
        _utf8(profile, name + value, f"claim {name!r}")
    return out


def _headers(profile: RestfulProfile, pairs: list[tuple[InputClaim, Any]]) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    for claim, value in pairs:
        name, text = claim.wire_name, _convert(profile, claim, value, as_text=True)
        if name.lower() in _FRAMING_HEADERS:
            raise ClaimsError(f"claim {claim.claim_type_reference_id!r} cannot be sent as header {name!r}: it frames "
                              "or routes the request", claim=claim.claim_type_reference_id, profile_id=profile.id,
                              hint="give the claim another PartnerClaimType")
        if not _TOKEN.match(name):
            raise ClaimsError(f"claim {claim.claim_type_reference_id!r} cannot be sent as header {name!r}: "
                              "not a valid HTTP header name", claim=claim.claim_type_reference_id,
                              profile_id=profile.id)
        if any(ch in text for ch in "\r\n\0") or text != text.strip():  # strip(): any Unicode whitespace
            raise ClaimsError(f"claim {claim.claim_type_reference_id!r} cannot be sent as a header: its value holds "
                              "line breaks, NUL or edge whitespace", claim=claim.claim_type_reference_id,
                              profile_id=profile.id)
        # Non-ASCII header values go out as UTF-8 bytes (B2C's own choice is undocumented, §3.4).
        headers[name] = text if text.isascii() else _utf8(profile, text, f"claim {name!r}")
    return headers


def _append_query(url: str, pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return url
    parts = urlsplit(url)
    extra = urlencode(pairs, quote_via=quote, safe="")
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def _fill_url(profile: RestfulProfile, pairs: list[tuple[InputClaim, Any]]) -> str:
    values: dict[str, str] = {}
    for claim, value in pairs:  # PartnerClaimType first, then ClaimTypeReferenceId, ignoring case (§12.8)
        text = _convert(profile, claim, value, as_text=True)
        values.setdefault(claim.claim_type_reference_id.lower(), text)
        values[claim.wire_name.lower()] = text

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.lower() not in values:
            raise ClaimsError(f"the ServiceUrl placeholder {{{name}}} has no input claim with a value",
                              claim=name, profile_id=profile.id,
                              hint=f"add an InputClaim named or partnered {name!r}, or give it a value")
        text = values[name.lower()]
        return quote(_utf8(profile, text, f"claim {name!r}"), safe="")

    parts = urlsplit(profile.service_url)
    path = _PLACEHOLDER.sub(fill, parts.path)
    for template, filled in zip(parts.path.split("/"), path.split("/")):
        if filled in (".", "..") and template != filled:
            # Clients resolve dot segments (RFC 3986 §5.2.4): the call would go to another resource.
            raise ClaimsError(f"a claim value fills the ServiceUrl path segment {template!r} with {filled!r}, which "
                              "would move the request to another path", profile_id=profile.id)
    return urlunsplit(parts._replace(path=path, query=_PLACEHOLDER.sub(fill, parts.query)))


def encode_request(
    profile: RestfulProfile, claims: Mapping[str, Any], context: ClaimResolverContext | None = None
) -> WireRequest:
    """The request (verb, URL, headers, body) B2C would send for these claims, before auth."""
    pairs = list(input_values(profile, claims, context))
    mode = profile.send_claims_in
    if mode == "Body":
        headers, body = _body(profile, pairs)
        return WireRequest("POST", profile.service_url, headers, body)
    if mode == "Form":
        body = urlencode(_form_pairs(profile, pairs)).encode("ascii")
        return WireRequest("POST", profile.service_url, {"Content-Type": _FORM}, body)
    if mode == "QueryString":
        return WireRequest("GET", _append_query(profile.service_url, _form_pairs(profile, pairs)))
    if mode == "Header":
        return WireRequest("GET", profile.service_url, _headers(profile, pairs))
    return WireRequest("GET", _fill_url(profile, pairs))  # Url
