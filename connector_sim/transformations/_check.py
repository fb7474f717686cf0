"""The upload-time checks of §2.6: what B2C refuses before any journey runs."""

from __future__ import annotations

from collections.abc import Mapping

from ._model import ClaimsTransformation, Problem
from ._registry import METHODS
from ._signature import ClaimSpec, Extra, Signature, accepts
from ._values import Folded, parse_value, type_name

__all__ = ["check", "find_problems", "mismatch_message"]


def mismatch_message(transformation: ClaimsTransformation, kind: str, declared: list[str], expected: list[str]) -> str:
    """B2C's refusal text for claims that do not fit the method (ISS-515), for ``kind`` InputClaims etc."""
    text = (f'The {kind} mismatched in ClaimsTransformation with id "{transformation.id}" with '
            f'TransformationMethod "{transformation.method}".')
    if declared:
        text += (f" The following {kind} were declared in the Policy but were not expected by the "
                 f"TransformMethod: {', '.join(declared)}.")
    if expected:
        text += (f" The following {kind} were expected by the TransformMethod but were not declared in "
                 f"the Policy: {', '.join(expected)}.")
    return text


def _item(data_type: str | None, name: str) -> str:
    return f"[{type_name(data_type)}]{name}" if data_type else name


class _Checker:
    def __init__(self, transformation: ClaimsTransformation, types: Folded | None, undefined: bool) -> None:
        self.t = transformation
        self.types = types
        self.undefined = undefined
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, subject: str | None) -> None:
        self.problems.append(Problem(code, message, self.t.id, subject, "error", self.t.file, self.t.line))

    def type_of(self, claim_id: str) -> str | None:
        if self.types is None:
            return None
        found: str | None = self.types.get(claim_id)
        if found is None and self.undefined:
            self.add("undefined-claim", f'ClaimsTransformation "{self.t.id}" refers to the claim type "{claim_id}", '
                     "which is not defined in the ClaimsSchema.", claim_id)
        return found

    def claims(self, kind: str, declared: tuple[tuple[str, str], ...], specs: tuple[ClaimSpec, ...],
               extra: Extra | None) -> None:
        for claim_id, tct in declared:
            data_type = self.type_of(claim_id)
            spec = next((s for s in specs if s.tct == tct), None)
            if spec is None and extra is not None and tct.startswith(extra.prefix):
                if data_type and not accepts(extra.data_types, data_type):
                    self.add("claim-data-type", mismatch_message(self.t, kind, [_item(data_type, tct)], []), tct)
            elif spec is None:
                self.add("unexpected-claim", mismatch_message(self.t, kind, [_item(data_type, tct or claim_id)], []),
                         tct or claim_id)
            elif data_type and not accepts(spec.data_types, data_type):
                message = mismatch_message(self.t, kind, [_item(data_type, tct)], [_item(spec.data_types[0], tct)])
                self.add("claim-data-type", message, tct)
        for spec in specs:
            if spec.required and all(tct != spec.tct for _, tct in declared):
                wanted = None if "*" in spec.data_types else spec.data_types[0]
                self.add("missing-claim", mismatch_message(self.t, kind, [], [_item(wanted, spec.tct)]), spec.tct)

    def params(self, signature: Signature) -> None:
        declared = self.t.input_parameters
        for id, data_type, value in declared:
            spec = signature.param(id)
            extra = signature.extra_params
            if spec is None and extra is not None and id.startswith(extra.prefix):
                self.value(id, value, data_type, ())
            elif spec is None:
                message = mismatch_message(self.t, "InputParameters", [_item(data_type, id)], [])
                self.add("unexpected-parameter", message, id)
            else:
                # Values are text in XML, so DataType "string" always fits (the articles write
                # matchTo="true" as string); a different typed DataType does not.
                if data_type not in spec.data_types and data_type != "string":
                    message = mismatch_message(self.t, "InputParameters", [_item(data_type, id)],
                                               [_item(spec.data_types[0], id)])
                    self.add("parameter-data-type", message, id)
                self.value(id, value, spec.reads_as, spec.choices)
        for spec in signature.params:
            if spec.required and all(id != spec.id for id, _, _ in declared):
                message = mismatch_message(self.t, "InputParameters", [], [_item(spec.data_types[0], spec.id)])
                self.add("missing-parameter", message, spec.id)

    def value(self, id: str, value: str, data_type: str, choices: tuple[str, ...]) -> None:
        try:
            parse_value(value, data_type)
        except ValueError as exc:
            self.add("parameter-value", f'InputParameter "{id}" of ClaimsTransformation "{self.t.id}": {exc}.', id)
            return
        if choices and value.strip().lower() not in (c.lower() for c in choices):
            self.add("parameter-value", f'InputParameter "{id}" of ClaimsTransformation "{self.t.id}" is '
                     f'"{value}"; expected one of: {", ".join(choices)}.', id)


def find_problems(transformation: ClaimsTransformation, claim_types: Mapping[str, str] | Folded | None,
              undefined: bool) -> list[Problem]:
    method = METHODS.get(transformation.method)
    types = claim_types if isinstance(claim_types, Folded) or claim_types is None else Folded(claim_types)
    checker = _Checker(transformation, types, undefined)
    if method is None:
        near = next((name for name in METHODS if name.lower() == transformation.method.lower()), None)
        hint = f' (did you mean "{near}"?)' if near else ""
        checker.add("unknown-method", f'The ClaimsTransformation with id "{transformation.id}" uses the unknown '
                    f'TransformationMethod "{transformation.method}"{hint}.', transformation.method)
        return checker.problems
    signature = method.signature
    checker.claims("InputClaims", transformation.input_claims, signature.inputs, signature.extra_inputs)
    checker.claims("OutputClaims", transformation.output_claims, signature.outputs, signature.extra_outputs)
    checker.params(signature)
    if signature.same_type and types is not None:
        bound = transformation.input_claims + transformation.output_claims
        found = {types.get(claim) for claim, tct in bound if tct in signature.same_type} - {None}
        if len(found) > 1:
            checker.add("claim-data-type", f'ClaimsTransformation "{transformation.id}" ({transformation.method}): '
                        f"the claims of {' and '.join(signature.same_type)} must have the same data type, "
                        f"not {' and '.join(sorted(t for t in found if t))}.", signature.same_type[0])
    if method.validate is not None:
        values = {id: value for id, _, value in transformation.input_parameters}
        for reason in method.validate(tuple(tct for _, tct in transformation.input_claims), values):
            checker.add("method-rule", f'ClaimsTransformation "{transformation.id}" ({transformation.method}): '
                        f"{reason}.", transformation.method)
    return checker.problems


def check(transformation: ClaimsTransformation, claim_types: Mapping[str, str] | None = None) -> list[Problem]:
    """The upload-time findings for one transformation (§2.6); empty when B2C would accept it.

    ``claim_types`` maps ClaimsSchema claim ids to their DataType; with it, data types are checked and
    undefined claims reported. Claim ids are compared case-insensitively, TCTs and parameter Ids exactly.
    """
    return find_problems(transformation, claim_types, undefined=True)
