"""WsDfu's superfile methods."""
from __future__ import annotations

from wsservices.engine.access import Level
from wsservices.wsdfu import models


def _items(array) -> list[str]:
    return [i for i in (getattr(array, "Item", None) or []) if i is not None]


def _split(text: str | None) -> list[str]:
    """ws_dfuService.cpp parseStringArray: split at commas, nothing trimmed; a trailing comma
    adds no empty name, one between two commas does."""
    if not text:
        return []
    parts = text.split(",")
    return parts[:-1] if parts[-1] == "" else parts


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
        """ws_dfuService.cpp onAddtoSuperfile, by client version: from 1.16 the subfiles are
        `names` and the comma-separated `Subfiles` is only echoed (before, `Subfiles` is the
        list); BackToPage is echoed from 1.18; SubfileNames (from 1.16) only lists `Subfiles`
        when no superfile is given (ECL Watch's form pre-fill: nothing changes)."""
        version = self.client_version
        newer = version is None or version > 1.15  # None: ESP's -1 would read Subfiles; every field here
        resp = models.AddtoSuperfileResponse(Subfiles=req.Subfiles)
        if (version is None or version > 1.17) and req.BackToPage:
            resp.BackToPage = req.BackToPage
        if not (req.Superfile or "").strip():
            listed = _split(req.Subfiles)
            if newer and listed:
                resp.SubfileNames = models.AddtoSuperfileResponse_SubfileNames(SubfileName=listed)
            return resp
        names = _items(req.names) if newer else _split(req.Subfiles)
        self.files.superfiles.add_to_superfile(req.Superfile, names, existing_file=bool(req.ExistingFile))
        return resp
