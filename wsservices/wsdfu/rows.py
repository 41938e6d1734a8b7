"""Engine records -> WsDfu response structs (DFULogicalFile, DFUFileDetail, DFUDataColumn).

Only presentation lives here: ESP's number and date formats, which fields a row or detail
carries (wsdfu.md §4.1 "DFULogicalFile row", §4.2 step 6). Rows and details are light
`Record`s (`compiled.record(model, ...)`), not spyne models (a DFULogicalFile model costs ~70 µs to build, a Record well under
one): the compiled writers (esp/compiled.py) write them by the contract's types.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from wsservices.engine.datadir import CLIENT_DATA_BASE
from wsservices.engine.fileview.eclrecord import EclParseError, parse_record
from wsservices.engine.fileview.ecltypes import json_type_info
from wsservices.engine.dali.query import FileRow
from wsservices.engine.dali.files import FileCatalog, LogicalFileInfo, to_int, truthy
from wsservices.esp import compiled
from wsservices.esp.compiled import Record
from wsservices.wsdfu import models


def comma(value: int) -> str:
    """ESP's ``comma`` formatting: ``1,234,567``."""
    return f"{value:,}"


def display_time(stamp: str | None) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.f]`` -> ``YYYY-MM-DD HH:MM:SS``."""
    return (stamp or "")[:19].replace("T", " ")


def prefix_of(name: str) -> str:
    return name.split("::", 1)[0]


def _key_type(attrs: dict[str, str]) -> str:
    if attrs.get("partitionFieldMask") or truthy(attrs.get("partitioned")):
        return "Partitioned"
    if truthy(attrs.get("local")):
        return "Local"
    return "Distributed"


_SKEWS = (("maxSkew", "MaxSkew"), ("minSkew", "MinSkew"), ("maxSkewPart", "MaxSkewPart"),
          ("minSkewPart", "MinSkewPart"))
#: the fields a new DFULogicalFile has (its declared defaults)
_ROW_DEFAULTS = vars(compiled.record(models.DFULogicalFile))


def logical_file(row: FileRow) -> Record:
    """One DFUQuery / DFUFileView row (a DFULogicalFile). Built as one dict (a page writes
    100 of them: this is on the hot path of DFUQuery)."""
    if row.is_directory:
        return compiled.record(models.DFULogicalFile, Directory=row.directory, isDirectory=True)
    a = row.attrs
    name = row.name
    modified = row.modified
    persistent = a.get("persistent")
    f = {**_ROW_DEFAULTS, "Name": name, "Prefix": name.split("::", 1)[0],
         "Owner": a.get("owner", ""), "Description": a.get("description", ""),
         "Modified": modified[:19].replace("T", " ") if modified else "",
         "IsProtected": row.is_protected, "Persistent": truthy(persistent) if persistent else False,
         "BrowseData": not (row.is_superfile and row.num_subfiles > 1),
         "AtRestCost": 0.0, "AccessCost": 0.0}
    if row.is_superfile:
        f["isSuperfile"] = True
        f["NumOfSubfiles"] = row.num_subfiles
    else:
        f["isSuperfile"] = False
        f["NodeGroup"] = row.node_group
        f["Directory"] = row.directory
        f["Parts"] = str(row.num_parts)
    if row.super_owners is not None:
        f["SuperOwners"] = ",".join(row.super_owners)
    size = to_int(a.get("size")) or 0
    if size > 0:
        f["IntSize"] = size
        f["Totalsize"] = f"{size:,}"
    records = to_int(a.get("recordCount"))
    if records is None:
        rsize = to_int(a.get("recordSize")) or 0
        records = size // rsize if rsize > 0 else 0
    if records > 0:
        f["IntRecordCount"] = records
        f["RecordCount"] = f"{records:,}"
    kind = a.get("kind", "")
    f["ContentType"] = kind
    is_key = kind.lower() == "key"
    if is_key:
        f["KeyType"] = _key_type(a)
    compressed = is_key or truthy(a.get("compressed")) or truthy(a.get("blockCompressed"))
    f["IsCompressed"] = compressed
    if compressed:
        csize = to_int(a.get("compressedSize"))
        if csize is None and is_key:
            csize = size
        if csize is not None:
            f["CompressedFileSize"] = csize
    if row.accessed:
        f["Accessed"] = display_time(row.accessed)
    for attr, fld in _SKEWS:
        if attr in a:
            value = to_int(a[attr])
            if value is not None:
                f[fld] = value
    return Record(**f)


def file_detail(catalog: FileCatalog, info: LogicalFileInfo, cluster: str | None,
                include_json: bool = False) -> Record:
    """DFUInfo's ``FileDetail``, a DFUFileDetail (wsdfu.md §4.2 step 6)."""
    a = info.attrs
    d = compiled.record(models.DFUFileDetail, Name=info.name, Filename=info.name.rsplit(":", 1)[-1],
                             Dir=info.directory, PathMask=info.part_mask, Prefix=prefix_of(info.name))
    wanted = (cluster or "").strip().lower()
    groups = info.member_clusters if info.is_superfile else info.clusters
    if wanted:
        d.NodeGroup = wanted
    elif len(groups) == 1:
        d.NodeGroup = groups[0]
    if info.protect:
        d.ProtectList = models.ArrayOfDFUFileProtect(DFUFileProtect=[
            compiled.record(models.DFUFileProtect, Owner=p.owner, Modified=p.modified) for p in info.protect])
    d.Description = info.description
    size = info.size
    d.FileSizeInt64 = size if size is not None else -1
    d.Filesize = comma(size) if size is not None else "-1"
    compressed = info.is_key or info.is_compressed
    if compressed:
        d.IsCompressed = True
        csize = info.attr_int("compressedSize")
        if csize is None and info.is_key:
            csize = size
        if csize is not None:
            d.CompressedFileSize = csize
            if size:
                d.PercentCompressed = f"{csize * 100.0 / size:.2f}"
    if info.is_key:
        d.KeyType = _key_type(a)
    d.IsRestricted = info.is_restricted
    rsize = info.record_size or 0
    d.RecordSizeInt64 = rsize
    d.RecordSize = comma(rsize)
    records = info.record_count
    d.RecordCountInt64 = records if records is not None else -1
    d.RecordCount = comma(records) if records is not None else ""
    d.Owner = info.owner
    d.JobName = a.get("job", "")
    days = info.expire_days
    if days is not None:
        d.ExpireDays = days
        base = info.accessed or info.modified
        try:
            when = datetime.fromisoformat(base[:19]) + timedelta(days=days)
            d.ExpirationDate = when.strftime("%Y-%m-%dT%H:%M:%S")
        except ValueError:
            pass
    if info.is_superfile:
        d.subfiles = models.EspStringArray(Item=list(info.subfiles))
        if len(info.subfiles) > 1:
            d.BrowseData = False
        d.isSuperfile = True
        return d
    d.Wuid = a.get("workunit", "")
    d.NumParts = info.num_parts
    if info.super_owners:
        d.Superfiles = models.ArrayOfDFULogicalFile(DFULogicalFile=[
            compiled.record(models.DFULogicalFile, Name=s) for s in info.super_owners])
    d.Persistent = a.get("persistent", "")
    d.Format = info.format
    d.ContentType = info.kind
    d.MaxRecordSize = a.get("maxRecordSize", "")
    d.CsvSeparate = a.get("csvSeparate", "")
    d.CsvQuote = a.get("csvQuote", "")
    d.CsvTerminate = a.get("csvTerminate", "")
    d.CsvEscape = a.get("csvEscape", "")
    d.Modified = display_time(info.modified)
    d.Ecl = info.ecl
    record = None
    if info.ecl.strip():
        try:
            record = parse_record(info.ecl)
        except EclParseError:
            record = None
    fmt = info.format.lower()
    text_format = fmt == "csv" or fmt.startswith("utf")
    row_compressed = info.is_compressed and not info.flag("blockCompressed")
    d.ShowFileContent = text_format or (record is not None and not row_compressed) or \
        (not info.ecl.strip() and info.record_size is not None and not row_compressed)
    d.FromRoxieCluster = False
    d.DFUFilePartsOnClusters = models.ArrayOfDFUFilePartsOnCluster(DFUFilePartsOnCluster=[
        _parts_on_cluster(catalog, info, group, compressed)
        for group in info.clusters if not wanted or group == wanted])
    skews = {k: info.attr_int(k) for k in ("minSkew", "maxSkew", "minSkewPart", "maxSkewPart")}
    if any(v is not None for v in skews.values()):
        stat = compiled.record(models.DFUFileStat)
        if skews["minSkew"] is not None:
            stat.MinSkewInt64 = skews["minSkew"]
            if skews["minSkew"] > 0:
                stat.MinSkew = f"-{skews['minSkew'] / 100:.2f}"
        if skews["maxSkew"] is not None:
            stat.MaxSkewInt64 = skews["maxSkew"]
            stat.MaxSkew = f"{skews['maxSkew'] / 100:.2f}"
        stat.MinSkewPart = skews["minSkewPart"]
        stat.MaxSkewPart = skews["maxSkewPart"]
        d.Stat = stat
    if include_json and record is not None:
        d.jsonInfo = json_type_info(record)
    d.AtRestCost = 0.0
    d.AccessCost = 0.0
    return d


def _parts_on_cluster(catalog: FileCatalog, info: LogicalFileInfo, group: str,
                      compressed: bool) -> Record:
    parts = []
    replicated = False
    for p in info.parts.get(group, []):
        copies = [p.node] + ([p.replica_node] if p.replica_node else [])
        replicated = replicated or bool(p.replica_node)
        for copy, node in enumerate(copies, 1):
            part = compiled.record(models.DFUPart, Id=p.number, Copy=copy, Ip=catalog.node_address(node),
                                  Partsize=comma(p.size), PartSizeInt64=p.size)
            if compressed:
                part.CompressedSize = p.compressed_size if p.compressed_size is not None else p.size
            parts.append(part)
    thor = catalog.cluster.environment.thor_cluster(group)
    return compiled.record(
        models.DFUFilePartsOnCluster, Cluster=group, BaseDir=CLIENT_DATA_BASE, ReplicateDir=CLIENT_DATA_BASE,
        Replicate=bool(thor.replicate) if thor else replicated,
        CanReplicate=bool(thor and thor.width > 1),
        DFUFileParts=models.ArrayOfDFUPart(DFUPart=parts))
