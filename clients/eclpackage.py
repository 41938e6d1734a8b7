"""The ``ecl packagemap`` commands of ``hpccemu-ecl`` (ecl/ecl-package/ecl-package.cpp): the
same arguments, options, WsPackageProcess requests, output (stdout or stderr, as the real tool
writes each line) and exit statuses. See `eclcmd` for the shared option handling.

This module has the command base class and the whole-map commands (activate, deactivate,
delete, list, info, add, add-part); `eclpackage_parts` the others and the command table.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .eclargs import MATCH, NO_MATCH, Argv, Common, output_exceptions
from .errors import EspError

COMMON_USAGE = """ Common options:
   -s, --server=<ip>      IP of the ESP server (default is ., this machine)
   --port=<port>          ESP port (default is 8010)
   -u, --username=<name>  username for accessing the server
   -pw, --password=<pw>   password for accessing the server
   --ssl                  use https
   --wait-read=<secs>     seconds to wait for an answer
   -v, --verbose          output more information
"""
DFU_FLAGS = {"DfuCopyFiles": "--dfu-copy", "DfuOverwrite": "--dfu-overwrite", "OnlyCopyFiles": "--only-copy-files",
             "StopIfFilesCopied": "--stop-if-files-copied", "_init_publisher": "--init-publisher-wuid"}
DFU_OPTIONS = {"RemoteStorage": "--remote-storage", "DfuQueue": "--dfu-queue", "DfuWait": "--dfu-wait",
               "KeyCompression": "--key-compression", "_target_plane": "--target-plane"}
DFU_USAGE = """ DFU options:
   --dfu-copy             copy the files with DFU while deploying
   --dfu-queue=<queue>    DFU queue for the copy
   --dfu-wait=<secs>      seconds to wait for the copy (default 1800)
   --dfu-overwrite        overwrite files already on disk
   --only-copy-files      copy the files, do not deploy the package map
   --stop-if-files-copied deploy only if no file needed copying
   --remote-storage=<n>   remote storage to locate files in
   --key-compression=<c>  re-encode copied keys with this compression
"""


class Command:
    slots: tuple[str, ...] = ()
    options: dict[str, tuple[str, ...]] = {}
    flags: dict[str, tuple[str, ...]] = {}
    lists: dict[str, tuple[str, ...]] = {}
    dfu = False
    needs_args = True
    text = ""

    def __init__(self, common: Common):
        self.common, self.out, self.err = common, common.out, common.err
        self.args = {slot: "" for slot in self.slots}
        self.opt: dict[str, Any] = {name: None for name in self.options}
        self.opt.update({name: False for name in self.flags})
        self.opt.update({name: [] for name in self.lists})
        self.dfu_fields: dict[str, Any] = {}

    def usage(self) -> None:
        self.out.write(self.text + (DFU_USAGE if self.dfu else "") + COMMON_USAGE)

    def parse(self, it: Argv) -> int:
        if it.done() and self.needs_args:
            return NO_MATCH
        while not it.done():
            arg = it.query()
            if not arg.startswith("-"):
                free = next((s for s in self.slots if not self.args[s]), None)
                if free is None:
                    self.err.write(f"\nunrecognized argument {arg}\n")
                    return NO_MATCH
                self.args[free] = arg
            elif not self.match_own(it):
                ind = self.common.match(it, self.usage)
                if ind != MATCH:
                    return ind
            it.next()
        return MATCH

    def match_own(self, it: Argv) -> bool:
        tables = [(self.options, it.option, False), (self.lists, it.option, True), (self.flags, it.flag, False)]
        if self.dfu:
            tables += [({k: (v,) for k, v in DFU_OPTIONS.items()}, it.option, None),
                       ({k: (v,) for k, v in DFU_FLAGS.items()}, it.flag, None)]
        for table, reader, is_list in tables:
            for name, names in table.items():
                value = reader(*names)
                if value is None:
                    continue
                if is_list is None:
                    self.dfu_fields[name] = int(value or 0) if name == "DfuWait" else value
                elif is_list:
                    self.opt[name] += [v for v in value.split(",") if v]
                else:
                    self.opt[name] = value
                return True
        return False

    def finalize(self, ini) -> bool:
        self.common.finalize(ini)
        problem = self.check()
        if problem:
            self.out.write(problem)
            return False
        return True

    def check(self) -> str | None:
        return None

    def dfu_request(self) -> dict[str, Any]:
        fields = {k: v for k, v in self.dfu_fields.items() if not k.startswith("_")}
        fields.setdefault("DfuWait", 1800)
        for name in ("DfuCopyFiles", "DfuOverwrite", "OnlyCopyFiles", "StopIfFilesCopied"):
            fields.setdefault(name, False)
        return fields

    def report(self, status: Any, done: str) -> None:
        """dfuOptions.report, then "package added." and the FilesNotFound list on stderr."""
        raw = status.raw
        wuid = getattr(raw, "DfuPublisherWuid", None)
        show = not self.dfu_fields.get("OnlyCopyFiles")
        if wuid:
            self.out.write(f"\nDFU Publisher file copying Wuid: {wuid} is "
                           f"{getattr(raw, 'DfuPublisherState', None) or 'in unknown state'}\n")
            show = show and not self.dfu_fields.get("StopIfFilesCopied")
        if show:
            self.out.write(f"\n {done}\n\n")

    def not_found(self, files: list[str], what: str) -> None:
        if files:
            self.err.write(f"\nFiles defined in {what} but not found in DFS:\n" + "".join(f"  {f}\n" for f in files)
                           + "\n")

    def call(self, method: str, *args: Any, **kw: Any) -> tuple[int, Any]:
        """(exit status, result): ESP's inline exceptions are printed and give status 1."""
        try:
            return 0, getattr(self.common.client(), method)(*args, **kw)
        except EspError as exc:
            if exc.channel != "inline":
                raise
            return output_exceptions(exc, self.err), None


def _basename(path: str) -> str:
    return Path(path).name


class Activate(Command):
    slots = ("target", "packagemap")
    flags = {"global_scope": ("--global-scope",)}
    text = ("\nUsage:\n\nThe 'activate' command makes a package map the active one of its target.\n\n"
            "ecl packagemap activate <target> <packagemap>\n   --global-scope         the package map is shared "
            "by several targets\n")
    method = "activate"

    def check(self) -> str | None:
        if not self.args["target"]:
            return "\n ... Missing target name\n"
        if not self.args["packagemap"]:
            return "\n ... Missing package map name\n"
        return None

    def process(self) -> int:
        return self.call(self.method, self.args["target"], self.args["packagemap"], process="*",
                         global_scope=self.opt["global_scope"])[0]


class Deactivate(Activate):
    text = Activate.text.replace("'activate' command makes a package map the active one of its target",
                                 "'deactivate' command deactivates a package map").replace("activate <", "deactivate <")
    method = "deactivate"


class Delete(Activate):
    text = ("\nUsage:\n\nThe 'delete' command removes a package map from its target.\n\n"
            "ecl packagemap delete <target> <packagemap>\n   --global-scope         the package map is shared "
            "by several targets\n")

    def check(self) -> str | None:
        if not self.args["packagemap"]:
            return "\n ... Missing package map name\n"
        if not self.args["target"]:
            return "\n ... Specify a target cluster name\n"
        return None

    def process(self) -> int:
        pm = self.args["packagemap"]
        self.out.write(f"\n ... deleting package map {pm} now\n\n")
        rc, _ = self.call("delete_package", self.args["target"], pm, process="*", global_scope=self.opt["global_scope"])
        if rc == 0:
            self.out.write(f"Successfully deleted package {pm}\n")
        return rc


class ListMaps(Command):
    slots = ("target",)
    needs_args = False
    text = "\nUsage:\n\nThe 'list' command lists the package maps of a target.\n\necl packagemap list <target>\n"

    def process(self) -> int:
        rc, maps = self.call("list_package", self.args["target"], "*")
        for m in maps or []:
            self.out.write(f"\nPackage Id = {m.id}  active = {int(m.active)}\n")
            for pkg, queries in m.packages:
                self.out.write(f"\t\tname = {pkg}  queries = {queries}\n" if queries else f"\t\tname = {pkg}\n")
        return rc


class Info(Command):
    slots = ("target",)
    text = "\nUsage:\n\nThe 'info' command prints the target's active package maps.\n\necl packagemap info <target>\n"

    def process(self) -> int:
        rc, info = self.call("get_package", self.args["target"], "*")
        if rc == 0:
            self.out.write(info)
        return rc


def _add_options() -> dict[str, tuple[str, ...]]:
    return {"daliip": ("--daliip",), "source_process": ("--source-process",)}


ADD_FLAGS = {"global_scope": ("--global-scope",), "allow_foreign": ("--allow-foreign",),
             "preload_all": ("--preload-all",), "update_superfiles": ("--update-super-files",),
             "update_clone_from": ("--update-clone-from",), "dont_append_cluster": ("--dont-append-cluster",)}


ADD_HELP = ("   --daliip=<ip>            remote Dali for file lookups\n"
            "   --global-scope           the package map is shared by several targets\n"
            "   --source-process=<p>     process cluster to copy files from\n"
            "   --allow-foreign          allow foreign files\n   --preload-all            preload every package\n")
UPDATE_HELP = ("   --update-super-files     update local superfiles from the remote Dali\n"
               "   --update-clone-from      update clone-from locations from the remote Dali\n"
               "   --dont-append-cluster    do not add the cluster to files\n")


class Add(Command):
    slots = ("target", "filename")
    options = {"pmid": ("--pmid",), **_add_options()}
    flags = {"activate": ("--activate", "-A"), "overwrite": ("--overwrite", "-O"), "replace": ("--replace",), **ADD_FLAGS}
    dfu = True
    text = ("\nUsage:\n\nThe 'add' command adds a package map to a target.\n\n"
            "ecl packagemap add [options] <target> <filename>\n"
            "   -O, --overwrite          replace an existing package map\n"
            "   -A, --activate           activate the package map\n"
            "   --pmid=<id>              package map id (default: the file name)\n"
            + ADD_HELP +
            "   --replace                replace an existing package map\n"
            + UPDATE_HELP)

    def check(self) -> str | None:
        if not self.args["filename"]:
            return "\n ... Missing package file name\n"
        if not self.args["target"]:
            return "\n ... Specify a cluster name\n"
        self.opt["pmid"] = (self.opt["pmid"] or _basename(self.args["filename"])).lower()
        return None

    def shared(self) -> dict[str, Any]:
        o = self.opt
        return dict(daliip=o["daliip"], global_scope=o["global_scope"], source_process=o["source_process"],
                    allow_foreign=o["allow_foreign"], preload_all=o["preload_all"],
                    update_superfiles=o["update_superfiles"], update_clone_from=o["update_clone_from"],
                    append_cluster=not o["dont_append_cluster"], **self.dfu_request())

    def process(self) -> int:
        filename = self.args["filename"]
        info = Path(filename).read_text()
        self.out.write(self.announce(f"package map {filename}"))
        rc, status = self.call("add_package", self.args["target"], self.opt["pmid"], info,
                               activate=self.opt["activate"], overwrite=self.opt["overwrite"], process="*",
                               replace=self.opt["replace"], **self.shared())
        if rc == 0:
            self.report(status, "package added.")
            self.not_found(status.files_not_found, "package")
        return rc

    def announce(self, what: str) -> str:
        if self.dfu_fields.get("OnlyCopyFiles"):
            return f"\n ... copying files for {what}\n\n"
        if self.dfu_fields.get("StopIfFilesCopied"):
            return f"\n ... copying files for, OR adding {what}\n\n"
        return f"\n ... adding {what}\n\n"


class AddPart(Add):
    slots = ("target", "pmid", "filename")
    options = {"part_name": ("--part-name",), **_add_options()}
    flags = {"delete_prev": ("--delete-prev",), **ADD_FLAGS}
    text = ("\nUsage:\n\nThe 'add-part' command adds a part to a package map (created if missing).\n\n"
            "ecl packagemap add-part [options] <target> <pmid> <filename>\n"
            "   --part-name=<name>       name of the part (default: the file name)\n"
            "   --delete-prev            replace a part of the same name\n"
            + ADD_HELP + UPDATE_HELP)

    def check(self) -> str | None:
        if not self.args["filename"]:
            return "\n ... Missing package file name\n"
        if not self.args["target"]:
            return "\n ... Specify a cluster name\n"
        if not self.args["pmid"]:
            return "\n ... Specify a packagemap name\n"
        self.opt["part_name"] = self.opt["part_name"] or _basename(self.args["filename"])
        self.args["pmid"] = self.args["pmid"].lower()
        return None

    def process(self) -> int:
        filename, pmid, part = self.args["filename"], self.args["pmid"], self.opt["part_name"]
        content = Path(filename).read_text()
        self.out.write(self.announce(f"packagemap {pmid} part {part} from file {filename}"))
        rc, status = self.call("add_part", self.args["target"], pmid, part, content,
                               delete_previous=self.opt["delete_prev"], **self.shared())
        if rc == 0:
            self.report(status, "package added.")
            self.not_found(status.files_not_found, "packagemap part")
        return rc


