"""Dali metadata as XML: Savexml, Add and AddRemote (wsdfu.md §4.14), plus file history.

`file_xml` writes a file's or superfile's tree the way Dali's ``getFileTree`` shapes it::

    <File name="<tail>" directory="..." partmask="..." numparts="N" modified="..." group="...">
     <Attr owner="..." size="..." ...><ECL>...</ECL><Protect name=".." modified=".."/>
      <History><Origin operation=".." .../></History></Attr>
     <Cluster name="mythor"/>
     <Part num="1" size="..." node="node1" [replica="node2"] [crc=".."] [recordCount=".."]/>
    </File>
    <SuperFile name="<tail>" numsubfiles="2" modified="..."><Attr .../>
     <SubFile num="1" name="scope::sub"/></SuperFile>

A name that is a node group instead gives ``<Group name="g">`` with one ``<Node ip="...">`` line
per node (unclosed, as the real service writes it). `add_file_xml` reads that XML back — safely:
no DTDs, no entities, no network — and registers the metadata under a new name. Without
``dstcluster`` the file keeps its directory, so both names refer to the same part files (as in
Dali); with it, the directory follows the new name and the group is replaced.

Deviation: AddRemote cannot reach another Dali; every ``srcdali`` is taken to be this
emulator's own Dali, so it copies metadata between two local names.
"""
from __future__ import annotations


from lxml import etree

from .. import codes
from ..jlib import safexml
from ..datadir import DataDir
from ..errors import DomainError, FileNotFound, InvalidArgument, MissingArgument
from .files import FileCatalog, HistoryRecord, NewLogicalFile, PartRecord, local_name

DALI_PORT = 7070


def _attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def file_xml(catalog: FileCatalog, name: str | None) -> bytes:
    """Savexml: ``Name required`` (20051); a node group's nodes; ``DFile <name> not found``
    (8294)."""
    if not name:
        raise MissingArgument("Name required")
    try:
        info = catalog.get(name)
    except DomainError:
        info = None
    if info is None:
        group = catalog.cluster.environment.thor_cluster(name)
        if group is not None and group.group == name.strip().lower():
            lines = [f'<Group name="{_attr(name)}">\n']
            lines += [f'  <Node ip="{_attr(n.address)}">\n' for n in group.nodes]
            lines.append("</Group>\n")
            return "".join(lines).encode("utf-8")
        raise FileNotFound.dfile(name)
    attrs = dict(info.attrs)
    ecl = attrs.pop("ecl", None)
    attr_text = "".join(f' {k}="{_attr(v)}"' for k, v in sorted(attrs.items()))
    children = ""
    if ecl:
        children += f"<ECL>{_text(ecl)}</ECL>\n"
    for p in info.protect:
        children += f'  <Protect modified="{_attr(p.modified)}" name="{_attr(p.owner)}"/>\n'
    history = [] if info.is_superfile else catalog.history(info.name)
    if history:
        children += "  <History>\n" + "".join(
            "   <Origin" + "".join(f' {k}="{_attr(v)}"' for k, v in (
                ("ip", h.ip), ("name", h.name), ("operation", h.operation), ("owner", h.owner),
                ("path", h.path), ("timestamp", h.timestamp), ("workunit", h.workunit)) if v)
            + "/>\n" for h in history) + "  </History>\n"
    attr_el = f" <Attr{attr_text}>\n{children} </Attr>\n" if children else f" <Attr{attr_text}/>\n"
    if info.is_superfile:
        subs = "".join(f' <SubFile name="{_attr(s)}" num="{i}"/>\n'
                       for i, s in enumerate(info.subfiles, 1))
        owners = "".join(f' <SuperOwner name="{_attr(s)}"/>\n' for s in info.super_owners)
        return (f'<SuperFile modified="{_attr(info.modified)}" name="{_attr(info.tail)}" '
                f'numsubfiles="{len(info.subfiles)}">\n{attr_el}{subs}{owners}</SuperFile>\n'
                ).encode("utf-8")
    group = info.clusters[0] if info.clusters else ""
    clusters = "".join(f' <Cluster name="{_attr(c)}"/>\n' for c in info.clusters)
    parts = ""
    for p in info.parts.get(group, []):
        extra = ""
        if p.replica_node:
            extra += f' replica="{_attr(p.replica_node)}"'
        if p.crc is not None:
            extra += f' fileCrc="{p.crc}"'
        if p.record_count is not None:
            extra += f' recordCount="{p.record_count}"'
        if p.compressed_size is not None:
            extra += f' compressedSize="{p.compressed_size}"'
        parts += f' <Part node="{_attr(p.node)}" num="{p.number}" size="{p.size}"{extra}/>\n'
    owners = "".join(f' <SuperOwner name="{_attr(s)}"/>\n' for s in info.super_owners)
    return (f'<File directory="{_attr(info.directory)}" group="{_attr(group)}" '
            f'modified="{_attr(info.modified)}" name="{_attr(info.tail)}" '
            f'numclusters="{len(info.clusters)}" numparts="{info.num_parts}" '
            f'partmask="{_attr(info.part_mask)}">\n{attr_el}{clusters}{parts}{owners}</File>\n'
            ).encode("utf-8")


def _parse(data: bytes) -> etree._Element:
    try:
        return safexml.parse(data or b"")
    except safexml.UnsafeXml as exc:
        if exc.kind == "dtd":
            raise DomainError("Add: DTDs and entity declarations are not allowed in the file XML") from None
        raise DomainError("Add: entity references are not allowed in the file XML") from None
    except safexml.XmlError as exc:
        raise DomainError(f"Add: invalid file XML: {exc.message}") from None


def add_file_xml(catalog: FileCatalog, dstname: str | None, xml: bytes | None,
                 dstcluster: str | None = "") -> None:
    """Add: register the File/SuperFile XML under ``dstname`` (wsdfu.md §4.14)."""
    if not dstname:
        raise MissingArgument("Dstname required.")
    root = _parse(xml or b"")
    if catalog.exists(dstname):
        raise DomainError(f"Destination file '{dstname}' already exists!")
    tag = etree.QName(root).localname
    if tag == "SuperFile":
        subs = sorted(root.findall("SubFile"), key=lambda e: int(e.get("num") or 0))
        names = [e.get("name") or "" for e in subs]
        for sub in names:
            if not catalog.exists(sub):
                raise DomainError(f"Logical subfile '{sub}' doesn't exists!")
        catalog.superfiles.create(dstname)
        if names:
            catalog.superfiles.add(dstname, names)
        desc = (root.find("Attr").get("description") if root.find("Attr") is not None else None)
        if desc:
            catalog.set_description(dstname, desc)
        return
    if tag != "File":
        raise DomainError(f"Unrecognised file XML root tag detected: '{tag}'")
    parsed = local_name(dstname)
    attr_el = root.find("Attr")
    attrs: dict[str, object] = dict(safexml.attributes(attr_el)) if attr_el is not None else {}
    history: list[HistoryRecord] = []
    if attr_el is not None:
        ecl = attr_el.find("ECL")
        if ecl is not None and ecl.text:
            attrs["ecl"] = ecl.text
        for origin in attr_el.iterfind("History/Origin"):
            history.append(HistoryRecord(
                origin.get("operation", ""), origin.get("timestamp", ""), origin.get("ip", ""),
                origin.get("path", ""), origin.get("name", ""), origin.get("owner", ""),
                origin.get("workunit", "")))
    attrs.pop("accessed", None)
    if history:
        attrs["history"] = history
    cluster_el = root.find("Cluster")
    group = ((dstcluster or "").strip() or root.get("group")
             or (cluster_el.get("name") if cluster_el is not None else "") or "").lower()
    thor = catalog.cluster.environment.thor_cluster(group)
    if thor is None:
        raise InvalidArgument(f"Add: unknown node group '{group}'")
    part_els = sorted(root.findall("Part"), key=lambda e: int(e.get("num") or 0))
    num_parts = int(root.get("numparts") or len(part_els) or 0)
    parts = []
    for i in range(num_parts):
        el = part_els[i] if i < len(part_els) else None
        node = catalog.node_name(el.get("node") if el is not None else None) or \
            thor.node_for_part(i).name
        replica = catalog.node_name(el.get("replica")) if el is not None and el.get("replica") else None
        size = int((el.get("size") if el is not None else None) or 0)
        crc = el.get("fileCrc") if el is not None else None
        count = el.get("recordCount") if el is not None else None
        parts.append(PartRecord(i + 1, node, size, int(count) if count else None,
                                int(crc) if crc else None, replica))
    directory = root.get("directory") or ""
    mask = root.get("partmask") or ""
    if (dstcluster or "").strip():
        directory = DataDir.client_directory(parsed)
        mask = ""
    catalog.create(NewLogicalFile(parsed.name, group, directory, mask, parts, attrs),
                   require_parts=False)
    for p in root.iterfind("Attr/Protect"):
        if p.get("name"):
            catalog.set_protect(parsed.name, p.get("name"), True)


def add_remote(catalog: FileCatalog, dstname: str | None, srcname: str | None,
               srcdali: str | None) -> None:
    """AddRemote: the empties texts (20052) and ``Source file <srcname> could not be found in
    Dali <dali>``; the source is read from this emulator's own Dali (see the module note)."""
    if not srcname:
        raise InvalidArgument("srcname can't be empty.")
    if not srcdali:
        raise InvalidArgument("srcdali can't be empty.")
    if not dstname:
        raise InvalidArgument("dstname can't be empty.")
    endpoint = srcdali if ":" in srcdali else f"{srcdali}:{DALI_PORT}"
    try:
        info = catalog.get(srcname)
    except DomainError:
        info = None
    if info is None or info.is_superfile:
        raise DomainError(f"Source file {srcname} could not be found in Dali {endpoint}")
    add_file_xml(catalog, dstname, file_xml(catalog, info.name))


def list_history(catalog: FileCatalog, name: str | None, erase: bool = False) -> list[HistoryRecord]:
    """ListHistory / EraseHistory: ``Name required`` (20051);
    ``CWsDfuEx::on<Method>: Could not find file '<name>'.`` (20038)."""
    if not name:
        raise MissingArgument("Name required")
    method = "onEraseHistory" if erase else "onListHistory"
    try:
        found = catalog.get(name)
    except DomainError:
        found = None
    if found is None:
        raise FileNotFound(f"CWsDfuEx::{method}: Could not find file '{name}'.",
                           codes.ECLWATCH_FILE_NOT_EXIST)
    return catalog.erase_history(found.name) if erase else catalog.history(found.name)

