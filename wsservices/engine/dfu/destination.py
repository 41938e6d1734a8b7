"""The DFU server's refusals of a destination logical name, before anything is written.

Real texts (dali/dfu/dfurun.cpp constructDestinationName; dali/base/dadfs.cpp
checkLogicalName, which Dali runs when the DFU server attaches the new file):
* ``foreign::<dali>::...`` -> ``Destination cannot be foreign file``;
* ``file::``, ``plane::``, ``remote::`` -> ``cannot attach an external file name (<name>)``;
* ``{a,b}`` -> ``cannot attach a multi file name (<name>)``.
All are code -1 and fail the workunit. The real DFU server writes an external destination's
physical files before the attach fails; the emulator refuses before writing anything.
"""
from __future__ import annotations

from wsservices.engine.errors import DomainError
from wsservices.engine.names import parse_logical_name

DFU_ERROR = -1


def check_destination(name: str) -> None:
    """Raise the DFU server's error for a destination that cannot be a local logical file."""
    parsed = parse_logical_name(name)
    if parsed.is_foreign:
        raise DomainError("Destination cannot be foreign file", DFU_ERROR)
    if parsed.is_external:
        raise DomainError(f"cannot attach an external file name ({parsed.name})", DFU_ERROR)
    if parsed.is_multi:
        raise DomainError(f"cannot attach a multi file name ({parsed.name})", DFU_ERROR)
