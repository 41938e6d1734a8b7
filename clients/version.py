"""The installed hpccemu version, read from the distribution's metadata (so the clients need no
server module to know it)."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("hpccemu")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "unknown"
