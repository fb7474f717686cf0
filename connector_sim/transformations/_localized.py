"""String transformations [STR], part 3: the three that read localized resources of a content definition."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ._context import EnumerationItem
from ._signature import ANY, Call, Extra, Method, Outputs, Signature, inp, out, par
from ._text import MAX_FORMAT, net_format
from ._values import text_of

__all__ = ["FORMAT_ELEMENT", "METHODS", "STRINGS_ELEMENT"]

#: The LocalizedString ElementTypes these methods read (TransformationContext.localized_strings keys).
FORMAT_ELEMENT = "FormatLocalizedStringTransformationClaimType"
STRINGS_ELEMENT = "GetLocalizedStringsTransformationClaimType"


def _strings(call: Call, element_type: str) -> Mapping[str, str]:
    return call.context.localized_strings.get(element_type, {})


def _format_localized(call: Call) -> Outputs:
    string_id = call.params["stringFormatId"]
    fmt = _strings(call, FORMAT_ELEMENT).get(string_id)
    if fmt is None:
        call.fail(f'no LocalizedString {FORMAT_ELEMENT} "{string_id}" in the current language')
    try:
        text = net_format(fmt, [text_of(b.value) for b in call.inputs])
    except ValueError as exc:
        call.fail(f'the localized string "{string_id}" is not a valid format: {exc}')
    if len(text) > MAX_FORMAT:
        call.fail(f"the formatted string has {len(text)} characters, more than {MAX_FORMAT}")
    return {"outputClaim": text}


def _localized_strings(call: Call) -> Outputs:
    strings = _strings(call, STRINGS_ELEMENT)
    # A StringId the current language does not define gives an empty value (UT readme).
    return {slot.tct: strings.get(slot.tct, "") for slot in call.outputs}


def _items_for(mapping: Mapping[str, Sequence[EnumerationItem]], claim_id: str) -> Sequence[EnumerationItem] | None:
    if claim_id in mapping:
        return mapping[claim_id]
    return next((v for k, v in mapping.items() if k.lower() == claim_id.lower()), None)


def _mapped_value(call: Call) -> Outputs:
    slot = call.output("restrictionValueClaim")
    if slot is None:
        return {}
    # The current language's LocalizedCollection replaces the ClaimType's own Restriction items.
    items = _items_for(call.context.localized_collections, slot.claim_id)
    items = items if items is not None else _items_for(call.context.restrictions, slot.claim_id) or ()
    wanted = call.value("mapFromClaim")
    value = next((v for text, v in items if text == wanted), None)
    return {} if value is None else {"restrictionValueClaim": value}  # no match: nothing written


METHODS = (
    Method(
        "FormatLocalizedString", "String",
        Signature(params=(par("stringFormatId"),), outputs=(out("outputClaim"),),
                  extra_inputs=Extra(data_types=ANY, when_missing="skip")),
        _format_localized,
    ),
    Method("GetLocalizedStringsTransformation", "String", Signature(extra_outputs=Extra()), _localized_strings),
    Method(
        "GetMappedValueFromLocalizedCollection", "String",
        Signature((inp("mapFromClaim"),), outputs=(out("restrictionValueClaim"),)),
        _mapped_value,
    ),
)
