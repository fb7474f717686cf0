"""XmlStringToJsonString's conversion, after Json.NET's ``SerializeXmlNode`` conventions.

Root element -> the one top-level key; child elements -> keys (same-named siblings -> an array at the
first one's place); attributes -> "@name"; text beside attributes or elements -> "#text"; an empty
element -> null; an XML declaration -> "?xml" with its pseudo-attributes, as Json.NET writes it.
Namespace prefixes are kept ("p:name", "@xmlns:p"). DTDs and entities are refused (defusedxml).
Comments and processing instructions are dropped.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ._values import MAX_DEPTH, MAX_TEXT, json_text

__all__ = ["xml_to_json"]

_DECLARATION = re.compile(r"\s*<\?xml\s([^?]{0,200})\?>")
_PSEUDO = re.compile(r"""([A-Za-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _name(tag: str, prefixes: dict[str, str]) -> str:
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        prefix = prefixes.get(uri, "")
        return f"{prefix}:{local}" if prefix else local
    return tag


def _convert(element: Any, prefixes: dict[str, str], declared: dict[int, list[tuple[str, str]]]) -> Any:
    body: dict[str, Any] = {}
    for prefix, uri in declared.get(id(element), []):
        body["@xmlns:" + prefix if prefix else "@xmlns"] = uri
    for key, value in element.attrib.items():
        body["@" + _name(key, prefixes)] = value
    texts = [t for t in [element.text] + [child.tail for child in element] if t and t.strip()]
    children: dict[str, list[Any]] = {}  # insertion order: an array sits where its first item was
    for child in element:
        children.setdefault(_name(child.tag, prefixes), []).append(_convert(child, prefixes, declared))
    if not body and not children:
        return texts[0].strip() if len(texts) == 1 else ([t.strip() for t in texts] or None)
    if texts:
        body["#text"] = texts[0].strip() if len(texts) == 1 else [t.strip() for t in texts]
    body.update({key: values[0] if len(values) == 1 else values for key, values in children.items()})
    return body


def xml_to_json(text: str) -> str:
    """The JSON text of an XML document; ValueError with a reason when it is not usable XML."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    if len(text) > MAX_TEXT:
        raise ValueError(f"the XML has {len(text)} characters, more than the {MAX_TEXT} accepted")
    prefixes: dict[str, str] = {}
    declared: dict[int, list[tuple[str, str]]] = {}
    pending: list[tuple[str, str]] = []
    root, depth = None, 0
    try:
        for event, item in iterparse(io.BytesIO(text.encode("utf-8")), events=("start-ns", "start", "end"),
                                     forbid_dtd=True):
            if event == "start-ns":
                pending.append(item)
                prefixes.setdefault(item[1], item[0])
            elif event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise ValueError(f"the XML is nested more than {MAX_DEPTH} levels deep")
                root = item if root is None else root
                if pending:
                    declared[id(item)], pending = pending, []
            else:
                depth -= 1
    except (ParseError, DefusedXmlException) as exc:
        raise ValueError(f"the value is not usable XML ({exc})") from None
    if root is None:
        raise ValueError("the value is not usable XML (no root element)")
    document: dict[str, Any] = {}
    match = _DECLARATION.match(text)
    if match:
        document["?xml"] = {"@" + m[0]: m[1] or m[2] for m in _PSEUDO.findall(match.group(1))}
    document[_name(root.tag, prefixes)] = _convert(root, prefixes, declared)
    return json_text(document)
