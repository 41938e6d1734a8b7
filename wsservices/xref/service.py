"""WsDFUXRef: ECL Watch's XREF page (esp/services/ws_dfu/ws_dfuXRefService.cpp) over the engine's
XREF (engine/xref). Results are XML texts in string fields (results.py).

DFUXRefUnusedFiles lists a Roxie process cluster's unused files (engine/xref/unused.py).
Not emulated: the ``SuperFiles`` XRef node, JSON-specific result shapes (the XML text is returned in JSON too),
answers for client versions below 1.02 (unencoded XML).
"""
from __future__ import annotations

from functools import cached_property

from wsservices.engine.dali.catalog import catalog
from wsservices.engine import codes
from wsservices.engine.errors import InvalidArgument
from wsservices.engine.dali.query import FileQuery
from wsservices.engine.xref import actions, builds, unused
from wsservices.engine.xref.builds import XRefBuilder
from wsservices.esp.service import EspService
from wsservices.esp import compiled
from wsservices.wsdfu.rows import logical_file
from wsservices.xref import models, results

LIST_HREF = "/WsDFUXRef/DFUXRefList"
ECLWATCH_CANNOT_FIND_IXREFFILESNODE = codes.ECLWATCH_ERROR_START + 65   # eclwatch_errorlist.hpp


class WsDFUXRef(EspService):
    contract = models

    @cached_property
    def xref(self) -> XRefBuilder:
        return XRefBuilder.for_cluster(self.cluster)

    def DFUXRefList(self, req):
        return models.DFUXRefListResponse(DFUXRefListResult=results.node_list(self.xref.clusters()))

    def DFUXRefBuild(self, req):
        if not (req.Cluster or "").strip():
            raise InvalidArgument("Cluster not defined.")
        met = self.xref.queue(self.xref.group(req.Cluster.strip()))
        if met == builds.IN_PROCESS:
            text = (f"An XRef build for cluster {req.Cluster.strip()} is in process. "
                    "Click here to return to the main XRef List.")
        elif met == builds.IDLE:
            text = "Running XRef Process. Click here to return to the main XRef List."
        else:
            text = ("Someone is currently running a Xref build. Your request will be added to the queue. "
                    "Please click here to return to the main page.")
        return models.DFUXRefBuildResponse(DFUXRefActionResult=results.messages([text], LIST_HREF))

    def DFUXRefBuildCancel(self, req):
        self.xref.cancel()
        text = "All Queued items have been cleared. The current running job will continue to execute."
        return models.DFUXRefBuildCancelResponse(DFUXRefBuildCancelResult=results.messages([text], LIST_HREF))

    def _result(self, cluster: str | None):
        group = self.xref.group(cluster)
        return group, self.xref.result(group)

    def DFUXRefFoundFiles(self, req):
        group, result = self._result(req.Cluster)
        text = results.files_tree("Found", result["Found"], group) if result else None
        return models.DFUXRefFoundFilesQueryResponse(DFUXRefFoundFilesQueryResult=text)

    def DFUXRefOrphanFiles(self, req):
        group, result = self._result(req.Cluster)
        text = results.files_tree("Orphans", result["Orphans"], group) if result else None
        return models.DFUXRefOrphanFilesQueryResponse(DFUXRefOrphanFilesQueryResult=text)

    def DFUXRefLostFiles(self, req):
        group, result = self._result(req.Cluster)
        text = None
        if result:
            files = self.cluster_files()
            lost = []
            for entry in result["Lost"]:
                info = files.get(entry["Name"])
                lost.append({**entry, "Size": info.size} if info is not None else entry)
            text = results.files_tree("Lost", lost, group)
        return models.DFUXRefLostFilesQueryResponse(DFUXRefLostFilesQueryResult=text)

    def DFUXRefMessages(self, req):
        group, result = self._result(req.Cluster)
        text = results.messages_tree(result["Messages"], group) if result else None
        return models.DFUXRefMessagesQueryResponse(DFUXRefMessagesQueryResult=text)

    def DFUXRefDirectories(self, req):
        group, result = self._result(req.Cluster)
        text = results.directories_tree(result["Directories"], group) if result else None
        return models.DFUXRefDirectoriesQueryResponse(DFUXRefDirectoriesQueryResult=text)

    def DFUXRefCleanDirectories(self, req):
        group = self.xref.group(req.Cluster)
        actions.clean_directories(self.cluster, group)
        return models.DFUXRefCleanDirectoriesResponse()   # ESP redirects HTML callers to DFUXRefDirectories

    def DFUXRefArrayAction(self, req):
        action, kind = req.Action or "", req.Type or ""
        if not action or not kind:
            raise InvalidArgument("Action or Type not defined.")
        if action not in ("Attach", "Delete", "DeleteLogical"):
            raise InvalidArgument("Invalid DFUXRefArrayAction: only Attach, Delete or DeleteLogical allowed.")
        names = [f for f in (req.XRefFiles.Item or [])] if req.XRefFiles is not None else []
        if not names:
            raise InvalidArgument("XRefFile not defined.")
        branch = {"found": "Found", "lost": "Lost", "orphan": "Orphans"}.get(kind.lower())
        if branch is None:
            raise InvalidArgument(f"Unable to find a suitable IXRefFilesNode interface for {kind}",
                                  ECLWATCH_CANNOT_FIND_IXREFFILESNODE)
        group, result = self._result(req.Cluster)
        result = result or {"Found": [], "Orphans": [], "Lost": []}
        lines = []
        for name in names:
            if action == "Attach":
                ok, err = actions.attach(self.cluster, result, name, group) if branch == "Found" else \
                    (False, f"Cannot attach {kind} files")
                lines.append(f"Reattached Physical part {name}" if ok else
                             f"Error(s) attaching physical part {name}\n{err}")
            elif action == "Delete":
                ok, err = actions.remove_physical(self.cluster, result, branch, name)
                lines.append(f"Removed Physical part {name}" if ok else f"Error(s) removing physical part {name}\n{err}")
            else:
                ok, err = actions.remove_logical(self.cluster, result, name, bool(req.RemoveFromSuperfiles))
                lines.append(f"Removed Logical File {name}" if ok else f"Error(s) removing File {name}\n{err}")
        self.xref.save_result(group, result)
        return models.DFUXRefArrayActionResponse(DFUXRefArrayActionResult=results.messages(lines))

    def DFUXRefUnusedFiles(self, req):
        process = (req.ProcessCluster or "").strip()
        extra = [p.strip() for p in (req.ProcessClusterList.Item or [] if req.ProcessClusterList else []) if p.strip()]
        if not process and not extra:
            raise InvalidArgument("process cluster not specified.")
        used: set[str] = set()
        for name in ([process] if process else []) + extra:
            used |= unused.used_files(self.cluster, name, bool(req.CheckPackageMaps))
        planes = list(req.CheckPlanes.Item or []) if req.CheckPlanes is not None else []
        query = FileQuery(self.cluster_files())
        rows = [row for group in unused.checked_groups(self.cluster, process, planes)
                for row in query.dfu_query(node_group=group, page_size=1 << 30).rows
                if not row.is_superfile and row.name not in used]
        if not req.GetFileDetails:
            files = models.DFUXRefUnusedFilesResponse_UnusedFiles(File=[row.name for row in rows]) if rows else None
            return models.DFUXRefUnusedFilesResponse(UnusedFileCount=len(rows), UnusedFiles=files)
        fields = models.DFULogicalFile._type_info   # this contract's DFULogicalFile: ClusterName, no NodeGroup
        details = [compiled.record(models.DFULogicalFile, ClusterName=row.node_group,
                                   **{k: v for k, v in vars(logical_file(row)).items() if k in fields})
                   for row in rows]
        return models.DFUXRefUnusedFilesResponse(
            UnusedFileCount=len(rows),
            UnusedFilesWithDetails=models.ArrayOfDFULogicalFile(DFULogicalFile=details) if details else None)

    def cluster_files(self):
        return catalog(self.cluster)
