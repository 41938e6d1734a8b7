"""What FileSpray checks when a transfer is requested, and the DFU workunit it queues.

The checks are the ones ESP makes before answering (filespray.md §3.1-3.6), in its order and
with its texts; everything the real DFU server only finds out while running the job (a missing
source file, an unknown group, an existing destination) fails the workunit instead.

Not emulated: `srcxml`/`dstxml` file descriptors, remote Dalis, encryption (an `encrypt` key does not
mark the destination compressed), user permissions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from wsservices.engine import codes
from wsservices.engine.dfu import fileformat, transfer
from wsservices.engine.dfu import workunits as W
from wsservices.engine.dfu.foreign import foreign_name
from wsservices.engine.datadir import check_client_path, check_storable
from wsservices.engine.errors import DomainError, DropZoneNotFound, InvalidArgument, InvalidLogicalName
from wsservices.engine.names import parse_logical_name, part_mask

@dataclass
class SprayRequest:
    source_ip: str | None = None
    source_plane: str | None = None
    source_path: str | None = None
    dest_group: str | None = None
    dest_logical_name: str | None = None
    dest_num_parts: int = 0
    queue: str | None = None
    user: str = ""
    #: format-specific source attributes, or a function giving them (its checks, such as
    #: SprayFixed's "Invalid record size", then run where ws_fsService.cpp makes them: after the
    #: destination group, source, destination name and queue checks)
    source: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    compress: bool = False
    wrap: bool = False


def _invalid(message: str) -> DomainError:
    return InvalidArgument(message)


def resolve_spray_source(cluster, ip: str | None, plane: str | None, path: str | None) -> dict[str, Any]:
    """readAndCheckSpraySourceReq: the drop zone, host and absolute client paths (§3.3)."""
    path = (path or "").strip()
    if not path:
        raise _invalid("Source path not specified.")
    check_client_path(path)
    env = cluster.environment
    zone = None
    if plane:
        zone = env.drop_zone(plane)
        if zone is None:
            raise _invalid(f"Unknown landing zone: {plane}")
        if ip and not zone.matches_address(ip):
            raise _invalid(f"SourceIP '{ip}' is not defined within the dropzone {plane}.")
    elif not ip:
        raise _invalid("Source network IP not specified.")
    files = []
    for raw in path.replace("\\", "/").split(","):
        raw = raw.strip()
        if not raw:
            continue
        if raw.startswith("/"):
            if zone is None:
                zone = _zone_for_host(env, ip, raw)
            elif not zone.contains_path(raw):
                raise _invalid(f"Path '{raw}' is not valid for dropzone '{zone.name}'")
            files.append(raw)
        else:
            if zone is None:
                zone = _zone_for_host(env, ip, raw)
            files.append(zone.path.rstrip("/") + "/" + raw)
    host = ip or zone.addresses[0]
    directory = files[0].rsplit("/", 1)[0] if files else zone.path
    return {"ip": host, "dropzone": zone.name, "directory": directory, "file_path": ",".join(files),
            "num_parts": 1}


def _zone_for_host(env, ip: str | None, path: str):
    """The drop zone on host `ip` holding `path` (any zone of the host for a relative path)."""
    zone = env.find_drop_zone(ip, path) if path.startswith("/") else \
        next((z for z in env.drop_zones if z.matches_address(ip)), None)
    if zone is None:
        raise DropZoneNotFound(f"DropZone Plane not found for host {ip} path {path}.", codes.ECLWATCH_INVALID_INPUT)
    return zone


def _destination(cluster, name: str | None) -> tuple[str, str]:
    """(normalised name, tail) of a destination logical name, or the request-time error."""
    if not (name or "").strip():
        raise _invalid("Destination file not specified.")
    try:
        parsed = parse_logical_name(name)
    except InvalidLogicalName:
        raise InvalidLogicalName.destination(name) from None
    _check_storable(parsed, name)
    return parsed.name, parsed.tail


def _check_storable(parsed, shown: str) -> None:
    """A local destination too long to store is refused now (datadir.check_storable); foreign
    and external names are the DFU server's to refuse (dfu/destination.py)."""
    if not (parsed.is_foreign or parsed.is_external or parsed.is_multi):
        check_storable(parsed, shown)


def _queue(cluster, queue: str | None) -> str:
    if queue:
        if queue not in cluster.environment.dfu_queues:
            raise _invalid(f"Invalid DFU server queue name:'{queue}'")
        return queue
    return cluster.environment.default_dfu_queue or ""


def spray(cluster, req: SprayRequest) -> W.DfuWorkunit:
    """SprayFixed / SprayVariable after their format-specific checks: queue the import."""
    if not (req.dest_group or "").strip():
        raise _invalid("Destination node group not specified.")
    source = resolve_spray_source(cluster, req.source_ip, req.source_plane, req.source_path)
    name, tail = _destination(cluster, req.dest_logical_name)
    queue = _queue(cluster, req.queue)
    source.update(req.source() if callable(req.source) else req.source)
    target = fileformat.from_workunit(source).target
    cluster.datadir.ensure_free_space()
    destination = {"logical_name": name, "group": req.dest_group.lower(), "part_mask": part_mask(tail),
                   "num_parts_override": req.dest_num_parts if req.dest_num_parts > 0 else 0,
                   "compress": req.compress, "wrap": req.wrap,
                   "format": int(target.format), "record_size": target.record_size}
    wu = cluster.workunits.create(command=W.IMPORT, user=req.user, cluster=req.dest_group, job_name=tail,
                                  queue=queue, source=source, destination=destination, options=req.options)
    cluster.dfu.submit(wu)
    return wu


def fixed_format(record_size: int | None, source_format: str | None, nosplit: bool) -> dict[str, Any]:
    """SprayFixed's format selection from sourceRecordSize / sourceFormat (§3.1 step 7)."""
    return fileformat.to_workunit(transfer.spray_fixed_format(record_size or 0, source_format, nosplit))


def variable_format(source_format: int | None, max_record_size: int | None, row_tag: str | None,
                    row_path: str | None, is_json: bool, no_separator: bool, separator: str | None,
                    terminator: str | None, quote: str | None, escape: str | None,
                    quoted_terminator: bool = True, record_structure_present: bool = False) -> dict[str, Any]:
    """SprayVariable's source attributes: XML/JSON row locator or CSV options (§3.2)."""
    fmt = transfer.spray_variable_format(
        source_format or 0, max_record_size=max_record_size or 0, no_separator=no_separator,
        separate=separator, terminate=terminator, quote=quote, escape=escape, row_tag=row_tag,
        row_path=row_path, is_json=is_json, quoted_terminator=quoted_terminator,
        record_structure_present=record_structure_present)
    return fileformat.to_workunit(fmt)


def despray(cluster, source_name: str | None, dest_plane: str | None, dest_group: str | None,
            dest_ip: str | None, dest_path: str | None, queue: str | None, options: dict[str, Any],
            wrap: bool, user: str = "", compress: bool = False) -> W.DfuWorkunit:
    """Despray's request checks (§3.4), then queue the export."""
    if not (source_name or "").strip():
        raise _invalid("Source logical file not specified.")
    dest_path = dest_path or ""
    check_client_path(dest_path)
    env = cluster.environment
    plane = dest_plane or dest_group
    zone = None
    if not plane:
        if not dest_ip:
            raise _invalid("Neither destination storage plane or destination IP specified.")
        zone = _zone_for_host(env, dest_ip, dest_path)
    else:
        zone = env.drop_zone(plane)
        if zone is None:
            raise DropZoneNotFound(f"Unknown landing zone {plane}")
    if not dest_path:
        dest_path = source_name.strip().lstrip("~").replace("::", "/")
    prefix = zone.path.rstrip("/")
    if dest_path.startswith("/"):
        if not dest_path.startswith(prefix + "/"):
            raise DropZoneNotFound(f"The absolute destination path: '{dest_path}' is not valid for dropzone "
                                   f"'{zone.name}' (path prefix '{prefix}').")
    else:
        dest_path = prefix + "/" + dest_path
    if dest_ip and not zone.matches_address(dest_ip):
        raise _invalid(f"host {dest_ip} is not valid storage plane {zone.name}")
    if wrap and "$P$" not in dest_path:
        dest_path += "._$P$_of_$N$"
    tail = source_name.strip().split("::")[-1]
    destination = {"ip": dest_ip or zone.addresses[0], "file_path": dest_path, "dropzone": zone.name,
                   "directory": dest_path.rsplit("/", 1)[0], "group": zone.name, "wrap": wrap,
                   "format": 0, "num_parts": 1, "compress": compress}
    wu = cluster.workunits.create(command=W.EXPORT, user=user, job_name=tail, queue=_queue(cluster, queue),
                                  source={"logical_name": source_name.strip()}, destination=destination,
                                  options={"keep_header": True, **options})
    cluster.dfu.submit(wu)
    return wu


def copy(cluster, source_name: str | None, dest_name: str | None, dest_group: str | None,
         source_dali: str | None, queue: str | None, options: dict[str, Any], dest_num_parts: int,
         user: str = "", lookup=None, compress: bool = False, super_copy: bool = False) -> W.DfuWorkunit:
    """Copy's request checks (§3.5), then queue the copy (or supercopy).

    `lookup(name)` -> the source's LogicalFileInfo or None. Supercopy is honoured only for a
    superfile source, and forced for a superfile of more than one key (ESP onCopy)."""
    if not (source_name or "").strip():
        raise _invalid("Source logical file not specified.")
    if not (dest_name or "").strip():
        raise _invalid("Destination logical file not specified.")
    if source_name.strip().lstrip("~").lower().startswith(("foreign::", "remote::")):
        raise DomainError("Copy from a foreign:: or remote:: name is not implemented by this emulator "
                          "(give the remote's address in sourceDali).", codes.ECLWATCH_INVALID_INPUT)
    name, _tail = _destination(cluster, dest_name)
    source = parse_logical_name(source_name).name
    info = lookup(source) if lookup else None
    if info is None:
        raise DomainError(f"Failed to find file: {source}", codes.ECLWATCH_FILE_NOT_EXIST)
    if info.is_superfile:
        super_copy = super_copy or (len(info.subfiles) > 1 and info.is_key)
    else:
        super_copy = False
    group = (dest_group or (info.clusters or info.member_clusters or [""])[0]).lower()
    cluster.datadir.ensure_free_space(getattr(info, "size", 0) or 0)
    wu = cluster.workunits.create(command=W.SUPERCOPY if super_copy else W.COPY, user=user, cluster=group,
                                  job_name=name, queue=_queue(cluster, queue), source={"logical_name": source},
                                  destination={"logical_name": name, "group": group, "compress": compress,
                                               "num_parts_override": max(dest_num_parts, 0)},
                                  options=options)
    cluster.dfu.submit(wu)
    return wu


def rename(cluster, source_name: str | None, dest_name: str | None, overwrite: bool,
           queue: str | None = None, user: str = "") -> W.DfuWorkunit:
    if not (source_name or "").strip():
        raise _invalid("Source logical file not specified.")
    if not (dest_name or "").strip():
        raise _invalid("Destination logical file not specified.")
    try:
        target = parse_logical_name(dest_name)
    except InvalidLogicalName:
        target = None  # ESP checks nothing more: the DFU server fails the workunit
    if target is not None:
        _check_storable(target, dest_name)
    wu = cluster.workunits.create(command=W.RENAME, user=user, job_name=dest_name.strip().split("::")[-1],
                                  queue=_queue(cluster, queue), source={"logical_name": source_name.strip()},
                                  destination={"logical_name": dest_name.strip()},
                                  options={"overwrite": overwrite})
    cluster.dfu.submit(wu)
    return wu


def replicate(cluster, source_name: str | None, replicate_offset: int, group: str | None,
              user: str = "") -> W.DfuWorkunit:
    if not (source_name or "").strip():
        raise _invalid("Source logical file not specified.")
    wu = cluster.workunits.create(command=W.REPLICATE, user=user, job_name=f"Replicate: {source_name.strip()}",
                                  queue=_queue(cluster, None), source={"logical_name": source_name.strip()},
                                  options={"replicate_offset": replicate_offset, "cluster": group or ""})
    cluster.dfu.submit(wu)
    return wu


def remote_copy(cluster, source_name: str | None, dest_name: str | None, dest_group: str | None,
                source_dali: str, source_user: str, source_password: str, queue: str | None,
                options: dict[str, Any], compress: bool = False, user: str = "",
                super_copy: bool = False) -> W.DfuWorkunit:
    """Copy with ``sourceDali`` (§3.5): ESP looks the file up on the foreign Dali (the remote's
    errors, dfu/foreign.py), then queues a copy (or, for a superfile with ``superCopy`` or a
    superfile of more than one key, a supercopy: dfu/supercopy.py) whose source names that Dali.
    Not emulated: copying a foreign superfile's content into one plain file (refused), a
    default storage plane."""
    if not (source_name or "").strip():
        raise _invalid("Source logical file not specified.")
    if not (dest_name or "").strip():
        raise _invalid("Destination logical file not specified.")
    if not (dest_group or "").strip():
        raise _invalid("Destination node group not specified. And no default node group found.")
    name, _tail = _destination(cluster, dest_name)
    dali = cluster.foreign_dali(source_dali, source_user or "", source_password or "")
    source = parse_logical_name(source_name).name
    info = dali.lookup(source)
    if info is None:
        raise DomainError(f"Failed to find file: {foreign_name(dali.endpoint, source)}", codes.ECLWATCH_FILE_NOT_EXIST)
    if info.get("IsSuperfile"):
        is_key = str((info.get("Attrs") or {}).get("kind") or "").lower() == "key"
        super_copy = super_copy or (len(info.get("Subfiles") or []) > 1 and is_key)
        if not super_copy:
            raise DomainError(f"Copy {source}: copying a superfile from another environment into one file is not "
                              "implemented by this emulator (set superCopy to keep its structure).",
                              codes.ECLWATCH_INVALID_INPUT)
    else:
        super_copy = False
    group = dest_group.strip().lower()
    cluster.datadir.ensure_free_space(sum(int(p.get("Size") or 0) for p in info.get("Parts", [])))
    wu = cluster.workunits.create(command=W.SUPERCOPY if super_copy else W.COPY, user=user, cluster=group, job_name=name, queue=_queue(cluster, queue),
                                  source={"logical_name": source, "foreign_dali": source_dali.strip(),
                                          "foreign_user": source_user or "", "foreign_password": source_password or ""},
                                  destination={"logical_name": name, "group": group, "compress": compress,
                                               "num_parts_override": 0},
                                  options=options)
    cluster.dfu.submit(wu)
    return wu
