"""WsDfu's logical-file methods: listing, detail, bulk actions, scopes, space, rename."""
from __future__ import annotations

from wsservices.engine.access import Level
from wsservices.engine.dali import actions
from wsservices.engine.packagemaps import fileinfo
from wsservices.engine.dali.query import FileQuery
from wsservices.wsdfu import extra_models, models
from wsservices.wsdfu.rows import comma, file_detail, logical_file


def _items(array) -> list[str]:
    return [i for i in (getattr(array, "Item", None) or []) if i is not None]


class FileMethods:
    """DFUQuery, DFUInfo, DFUArrayAction, DFUFileView, DFUSpace, DFUSearch, DFUFileRename."""

    def DFUQuery(self, req):
        r = FileQuery(self.files).dfu_query(
            logical_name=req.LogicalName or "", prefix=req.Prefix or "",
            node_group=req.NodeGroup or "", owner=req.Owner or "",
            content_type=req.ContentType or "", invert_content=bool(req.InvertContent),
            file_type=req.FileType or "", start_date=req.StartDate or "",
            end_date=req.EndDate or "", start_accessed=req.StartAccessedTime or "",
            end_accessed=req.EndAccessedTime or "", size_from=req.FileSizeFrom,
            size_to=req.FileSizeTo, max_skew_from=req.MaxSkewFrom or 0,
            max_skew_to=req.MaxSkewTo or 0, min_skew_from=req.MinSkewFrom or 0,
            min_skew_to=req.MinSkewTo or 0, first_n=req.FirstN, page_size=req.PageSize,
            page_start_from=req.PageStartFrom, sort_by=req.Sortby or "",
            descending=bool(req.Descending), one_level=bool(req.OneLevelDirFileReturn),
            max_files=req.MaxNumberOfFiles, include_super_owners=bool(req.IncludeSuperOwner),
            scope_visible=self.scope_visible())
        if r.empty:
            return models.DFUQueryResponse()
        resp = models.DFUQueryResponse(
            DFULogicalFiles=models.ArrayOfDFULogicalFile(
                DFULogicalFile=[logical_file(row) for row in r.rows]),
            NumFiles=r.num_files, PageSize=r.page_size, PageStartFrom=r.page_start_from,
            PageEndAt=r.page_end_at, PrevPageFrom=r.prev_page_from, NextPageFrom=r.next_page_from,
            LastPageFrom=r.last_page_from, Filters=r.filters,
            ParametersForPaging=r.parameters_for_paging, BasicQuery=r.basic_query,
            CacheHint=req.CacheHint or 0, IsSubsetOfFiles=r.is_subset)
        for name in ("NodeGroup", "Owner", "Prefix", "LogicalName", "StartDate", "EndDate",
                     "FileType"):
            if getattr(req, name, None):
                setattr(resp, name, getattr(req, name))
        for name in ("FileSizeFrom", "FileSizeTo"):
            value = getattr(req, name)
            resp_value = -1 if value is None else value
            if resp_value:
                setattr(resp, name, resp_value)
        if req.Sortby:
            resp.Sortby = req.Sortby
            resp.Descending = bool(req.Descending)
        if r.warning:
            resp.Warning = r.warning
        return resp

    def DFUInfo(self, req):
        self.require_scope(req.Name, Level.WRITE if req.UpdateDescription or req.Protect or req.Restrict
                           else Level.READ)
        package = fileinfo.package_superfile(self.cluster, req.QuerySet, req.Query, req.Name)
        if package is not None:  # a superfile the query's package defines: no Dali lookup
            package_id, subfiles = package
            detail = models.DFUFileDetail(Name=req.Name, isSuperfile=True, PackageID=package_id)
            if subfiles:
                detail.subfiles = models.EspStringArray(Item=subfiles)
            return models.DFUInfoResponse(FileDetail=detail)
        info = self.files.describe(
            req.Name or "", req.Cluster, protect=req.Protect or 0, restrict=req.Restrict or 0,
            description=(req.FileDesc or "") if req.UpdateDescription else None,
            user=self.user)
        return models.DFUInfoResponse(FileDetail=file_detail(
            self.files, info, req.Cluster, include_json=bool(req.IncludeJsonTypeInfo)))

    def DFUArrayAction(self, req):
        changes = req.Type in ("Delete", "Change Protection", "Change Restriction")
        for name in _items(req.LogicalFiles) or ():
            self.require_scope(name.split("@", 1)[0], Level.WRITE if changes else Level.READ)
        outcome = actions.array_action(
            self.files, req.Type, _items(req.LogicalFiles),
            remove_from_superfiles=bool(req.removeFromSuperfiles),
            remove_recursively=bool(req.removeRecursively), protect=req.Protect or 0,
            restrict=req.Restrict or 0, user=self.user)
        resp = models.DFUArrayActionResponse(
            ActionResults=models.ArrayOfDFUActionInfo(DFUActionInfo=[
                models.DFUActionInfo(FileName=r.file_name, NodeGroup=r.node_group,
                                     ActionResult=r.result, Failed=r.failed)
                for r in outcome.results]))
        if req.BackToPage:  # ESP escapes `&` itself and writes this response unescaped
            resp.BackToPage = req.BackToPage  # (encode(0)): clients read the request's text
        if outcome.redirect_to:
            resp.RedirectTo = outcome.redirect_to
        return resp

    def DFUFileView(self, req):
        scope, rows, count = FileQuery(self.files).scope_view(
            req.Scope or "", include_super_owners=bool(req.IncludeSuperOwner))
        resp = models.DFUFileViewResponse(
            Scope=scope, DFULogicalFiles=models.ArrayOfDFULogicalFile(
                DFULogicalFile=[logical_file(row) for row in rows]))
        if count > 0:
            resp.NumFiles = count
        return resp

    def DFUSpace(self, req):
        r = actions.space(self.files, req.CountBy, req.ScopeUnder, req.OwnerUnder,
                              req.Interval, req.StartDate, req.EndDate)
        if r.empty:
            return models.DFUSpaceResponse()
        items = [models.DFUSpaceItem(
            Name=i.name, NumOfFiles=comma(i.num_files), NumOfFilesUnknown=comma(i.num_unknown),
            TotalSize=comma(i.total_size), LargestFile=i.largest_file,
            LargestSize=comma(i.largest_size), SmallestFile=i.smallest_file,
            SmallestSize=comma(i.smallest_size), NumOfFilesInt64=i.num_files,
            NumOfFilesUnknownInt64=i.num_unknown, TotalSizeInt64=i.total_size,
            LargestSizeInt64=i.largest_size, SmallestSizeInt64=i.smallest_size)
            for i in r.items]
        return models.DFUSpaceResponse(
            CountBy=r.count_by, ScopeUnder=r.scope_under, OwnerUnder=r.owner_under,
            Interval=r.interval, StartDate=r.start_date, EndDate=r.end_date,
            DFUSpaceItems=models.ArrayOfDFUSpaceItem(DFUSpaceItem=items))

    def DFUSearch(self, req):
        clusters, types = actions.search_choices(self.files)
        resp = models.DFUSearchResponse(
            ClusterNames=models.DFUSearchResponse_ClusterNames(ClusterName=clusters),
            FileTypes=models.DFUSearchResponse_FileTypes(FileType=types))
        if req.ShowExample:
            resp.ShowExample = req.ShowExample
        return resp

    def DFUFileRename(self, req):
        items = [(i.OldName, i.NewName)
                 for i in (getattr(req.FileRenames, "DFUFileRenameItem", None) or [])]
        for old, new in items:
            self.require_scope(old, Level.WRITE)
            self.require_scope(new, Level.WRITE)
        results = actions.rename_files(self.files, items)
        return extra_models.DFUFileRenameResponse(
            Results=extra_models.ArrayOfDFUFileRenameResult(DFUFileRenameResult=[
                extra_models.DFUFileRenameResult(OldName=r.old_name, NewName=r.new_name,
                                                 Success=r.success, Message=r.message)
                for r in results]))
