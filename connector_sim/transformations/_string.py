"""String transformations [STR], part 1: building and reshaping text (format, case, split, random...)."""

from __future__ import annotations

import base64
import random as _random
import uuid
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

from ._signature import (
    ANY,
    BOOL,
    Call,
    Extra,
    Method,
    Outputs,
    Signature,
    inp,
    out,
    par,
)
from ._text import MAX_FORMAT, expand, lower, net_format, upper
from ._values import MAX_ITEMS, text_of

__all__ = ["METHODS"]

# RFC 3986 pchar (plus "/"): what BuildUri keeps unescaped in the path; the rest is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _format(call: Call, fmt: str, args: list[str]) -> str:
    if len(fmt) > MAX_FORMAT:
        call.fail(f"the stringFormat has {len(fmt)} characters, more than {MAX_FORMAT}")
    try:
        text = net_format(expand(fmt, call, for_format=True), args)
    except ValueError as exc:
        call.fail(f"the stringFormat is not a valid format: {exc}")
    return text


def _format_problems(tcts: tuple[str, ...], params: Mapping[str, str]) -> list[str]:
    fmt = params.get("stringFormat") or ""
    return [f"the stringFormat has {len(fmt)} characters, more than {MAX_FORMAT}"] if len(fmt) > MAX_FORMAT else []


def _build_uri(call: Call) -> Outputs:
    # Claims' query parameters first, then the parameters', each in document order.
    pairs = [(b.tct[len("query."):], text_of(b.value)) for b in call.inputs if b.tct.startswith("query.")]
    pairs += [(id[len("query."):], value) for id, _, value in call.raw_params if id.startswith("query.")]
    query = "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in pairs if value is not None)
    path = quote(call.value("path"), safe=_PATH_SAFE)
    uri = f"{call.params['scheme']}://{call.params['host']}/{path}"
    return {"outputClaim": f"{uri}?{query}" if query else uri}


def _change_case(call: Call) -> Outputs:
    text = call.value("inputClaim1")
    return {"outputClaim": upper(text) if call.params["toCase"] == "UPPER" else lower(text)}


def _otp_secret(call: Call) -> Outputs:
    secret = call.context.random.getrandbits(80).to_bytes(10, "big")  # 80 bits: 16 Base32 characters
    return {"outputClaim": base64.b32encode(secret).decode("ascii").rstrip("=").lower()}


def _random_string(call: Call) -> Outputs:
    params = call.params
    if params["randomGeneratorType"] == "GUID":
        text = str(uuid.UUID(int=call.context.random.getrandbits(128), version=4))
    else:
        seed = params["seed"]
        source = call.context.random if seed is None else _random.Random(seed)  # a seed repeats its value
        maximum = params["maximumNumber"]
        if maximum is not None and maximum <= 0:
            call.fail(f"maximumNumber must be greater than 0, not {maximum}")
        text = str(source.randrange(maximum if maximum is not None else 2**31 - 1))
    if params["stringFormat"] is not None:
        text = _format(call, params["stringFormat"], [text])
    if params["base64"]:
        text = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return {"outputClaim": text}


def _create_string(call: Call) -> Outputs:
    return {"createdClaim": expand(call.params["value"], call)}


def _format_one(call: Call) -> Outputs:
    return {"outputClaim": _format(call, call.params["stringFormat"], [text_of(call.value("inputClaim"))])}


def _format_two(call: Call) -> Outputs:
    args = [text_of(call.value("inputClaim1")), text_of(call.value("inputClaim2"))]
    return {"outputClaim": _format(call, call.params["stringFormat"], args)}


def _null(call: Call) -> Outputs:
    return {"claim_to_null": None}


def _parse_domain(call: Call) -> Outputs:
    address = call.value("emailAddress")
    domain = address.rpartition("@")[2] if "@" in address else ""
    return {"domain": domain} if domain else {}  # an address without a domain gives nothing


def _substring(call: Call) -> Outputs:
    text, start, length = call.value("inputClaim"), call.params["startIndex"], call.params["length"]
    length = len(text) - start if length is None else length
    if start < 0 or length < 0 or start + length > len(text):  # .NET Substring throws
        call.fail(f"startIndex {start} and length {length} are outside the {len(text)} characters", tct="inputClaim")
    return {"outputClaim": text[start:start + length]}


def _replace(call: Call) -> Outputs:
    old = call.params["oldValue"]
    if old == "":
        call.fail("oldValue must not be empty")
    return {"outputClaim": call.value("inputClaim").replace(old, call.params["newValue"])}


def _join(call: Call) -> Outputs:
    return {"outputClaim": call.params["delimiter"].join(call.value("inputClaim"))}


def _split(call: Call) -> Outputs:
    text, delimiter = call.value("inputClaim"), call.params["delimiter"]
    # .NET Split(string): empty entries kept, no trimming; an empty delimiter does not split.
    items = text.split(delimiter, MAX_ITEMS) if delimiter else [text]
    if len(items) > MAX_ITEMS:
        call.fail(f"the split gives more than {MAX_ITEMS} items", tct="inputClaim")
    return {"outputClaim": items}


_IN_OUT = (inp("inputClaim"),)
_OUT = (out("outputClaim"),)

METHODS = (
    Method(
        "BuildUri", "String",
        Signature((inp("path"),), (par("scheme"), par("host")), _OUT,
                  extra_inputs=Extra(prefix="query.", data_types=ANY), extra_params=Extra(prefix="query.")),
        _build_uri,
    ),
    Method("ChangeCase", "String",
           Signature((inp("inputClaim1"),), (par("toCase", choices=("LOWER", "UPPER")),), _OUT), _change_case),
    Method("CreateOtpSecret", "String", Signature(outputs=_OUT), _otp_secret),
    Method(
        "CreateRandomString", "String",
        Signature(
            params=(par("randomGeneratorType", choices=("GUID", "INTEGER")), par("stringFormat", required=False),
                    par("base64", *BOOL, default=False), par("maximumNumber", "int", required=False),
                    par("seed", "int", required=False)),
            outputs=_OUT,
        ),
        _random_string, validate=_format_problems,
    ),
    Method("CreateStringClaim", "String", Signature(params=(par("value"),), outputs=(out("createdClaim"),)),
           _create_string),
    Method("FormatStringClaim", "String",
           Signature((inp("inputClaim"),), (par("stringFormat"),), _OUT), _format_one,
           validate=_format_problems),
    Method("FormatStringMultipleClaims", "String",
           Signature((inp("inputClaim1"), inp("inputClaim2")), (par("stringFormat"),), _OUT), _format_two,
           validate=_format_problems),
    Method("NullClaim", "String", Signature(outputs=(out("claim_to_null", *ANY),)), _null),
    Method("ParseDomain", "String", Signature((inp("emailAddress"),), outputs=(out("domain"),)), _parse_domain),
    Method(
        "StringSubstring", "String",
        Signature(_IN_OUT, (par("startIndex", "int"), par("length", "int", required=False)), _OUT), _substring,
    ),
    Method("StringReplace", "String",
           Signature(_IN_OUT, (par("oldValue"), par("newValue")), _OUT), _replace),
    Method("StringJoin", "String",
           Signature((inp("inputClaim", "stringCollection"),), (par("delimiter"),), _OUT), _join),
    Method("StringSplit", "String",
           Signature(_IN_OUT, (par("delimiter"),), (out("outputClaim", "stringCollection"),)), _split),
)
