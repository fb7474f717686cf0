"""StringCollection transformations [COLL]: add items, read the first, test membership."""

from __future__ import annotations

from ._signature import BOOL, Call, Method, Outputs, Signature, inp, out, par
from ._text import IGNORE_CASE, equal

__all__ = ["METHODS"]

_COLLECTION = ("stringCollection",)


def _added(collection: list[str], item: str) -> list[str]:
    # A copy with the item at the end; values stay unique (UT readme), compared case-sensitively.
    items = list(collection or [])
    return items if item in items else items + [item]


def _add_item(call: Call) -> Outputs:
    return {"collection": _added(call.value("collection"), call.value("item"))}


def _add_parameter(call: Call) -> Outputs:
    return {"collection": _added(call.value("collection"), call.params["item"])}


def _first(call: Call) -> Outputs:
    return {"extractedItem": call.value("collection")[0]}


def _contains(items: list[str], item: str, ignore_case: bool) -> bool:
    return any(equal(candidate, item, ignore_case) for candidate in items)


def _collection_contains(call: Call) -> Outputs:
    return {"outputClaim": _contains(call.value("inputClaim"), call.params["item"], call.params["ignoreCase"])}


def _collection_contains_claim(call: Call) -> Outputs:
    return {"outputClaim": _contains(call.value("collection"), call.value("item"), call.params["ignoreCase"])}


# `collection` must be declared (ISS-71139) but may be unset at run time: a new collection starts.
_GROWING = inp("collection", *_COLLECTION, missing="call")
_RESULT = (out("collection", *_COLLECTION),)

METHODS = (
    Method("AddItemToStringCollection", "StringCollection", Signature((inp("item"), _GROWING), outputs=_RESULT),
           _add_item),
    Method("AddParameterToStringCollection", "StringCollection",
           Signature((_GROWING,), (par("item"),), _RESULT), _add_parameter),
    Method("GetSingleItemFromStringCollection", "StringCollection",
           Signature((inp("collection", *_COLLECTION),), outputs=(out("extractedItem"),)), _first),
    Method(
        "StringCollectionContains", "StringCollection",
        Signature((inp("inputClaim", *_COLLECTION),), (par("item"), IGNORE_CASE), (out("outputClaim", *BOOL),)),
        _collection_contains,
    ),
    Method(
        "StringCollectionContainsClaim", "StringCollection",
        Signature((inp("collection", *_COLLECTION), inp("item")), (IGNORE_CASE,), (out("outputClaim", *BOOL),)),
        _collection_contains_claim,
    ),
)
