"""FileSpray's transfer methods: each validates the request and queues a DFU workunit."""
from __future__ import annotations


class TransferMethods:
    """SprayFixed, SprayVariable, Despray, Copy, Rename, Replicate."""
