"""Parsing untrusted XML without the classic XML attacks, in one place.

Used for SOAP envelopes (ESP layer), package maps and Savexml/Add file descriptions (engine).
No DTD is accepted (so no entity definitions, internal or external), entities are never
resolved, nothing is fetched from the network, and libxml2's default depth and size limits
stay on (no `huge_tree`). A hostile document is a clean `UnsafeXml`/`XmlError` that callers
word as their own service does, never a crash, an expansion, or a leak of local files.
"""
from __future__ import annotations

import re

from lxml import etree

_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_BYTES = re.compile(_DTD.pattern.encode(), re.IGNORECASE)


class XmlError(ValueError):
    """The document does not parse. `message` is the parser's text without its position;
    `position` (line, column), `code` (libxml2's error number) and `raw` (its message as
    given) come from the parser."""

    def __init__(self, message: str, position: tuple[int, int] | None = None, code: int | None = None,
                 raw: str | None = None):
        super().__init__(message)
        self.message, self.position, self.code, self.raw = message, position, code, raw


class UnsafeXml(XmlError):
    """The document declares a DTD (`kind` "dtd", at `offset`) or uses an entity ("entity")."""

    def __init__(self, kind: str, offset: int = 0):
        text = ("DTDs and entity declarations are not allowed" if kind == "dtd"
                else "entity references are not allowed")
        super().__init__(text)
        self.kind, self.offset = kind, offset


def attributes(el: etree._Element) -> dict[str, str]:
    """`el`'s attributes (names in Clark notation), in linear time: lxml's ``attrib.items()``,
    ``values()`` and ``dict(el.attrib)`` look each value up by name, quadratic in their number
    (100,000 attributes take minutes holding the interpreter); ``@*`` returns each with its name."""
    return {a.attrname: str(a) for a in el.xpath("@*")}


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def parse(data: bytes | str) -> etree._Element:
    """The root element of `data`, or XmlError/UnsafeXml."""
    dtd = (_DTD if isinstance(data, str) else _DTD_BYTES).search(data)
    if dtd:
        raise UnsafeXml("dtd", dtd.start())
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc).split(" (line", 1)[0] or "XML parse error"
        raise XmlError(message, exc.position, exc.code, exc.msg) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml("dtd")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise UnsafeXml("entity")
    return root
