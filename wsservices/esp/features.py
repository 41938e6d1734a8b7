"""The feature permission each emulated method needs, as ESP checks it (esp-protocol.md A.9).

Two kinds, both taken from the HPCC source:

* checked in the service code (``context.ensureFeatureAccess`` in ws_fsService.cpp and
  ws_dfuService.cpp): a denial is ``Resource <Feature> : <message>`` with an ECL Watch code;
* declared in the ECM (``auth_feature("DfuAccess:READ")`` in ws_dfu.ecm, ws_packageprocess.ecm)
  and checked by the generated dispatcher: a denial is code -1,
  ``<Service>::<Method> access denied - Required features: <Feature>:<Level>.``

WsDFUXRef's DFUXRefArrayAction has both: the ECM's ``DfuXrefAccess:access``, then the code's
Full. Methods in neither list (Ping, Echo, ListHistory, ...) need nothing. Not emulated: the
``CodeSignAccess`` check of DFUArrayAction and EclRecordTypeInfo (only for signed ECL), and
``DfuExceptionsAccess`` (GetDFUExceptions is not implemented).
"""
from __future__ import annotations

from dataclasses import dataclass

from wsservices.engine import codes
from wsservices.engine.access import Level
from wsservices.engine.errors import PermissionDenied

R, W, F, A = Level.READ, Level.WRITE, Level.FULL, Level.ACCESS


@dataclass(frozen=True)
class Requirement:
    feature: str
    level: Level
    code: int | None = None      # None: declared in the ECM (dispatcher's code -1 and text)
    message: str = ""
    then: "Requirement | None" = None   # checked next (the service code after the dispatcher)

    def denial(self, service: str, method: str) -> PermissionDenied:
        if self.code is None:
            return PermissionDenied(f"{service}::{method} access denied - Required features: "
                                    f"{self.feature}:{self.level.title}.", codes.GENERIC_ERROR)
        return PermissionDenied(f"Resource {self.feature} : {self.message}", self.code)


def _wu(level: Level, message: str) -> Requirement:
    return Requirement("DfuWorkunitsAccess", level, codes.ECLWATCH_DFU_WU_ACCESS_DENIED, message)


def _spray(level: Level, message: str) -> Requirement:
    return Requirement("FileSprayAccess", level, codes.ECLWATCH_FILE_SPRAY_ACCESS_DENIED, message)


def _xref(level: Level, method: str, ecm: Level | None = None) -> Requirement:
    """ws_dfuXRefService.cpp's check; ``ecm``: the ECM's ``auth_feature`` checked before it."""
    code = Requirement("DfuXrefAccess", level, codes.ECLWATCH_DFU_XREF_ACCESS_DENIED,
                       f"WsDfuXRef::{method}: Permission denied.")
    return code if ecm is None else Requirement("DfuXrefAccess", ecm, then=code)


def _dfu(level: Level, method: str) -> Requirement:
    return Requirement("DfuAccess", level, codes.ECLWATCH_DFU_ACCESS_DENIED, f"WsDfu::{method}: Permission denied.")


_WU_READ = _wu(R, "Access to DFU workunit is denied.")
_DENIED = "Permission denied."

REQUIREMENTS: dict[str, dict[str, Requirement]] = {
    "FileSpray": {
        "DFUWUSearch": _WU_READ, "GetDFUWorkunits": _WU_READ, "GetDFUWorkunit": _WU_READ,
        "GetDFUProgress": _WU_READ, "DFUWUFile": _WU_READ,
        "CreateDFUWorkunit": _wu(W, "Failed to create DFU workunit. Permission denied."),
        "CreateDFUPublisherWorkunit": _wu(W, "Failed to create DFU Publisher workunit. Permission denied."),
        "UpdateDFUWorkunit": _wu(W, "Failed to update DFU workunit. Permission denied."),
        "DFUWorkunitsAction": _wu(W, "Failed to update DFU workunit. Permission denied."),
        "DeleteDFUWorkunits": _wu(W, "Failed to delete DFU workunit. Permission denied."),
        "DeleteDFUWorkunit": _wu(W, "Failed to delete DFU workunit. Permission denied."),
        "SubmitDFUWorkunit": _wu(W, "Failed to submit DFU workunit. Permission denied."),
        "AbortDFUWorkunit": _wu(W, "Failed to abort DFU workunit. Permission denied."),
        "SprayFixed": _spray(W, "Failed to do Spray. Permission denied."),
        "SprayVariable": _spray(W, "Failed to do Spray. Permission denied."),
        "Replicate": _spray(W, "Failed to do Replicate. Permission denied."),
        "Copy": _spray(W, "Failed to do Copy. Permission denied."),
        "Rename": _spray(W, "Failed to do Rename. Permission denied."),
        "Despray": Requirement("FileDesprayAccess", W, codes.ECLWATCH_FILE_DESPRAY_ACCESS_DENIED,
                               "Failed to do Despray. Permission denied."),
        "FileList": _spray(R, "Failed to do FileList. Permission denied."),
        "DropZoneFileSearch": _spray(A, "Failed to do FileList. Permission denied."),
        "DfuMonitor": _spray(R, "Failed to do DfuMonitor. Permission denied."),
        "OpenSave": _spray(R, _DENIED), "DropZoneFiles": _spray(R, _DENIED),
        "DeleteDropZoneFiles": _spray(F, _DENIED), "GetSprayTargets": _spray(R, _DENIED),
        "GetDFUServerQueues": _spray(R, _DENIED), "GetRemoteTargets": _spray(R, _DENIED),
        # HTTP-only methods (ws_fsBinding.cpp, httpbinding.cpp onStartUpload)
        "DownloadFile": _spray(F, "Failed to download file. Permission denied."),
        "UploadFile": Requirement("FileUploadAccess", F, codes.GENERIC_ERROR, _DENIED),
    },
    "WsDfu": {
        **{m: _dfu(R, m) for m in ("DFUSearch", "DFUQuery", "DFUInfo", "DFUSpace", "DFUDefFile",
                                   "DFURecordTypeInfo", "DFUFileView", "DFUGetDataColumns",
                                   "DFUSearchData", "DFUBrowseData")},
        "DFUGetMetaInquiry": _dfu(R, "onDFUGetMetaInquiry"),
        **{m: _dfu(W, m) for m in ("AddtoSuperfile", "DFUArrayAction", "SuperfileAction",
                                   "DFUFileRename")},
        "EraseHistory": _dfu(F, "EraseHistory"),
        **{m: Requirement("DfuAccess", R) for m in ("DFUGetFileMetaData", "SuperfileList", "Savexml",
                                                   "DFUFileAccess", "DFUFileAccessV2")},
        **{m: Requirement("DfuAccess", W) for m in ("Add", "AddRemote")},
        **{m: Requirement("DfuAccess", F) for m in ("DFUFilePublish", "DFUFileCreate", "DFUFileCreateV2")},
    },
    "WsPackageProcess": {
        **{m: Requirement("PackageMapAccess", R) for m in (
            "ListPackage", "ListPackages", "GetPackage", "GetPackageMapById", "ValidatePackage",
            "GetQueryFileMapping", "GetPackageMapSelectOptions", "GetPartFromPackageMap")},
        **{m: Requirement("PackageMapAccess", W) for m in (
            "AddPackage", "CopyPackageMap", "ActivatePackage", "DeActivatePackage",
            "AddPartToPackageMap", "RemovePartFromPackageMap")},
        "DeletePackage": Requirement("PackageMapAccess", F),
    },
    "WsDFUXRef": {
        **{m: _xref(R, m) for m in ("DFUXRefList", "DFUXRefLostFiles", "DFUXRefFoundFiles",
                                   "DFUXRefOrphanFiles", "DFUXRefMessages", "DFUXRefDirectories")},
        **{m: _xref(F, m) for m in ("DFUXRefBuild", "DFUXRefBuildCancel")},
        "DFUXRefCleanDirectories": _xref(W, "DFUXRefCleanDirectories"),
        "DFUXRefArrayAction": _xref(F, "DFUXRefArrayAction", ecm=A),
        "DFUXRefUnusedFiles": Requirement("DfuXrefAccess", A),
    },
}
# DFUFileRename is ECM-declared (DfuAccess:WRITE) *and* code-checked; the dispatcher runs first
REQUIREMENTS["WsDfu"]["DFUFileRename"] = Requirement("DfuAccess", W)


def requirement(service: str, method: str) -> Requirement | None:
    return REQUIREMENTS.get(service, {}).get(method)
