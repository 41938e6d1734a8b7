"""WsDfu's metadata methods: Savexml, Add, AddRemote, ListHistory, EraseHistory."""
from __future__ import annotations

from wsservices.engine.dali import filexml
from wsservices.wsdfu import models


def _history(records):
    return [models.History(Name=h.name, Operation=h.operation, Timestamp=h.timestamp, IP=h.ip,
                           Path=h.path, Owner=h.owner, Workunit=h.workunit) for h in records]


def _bytes(value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, (list, tuple)):
        return b"".join(value)
    return bytes(value)


class MetadataMethods:
    """Savexml, Add, AddRemote, ListHistory, EraseHistory."""

    def Savexml(self, req):
        return models.SavexmlResponse(xmlmap=[filexml.file_xml(self.files, req.name)])

    def Add(self, req):
        filexml.add_file_xml(self.files, req.dstname, _bytes(req.xmlmap), req.dstcluster)
        return models.AddResponse()

    def AddRemote(self, req):
        filexml.add_remote(self.files, req.dstname, req.srcname, req.srcdali)
        return models.AddRemoteResponse()

    def ListHistory(self, req):
        records = filexml.list_history(self.files, req.Name)
        resp = models.ListHistoryResponse()
        if records:
            resp.History = models.ListHistoryResponse_History(Origin=_history(records))
        return resp

    def EraseHistory(self, req):
        records = filexml.list_history(self.files, req.Name, erase=True)
        resp = models.EraseHistoryResponse()
        if records:
            resp.History = models.EraseHistoryResponse_History(Origin=_history(records))
        return resp
