"""Text rules B2C takes from .NET: String.Format, ordinal comparisons, invariant case, expressions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._signature import Call, ParamSpec, par

__all__ = ["IGNORE_CASE", "MAX_FORMAT", "equal", "expand", "fold", "lower", "net_format", "upper"]

#: Longest stringFormat / formatted text (FormatStringClaim, FormatLocalizedString: 4000 characters).
MAX_FORMAT = 4000
# A format item's inside: index, optional alignment, optional format string (ignored for strings).
_ITEM = re.compile(r"\s*(\d{1,6})\s*(?:,\s*(-?\d{1,6})\s*)?(?::[^{}]*)?")
#: ignoreCase: a string parameter in the articles ("true"/"false"), boolean in some UT policies; read as boolean.
IGNORE_CASE: ParamSpec = par("ignoreCase", "string", "boolean", default=False, kind="boolean")
_EXPRESSIONS = {
    "{TechnicalProfileId}": "technical_profile_id",
    "{RelyingPartyTenantId}": "relying_party_tenant_id",
    "{TrustFrameworkTenantId}": "trust_framework_tenant_id",
}


def _simple(text: str, to_upper: bool) -> str:
    # .NET's invariant casing maps one UTF-16 unit to one: 'ß'.ToUpperInvariant() stays 'ß', where
    # Python's str.upper() gives 'SS'. Keep a character when Python would change the length.
    out = []
    for char in text:
        mapped = char.upper() if to_upper else char.lower()
        out.append(mapped if len(mapped) == 1 else char)
    return "".join(out)


def upper(text: str) -> str:
    """ToUpperInvariant: per-character upper case, never changing the length."""
    return _simple(text, True)


def lower(text: str) -> str:
    """ToLowerInvariant: per-character lower case, never changing the length."""
    return _simple(text, False)


def fold(text: str) -> str:
    """The key OrdinalIgnoreCase compares: each character upper-cased (invariant)."""
    return upper(text)


def equal(left: str, right: str, ignore_case: bool) -> bool:
    """Ordinal or OrdinalIgnoreCase equality."""
    return fold(left) == fold(right) if ignore_case else left == right


def expand(text: str, call: Call, *, for_format: bool = False) -> str:
    """Replace the §2.7 claim transformation expressions; other {...} text stays as written."""
    for expression, attribute in _EXPRESSIONS.items():
        if expression in text:
            value = getattr(call.context, attribute)
            if not value:
                call.fail(f"the expression {expression} has no value: set TransformationContext.{attribute}")
            # In a format, braces in the value must not become format items.
            text = text.replace(expression, value.replace("{", "{{").replace("}", "}}") if for_format else value)
    return text


def net_format(fmt: str, args: Sequence[str]) -> str:
    """.NET String.Format for string arguments: {0}, {0,10}, {0,-10}, {{ and }}; ValueError if malformed."""
    out: list[str] = []
    i, n = 0, len(fmt)
    while i < n:
        char = fmt[i]
        if char == "{" and fmt.startswith("{{", i):
            out.append("{")
            i += 2
        elif char == "{":
            end = fmt.find("}", i)
            match = _ITEM.fullmatch(fmt, i + 1, end) if end > 0 else None
            if match is None:
                raise ValueError(f"the format item at position {i} is not {{index[,alignment][:format]}}")
            index = int(match.group(1))
            if index >= len(args):
                raise ValueError(f"the format item {{{index}}} has no argument ({len(args)} given)")
            width = max(-MAX_FORMAT, min(MAX_FORMAT, int(match.group(2) or 0)))
            out.append(args[index].rjust(width) if width > 0 else args[index].ljust(-width))
            i = end + 1
        elif char == "}" and fmt.startswith("}}", i):
            out.append("}")
            i += 2
        elif char == "}":
            raise ValueError(f"the format has an unmatched '}}' at position {i}")
        else:
            out.append(char)
            i += 1
    return "".join(out)
