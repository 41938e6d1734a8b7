"""FileSpray's transfer methods: each validates the request and queues a DFU workunit."""
from __future__ import annotations

from wsservices.engine.access import Level
from wsservices.engine.dfu import requests as R
from wsservices.engine.dali.catalog import catalog
from wsservices.filespray import models


def _options(req, *names: str) -> dict:
    """The request's options that ESP stores on the workunit, by their DFU option names."""
    return {name: getattr(req, attr) for name, attr in names if getattr(req, attr, None) is not None}


SPRAY_OPTIONS = (("overwrite", "overwrite"), ("replicate", "replicate"), ("replicate_offset", "ReplicateOffset"),
                 ("nosplit", "nosplit"), ("prefix", "prefix"), ("norecover", "norecover"),
                 ("fail_if_no_source_file", "failIfNoSourceFile"),
                 ("record_structure_present", "recordStructurePresent"),
                 ("quoted_terminator", "quotedTerminator"), ("expire_days", "expireDays"),
                 ("throttle", "throttle"))


class TransferMethods:
    """SprayFixed, SprayVariable, Despray, Copy, Rename, Replicate."""

    def SprayFixed(self, req):
        self.require_scope(req.destLogicalName, Level.WRITE)
        def fmt():  # checked after the group, source, name and queue, as onSprayFixed does
            return R.fixed_format(req.sourceRecordSize, req.sourceFormat, bool(req.nosplit))
        wu = R.spray(self.cluster, self._spray_request(req, fmt, wrap=bool(req.wrap)))
        return models.SprayFixedResponse(wuid=wu.wuid)

    def SprayVariable(self, req):
        self.require_scope(req.destLogicalName, Level.WRITE)
        fmt = R.variable_format(req.sourceFormat, req.sourceMaxRecordSize, req.sourceRowTag, req.sourceRowPath,
                                bool(req.isJSON), bool(req.NoSourceCsvSeparator), req.sourceCsvSeparate,
                                req.sourceCsvTerminate, req.sourceCsvQuote, req.sourceCsvEscape,
                                bool(req.quotedTerminator), bool(req.recordStructurePresent))
        wu = R.spray(self.cluster, self._spray_request(req, fmt, wrap=False))
        return models.SprayResponse(wuid=wu.wuid)

    def _spray_request(self, req, source_format, wrap: bool) -> R.SprayRequest:
        options = _options(req, *SPRAY_OPTIONS)
        if isinstance(source_format, dict) and "row_tag" in source_format:
            options["keep_header"] = True
        return R.SprayRequest(source_ip=req.sourceIP, source_plane=req.sourcePlane, source_path=req.sourcePath,
                              dest_group=req.destGroup, dest_logical_name=req.destLogicalName,
                              dest_num_parts=req.destNumParts or 0, queue=req.DFUServerQueue,
                              source=source_format, options=options, compress=bool(req.compress), wrap=wrap,
                              user=self.authenticated_user or "")

    def Despray(self, req):
        self.require_scope(req.sourceLogicalName, Level.READ)
        options = _options(req, ("overwrite", "overwrite"), ("split_prefix", "splitprefix"),
                           ("norecover", "norecover"), ("multi_copy", "multiCopy"), ("throttle", "throttle"))
        wu = R.despray(self.cluster, req.sourceLogicalName, req.destPlane, req.destGroup, req.destIP,
                       req.destPath, req.DFUServerQueue, options, bool(req.wrap), compress=bool(req.compress))
        return models.DesprayResponse(wuid=wu.wuid)

    def Copy(self, req):
        self.require_scope(req.sourceLogicalName, Level.READ)
        self.require_scope(req.destLogicalName, Level.WRITE)
        options = _options(req, ("overwrite", "overwrite"), ("ensure", "ensure"), ("replicate", "replicate"),
                           ("nosplit", "nosplit"), ("wrap", "Wrap"),
                           ("preserve_compression", "preserveCompression"), ("expire_days", "ExpireDays"),
                           ("throttle", "throttle"))
        if (req.sourceDali or "").strip():
            wu = R.remote_copy(self.cluster, req.sourceLogicalName, req.destLogicalName, req.destGroup,
                               req.sourceDali, req.srcusername, req.srcpassword, req.DFUServerQueue, options,
                               compress=bool(req.compress), user=self.authenticated_user or "",
                               super_copy=bool(req.superCopy))
            return models.CopyResponse(result=wu.wuid)
        wu = R.copy(self.cluster, req.sourceLogicalName, req.destLogicalName, req.destGroup, req.sourceDali,
                    req.DFUServerQueue, options, 0, lookup=catalog(self.cluster).get,
                    compress=bool(req.compress), super_copy=bool(req.superCopy),
                    user=self.authenticated_user or "")
        return models.CopyResponse(result=wu.wuid)

    def Rename(self, req):
        self.require_scope(req.srcname, Level.WRITE)
        self.require_scope(req.dstname, Level.WRITE)
        wu = R.rename(self.cluster, req.srcname, req.dstname, bool(req.overwrite), req.DFUServerQueue)
        return models.RenameResponse(wuid=wu.wuid)

    def Replicate(self, req):
        self.require_scope(req.sourceLogicalName, Level.WRITE)
        wu = R.replicate(self.cluster, req.sourceLogicalName, req.replicateOffset or 1, req.cluster)
        return models.ReplicateResponse(wuid=wu.wuid)
