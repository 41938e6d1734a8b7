"""The non-transfer actions of ``hpccemu-dfuplus`` (a mixin of `dfuplus.DfuPlus`): remove,
rename, list, addsuper, removesuper, listsuper, savexml, add, status, abort and resubmit, with
dali/dfuplus's requests and output lines. A method returns dfuplus's own result (0, or -1/-2
on failure), which only ``--strict-exit`` turns into an exit status.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import EspError
from .jobs import state_name


class Fail(Exception):
    """An error that aborts the action (printed to stderr, like dfuplus's thrown exceptions)."""


def exceptions_text(err: EspError) -> str:
    """jlib's IMultiException::errorMessage: ``[%3d: %s] `` per exception."""
    return "".join(f"[{e.code:3d}: {e.message}] " for e in err.exceptions)


def split_names(text: str | None) -> list[str]:
    """dfuplus's comma splitting: empty items dropped, no trimming."""
    return [part for part in (text or "").split(",") if part]


class FileActions:
    props: Any
    out: Any

    def info(self, text: str) -> None:  # provided by DfuPlus
        raise NotImplementedError

    def call(self, service: str, operation: str, **fields: Any) -> Any:  # provided by DfuPlus
        raise NotImplementedError

    def need(self, key: str, message: str | None = None) -> str:  # provided by DfuPlus
        raise NotImplementedError

    def checked(self, service: str, operation: str, **fields: Any) -> Any:
        """`call`, printing ESP's inline exceptions as dfuplus does; None when there were some."""
        try:
            return self.call(service, operation, **fields)
        except EspError as err:
            if err.channel != "inline":
                raise
            self.info(exceptions_text(err) + "\n")
            return None

    # -- files ------------------------------------------------------------------------------------
    def do_remove(self) -> int:
        p = self.props
        files: list[str] = []
        if p.get("name"):
            files = [p.get("name")]
            self.info(f"\nRemoving {files[0]}\n")
        elif p.get("names"):
            self.info(f"\nRemoving {p.get('names')}\n")
            files = split_names(p.get("names"))
        elif p.get("namelist"):
            try:
                lines = Path(p.get("namelist")).read_text().splitlines(keepends=True)
            except OSError:
                lines = []
            for line in lines:
                self.info(f"\nRemoving {line}\n")
                files += split_names(line.rstrip("\n"))
        if not files:
            raise Fail("file name not specified")
        resp = self.checked("wsdfu", "DFUArrayAction", Type="Delete", LogicalFiles={"Item": files})
        if resp is None:
            return -1
        results = getattr(resp.ActionResults, "DFUActionInfo", None) or []
        self.info("".join(f"{r.ActionResult or ''}\n" for r in results) + "\n")
        return 0

    def do_rename(self) -> int:
        p = self.props
        if p.get("srcnames") or p.get("dstnames"):
            src, dst = split_names(p.get("srcnames")), split_names(p.get("dstnames"))
            if len(src) != len(dst):
                raise Fail(f"srcnames and dstnames must have the same number of items ({len(src)} vs {len(dst)})")
            if not src:
                raise Fail("No valid names found in srcnames/dstnames")
            pairs = list(zip(src, dst))
        elif p.get("srcname") and p.get("dstname"):
            pairs = [(p.get("srcname"), p.get("dstname"))]
        else:
            raise Fail("Invalid rename usage. Use:\n  srcname=<old> dstname=<new>  (single file), or\n"
                       "  srcnames=<old1,old2,...> dstnames=<new1,new2,...>  (multiple files)")
        self.info(f"\nRenaming {len(pairs)} file(s)\n")
        items = [{"OldName": old, "NewName": new} for old, new in pairs]
        resp = self.checked("wsdfu", "DFUFileRename", FileRenames={"DFUFileRenameItem": items})
        if resp is None:
            return -1
        ok = failed = 0
        for r in getattr(resp.Results, "DFUFileRenameResult", None) or []:
            if r.Success:
                self.info(f"Successfully renamed: {r.OldName} -> {r.NewName}\n")
                ok += 1
            else:
                self.info(f"Failed to rename: {r.OldName} -> {r.NewName}: {r.Message}\n")
                failed += 1
        self.info(f"\nRename Summary: {ok} succeeded, {failed} failed\n")
        return -1 if failed else 0

    def do_list(self) -> int:
        name = self.props.get("name")
        self.info(f"List {name if name is not None else '*'}\n")
        resp = self.checked("wsdfu", "DFUQuery", LogicalName=name, PageSize=-1)
        if resp is None:
            return -1
        names = [f.Name for f in (getattr(resp.DFULogicalFiles, "DFULogicalFile", None) or []) if f is not None]
        saveto = self.props.get("saveto")
        saved = None
        if saveto:
            try:
                saved = open(saveto, "w")
            except OSError:
                self.info(f"Failed to open the file: {saveto}\n")
        try:
            for n in names:
                self.info(f"{n}\n")
                if saved:
                    saved.write(f"{n}\n")
        finally:
            if saved:
                saved.close()
        return 0

    def do_savexml(self) -> int:
        lfn = self.need("srcname")
        resp = self.checked("wsdfu", "Savexml", name=lfn)
        if resp is None:
            return -1
        data = resp.xmlmap or b""
        dstxml = self.props.get("dstxml")
        if dstxml:
            try:
                Path(dstxml).write_bytes(data)
            except OSError:
                raise Fail(f"can't open file {dstxml}\n") from None
        else:
            binary = getattr(self.out, "buffer", None)
            if binary is None:
                self.out.write(data.decode("utf-8", "replace"))
            else:
                self.out.flush()
                binary.write(data)
                binary.flush()
        return 0

    def do_add(self) -> int:
        p = self.props
        lfn = self.need("dstname")
        srcxml, srcname, srcdali = p.get("srcxml"), p.get("srcname"), p.get("srcdali")
        if not srcxml:
            if not srcname:
                raise Fail("Please specify srcxml for adding from xml, or srcname for adding from remote dali")
            if not srcdali:
                raise Fail("srcdali not specified for adding remote")
            resp = self.checked("wsdfu", "AddRemote", dstname=lfn, srcname=srcname, srcdali=srcdali,
                                srcusername=p.get("srcusername"), srcpassword=p.get("srcpassword"))
        else:
            try:
                xml = Path(srcxml).read_bytes()
            except OSError:
                raise Fail(f"can't open file {srcxml}") from None
            resp = self.checked("wsdfu", "Add", dstname=lfn, xmlmap=xml, dstcluster=p.get("dstcluster"))
        if resp is None:
            return -1
        self.info(f"{lfn} successfully added\n")
        return 0

    # -- superfiles -------------------------------------------------------------------------------
    def superfile_action(self, action: str) -> int:
        p = self.props
        superfile = self.need("superfile", "superfile name is not specified")
        resp = self.checked("wsdfu", "SuperfileAction", action=action, superfile=superfile,
                            subfiles={"Item": split_names(p.get("subfiles"))}, before=p.get("before"),
                            delete=p.get_bool("delete", False))
        if resp is None:
            return -1
        self.info(f"{action.capitalize()}super successfully finished\n")
        return 0

    def do_addsuper(self) -> int:
        return self.superfile_action("add")

    def do_removesuper(self) -> int:
        return self.superfile_action("remove")

    def do_listsuper(self) -> int:
        superfile = self.need("superfile", "superfile name is not specified")
        resp = self.checked("wsdfu", "SuperfileList", superfile=superfile)
        if resp is None:
            return -1
        subs = [s for s in (getattr(resp.subfiles, "Item", None) or []) if s is not None]
        self.info(f"{superfile} has {len(subs)} subfiles:\n" + "".join(f"\t{s}\n" for s in subs))
        return 0

    # -- workunits --------------------------------------------------------------------------------
    def do_status(self) -> int:
        wuid = self.need("wuid")
        resp = self.checked("filespray", "GetDFUWorkunit", wuid=wuid)
        if resp is None:
            return -1
        wu = resp.result
        if not wu.ID:
            self.info("Workunit entry with missing wuid found\n")
            return -1
        state = state_name(wu)
        if state in ("unknown", "scheduled", "queued"):
            self.info(f"{wu.ID} status: {state}\n")
        elif state == "started":
            self.info(f"{wu.ProgressMessage or ''}\n")
        elif state == "aborted":
            self.info(f"{wu.ID} status: aborted\n")
            return -1
        elif state == "failed":
            self.info(f"{wu.ID} status: failed - {wu.SummaryMessage or ''}\n")
            return -1
        elif state == "finished":
            self.info(f"{wu.ID} Finished\n" + (f"{wu.SummaryMessage}\n" if wu.SummaryMessage is not None else ""))
        else:
            self.info(f"{wu.ID} is in an unrecognizable state - {wu.State}\n")
        return 0

    def do_abort(self) -> int:
        wuid = self.need("wuid")
        if self.checked("filespray", "AbortDFUWorkunit", wuid=wuid) is not None:
            self.info(f"Aborted {wuid}\n")
            return 0
        return -1

    def do_resubmit(self) -> int:
        wuid = self.need("wuid")
        if self.checked("filespray", "SubmitDFUWorkunit", wuid=wuid) is not None:
            self.info(f"Resubmitted {wuid}\n")
            return 0
        return -1
