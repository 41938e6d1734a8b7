"""WsPackageProcess: Roxie package maps and package-map parts.

Operations are implemented as methods named after them; the rest of the contract answers
"not implemented by this emulator yet".
"""
from __future__ import annotations

from wsservices.esp.service import EspService
from wsservices.packageprocess import models


class WsPackageProcess(EspService):
    contract = models

    def Echo(self, req):
        """Echo returns the request's `Request` text unchanged."""
        return models.EchoResponse(Response=req.Request)
