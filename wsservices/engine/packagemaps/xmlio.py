"""Package-map XML: safe parsing with Dali's error texts, and jptree-style writing.

Parsing (packageprocess.md §2 "XML parse errors") goes through the engine's ``safexml`` (no DTD,
no entities, no network, default depth/size limits); its errors are reworded to carry
jlib's property-tree texts and codes: ``Error - syntax error "<detail>" [line N, file offset M]``
(PTreeRead_syntax, 2) or ``Error - end of stream "<detail>" [...]`` (PTreeRead_EOS, 1), followed
by a context line. An empty (or blank) document is "no tree" (`parse` returns None), not an error.

Writing (§3.5): jptree's ``toXML`` defaults: one space of indentation per level, attributes
sorted by name in double quotes, empty elements self-closed, a newline after each element.

Bounds (`Limits`, from the settings ``package_map_max_*``): a document sent by a client may hold
at most so many characters, elements, and attributes on one element; over a bound it is refused
with ``Error processing package file content: <n> <what>, more than the <limit> allowed
(setting <name>)`` (11011). Real Roxie has no such bounds; they keep a hostile map (one Package with
100,000 attributes) from holding the server. Attributes are read in linear time
(`safexml.attributes`).

Not emulated: jlib's exact context line (the emulator shows the offending line with
``*ERROR*`` at the error column) and its layout of elements with more than three attributes
(the emulator puts each attribute on its own line, one level deeper); comments and processing
instructions are dropped; namespaces are reduced to local names when writing.
"""
from __future__ import annotations

import copy
import re

from lxml import etree

from dataclasses import dataclass

from ..jlib import safexml
from .errors import PackageProcessError, XmlParseError

_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: libxml2 error numbers: "Premature end of data" (the input stopped inside an element), and the
#: errors that are syntax errors even when found at the very end (tag mismatch, extra content)
_PREMATURE_END = 77
_SYNTAX_AT_END = frozenset({5, 76})

Element = etree._Element


@dataclass(frozen=True)
class Limits:
    """What one package-map document from a client may hold (see the module docstring)."""

    max_bytes: int = 8_000_000
    max_elements: int = 200_000
    max_attributes: int = 1_000

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(settings.package_map_max_bytes, settings.package_map_max_elements,
                   settings.package_map_max_attributes)

    def check_text(self, text: str) -> None:
        if len(text) > self.max_bytes:
            raise PackageProcessError.too_large(f"{len(text)} characters", self.max_bytes,
                                                "package_map_max_bytes")

    def check_tree(self, root: Element) -> None:
        elements = 0
        for el in root.iter(tag=etree.Element):
            elements += 1
            count = len(el.attrib)
            if count > self.max_attributes:
                raise PackageProcessError.too_large(f"{count} attributes on <{local(el)}>", self.max_attributes,
                                                    "package_map_max_attributes")
        if elements > self.max_elements:
            raise PackageProcessError.too_large(f"{elements} elements", self.max_elements,
                                                "package_map_max_elements")


def parse(text: str | None, limits: Limits | None = None) -> Element | None:
    """The root element of `text`; None for an empty or blank document; XmlParseError else.
    With `limits` (a document from a client), a document over them is refused."""
    text = text or ""
    if limits is not None:
        limits.check_text(text)
    body = _DECLARATION.sub("", text, count=1)
    if not body.strip():
        return None
    try:
        root = safexml.parse(body)
        if limits is not None:
            limits.check_tree(root)
        return root
    except safexml.UnsafeXml as exc:
        detail = ("DTDs and entity declarations are not supported" if exc.kind == "dtd"
                  else "entity references are not supported")
        raise _error(body, 2, "syntax error", detail, exc.offset) from None
    except safexml.XmlError as exc:
        line, column = exc.position if exc.position else (1, 1)
        offset = _offset(body, line, column)
        detail = (exc.raw or "XML parse error").split(", line ", 1)[0].strip()
        at_end = offset >= len(body.rstrip())
        if exc.code == _PREMATURE_END or (at_end and exc.code not in _SYNTAX_AT_END):
            raise _error(body, 1, "end of stream", detail, min(offset, len(body))) from None
        raise _error(body, 2, "syntax error", detail, offset) from None


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    return sum(len(s) + 1 for s in lines[:line - 1]) + max(column - 1, 0)


def _error(text: str, code: int, kind: str, detail: str, offset: int) -> XmlParseError:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    end = len(text) if end < 0 else end
    context = text[start:offset] + "*ERROR*" + text[offset:end]
    return XmlParseError(f'Error - {kind} "{detail}" [line {line}, file offset {offset}]\n'
                         f"{context}", code)


# ------------------------------------------------------------------------------- helpers

def local(el: Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def children(el: Element, name: str | None = None) -> list[Element]:
    """Element children of `el` (named `name`, if given), in document order."""
    return [c for c in el if isinstance(c.tag, str) and (name is None or local(c) == name)]


def new(tag: str, attrs: dict[str, str] | None = None) -> Element:
    el = etree.Element(tag)
    for key, value in (attrs or {}).items():
        el.set(key, value)
    return el


def clone(el: Element) -> Element:
    return copy.deepcopy(el)


def attributes(el: Element) -> dict[str, str]:
    """`el`'s attributes by local name, in linear time (`safexml.attributes`)."""
    return {etree.QName(k).localname: v for k, v in safexml.attributes(el).items()}


def read_bool(value: str | None, default: bool = False) -> bool:
    """jptree getPropBool: 1/true/yes/on (any case) are true."""
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


# ------------------------------------------------------------------------------- writing

def to_xml(el: Element, level: int = 0) -> str:
    """`el` as jptree's ``toXML`` writes it (see the module docstring)."""
    out: list[str] = []
    _write(el, level, out)
    return "".join(out)


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;")
    return _XML_INVALID.sub("?", text)


def _write(el: Element, level: int, out: list[str]) -> None:
    pad = " " * level
    name = local(el)
    attrs = sorted(attributes(el).items())
    if len(attrs) > 3:
        inner = " " * (level + 1)
        attr_text = "".join(f'\n{inner}{k}="{_escape(v, True)}"' for k, v in attrs)
    else:
        attr_text = "".join(f' {k}="{_escape(v, True)}"' for k, v in attrs)
    kids = children(el)
    text = (el.text or "").strip()
    if not kids and not text:
        out.append(f"{pad}<{name}{attr_text}/>\n")
        return
    if not kids:
        out.append(f"{pad}<{name}{attr_text}>{_escape(text)}</{name}>\n")
        return
    out.append(f"{pad}<{name}{attr_text}>{_escape(text)}\n")
    for kid in kids:
        _write(kid, level + 1, out)
    out.append(f"{pad}</{name}>\n")
