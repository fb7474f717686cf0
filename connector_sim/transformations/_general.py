"""General transformations [GEN]: CopyClaim, DoesClaimExist, Hash."""

from __future__ import annotations

import base64
import hashlib
import hmac

from connector_sim.errors import MissingKeyError

from ._signature import ANY, BOOL, Call, Method, Outputs, Signature, inp, out, par

__all__ = ["METHODS"]

_PORTAL_PREFIX = "B2C_1A_"


def _copy(call: Call) -> Outputs:
    return {"outputClaim": call.value("inputClaim")}


def _exists(call: Call) -> Outputs:
    return {"outputClaim": call.value("inputClaim") is not None}


def _secret(call: Call, name: str) -> str:
    keys = call.context.keys
    # The portal adds B2C_1A_ to a key's name; find it written either way, as connector_sim's KeyStore does.
    bare = name[len(_PORTAL_PREFIX):] if name.upper().startswith(_PORTAL_PREFIX) else name
    for candidate in (name, bare, _PORTAL_PREFIX + bare):
        value = keys.get(candidate) if keys is not None else None
        if isinstance(value, (str, bytes)):
            return value.decode() if isinstance(value, bytes) else value
    raise MissingKeyError(
        f"{call.where}the policy key {name!r} (randomizerSecret of ClaimsTransformation "
        f"'{call.transformation_id}') has no value", key=name,
    )


def _hash(call: Call) -> Outputs:
    # UNCONFIRMED construction (§5): Base64(HMAC-SHA256(key = secret, message = plaintext + salt)).
    secret = _secret(call, call.params["randomizerSecret"])
    message = call.value("plaintext") + (call.value("salt") or "")
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return {"hash": base64.b64encode(digest).decode("ascii")}


METHODS = (
    Method(
        "CopyClaim", "General",
        Signature((inp("inputClaim", *ANY),), outputs=(out("outputClaim", *ANY),),
                  same_type=("inputClaim", "outputClaim")),
        _copy,
    ),
    Method("DoesClaimExist", "General",
           Signature((inp("inputClaim", *ANY, missing="call"),), outputs=(out("outputClaim", *BOOL),)), _exists),
    Method(
        "Hash", "General",
        Signature((inp("plaintext"), inp("salt", required=False)), (par("randomizerSecret"),), (out("hash"),)),
        _hash,
    ),
)
