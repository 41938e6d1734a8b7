"""FileSpray: drop zones, spray, despray, copy and DFU workunits.

Operations are implemented as methods named after them, grouped by concept in mixins
(dropzones, workunits, transfers); the rest of the contract answers "not implemented by this
emulator yet".
"""
from __future__ import annotations

from wsservices.esp.service import EspService
from wsservices.filespray import models, versions
from wsservices.filespray.dropzones import DropZoneMethods
from wsservices.filespray.transfers import TransferMethods
from wsservices.filespray.workunits import WorkunitMethods


class FileSpray(DropZoneMethods, WorkunitMethods, TransferMethods, EspService):
    contract = models
    versions = versions
    nil_remove = frozenset({"DFUWorkunit", "GroupNode", "DFUActionResult", "DropZone",
                            "DropZoneFilesResponse", "DFUWorkunitsActionResponse",
                            "GetSprayTargetsResponse", "GetDFUServerQueuesResponse",
                            "GetRemoteTargetsResponse"})
