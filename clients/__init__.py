"""hpccemu: clients and test helpers for HPCC Systems' data-handling ESP services.

Installed as the `hpccemu` package (the source folder is `clients/`). Importing it is cheap:
the clients (zeep) and the emulator load on first use, so the pytest plugin stays light.

    from hpccemu import HPCCClient, EspError
"""
from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

logging.getLogger(__name__).addHandler(logging.NullHandler())

_EXPORTS = {
    "HPCCClient": "client", "FileSprayClient": "filespray", "WsDfuClient": "wsdfu",
    "PackageProcessClient": "packages", "DfuJob": "jobs", "DfuWorkunit": "jobs",
    "HPCCError": "errors", "EspError": "errors", "EspException": "errors", "DfuJobFailed": "errors",
    "DfuTimeout": "errors", "EspConnectionError": "errors", "ThreadedEmulator": "testing", "Seeder": "seed",
    "apply_seed_file": "seedfile", "load_seed_file": "seedfile", "SeedFileError": "seedfile",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hpccemu' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
