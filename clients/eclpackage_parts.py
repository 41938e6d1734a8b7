"""The remaining ``ecl packagemap`` commands (get-part, remove-part, validate, query-files, copy)
and the command table `COMMANDS` that `eclcmd.run` dispatches on (names matched without regard
to case). Output and statuses follow ecl-package.cpp; see `eclpackage` for the base class.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .eclpackage import (ADD_FLAGS, Activate, Add, AddPart, Command, Deactivate, Delete, Info, ListMaps,
                         _add_options)


class GetPart(Command):
    slots = ("target", "packagemap", "partname")
    flags = {"global_scope": ("--global-scope",)}
    text = ("\nUsage:\n\nThe 'get-part' command prints one part of a package map.\n\n"
            "ecl packagemap get-part <target> <packagemap> <partname>\n"
            "   --global-scope         the package map is shared by several targets\n")

    def check(self) -> str | None:
        if not self.args["packagemap"]:
            return "\n ... Missing package map name\n"
        if not self.args["partname"]:
            return "\n ... Missing part name\n"
        if not self.args["target"]:
            return "\n ... Specify a target cluster name\n"
        return None

    def process(self) -> int:
        rc, content = self.call("get_part", self.args["target"], self.args["packagemap"], self.args["partname"],
                                global_scope=self.opt["global_scope"])
        if rc == 0:
            self.out.write(content)
        return rc


class RemovePart(GetPart):
    text = GetPart.text.replace("'get-part' command prints one part of a package map",
                                "'remove-part' command removes one part from a package map").replace("get-part <",
                                                                                                   "remove-part <")

    def process(self) -> int:
        pm, part = self.args["packagemap"], self.args["partname"]
        self.out.write(f"\n ... removing part {part} from packagemap {pm}\n\n")
        rc, _ = self.call("remove_part", self.args["target"], pm, part, global_scope=self.opt["global_scope"])
        if rc == 0:
            self.out.write(f"Successfully removed part {part} from package {pm}\n")
        return rc


class Validate(Command):
    slots = ("target", "filename")
    options = {"pmid": ("--pmid", "-pm")}
    lists = {"queries": ("--queryid",), "ignore_queries": ("--ignore-queries",)}
    flags = {"active": ("--active",), "check_dfs": ("--check-dfs",), "global_scope": ("--global-scope",),
             "ignore_warnings": ("--ignore-warnings",), "ignore_optional": ("--ignore-optional",)}
    text = ("\nUsage:\n\nThe 'validate' command checks a package map against the target's queries and files.\n\n"
            "ecl packagemap validate <target> [<filename>]\n"
            "   --active               validate the active package map\n"
            "   -pm, --pmid=<id>       validate this package map\n"
            "   --check-dfs            check that subfiles exist in DFS\n"
            "   --queryid=<q,..>       queries to check (default: all)\n"
            "   --ignore-queries=<q,..> queries to leave out (wildcards allowed)\n"
            "   --ignore-optional      do not report optional files\n"
            "   --ignore-warnings      do not report warnings\n"
            "   --global-scope         the package map is shared by several targets\n")

    def check(self) -> str | None:
        given = sum(bool(x) for x in (self.args["filename"], self.opt["pmid"], self.opt["active"]))
        err = ""
        if given == 0:
            err += "\n ... Package file name, --pmid, or --active required\n"
        elif given > 1:
            err += "\n ... Package file name, --pmid, and --active are mutually exclusive\n"
        if not self.args["target"]:
            err += "\n ... Specify a cluster name\n\n"
        return err or None

    def process(self) -> int:
        o = self.opt
        info = None
        if self.args["filename"]:
            info = Path(self.args["filename"]).read_text()
            self.out.write(f"\nvalidating packagemap file {self.args['filename']}\n\n")
        rc, results = self.call("validate", self.args["target"], info=info, pmid=o["pmid"], active=o["active"],
                                queries=o["queries"], ignore_queries=o["ignore_queries"], check_dfs=o["check_dfs"],
                                global_scope=o["global_scope"], ignore_warnings=o["ignore_warnings"],
                                ignore_optional=o["ignore_optional"])
        said = rc != 0
        for r in results or []:
            said = self.result(r) or said
        if not said:
            self.out.write("   Validation was successful\n")
        return rc

    def result(self, r: Any) -> bool:
        err = self.err
        named = bool(r.target and r.pmid)
        if named:
            err.write(f"   Target: {r.target}, PMID: {r.pmid} :\n")
        sections = [(r.errors, "   Validation Failed!\n   Error(s):\n"), (r.warnings, "   Warning(s):\n"),
                    (r.unmatched_queries, "\n   Queries without matching package:\n"),
                    (r.unmatched_packages, "\n   Packages without matching queries:\n")]
        said = False
        for items, title in sections:
            if items:
                said = True
                err.write(title + "".join(f"      {i}\n" for i in items))
        if r.unmatched_files:
            said = True
            err.write("\n   Query files without matching package definitions:\n")
            self.file_tree(r.unmatched_files)
        if r.not_in_dfs:
            said = True
            err.write("\n   Packagemap SubFiles not found in DFS:\n" + "".join(f"      {f}\n" for f in r.not_in_dfs))
        if named:
            err.write(f"\n   Target: {r.target}, PMID: {r.pmid} done\n\n")
        return said

    def file_tree(self, entries: list[str]) -> None:
        """``query/lfn[/category]`` entries grouped per query, then Compulsory, Required, Optional."""
        tree: dict[str, dict[str, list[str]]] = {}
        for entry in entries:
            parts = entry.split("/")
            if len(parts) < 2:
                continue
            category = (parts[2] if len(parts) >= 3 else "required").lower()
            files = tree.setdefault(parts[0], {}).setdefault(category, [])
            if parts[1] not in files:
                files.append(parts[1])
        for query, categories in tree.items():
            self.err.write(f"     --{query}\n")
            for name in ("Compulsory", "Required", "Optional"):
                if name.lower() in categories:
                    self.err.write(f"        [{name}]\n" + "".join(f"          {f}\n" for f in categories[name.lower()]))


class QueryFiles(Command):
    slots = ("target", "queryid")
    options = {"pmid": ("--pmid", "-pm")}
    flags = {"global_scope": ("--global-scope",)}
    text = ("\nUsage:\n\nThe 'query-files' command lists a query's files and how the package map maps them.\n\n"
            "ecl packagemap query-files <target> <queryid>\n"
            "   -pm, --pmid=<id>       use this package map instead of the active one\n"
            "   --global-scope         the package map is shared by several targets\n")

    def check(self) -> str | None:
        err = ""
        if not self.args["target"]:
            err += "\n ... A target cluster must be specified\n"
        if not self.args["queryid"]:
            err += "\n ... A query must be specified\n"
        return err or None

    def process(self) -> int:
        rc, mapping = self.call("query_files", self.args["target"], self.args["queryid"], pmid=self.opt["pmid"],
                                global_scope=self.opt["global_scope"])
        unmapped = mapping.unmapped_files if mapping else []
        supers = mapping.superfiles if mapping else {}
        err = self.err
        if not unmapped:
            err.write("No undefined files found.\n")
        else:
            err.write("Files not defined in PackageMap:\n" + "".join(f"  {f}\n" for f in unmapped))
        if not supers:
            err.write("\nNo matching SuperFiles found in PackageMap.\n")
        else:
            err.write("\nSuperFiles defined in PackageMap:\n")
            for name, subs in supers.items():
                err.write(f"  {name}\n" + "".join(f"   > {s}\n" for s in subs))
        return rc


class CopyMap(Add):
    slots = ("path", "target")
    options = {"pmid": ("--pmid",), **_add_options()}
    flags = {"activate": ("--activate", "-A"), "replace": ("--replace",),
             **{k: v for k, v in ADD_FLAGS.items() if k not in ("global_scope", "allow_foreign")}}
    text = ("\nUsage:\n\nThe 'copy' command copies a package map to another target.\n\n"
            "ecl packagemap copy <path> <target>\n"
            "   <path>                 target/pmid, or //ip:port/target/pmid on another ESP\n"
            "   -A, --activate         activate the copy\n   --pmid=<id>            id of the copy\n"
            "   --daliip=<ip>          remote Dali for file lookups\n"
            "   --source-process=<p>   process cluster to copy files from\n"
            "   --preload-all          preload every package\n   --replace              replace an existing map\n"
            "   --update-super-files   update local superfiles from the remote Dali\n"
            "   --update-clone-from    update clone-from locations from the remote Dali\n"
            "   --dont-append-cluster  do not add the cluster to files\n")

    def finalize(self, ini) -> bool:
        self.common.finalize(ini)
        err = ""
        if not self.args["path"]:
            err = "\n ... Missing path to source packagemap\n"
        elif not self.args["target"]:
            err = "\n ... Specify a target cluster\n"
        if err:
            self.err.write(err)
            return False
        return True

    def process(self) -> int:
        path, target, o = self.args["path"], self.args["target"], self.opt
        what = f"package map {path} to {target}"
        if self.dfu_fields.get("OnlyCopyFiles"):
            self.out.write(f"\n ... copying files, in preparation for copying {what}\n\n")
        elif self.dfu_fields.get("StopIfFilesCopied"):
            self.out.write(f"\n ... copying files for, OR copying {what}\n\n")
        else:
            self.out.write(f"\n ... copying {what}\n\n")
        rc, status = self.call("copy_package_map", path, target, pmid=o["pmid"], activate=o["activate"],
                               process="*", daliip=o["daliip"], source_process=o["source_process"],
                               preload_all=o["preload_all"], replace=o["replace"],
                               update_superfiles=o["update_superfiles"], update_clone_from=o["update_clone_from"],
                               append_cluster=not o["dont_append_cluster"], **self.dfu_request())
        if rc == 0:
            self.report(status, "package copied.")
            self.not_found(status.files_not_found, "package")
        return rc


COMMANDS: dict[str, type[Command]] = {
    "add": Add, "copy": CopyMap, "delete": Delete, "activate": Activate, "deactivate": Deactivate,
    "info": Info, "list": ListMaps, "validate": Validate, "query-files": QueryFiles, "add-part": AddPart,
    "remove-part": RemovePart, "get-part": GetPart,
}

SHELL_USAGE = """
Usage:

hpccemu-ecl packagemap <command> [command options]

   packagemap commands:
      add          add a package map to a target
      copy         copy a package map from one target to another
      delete       delete a package map
      activate     activate a package map
      deactivate   deactivate a package map
      list         list the package maps of a target
      info         print the active package map information
      validate     check a package map against queries and files
      query-files  list a query's files and how they are mapped
      add-part     add a part to a package map
      get-part     print a part of a package map
      remove-part  remove a part from a package map
"""


def shell_usage(out) -> None:
    out.write(SHELL_USAGE)
