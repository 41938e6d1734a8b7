"""FileSpray's DFU workunit methods: each reads its fields, makes one engine call, answers."""
from __future__ import annotations

from wsservices.engine import codes
from wsservices.engine.dfu import wuactions
from wsservices.engine.dfu import workunits as W
from wsservices.engine.dfu.progress import progress_message, summary_message, time_taken
from wsservices.filespray import models
from wsservices.filespray.wuview import full_view, list_view, wu_file_xml


def _items(array) -> list[str]:
    return [s for s in (array.Item or [])] if array is not None else []


class WorkunitMethods:
    """GetDFUWorkunit(s), GetDFUProgress, Create/Update/Submit/Abort/Delete, DFUWUFile, ..."""

    def GetDFUWorkunit(self, req):
        wu = wuactions.get_for_display(self.cluster, req.wuid or "")
        return models.GetDFUWorkunitResponse(result=full_view(self.cluster, wu),
                                             AutoRefresh=1 if wu.state in (W.SCHEDULED, W.QUEUED, W.STARTED) else 0)

    def GetDFUProgress(self, req):
        wu = wuactions.get_for_progress(self.cluster, req.wuid or "")
        p = wu.progress
        return models.ProgressResponse(
            wuid=wu.wuid, PercentDone=p.percent_done, SecsLeft=p.secs_left, KbPerSecAve=p.kb_per_sec_ave,
            KbPerSec=p.kb_per_sec, SlavesDone=p.slaves_done, TimeTaken=time_taken(p),
            ProgressMessage=progress_message(p), SummaryMessage=summary_message(wu), State=wu.state_name)

    def GetDFUWorkunits(self, req):
        query = wuactions.ListRequest(wuid=req.Wuid or "", owner=req.Owner or "", cluster=req.Cluster or "",
                                   state=req.StateReq or "", type=req.Type or "", jobname=req.Jobname or "",
                                   page_size=req.PageSize or 0, page_start_from=req.PageStartFrom,
                                   sortby=req.Sortby or "", descending=bool(req.Descending))
        page = wuactions.search(self.cluster, query)
        views = [list_view(self.cluster, wu, req.includeProgressMessages, req.includeTimings,
                           req.includeTransferRate) for wu in page.workunits]
        resp = models.GetDFUWorkunitsResponse(results=models.ArrayOfDFUWorkunit(DFUWorkunit=views))
        if page.single:
            return resp
        return _paging(resp, req, page)

    def GetDFUExceptions(self, req):
        wu = wuactions.get(self.cluster, req.wuid or "", codes.ECLWATCH_CANNOT_GET_WORKUNIT)
        found = [models.DFUException(Code=e["code"], Message=e["message"]) for e in wu.exceptions]
        return models.GetDFUExceptionsResponse(result=models.ArrayOfDFUException(DFUException=found))

    def CreateDFUWorkunit(self, req):
        wu = wuactions.create(self.cluster, req.DFUServerQueue or "")
        view = full_view(self.cluster, wu)
        view.Overwrite, view.Replicate = False, True
        return models.CreateDFUWorkunitResponse(result=view)

    def SubmitDFUWorkunit(self, req):
        wuactions.submit(self.cluster, req.wuid or "")
        return models.SubmitDFUWorkunitResponse()

    def AbortDFUWorkunit(self, req):
        wuactions.abort(self.cluster, req.wuid or "")
        return models.AbortDFUWorkunitResponse()

    def UpdateDFUWorkunit(self, req):
        wu = req.wu or models.DFUWorkunit()
        wuactions.update(self.cluster, wu.ID or "", wu.State, req.StateOrig, wu.ClusterName, req.ClusterOrig,
                      wu.JobName, req.JobNameOrig, wu.isProtected, req.isProtectedOrig)
        return models.UpdateDFUWorkunitResponse()

    def DeleteDFUWorkunit(self, req):
        return models.DeleteDFUWorkunitResponse(result=wuactions.delete(self.cluster, req.wuid or ""))

    def DeleteDFUWorkunits(self, req):
        for wuid in _items(req.wuids):
            wuactions.delete(self.cluster, wuid)
        return models.DeleteDFUWorkunitsResponse()

    def DFUWorkunitsAction(self, req):
        results = wuactions.action(self.cluster, req.Type or "", _items(req.wuids))
        rows = [models.DFUActionResult(ID=r.wuid, Action=r.action, Result=r.result) for r in results]
        return models.DFUWorkunitsActionResponse(FirstColumn="WUID",
                                                 DFUActionResults=models.ArrayOfDFUActionResult(DFUActionResult=rows))

    def DFUWUFile(self, req):
        if not (req.Wuid or "").strip():
            return models.DFUWUFileResponse()
        wu = wuactions.get(self.cluster, req.Wuid)
        return models.DFUWUFileResponse(file=wu_file_xml(wu, plain=(req.PlainText or "").lower() == "yes"))

    def DFUWUSearch(self, req):
        names = [t.target for t in self.cluster.environment.thor_clusters]
        names += [r.name for r in self.cluster.environment.roxie_targets]
        return models.DFUWUSearchResponse(ClusterNames=models.DFUWUSearchResponse_ClusterNames(ClusterName=names))

    def EchoDateTime(self, req):
        return models.EchoDateTimeResponse(result="0000-00-00T00:00:00")

    def ShowResult(self, req):
        return models.ShowResultResponse(Result=req.Result)


def _paging(resp, req, page):
    """GetDFUWorkunits' paging and echo fields, quirks included (filespray.md §4.6)."""
    size, offset, total = page.page_size, page.offset, page.total
    more = offset + size < total
    resp.PageSize, resp.NumWUs, resp.PageStartFrom = size, total, offset + 1
    resp.NextPage = offset + size if more else -1
    resp.PageEndAt = (req.PageStartFrom + size) if more else total
    resp.LastPage = ((total - 1) // size) * size if more else -1
    if offset > 0:
        resp.PrevPage, resp.First = max(offset - size, 0), False
    resp.CacheHint = req.CacheHint
    echoed = [("StateReq", req.StateReq), ("Cluster", req.Cluster), ("Owner", req.Owner), ("Type", req.Type)]
    filters = []
    for name, value in echoed:
        if value:
            setattr(resp, name, value)
            filters.append(f"{name}={value}")
    resp.Filters = "&amp;".join(filters)
    basic = list(filters)
    if req.Sortby:
        resp.Sortby, resp.Descending = req.Sortby, bool(req.Descending)
        basic.append(f"Sortby={req.Sortby}")
        if req.Descending:
            basic.append("Descending=1")
    resp.BasicQuery = "&amp;".join(basic)
    return resp
