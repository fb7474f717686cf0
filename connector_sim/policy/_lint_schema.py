"""Lint against B2C's policy schema: the structural rules B2C enforces when a policy is uploaded.

The schema is the starter pack's ``TrustFrameworkPolicy_0.3.0.0.xsd`` (MIT, vendored unchanged in
``schema/``), validated with lxml (libxml2's XML Schema validator, in C: a 6 MB policy set takes
tens of milliseconds): nested ValidationTechnicalProfiles, a duplicate orchestration step Order, a
ClaimsProvider in the wrong place, text in element-only content... Loading stays lenient
(connector_sim reads what it needs); only lint reports these.

Only files in B2C's namespace are checked (B2C uploads nothing else; hand-written fragments are
not whole policies). Every file is untrusted and has already been read by defusedxml when it was
loaded (no DTD, no entities); lxml parses it again with entities off, no DTD and no network.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional, Union

from ._model import Finding

if TYPE_CHECKING:
    from ._policy import Policy

__all__ = ["SCHEMA_PATH", "schema_findings"]

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "TrustFrameworkPolicy_0.3.0.0.xsd"
_NAMESPACE = "{http://schemas.microsoft.com/online/cpim/schemas/2013/06}"
_lock = threading.Lock()
_schema: List[Any] = []
# The schema's patterns are written as .NET regexes, anchored with ^ and $, which B2C's validator
# honours; XSD patterns are anchored already and read ^ and $ as literal characters, so the
# starter pack's own policies would break 20 of them. The anchors are taken off before compiling.
_ANCHORED = re.compile(r'(<xs:pattern value=")\^(.*?)(?<!\\)\$(" */>)')


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def _load_schema() -> Any:
    """The compiled schema, built once and shared."""
    from lxml import etree  # only lint needs it

    with _lock:
        if not _schema:
            text = _ANCHORED.sub(r"\1\2\3", SCHEMA_PATH.read_text(encoding="utf-8"))
            _schema.append(etree.XMLSchema(etree.fromstring(text.encode("utf-8"), _parser())))
        return _schema[0]


def _tree(data: Union[bytes, str]) -> Optional[Any]:
    from lxml import etree

    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        return etree.fromstring(raw, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None  # several sibling roots (a fragment the loader wrapped): not a whole policy file


def _message(message: str) -> str:
    return " ".join(message.split()).replace(_NAMESPACE, "").replace("tfp:", "")


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
        root = _tree(source)
        if root is None or not str(root.tag).startswith(_NAMESPACE):
            continue
        schema = _load_schema()
        with _lock:  # one validator, its error log shared: one file at a time
            schema.validate(root)
            errors = [(e.line, e.message) for e in schema.error_log]
        for line, message in errors:
            if "{Settings:" in message:
                continue  # an unfilled placeholder: lint reports it as unresolved-setting
            findings.append(Finding("error", "schema", _message(message), None, f.name, line or f.line))
    return findings
