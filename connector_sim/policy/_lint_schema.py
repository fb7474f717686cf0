"""Lint against B2C's policy schema: the structural rules B2C enforces when a policy is uploaded.

The schema is the starter pack's ``TrustFrameworkPolicy_0.3.0.0.xsd`` (MIT, vendored unchanged in
``schema/``), validated with ``xmlschema``: nested ValidationTechnicalProfiles, a duplicate
orchestration step Order, a ClaimsProvider in the wrong place, text in element-only content...
Loading stays lenient (connector_sim reads what it needs); only lint reports these.

Only files in B2C's namespace are checked (B2C uploads nothing else; hand-written fragments are
not whole policies). Every file is untrusted: it is parsed by defusedxml (no DTD, no entities),
and the schema loader may open no URL at all (``allow="none"``).
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ._lint import Finding

if TYPE_CHECKING:
    from ._policy import Policy

__all__ = ["SCHEMA_PATH", "schema_findings"]

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "TrustFrameworkPolicy_0.3.0.0.xsd"
_NAMESPACE = "{http://schemas.microsoft.com/online/cpim/schemas/2013/06}"
_lock = threading.Lock()
_schema: List[Any] = []


def _load_schema() -> Any:
    """The compiled schema, built once (about half a second) and shared."""
    import xmlschema  # only lint needs it

    with _lock:
        if not _schema:
            data = SCHEMA_PATH.read_bytes()
            _schema.append(xmlschema.XMLSchema(io.BytesIO(data), allow="none", defuse="always"))
        return _schema[0]


class _Lines(TreeBuilder):
    """A tree builder that keeps namespaces and records the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.lines: Dict[int, int] = {}

    def start(self, tag: str, attrs: Dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.expat.CurrentLineNumber
        return element


def _tree(data: Union[bytes, str]) -> Optional[tuple]:
    builder = _Lines()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        return parser.close(), builder.lines
    except (ParseError, DefusedXmlException, ValueError):
        return None  # several sibling roots (a fragment the loader wrapped): not a whole policy file


def _pattern_holds(error: Any) -> bool:
    """True when a pattern error is only XSD's literal ``^``/``$``: the starter pack's own patterns
    are written as .NET regexes (anchors), which B2C's validator honours."""
    patterns = getattr(error.validator, "regexps", None)
    value = error.obj
    if not patterns or not isinstance(value, str):
        return False
    for pattern in patterns:
        try:
            if re.search(pattern, value):
                return True
        except re.error:
            continue
    return False


def _message(error: Any) -> str:
    reason = " ".join(str(error.reason or error.message).split()).replace(_NAMESPACE, "").replace("tfp:", "")
    path = error.path or ""
    where = path.replace(_NAMESPACE, "").replace("tfp:", "")
    return f"{reason} (at {where})" if where else reason


def schema_findings(policy: Policy) -> List[Finding]:
    """One error per schema violation in each loaded file in B2C's namespace, with file and line.

    Computed once per loaded policy (its texts do not change): a second lint costs nothing here.
    """
    if policy._schema_findings is None:
        policy._schema_findings = _validate(policy)
    return list(policy._schema_findings)


def _validate(policy: Policy) -> List[Finding]:
    findings: List[Finding] = []
    for f in policy.files:
        source = getattr(f, "source", None)
        if source is None or f.root != "TrustFrameworkPolicy":
            continue
        if policy.settings is not None:  # judge the values B2C would get, placeholders filled
            text = source.decode("utf-8-sig", "replace") if isinstance(source, bytes) else source
            source = policy.settings.substitute(text)
        parsed = _tree(source)
        if parsed is None:
            continue
        root, lines = parsed
        if not root.tag.startswith(_NAMESPACE):
            continue
        for error in _load_schema().iter_errors(root):
            if error.validator.__class__.__name__ == "XsdPatternFacets" and _pattern_holds(error):
                continue
            if "{Settings:" in str(error.obj if isinstance(error.obj, str) else ""):
                continue  # an unfilled placeholder: lint reports it as unresolved-setting
            element = getattr(error, "elem", None)
            line = lines.get(id(element)) if element is not None else None
            findings.append(Finding("error", "schema", _message(error), None, f.name, line or f.line))
    return findings
