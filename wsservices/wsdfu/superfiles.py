"""WsDfu's superfile methods."""
from __future__ import annotations

from wsservices.engine.access import Level
from wsservices.wsdfu import models


def _items(array) -> list[str]:
    return [i for i in (getattr(array, "Item", None) or []) if i is not None]


class SuperfileMethods:
    """SuperfileList, SuperfileAction, AddtoSuperfile."""

    def SuperfileList(self, req):
        subfiles = self.files.superfiles.list(req.superfile or "")
        resp = models.SuperfileListResponse(superfile=req.superfile)
        if subfiles:
            resp.subfiles = models.EspStringArray(Item=subfiles)
        return resp

    def SuperfileAction(self, req):
        self.require_scope(req.superfile, Level.WRITE)
        retcode = self.files.superfiles.action(
            req.action, req.superfile, _items(req.subfiles), req.before or "",
            delete=bool(req.delete), remove_superfile=bool(req.removeSuperfile))
        return models.SuperfileActionResponse(superfile=req.superfile, retcode=retcode)

    def AddtoSuperfile(self, req):
        names = _items(req.names) or [s.strip() for s in (req.Subfiles or "").split(",") if s.strip()]
        resp = models.AddtoSuperfileResponse(Subfiles=req.Subfiles, BackToPage=req.BackToPage)
        if not (req.Superfile or "").strip():  # ECL Watch's form pre-fill: nothing changes
            listed = [s for s in (req.Subfiles or "").split(",") if s]
            if listed:
                resp.SubfileNames = models.AddtoSuperfileResponse_SubfileNames(SubfileName=listed)
            return resp
        added = self.files.superfiles.add_to_superfile(req.Superfile, names,
                                                       existing_file=bool(req.ExistingFile))
        if added:
            resp.SubfileNames = models.AddtoSuperfileResponse_SubfileNames(SubfileName=added)
        return resp
