"""The jobs the DFU server runs, one per DFU command (spray, despray, copy, rename, replicate).

Each job takes a `JobContext` (its workunit, progress reporting, the abort flag) and either
returns (finished) or raises a DomainError with the DFU server's text (failed).
"""
from __future__ import annotations

from typing import Callable

JOBS: dict[int, Callable] = {}
