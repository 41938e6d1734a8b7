"""WsPackageProcess: Roxie package maps and package-map parts (packageprocess.md §3).

Each method reads its fields, makes one call to the package-map engine and builds the response.
Engine errors become ESP's inline Exceptions in the ESP layer; only GetPackageMapById and
GetPackageMapSelectOptions report their own failures as ``status`` Code -1 (§2), as real ESP does.

Not emulated: the user-name prefix of Echo (no authentication), per-client-version layouts
(ValidatePackage below 1.04, ListPackages' Process/Description below 1.01), the legacy HTTP
multipart upload of package maps.
"""
from __future__ import annotations

from functools import cached_property

from wsservices.engine.errors import DomainError
from wsservices.engine.packagemaps.maps import MapRef, PackageMaps, UpdateOptions
from wsservices.esp.service import EspService
from wsservices.packageprocess import models, remote, versions


def _status(code: int = 0, description: str | None = None):
    return models.BasePackageStatus(Code=code, Description=description)


def _items(array) -> list[str]:
    return [s or "" for s in (array.Item or [])] if array is not None else []


def _strings(values) -> models.EspStringArray:
    return models.EspStringArray(Item=list(values))


def _options(req) -> UpdateOptions:
    """The fields AddPackage, AddPartToPackageMap and CopyPackageMap share (ecm defaults are
    already applied by the request model)."""
    return UpdateOptions(
        process=req.Process or "", global_scope=bool(req.GlobalScope), dali_ip=req.DaliIp or "",
        source_process=req.SourceProcess or "", remote_storage=req.RemoteStorage or "",
        allow_foreign_files=bool(getattr(req, "AllowForeignFiles", True)),
        preload_all=bool(req.PreloadAllPackages), update_superfiles=bool(req.UpdateSuperFiles),
        update_clone_from=bool(req.UpdateCloneFrom), append_cluster=bool(req.AppendCluster),
        dfu_copy_files=bool(req.DfuCopyFiles), only_copy_files=bool(req.OnlyCopyFiles),
        stop_if_files_copied=bool(req.StopIfFilesCopied), publisher_wuid=req.DfuPublisherWuid or "")


def _listing(m) -> models.PackageListMapData:
    packages = [models.PackageListData(Id=pid, Queries=queries) for pid, queries in m.packages]
    return models.PackageListMapData(Id=m.id, Target=m.target, Process=m.process,
                                     PkgListData=models.ArrayOfPackageListData(PackageListData=packages),
                                     Active=m.active, Description=m.description)


class WsPackageProcess(EspService):
    contract = models
    versions = versions
    nil_remove = frozenset({"ListPackagesRequest", "ListPackagesResponse"})
    #: ws_packageprocessService.cpp: only onValidatePackage catches with FORWARDEXCEPTION; the
    #: other methods let the exception reach the binding, which writes its message unchanged
    timestamped_operations = frozenset({"ValidatePackage"})

    @cached_property
    def packagemaps(self) -> PackageMaps:
        return PackageMaps.for_cluster(self.cluster)

    def Echo(self, req):
        """Echo returns the request's `Request` text unchanged (no user prefix: no auth)."""
        return models.EchoResponse(Response=req.Request)

    # -- maps -------------------------------------------------------------------------------------
    def AddPackage(self, req):
        result = self.packagemaps.add(req.Target, req.PackageMap, req.Info, activate=bool(req.Activate),
                                      overwrite=bool(req.OverWrite), options=_options(req))
        return models.AddPackageResponse(
            status=_status(0, result.description),
            FilesNotFound=models.AddPackageResponse_FilesNotFound(File=result.files_not_found),
            DfuPublisherWuid=result.publisher_wuid, DfuPublisherState=result.publisher_state)

    def CopyPackageMap(self, req):
        result = self.packagemaps.copy(
            req.SourcePath, req.Target, pmid=req.PMID or "", activate=bool(req.Activate),
            replace=bool(req.ReplacePackageMap), options=_options(req),
            fetch_remote=remote.fetcher(req.RemoteUserName or "", req.RemotePassword or "",
                                        self.cluster.settings.remotes, self.cluster.settings.outbound_timeout))
        return models.CopyPackageMapResponse(
            status=_status(0, result.description),
            FilesNotFound=models.CopyPackageMapResponse_FilesNotFound(File=result.files_not_found),
            DfuPublisherWuid=result.publisher_wuid, DfuPublisherState=result.publisher_state)

    def DeletePackage(self, req):
        batch = [MapRef(e.Id or "", e.Target or "", e.Process or "")
                 for e in ((req.PackageMaps.PackageMap or []) if req.PackageMaps is not None else [])]
        description = self.packagemaps.delete(req.Target, req.PackageMap, process=req.Process or "",
                                              global_scope=bool(req.GlobalScope), batch=batch)
        return models.DeletePackageResponse(status=_status(0, description))

    def ActivatePackage(self, req):
        self.packagemaps.activate(req.Target, req.PackageMap, process=req.Process or "",
                                  global_scope=bool(req.GlobalScope))
        return models.ActivatePackageResponse(status=_status(0))

    def DeActivatePackage(self, req):
        self.packagemaps.deactivate(req.Target, req.PackageMap, process=req.Process or "",
                                    global_scope=bool(req.GlobalScope))
        return models.DeActivatePackageResponse(status=_status(0))

    def ListPackage(self, req):
        maps = self.packagemaps.list_set(req.Target or "", req.Process or "")
        return models.ListPackageResponse(
            status=_status(0),
            PkgListMapData=models.ArrayOfPackageListMapData(PackageListMapData=[_listing(m) for m in maps]))

    def ListPackages(self, req):
        maps = self.packagemaps.list_sets(req.Target or "", req.Process or "", req.ProcessFilter or "")
        listing = models.ArrayOfPackageListMapData(PackageListMapData=[_listing(m) for m in maps])
        return models.ListPackagesResponse(status=_status(0), PackageMapList=listing if maps else None)

    def GetPackage(self, req):
        info = self.packagemaps.get_active(req.Target or "", req.Process or "")
        return models.GetPackageResponse(status=_status(0), Info=info)

    def GetPackageMapById(self, req):
        try:
            info = self.packagemaps.get_by_id(req.PackageMapId or "")
        except DomainError as exc:
            return models.GetPackageMapByIdResponse(status=_status(-1, exc.message))
        return models.GetPackageMapByIdResponse(status=_status(0), Info=info)

    def GetPackageMapSelectOptions(self, req):
        try:
            options = self.packagemaps.select_options(bool(req.IncludeTargets), bool(req.IncludeProcesses),
                                                      bool(req.IncludeProcessFilters))
        except DomainError as exc:
            return models.GetPackageMapSelectOptionsResponse(status=_status(-1, exc.message))
        targets = None
        if options.targets is not None:
            targets = models.ArrayOfTargetData(TargetData=[
                models.TargetData(Name=t.name, Type=t.type,
                                  Processes=_strings(t.processes) if t.processes is not None else None)
                for t in options.targets])
        filters = _strings(options.process_filters) if options.process_filters is not None else None
        return models.GetPackageMapSelectOptionsResponse(status=_status(0), Targets=targets,
                                                         ProcessFilters=filters)

    # -- validation and file mapping ----------------------------------------------------------------
    def ValidatePackage(self, req):
        results = self.packagemaps.validate(
            req.Target or "", info=req.Info or "", pmid=req.PMID or "", active=bool(req.Active),
            query_id=req.QueryIdToVerify or "", queries_to_verify=_items(req.QueriesToVerify),
            queries_to_ignore=_items(req.QueriesToIgnore), check_dfs=bool(req.CheckDFS),
            global_scope=bool(req.GlobalScope), ignore_warnings=bool(req.IgnoreWarnings),
            ignore_optional_files=bool(req.IgnoreOptionalFiles))
        return models.ValidatePackageResponse(Results=models.ValidatePackageResponse_Results(Result=[
            models.ValidateResult(
                Target=r.target, PMID=r.pmid, Warnings=_strings(r.warnings), Errors=_strings(r.errors),
                packages=models.ValidatePackageInfo(Unmatched=_strings(r.unmatched_packages)),
                queries=models.ValidatePackageQueries(Unmatched=_strings(r.unmatched_queries)),
                files=models.ValidatePackageFiles(
                    Unmatched=_strings(r.unmatched_files),
                    NotInDFS=models.ValidatePackageFiles_NotInDFS(File=r.not_in_dfs)))
            for r in results]))

    def GetQueryFileMapping(self, req):
        mapping = self.packagemaps.query_file_mapping(req.Target or "", req.QueryName or "",
                                                      pmid=req.PMID or "", global_scope=bool(req.GlobalScope))
        return models.GetQueryFileMappingResponse(
            UnmappedFiles=models.GetQueryFileMappingResponse_UnmappedFiles(File=mapping.unmapped),
            SuperFiles=models.ArrayOfSuperFile(SuperFile=[
                models.SuperFile(Name=name, SubFiles=models.SuperFile_SubFiles(File=subs))
                for name, subs in mapping.superfiles]))

    # -- parts --------------------------------------------------------------------------------------
    def AddPartToPackageMap(self, req):
        result = self.packagemaps.add_part(req.Target, req.PackageMap, req.PartName, req.Content,
                                           delete_previous=bool(req.DeletePrevious), options=_options(req))
        return models.AddPartToPackageMapResponse(
            status=_status(0, result.description),
            FilesNotFound=models.AddPartToPackageMapResponse_FilesNotFound(File=result.files_not_found),
            DfuPublisherWuid=result.publisher_wuid, DfuPublisherState=result.publisher_state)

    def RemovePartFromPackageMap(self, req):
        description = self.packagemaps.remove_part(req.Target, req.PackageMap, req.PartName,
                                                   global_scope=bool(req.GlobalScope))
        return models.RemovePartFromPackageMapResponse(status=_status(0, description))

    def GetPartFromPackageMap(self, req):
        content = self.packagemaps.get_part(req.Target, req.PackageMap, req.PartName,
                                            global_scope=bool(req.GlobalScope))
        return models.GetPartFromPackageMapResponse(status=_status(0), Content=content)
