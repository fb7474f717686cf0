"""Social account transformations [SOC]: alternativeSecurityId items and collections."""

from __future__ import annotations

import base64
from typing import Any

from ._signature import Call, Method, Outputs, Signature, inp, out
from ._values import ALT_SEC_IDS, json_text, load_json

__all__ = ["METHODS"]


def _item(call: Call) -> dict[str, Any]:
    try:
        item = load_json(call.value("item"))
    except ValueError as exc:
        call.fail(f"item {exc}", tct="item")
    if not isinstance(item, dict):
        call.fail("item is not an alternativeSecurityId JSON object", tct="item")
    return item


def _add(call: Call) -> Outputs:
    collection: list[dict[str, Any]] = list(call.value("collection") or [])  # unset: a new collection
    return {"collection": collection + [_item(call)]}


def _create(call: Call) -> Outputs:
    user_id = base64.b64encode(call.value("key").encode("utf-8")).decode("ascii")
    return {"alternativeSecurityId": json_text({"issuer": call.value("identityProvider"), "issuerUserId": user_id})}


def _providers(call: Call) -> Outputs:
    items = call.value("alternativeSecurityIdCollection")
    return {"identityProvidersCollection": [str(item.get("issuer", "")) for item in items]}


def _remove(call: Call) -> Outputs:
    # Issuers are host names: compared without regard to case (UNCONFIRMED default).
    provider = call.value("identityProvider").casefold()
    kept = [item for item in call.value("collection") if str(item.get("issuer", "")).casefold() != provider]
    return {"collection": kept}


_COLLECTION = (ALT_SEC_IDS,)

METHODS = (
    Method(
        "AddItemToAlternativeSecurityIdCollection", "Social",
        Signature((inp("item"), inp("collection", *_COLLECTION, missing="call")),
                  outputs=(out("collection", *_COLLECTION),)),
        _add,
    ),
    Method(
        "CreateAlternativeSecurityId", "Social",
        Signature((inp("key"), inp("identityProvider")), outputs=(out("alternativeSecurityId"),)),
        _create,
    ),
    Method(
        "GetIdentityProvidersFromAlternativeSecurityIdCollectionTransformation", "Social",
        Signature((inp("alternativeSecurityIdCollection", *_COLLECTION),),
                  outputs=(out("identityProvidersCollection", "stringCollection"),)),
        _providers,
    ),
    Method(
        "RemoveAlternativeSecurityIdByIdentityProvider", "Social",
        Signature((inp("identityProvider"), inp("collection", *_COLLECTION)),
                  outputs=(out("collection", *_COLLECTION),)),
        _remove,
    ),
)

