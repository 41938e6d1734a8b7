"""What another emulator reads when it copies a file from this one (FileSpray Copy with
``sourceDali``): standing in for the remote Dali's file lookup and for dafilesrv's part reads.

* ``GET /hpccemu/dafilesrv/file?name=<lfn>`` -> ``{"Exists": false}`` or ``{"Exists": true,
  "Name", "IsSuperfile", "Subfiles", "Directory", "Attrs", "History": [{...}],
  "Parts": [{"Number", "Size", "Ip"}]}`` (the first node group's parts);
* ``GET /hpccemu/dafilesrv/part?name=<lfn>&part=<n>`` -> the bytes of part n as stored (a
  compressed part stays compressed), read from its mirror when the primary cannot be read.

Like every control route, with authentication on only this emulator's administrators may use
them (the Copy's ``srcusername``/``srcpassword`` are sent here). Not emulated: Dali's scope
permissions on a foreign lookup, dafilesrv's own protocol and port (7100).
"""
from __future__ import annotations

from dataclasses import asdict

from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from wsservices.control import route
from wsservices.engine.dali.catalog import catalog
from wsservices.engine.errors import FileNotFound


def _name(request) -> str:
    name = request.args.get("name", "")
    if not name.strip():
        raise ValueError("'name' (a logical file name) is required")
    return name


@route("dafilesrv/file", methods=("GET",))
def file_info(cluster, request) -> tuple[int, dict]:
    files = catalog(cluster)
    info = files.get(_name(request))
    if info is None:
        return 200, {"Exists": False}
    group = info.clusters[0] if info.clusters else ""
    parts = [{"Number": p.number, "Size": p.size, "Ip": files.node_address(p.node)}
             for p in info.parts.get(group, [])]
    return 200, {"Exists": True, "Name": info.name, "IsSuperfile": info.is_superfile,
                 "Subfiles": list(info.subfiles), "Directory": info.directory,
                 "Attrs": dict(info.attrs), "History": [asdict(h) for h in files.history(info.name)],
                 "Parts": parts}


@route("dafilesrv/part", methods=("GET",))
def part(cluster, request):
    name = _name(request)
    try:
        number = int(request.args.get("part", ""))
    except ValueError:
        raise ValueError("'part' (a part number) is required") from None
    located = dict((rec.number, (rec, path)) for rec, path in catalog(cluster).part_paths(name))
    if number not in located:
        raise FileNotFound.cannot_find(f"{name} part {number}")
    rec, path = located[number]
    if not path.is_file():
        cluster.datadir.check_reachable(rec.node)
        raise FileNotFound.cannot_find(f"{name} part {number}")
    handle = open(path, "rb")
    return 200, Response(wrap_file(request.environ, handle), content_type="application/octet-stream",
                         headers={"Content-Length": str(path.stat().st_size)}, direct_passthrough=True)
