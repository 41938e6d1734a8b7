"""WsDfu: logical files, superfiles, protection, locks and data views.

Operations are implemented as methods named after them; the rest of the contract answers
"not implemented by this emulator yet".
"""
from __future__ import annotations

from wsservices.esp.service import EspService
from wsservices.wsdfu import models


class WsDfu(EspService):
    contract = models
