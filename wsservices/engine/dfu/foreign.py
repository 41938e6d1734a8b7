"""Copy from another environment (FileSpray Copy with ``sourceDali``): what the DFU server needs
from a foreign Dali, and the real errors when it cannot have it.

The engine makes no network calls itself: ``cluster.foreign_dali(address, user, password)``
(set by the application, wsservices/filespray/foreign.py) returns a `ForeignDali` for a
declared remote environment, or raises `ForeignDaliError`. Errors, from dali/base/dadfs.cpp:

* the remote cannot be reached, or does not answer within the timeout:
  ``DFS Exception: 7: Timeout connecting to Dali Server on <host:port>`` (DFSERR_ForeignDaliTimeout);
* it refuses the credentials: ``DFS Exception: 3 Lookup access denied for scope <scope> at Dali
  <host>`` (DFSERR_LookupAccessDenied);
* an address that is no declared remote environment is refused before any connection.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..errors import DomainError

DFSERR_LOOKUP_ACCESS_DENIED = 3
DFSERR_FOREIGN_DALI_TIMEOUT = 7


class ForeignDaliError(DomainError):
    @classmethod
    def timeout(cls, endpoint: str) -> "ForeignDaliError":
        return cls(f"DFS Exception: {DFSERR_FOREIGN_DALI_TIMEOUT}: Timeout connecting to Dali Server on {endpoint}",
                   DFSERR_FOREIGN_DALI_TIMEOUT)

    @classmethod
    def access_denied(cls, scope: str, host: str) -> "ForeignDaliError":
        return cls(f"DFS Exception: {DFSERR_LOOKUP_ACCESS_DENIED} Lookup access denied for scope {scope} at Dali {host}",
                   DFSERR_LOOKUP_ACCESS_DENIED)

    @classmethod
    def undeclared(cls, address: str) -> "ForeignDaliError":
        return cls(f"Cannot copy from {address}: not a remote environment declared in this emulator's "
                   "configuration ([[remote]]).", -1)


class ForeignDali(Protocol):
    endpoint: str   # host:port as the foreign name shows it

    def lookup(self, name: str) -> dict | None:
        """The file's description (see wsservices/control_dafilesrv.py), None when it does not exist."""

    def read_part(self, name: str, number: int, target: Path) -> int:
        """Write part ``number``'s stored bytes into ``target`` (fsynced); returns their count."""


def foreign_name(endpoint: str, name: str) -> str:
    """``foreign::<ip:port>::scope::name``, as ESP names a file of another Dali."""
    return f"foreign::{endpoint}::{name.strip().lstrip('~')}"
