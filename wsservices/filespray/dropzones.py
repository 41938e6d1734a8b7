"""FileSpray's landing-zone (drop-zone) methods."""
from __future__ import annotations


class DropZoneMethods:
    """DropZoneFiles, FileList, DropZoneFileSearch, DeleteDropZoneFiles, GetSprayTargets,
    GetDFUServerQueues, GetRemoteTargets, and the HTTP-only UploadFile and DownloadFile."""
