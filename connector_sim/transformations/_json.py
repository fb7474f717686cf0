"""JSON transformations [JSON]: build JSON (GenerateJson, CreateJsonArray) and read it back."""

from __future__ import annotations

from typing import Any

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
from ._values import MAX_DEPTH, json_text, load_json, parse_value
from ._xml import xml_to_json

__all__ = ["METHODS", "json_paths_problems"]

_READ_TYPES = ("string", "int", "long", "boolean", "dateTime", "date")
_JSON_PARAMS = ("int", "long", "boolean")


def _parse(call: Call, tct: str, text: str) -> Any:
    try:
        return load_json(text)
    except ValueError as exc:
        call.fail(str(exc), tct=tct)


def _scalar(value: Any) -> Any:
    # A read element as a claim value: strings as is, numbers and booleans typed (the output claim's
    # data type converts them), objects and arrays as compact JSON text, null as "no value".
    return json_text(value) if isinstance(value, (dict, list)) else value


def _create_array(call: Call) -> Outputs:
    return {"outputClaim": json_text([call.value("inputClaim")])}


def _segments(path: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in path.split(".")]


def json_paths_problems(paths: list[str]) -> list[str]:
    """Why a set of GenerateJson dot paths cannot build one document (empty segment, clash, index gap)."""
    problems: list[str] = []
    kinds: dict[tuple[Any, ...], str] = {}  # node -> "object", "array" (what its children are) or "value"
    indexes: dict[tuple[Any, ...], set[int]] = {}
    for path in paths:
        segments = _segments(path)
        if "" in segments or len(segments) > MAX_DEPTH:
            problems.append(f'the path "{path}" has an empty segment or more than {MAX_DEPTH} segments')
            continue
        nodes = [(tuple(segments[:depth]), "array" if isinstance(segment, int) else "object")
                 for depth, segment in enumerate(segments)] + [(tuple(segments), "value")]
        for node, kind in nodes:
            existing = kinds.setdefault(node, kind)
            if existing != kind:
                name = ".".join(map(str, node)) or "the root"
                problems.append(f'the path "{path}" uses "{name}" as {kind}, elsewhere as {existing}')
                break
        for depth, segment in enumerate(segments):
            if isinstance(segment, int):
                indexes.setdefault(tuple(segments[:depth]), set()).add(segment)
    for parent, found in indexes.items():
        if found != set(range(len(found))):
            name = ".".join(map(str, parent)) or "the root"
            problems.append(f'the array "{name}" skips an index (has {sorted(found)}; arrays start at 0, no gaps)')
    if kinds.get((), "object") != "object":
        problems.append("the root of a GenerateJson document must be an object, not an array")
    return problems


_HOLE = object()


def _place(root: dict[str, Any], segments: list[Any], value: Any) -> None:
    node: Any = root
    for depth, segment in enumerate(segments):
        last = depth == len(segments) - 1
        fresh: Any = value if last else ([] if isinstance(segments[depth + 1], int) else {})
        if isinstance(node, dict) and isinstance(segment, str):
            if last:
                node[segment] = value  # a path used twice: the later value wins
                return
            node = node.setdefault(segment, fresh)
        elif isinstance(node, list) and isinstance(segment, int):
            # Indexes stay sparse while building; _compact() closes gaps left by claims without values.
            node.extend([_HOLE] * (segment + 1 - len(node)))
            if last:
                node[segment] = value
                return
            if node[segment] is _HOLE:
                node[segment] = fresh
            node = node[segment]
        else:
            return  # a clash the upload-time check reports: this value has no place


def _compact(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _compact(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_compact(item) for item in node if item is not _HOLE]
    return node


def _generate(call: Call) -> Outputs:
    problems = json_paths_problems([b.tct for b in call.inputs] + [p[0] for p in call.raw_params])
    if problems:
        call.fail(problems[0])
    root: dict[str, Any] = {}
    for bound in call.inputs:  # claims first, then parameters (document order)
        if bound.value is not None:  # a claim without a value leaves its path out
            typed = bound.data_type in ("boolean", "int", "long", "stringCollection")
            value = bound.value if typed else str(bound.value)
            _place(root, _segments(bound.tct), value)
    for id, data_type, text in call.raw_params:
        try:
            value = parse_value(text, data_type) if data_type in _JSON_PARAMS else text
        except ValueError as exc:
            call.fail(f'the parameter "{id}" {exc}')
        _place(root, _segments(id), value)
    return {"outputClaim": json_text(_compact(root))}


def _member(call: Call, tct: str, name: str) -> Any:
    document = _parse(call, tct, call.value(tct))
    if not isinstance(document, dict):
        call.fail(f"{tct} is not a JSON object", tct=tct)
    if name not in document:
        call.fail(f'the JSON has no element "{name}"', tct=tct)
    return document[name]


def _get_claim(call: Call) -> Outputs:
    value = _member(call, "inputJson", call.params["claimToExtract"])
    return {} if value is None else {"extractedClaim": _scalar(value)}


def _get_numeric(call: Call) -> Outputs:
    name = call.params["claimToExtract"]
    value = _member(call, "inputJson", name)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        call.fail(f'the element "{name}" is not a whole number', tct="inputJson")
    return {"extractedClaim": value}


def _from_items(call: Call, items: list[Any]) -> Outputs:
    key_name, value_name = call.params["jsonSourceKeyName"], call.params["jsonSourceValueName"]
    found: dict[str, Any] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get(key_name), str):
            found.setdefault(item[key_name], item.get(value_name))  # first match wins
    result: Outputs = {}
    for slot in call.outputs:
        if slot.claim_id not in found:
            if call.params["errorOnMissingClaims"]:
                call.fail(f'the JSON has no item whose "{key_name}" is "{slot.claim_id}"', tct="jsonSource")
            continue
        value = found[slot.claim_id]
        if value is None or value == "":
            if call.params["includeEmptyClaims"]:
                result[slot.claim_id] = ""
            continue
        result[slot.claim_id] = _scalar(value)
    return result


def _get_claims(call: Call) -> Outputs:
    document = _parse(call, "jsonSource", call.value("jsonSource"))
    if not isinstance(document, list):
        call.fail("jsonSource is not a JSON array", tct="jsonSource")
    return _from_items(call, document)


def _get_claims_v2(call: Call) -> Outputs:
    return _from_items(call, [_parse(call, "jsonSource", text) for text in call.value("jsonSource")])


def _single_item(call: Call) -> Outputs:
    document = _parse(call, "inputJson", call.value("inputJson"))
    if not isinstance(document, dict):
        call.fail("inputJson is not a JSON object", tct="inputJson")
    if not document:
        return {}
    key, value = next(iter(document.items()))
    return {"key": key} if value is None else {"key": key, "value": _scalar(value)}


def _single_value(call: Call) -> Outputs:
    document = _parse(call, "inputJsonClaim", call.value("inputJsonClaim"))
    if not isinstance(document, list):
        call.fail("inputJsonClaim is not a JSON array", tct="inputJsonClaim")
    return {} if not document or document[0] is None else {"extractedClaim": _scalar(document[0])}


def _xml(call: Call) -> Outputs:
    try:
        return {"json": xml_to_json(call.value("xml"))}
    except ValueError as exc:
        call.fail(str(exc), tct="xml")


def _from_array(source_type: str) -> Signature:
    return Signature(
        (inp("jsonSource", source_type),),
        (par("errorOnMissingClaims", *BOOL, default=False),
         par("includeEmptyClaims", "boolean", "string", default=False, kind="boolean"),
         par("jsonSourceKeyName"), par("jsonSourceValueName")),
        extra_outputs=Extra(data_types=_READ_TYPES, keyed_by="claim"),
    )


_EXTRACT = (par("claimToExtract"),)

METHODS = (
    Method("CreateJsonArray", "JSON", Signature((inp("inputClaim"),), outputs=(out("outputClaim"),)), _create_array),
    Method("GenerateJson", "JSON",
           Signature(outputs=(out("outputClaim"),), extra_inputs=Extra(data_types=ANY), extra_params=Extra()),
           _generate, validate=lambda tcts, params: json_paths_problems([*tcts, *params])),
    Method("GetClaimFromJson", "JSON",
           Signature((inp("inputJson"),), _EXTRACT, (out("extractedClaim", *_READ_TYPES),)), _get_claim),
    Method("GetClaimsFromJsonArray", "JSON", _from_array("string"), _get_claims),
    Method("GetClaimsFromJsonArrayV2", "JSON", _from_array("stringCollection"), _get_claims_v2),
    Method("GetNumericClaimFromJson", "JSON",
           Signature((inp("inputJson"),), _EXTRACT, (out("extractedClaim", "long", "int"),)), _get_numeric),
    Method("GetSingleItemFromJson", "JSON",
           Signature((inp("inputJson"),), outputs=(out("key"), out("value", *_READ_TYPES))), _single_item),
    Method("GetSingleValueFromJsonArray", "JSON",
           Signature((inp("inputJsonClaim"),), outputs=(out("extractedClaim", *_READ_TYPES),)), _single_value),
    Method("XmlStringToJsonString", "JSON", Signature((inp("xml"),), outputs=(out("json"),)), _xml),
)
