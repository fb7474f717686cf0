"""The shape of a TransformationMethod (claims, parameters, outputs) and the call its function receives."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from connector_sim.errors import ClaimsTransformationError

from ._context import TransformationContext

__all__ = [
    "ANY",
    "BOOL",
    "DATETIME",
    "INT",
    "STRING",
    "Bound",
    "Call",
    "ClaimSpec",
    "Extra",
    "Method",
    "Outputs",
    "ParamSpec",
    "Signature",
    "Slot",
    "accepts",
    "inp",
    "out",
    "par",
]

STRING = ("string",)
BOOL = ("boolean",)
INT = ("int", "long")
DATETIME = ("dateTime",)
ANY: tuple[str, ...] = ("*",)  # any data type

#: What a method's function returns: TCT (or, for claim-keyed outputs, claim id) -> value.
#: A key left out writes nothing; None removes the claim (NullClaim, "null" results).
Outputs = dict[str, Any]


@dataclass(frozen=True)
class ClaimSpec:
    """An input or output claim a method expects, by TransformationClaimType.

    ``required``: must be declared in the policy (upload-time check). ``when_missing`` (inputs only): what a
    run does when the claim has no value: ``skip`` the transformation (§2.4 default), ``fail``, or ``call``
    the function with None (the method defines its own behaviour).
    """

    tct: str
    data_types: tuple[str, ...] = STRING
    required: bool = True
    when_missing: str = "skip"


@dataclass(frozen=True)
class ParamSpec:
    """An InputParameter: accepted DataTypes, whether required, its default, enumerated values."""

    id: str
    data_types: tuple[str, ...] = STRING
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] = ()  # matched case-insensitively; the function sees the spelling given here
    kind: str = ""  # how Value is read ("boolean", "int", "string"...); default: the first data type

    @property
    def reads_as(self) -> str:
        """The data type the Value is converted to before the function sees it."""
        return self.kind or self.data_types[0]


@dataclass(frozen=True)
class Extra:
    """Claims or parameters taken by pattern (GenerateJson paths, LookupValue table, claim-named outputs)."""

    prefix: str = ""  # the TCT or Id must start with this; "" accepts any, including no TCT
    data_types: tuple[str, ...] = ANY
    keyed_by: str = "tct"  # outputs: the function's result key is the TCT, or the claim id ("claim")
    when_missing: str = "call"  # inputs: a claim without a value is passed as None, or "skip" the transformation


@dataclass(frozen=True)
class Signature:
    """Everything the upload-time check knows about a method."""

    inputs: tuple[ClaimSpec, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    outputs: tuple[ClaimSpec, ...] = ()
    extra_inputs: Extra | None = None
    extra_params: Extra | None = None
    extra_outputs: Extra | None = None
    same_type: tuple[str, ...] = ()  # TCTs whose claims must share one data type (CopyClaim)

    def input(self, tct: str) -> ClaimSpec | None:
        """The declared input spec for this TCT, if any."""
        return next((s for s in self.inputs if s.tct == tct), None)

    def output(self, tct: str) -> ClaimSpec | None:
        """The declared output spec for this TCT, if any."""
        return next((s for s in self.outputs if s.tct == tct), None)

    def param(self, id: str) -> ParamSpec | None:
        """The declared parameter spec for this Id, if any."""
        return next((s for s in self.params if s.id == id), None)


def accepts(types: tuple[str, ...], data_type: str) -> bool:
    """Whether a claim of ``data_type`` fits accepted ``types`` (ANY accepts every type)."""
    return "*" in types or data_type in types


def inp(tct: str, *types: str, required: bool = True, missing: str = "skip") -> ClaimSpec:
    """An input claim spec; types default to string."""
    return ClaimSpec(tct, tuple(types) or STRING, required, missing if required else "call")


def out(tct: str, *types: str) -> ClaimSpec:
    """An output claim spec (outputs are never required); types default to string."""
    return ClaimSpec(tct, tuple(types) or STRING, required=False, when_missing="call")


def par(id: str, *types: str, default: Any = None, choices: tuple[str, ...] = (), kind: str = "",
        required: bool | None = None) -> ParamSpec:
    """A parameter spec: required unless it has a default (or ``required=False``)."""
    needed = default is None if required is None else required
    return ParamSpec(id, tuple(types) or STRING, needed, default, choices, kind)


@dataclass(frozen=True)
class Bound:
    """One input claim of a run: claim id as written, its TCT, data type and canonical value (None: no value)."""

    claim_id: str
    tct: str
    data_type: str
    value: Any


@dataclass(frozen=True)
class Slot:
    """One output claim of a run: claim id, TCT, data type, and the value it holds now (or None)."""

    claim_id: str
    tct: str
    data_type: str
    current: Any = None


@dataclass(frozen=True)
class Call:
    """What a method's function receives: bound inputs, typed parameters, output slots, context."""

    transformation_id: str
    method: str
    inputs: tuple[Bound, ...]
    params: Mapping[str, Any]
    raw_params: tuple[tuple[str, str, str], ...]
    outputs: tuple[Slot, ...]
    context: TransformationContext
    where: str = ""  # "file:line: " of the ClaimsTransformation, for messages
    default_message: str | None = field(default=None, repr=False)

    def value(self, tct: str) -> Any:
        """The value of the first input claim with this TCT, or None."""
        return next((b.value for b in self.inputs if b.tct == tct), None)

    def claim(self, tct: str) -> str | None:
        """The claim id bound to this input (or output) TCT, for messages."""
        found = next((b.claim_id for b in self.inputs if b.tct == tct), None)
        return found or next((s.claim_id for s in self.outputs if s.tct == tct), None)

    def output(self, tct: str) -> Slot | None:
        """The first output slot with this TCT, or None."""
        return next((s for s in self.outputs if s.tct == tct), None)

    def fail(self, reason: str, *, tct: str | None = None, claim: str | None = None,
             assertion: bool = False) -> NoReturn:
        """Raise the ClaimsTransformationError B2C would show; ``assertion`` uses the method's §2.5 text.

        The error names the claim given, or the one bound to ``tct``.
        """
        sentence = f"The claims transformation '{self.transformation_id}' ({self.method}) failed: {reason}."
        user = self.default_message if assertion and self.default_message else sentence
        raise ClaimsTransformationError(
            f"{self.where}{sentence}", transformation_id=self.transformation_id, method=self.method,
            claim=claim or (self.claim(tct) if tct else None), user_message=user,
        )


@dataclass(frozen=True)
class Method:
    """A registry entry: the method's name, group, signature, pure function and §2.5 message."""

    name: str
    group: str
    signature: Signature
    function: Callable[[Call], Outputs] = field(repr=False)
    metadata_key: str | None = None  # the self-asserted profile's key for this method's failure
    default_message: str | None = None  # its documented default text (None: not documented)
    #: Extra upload-time rules: (input TCTs, parameter Id -> Value) -> reasons the policy is refused.
    validate: Callable[[tuple[str, ...], Mapping[str, str]], list[str]] | None = field(default=None, repr=False)
