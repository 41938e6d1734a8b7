"""WsDfu: logical files, superfiles, protection, locks and data views.

Operations are implemented as methods named after them, grouped by concept in mixins (files,
superfiles, views, metadata); each reads its request, makes one engine call and builds the
response model. The rest of the contract (the direct-access DFUFileAccess/Create/Publish
family) answers "not implemented by this emulator yet". DFUFileRename (ECM 1.68) is served in
addition to the 1.65 contract (extra_models.py).

The engine behind it: `wsservices.engine.dali.catalog.catalog(cluster)` (logical files, with
``.superfiles`` and ``.locks``), dali/query.py, dali/actions.py, dali/filexml.py and fileview/.
"""
from __future__ import annotations

from functools import cached_property

from wsservices.engine.dali.actions import ANONYMOUS_USER
from wsservices.engine.dali.files import FileCatalog
from wsservices.engine.dali.catalog import catalog
from wsservices.esp.service import EspService
from wsservices.wsdfu import extra_models, models, versions
from wsservices.wsdfu.files import FileMethods
from wsservices.wsdfu.metadata import MetadataMethods
from wsservices.wsdfu.superfiles import SuperfileMethods
from wsservices.wsdfu.views import ViewMethods


class WsDfu(FileMethods, SuperfileMethods, ViewMethods, MetadataMethods, EspService):
    contract = models
    versions = versions
    extra_operations = extra_models.EXTRA_OPERATIONS
    nil_remove = frozenset({
        "DFUFileDetail", "DFUFilePartsOnCluster", "DFUFileProtect", "DFUDataColumn",
        "SuperfileActionResponse", "SuperfileListResponse", "AddtoSuperfileResponse",
        "SavexmlResponse", "AddResponse", "AddRemoteResponse", "DFUGetDataColumnsResponse",
        "DFUBrowseDataResponse", "DFUSearchDataResponse", "DFUGetFileMetaDataResponse",
        "ListHistoryResponse", "EraseHistoryResponse", "DFUFileRenameResponse"})

    @property
    def user(self) -> str:
        """The user ESP acts for: without authentication, Protect entries belong to ``hpcc``."""
        return self.authenticated_user or ANONYMOUS_USER

    @cached_property
    def files(self) -> FileCatalog:
        return catalog(self.cluster)
