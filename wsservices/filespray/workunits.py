"""FileSpray's DFU workunit methods."""
from __future__ import annotations


class WorkunitMethods:
    """GetDFUWorkunit(s), GetDFUProgress, Create/Update/Submit/Abort/Delete, DFUWUFile, ..."""
