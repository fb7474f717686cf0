"""Parse one policy file (or fragment) through defusedxml, keeping the line each element starts on.

Every policy file is untrusted input: DOCTYPE, entity declarations and external references are
refused by ``defusedxml``, and malformed XML is a PolicyError with file, line and column. The
tree builder asks expat for each element's line and drops the B2C namespace
(``http://schemas.microsoft.com/online/cpim/schemas/2013/06``), so fragments without it read the
same. ``policy_reader`` turns the tree into a ``PolicyFile``.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Tuple, Union
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ..errors import PolicyError
from ._reader import FRAGMENT_ROOTS, WRAPPER, PolicyFile, PolicyReader
from ._settings import SETTING_PLACEHOLDER, Settings

__all__ = ["B2C_NAMESPACE", "MAX_DEPTH", "MAX_POLICY_BYTES", "check_policy_size", "parse_policy"]

B2C_NAMESPACE = "http://schemas.microsoft.com/online/cpim/schemas/2013/06"
#: B2C refuses policy files over 1024 KB (behaviour file §9.4); larger ones are refused before parsing.
MAX_POLICY_BYTES = 1024 * 1024
#: Deeper element nesting is refused (B2C's schema nests about ten levels).
MAX_DEPTH = 100
_JUNK_AFTER_ROOT = 9  # expat's XML_ERROR_JUNK_AFTER_DOC_ELEMENT: several roots, as article snippets have


class _LineBuilder(TreeBuilder):
    """A tree builder that drops namespaces, records the line each element starts on, and limits depth."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.expat: object = None
        self.lines: Dict[int, int] = {}
        self.depth = 0

    def start(self, tag: str, attrs: Dict[str, str]) -> Element:
        self.depth += 1
        line = self.expat.CurrentLineNumber  # type: ignore[attr-defined]
        if self.depth > MAX_DEPTH:
            # Real policies nest under a dozen levels; a deep tree only costs memory and time.
            raise PolicyError(f"elements are nested more than {MAX_DEPTH} levels deep", file=self.name, line=line,
                              hint="B2C policies nest about ten levels; check for unclosed elements")
        element = super().start(tag[tag.rfind("}") + 1:], attrs)
        self.lines[id(element)] = line
        return element

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag[tag.rfind("}") + 1:])


class _MalformedXml(PolicyError):
    """A PolicyError that remembers expat's error code (to retry several sibling roots)."""

    expat_code: Optional[int] = None


def _parse_tree(data: Union[bytes, str], name: str) -> Tuple[Element, Dict[int, int]]:
    builder = _LineBuilder(name)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        error = _MalformedXml(f"malformed XML: {reason}", file=name, line=line, column=column + 1,
                              hint="fix the XML so that it is well-formed")
        error.expat_code = exc.code
        raise error from exc
    except DefusedXmlException as exc:
        raise PolicyError(
            f"refused: policy files may not contain a DOCTYPE, entity declarations or external references "
            f"({type(exc).__name__})", file=name, line=parser.parser.CurrentLineNumber,
            hint="B2C policies never need a DOCTYPE; remove it",
        ) from exc
    except UnicodeEncodeError as exc:  # a str policy holding a lone surrogate cannot be handed to expat
        raise PolicyError(f"the policy text holds a character that is not valid XML ({exc.reason}, "
                          f"at character {exc.start})", file=name,
                          hint="policy files are UTF-8 text; remove the character") from exc
    except (ValueError, LookupError) as exc:
        # expat asks Python for any encoding it does not know: multi-byte ones and unknown names fail there.
        raise PolicyError(f"the XML declaration names encoding {_declared_encoding(data)!r}, which cannot be read",
                          file=name, line=1, hint="save the policy as UTF-8, as B2C expects") from exc
    return root, builder.lines


def _declared_encoding(data: Union[bytes, str]) -> str:
    head = data[:200].decode("latin-1") if isinstance(data, bytes) else data[:200]
    found = re.search(r"""encoding\s*=\s*["']([^"']*)""", head)
    name = found.group(1) if found else "?"
    return name if len(name) <= 40 else name[:40] + "..."


def _wrap_fragments(data: Union[bytes, str]) -> Optional[str]:
    """Wrap several sibling roots in one element, keeping line numbers; None if it cannot."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        return None
    start = text.find("?>") + 2 if text.lstrip().startswith("<?xml") else 0
    return f"{text[:start]}<{WRAPPER}>{text[start:]}</{WRAPPER}>"


_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _placeholders(data: Union[bytes, str]) -> List[Tuple[str, int]]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if "{Settings:" not in text:
        return []
    # Comments are not policy: blank them out (keeping their line breaks, so lines still count right).
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found: List[Tuple[str, int]] = []
    line, counted = 1, 0  # count the line breaks since the previous placeholder only: linear in the file
    for m in SETTING_PLACEHOLDER.finditer(text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        found.append((m.group(1), line))
    return found


def _identity(value: str) -> str:
    return value


def check_policy_size(size: int, name: str) -> None:
    """Raise PolicyError when a policy of ``size`` bytes is over B2C's 1024 KB limit."""
    if size > MAX_POLICY_BYTES:
        raise PolicyError(f"the policy file is larger than {MAX_POLICY_BYTES // 1024} KB, B2C's limit for one "
                          "policy file; it was not parsed", file=name,
                          hint="move parts into another file of the BasePolicy chain (up to 10 levels)")


def _size(data: Union[bytes, str]) -> int:
    if isinstance(data, bytes) or len(data) > MAX_POLICY_BYTES:
        return len(data)  # a text longer than the limit in characters is longer in bytes too
    return len(data.encode("utf-8", "surrogatepass"))


def parse_policy(data: Union[bytes, str], name: str, settings: Optional[Settings] = None) -> PolicyFile:
    """Parse one policy file or fragment (bytes or text) into a PolicyFile; raise PolicyError."""
    check_policy_size(_size(data), name)
    found = _placeholders(data)
    fill: Callable[[str], str] = _identity
    if settings is not None:
        for setting, line in found:
            if settings.get(setting) is None:
                hint = "set the environment's Tenant" if setting == "Tenant" else (
                    f"add \"{setting}\" to the PolicySettings of environment {settings.environment!r}")
                raise PolicyError(f"the placeholder {{Settings:{setting}}} has no value in {settings.describe()}",
                                  file=name, line=line, hint=hint)
        fill = settings.substitute
    try:
        root, lines = _parse_tree(data, name)
    except _MalformedXml as exc:
        wrapped = _wrap_fragments(data) if exc.expat_code == _JUNK_AFTER_ROOT else None
        if wrapped is None:
            raise
        root, lines = _parse_tree(wrapped, name)
        if any(child.tag not in FRAGMENT_ROOTS for child in root):
            raise exc  # several roots are only fine for fragments, such as the article's ClaimType list
    policy = PolicyReader(name, lines, fill).read(root)
    if settings is None:
        policy.unresolved_settings = found
    return policy
