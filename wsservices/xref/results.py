"""The XML texts WsDFUXRef answers with (ws_dfuXRefService.cpp), built from the engine's plain
XREF data: the Found, Orphans, Lost, Messages and Directories trees, the XRefNodes list and the
``<Message><Value/><href/></Message>`` replies. The service puts them in string fields, so they
travel XML-encoded, as ESP sends them to clients of version 1.02 and later."""
from __future__ import annotations

from lxml import etree


def _add(parent, name: str, value) -> None:
    etree.SubElement(parent, name).text = str(value)


def _file(parent, entry: dict) -> None:
    el = etree.SubElement(parent, "File")
    for key, value in entry.items():
        if key == "Parts":
            for part in value:
                p = etree.SubElement(el, "Part")
                for pkey, pvalue in part.items():
                    for item in pvalue if isinstance(pvalue, list) else [pvalue]:
                        _add(p, pkey, item)
        else:
            _add(el, key, value)


def files_tree(branch: str, entries: list[dict], cluster: str) -> str:
    """``<Found>``/``<Orphans>``/``<Lost>`` with one File per entry and the Cluster."""
    root = etree.Element(branch)
    for entry in entries:
        _file(root, entry)
    _add(root, "Cluster", cluster)
    return etree.tostring(root, encoding="unicode")


def messages_tree(messages: dict, cluster: str) -> str:
    root = etree.Element("Messages")
    for kind, key in (("Error", "Errors"), ("Warning", "Warnings")):
        for m in messages.get(key, []):
            el = etree.SubElement(root, kind)
            _add(el, "File", m["File"])
            _add(el, "Text", m["Text"])
    _add(root, "Cluster", cluster)
    return etree.tostring(root, encoding="unicode")


def directories_tree(directories: list[dict], cluster: str) -> str:
    """``<Directories>``; each Skew ``+a%/-b%`` becomes PositiveSkew ``a%`` and NegativeSkew
    ``b%`` (CWsDfuXRefEx::updateSkew)."""
    root = etree.Element("Directories")
    for d in directories:
        el = etree.SubElement(root, "Directory")
        for key, value in d.items():
            if key != "Skew":
                _add(el, key, value)
        if d.get("Skew"):
            positive, _, negative = d["Skew"].partition("/")
            _add(el, "PositiveSkew", positive.lstrip("+"))
            _add(el, "NegativeSkew", negative.lstrip("-"))
    _add(root, "Cluster", cluster)
    return etree.tostring(root, encoding="unicode")


def node_list(nodes: list[tuple[str, str, str]]) -> str:
    root = etree.Element("XRefNodes")
    for name, modified, status in nodes:
        el = etree.SubElement(root, "XRefNode")
        _add(el, "Name", name)
        _add(el, "Modified", modified)
        _add(el, "Status", status)
    return etree.tostring(root, encoding="unicode")


def messages(lines: list[str], href: str | None = None) -> str:
    """appendReplyMessage: one ``<Message>`` per line, the href on the first."""
    out = []
    for line in lines:
        for i, text in enumerate(line.split("\n")):
            el = etree.Element("Message")
            _add(el, "Value", text)
            if href and i == 0:
                _add(el, "href", href)
            out.append(etree.tostring(el, encoding="unicode"))
    return "".join(out)
