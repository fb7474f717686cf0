"""Running transformations: bind claims and parameters, call the method, write typed outputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connector_sim.errors import ConnectorSimError, PolicyError

from ._check import find_problems
from ._context import TransformationContext
from ._model import ClaimsTransformation
from ._registry import METHODS
from ._signature import ANY, Bound, Call, Method, Slot
from ._values import ALT_SEC_IDS, Folded, coerce, is_empty, parse_value, store

__all__ = ["run", "run_sequence"]


def _infer(value: Any, accepted: tuple[str, ...]) -> str:
    """The data type of a claim whose ClaimsSchema type is not given: from what the method accepts."""
    natural = ("boolean" if isinstance(value, bool) else "int" if isinstance(value, int)
               else ALT_SEC_IDS if isinstance(value, list) and value and isinstance(value[0], dict)
               else "stringCollection" if isinstance(value, list) else "string")
    if "*" in accepted or natural in accepted:
        return "long" if natural == "int" and not -(2**31) <= value < 2**31 else natural
    return accepted[0] if accepted else "string"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _bind(method: Method, t: ClaimsTransformation, claims: Folded, types: Folded, call: Call) -> tuple[Bound, ...]:
    signature, bound = method.signature, []
    for claim_id, tct in t.input_claims:
        spec = signature.input(tct)
        accepted = spec.data_types if spec else signature.extra_inputs.data_types if signature.extra_inputs else ANY
        raw = claims.get(claim_id)
        data_type = types.get(claim_id) or _infer(raw, accepted)
        value = None
        if not is_empty(raw):
            try:
                value = coerce(raw, data_type)
            except (TypeError, ValueError) as exc:
                call.fail(f"the claim '{claim_id}' cannot be read as {data_type}: {exc}", claim=claim_id)
        bound.append(Bound(claim_id, tct, data_type, None if is_empty(value) else value))
    return tuple(bound)


def _params(method: Method, t: ClaimsTransformation) -> tuple[dict[str, Any], tuple[tuple[str, str, str], ...]]:
    signature, typed = method.signature, {}
    for spec in signature.params:
        declared = next((p for p in t.input_parameters if p[0] == spec.id), None)
        if declared is None:
            typed[spec.id] = spec.default
            continue
        value = parse_value(declared[2], spec.reads_as)  # check() has refused values that do not parse
        if spec.choices:  # enumerated values match case-insensitively; the function sees one spelling
            value = next(c for c in spec.choices if c.lower() == value.strip().lower())
        typed[spec.id] = value
    extra = tuple(p for p in t.input_parameters if signature.param(p[0]) is None)
    return typed, extra


def _outputs(method: Method, t: ClaimsTransformation, result: Mapping[str, Any], types: Folded,
             call: Call) -> dict[str, Any]:
    signature, written = method.signature, {}
    for claim_id, tct in t.output_claims:
        spec, extra = signature.output(tct), signature.extra_outputs
        if spec is not None:
            key, accepted = tct, spec.data_types
        elif extra is not None:
            key, accepted = (claim_id if extra.keyed_by == "claim" else tct), extra.data_types
        else:
            continue
        if key not in result:
            continue  # not written: the claim keeps its value
        value = result[key]
        # Without a ClaimsSchema type: a named output takes the method's documented type; outputs
        # of any type and claim-named ones (GetClaimsFromJsonArray) take the value's own type.
        documented = spec is not None and "*" not in accepted
        data_type = types.get(claim_id) or (accepted[0] if documented else _infer(value, accepted))
        try:
            written[claim_id] = store(value, data_type)
        except (TypeError, ValueError) as exc:
            call.fail(f"the output claim '{claim_id}' ({data_type}) cannot hold {_short(value)}: {exc}", claim=claim_id)
    return written


def run(transformation: ClaimsTransformation, claims: Mapping[str, Any], *,
        data_types: Mapping[str, str] | None = None,
        context: TransformationContext | None = None) -> dict[str, Any]:
    """Run one transformation on a claims bag; return its output claims keyed by ClaimTypeReferenceId.

    A value of None means the claim is removed (NullClaim, a "null" result). A transformation skipped
    for a missing input (§2.4) returns {}. A failing method or unusable input raises
    ``ClaimsTransformationError``; a transformation B2C would refuse at upload raises ``PolicyError``.
    """
    t = transformation
    folded_claims, types = Folded(claims), Folded(data_types)
    refusals = [p for p in find_problems(t, types if data_types is not None else None, undefined=False)
                if p.severity == "error"]
    if refusals:
        raise PolicyError(" ".join(p.message for p in refusals), file=t.file, line=t.line)
    method = METHODS[t.method]
    context = context or TransformationContext()
    typed, extra = _params(method, t)
    slots = tuple(Slot(c, tct, types.get(c) or "", folded_claims.get(c)) for c, tct in t.output_claims)
    call = Call(t.id, t.method, (), typed, extra, slots, context, t.where, method.default_message)
    try:
        inputs = _bind(method, t, folded_claims, types, call)
        call = Call(t.id, t.method, inputs, typed, extra, slots, context, t.where, method.default_message)
        for spec in method.signature.inputs:
            values = [b.value for b in inputs if b.tct == spec.tct]
            if values and all(v is None for v in values) and spec.when_missing != "call":
                if spec.when_missing == "skip":
                    return {}  # §2.4 default: no output, no error
                call.fail(f"the input claim '{call.claim(spec.tct)}' ({spec.tct}) has no value", tct=spec.tct,
                          assertion=True)
        free = method.signature.extra_inputs
        if free is not None and free.when_missing == "skip" and any(
                b.value is None for b in inputs if method.signature.input(b.tct) is None):
            return {}
        return _outputs(method, t, method.function(call), types, call)
    except ConnectorSimError:
        raise
    except (ArithmeticError, AttributeError, LookupError, RecursionError, TypeError, ValueError) as exc:
        # A safety net: whatever the input, the caller gets the error B2C would give, not a traceback.
        call.fail(f"the input cannot be processed ({type(exc).__name__}: {_short(str(exc))})")


def run_sequence(transformations: Iterable[ClaimsTransformation], claims: Mapping[str, Any], *,
                 data_types: Mapping[str, str] | None = None,
                 context: TransformationContext | None = None) -> dict[str, Any]:
    """Run transformations in order, each seeing the outputs of the ones before; return the new bag."""
    bag: dict[str, Any] = dict(claims)
    for transformation in transformations:
        for claim_id, value in run(transformation, bag, data_types=data_types, context=context).items():
            same: list[str] = [key for key in bag if key.lower() == claim_id.lower()]
            name = same[0] if same else claim_id  # keep the bag's spelling of an existing claim
            for key in same:
                del bag[key]
            if value is not None:
                bag[name] = value
    return bag
