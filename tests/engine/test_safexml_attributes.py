"""`safexml.attributes`: every attribute with its value, as lxml's ``dict(el.attrib)`` gives
them, in time linear in their number (Savexml/Add file XML, package maps)."""
from __future__ import annotations

from wsservices.engine.jlib import safexml


def test_the_same_attributes_as_lxml_gives():
    root = safexml.parse(b'<File xmlns:x="urn:x" a="1" x:b="2" c="&lt;3&gt;" d=""><Attr e="5"/></File>')
    assert safexml.attributes(root) == dict(root.attrib) == {"a": "1", "{urn:x}b": "2", "c": "<3>", "d": ""}
    assert safexml.attributes(root[0]) == {"e": "5"}
    assert safexml.attributes(safexml.parse(b"<r/>")) == {}


def test_a_hundred_thousand_attributes_are_all_read():
    # dict(el.attrib) would take minutes here (each value is looked up by name)
    attrs = " ".join(f'a{i}="v{i}"' for i in range(100_000))
    got = safexml.attributes(safexml.parse(f"<Attr {attrs}/>"))
    assert len(got) == 100_000 and got["a99999"] == "v99999" and got["a0"] == "v0"
