"""Lets spyne 2.14 (the SOAP toolkit of the service layer) import on Python 3.12 and 3.13.

spyne 2.14 is the last release and has two problems on newer Pythons, both fixed here without
touching spyne's files, so that a maintained fork can later replace it by changing one line of
setup.cfg and deleting this module:

- Python 3.12 dropped the import system's fallback to ``find_module``. spyne bundles six 1.14
  (``spyne.util.six``), whose ``spyne.util.six.moves`` importer has only ``find_module`` and
  ``load_module``, so ``spyne.util.six.moves`` cannot be imported and ``import spyne`` fails.
  `SixMovesFinder` answers ``find_spec`` for exactly the names such an importer knows and hands
  the loading back to it (six 1.16 added the same methods upstream).
- Python 3.13 removed ``cgi`` from the standard library; spyne's SOAP and WSGI modules import it
  for ``cgi.parse_header``. setup.cfg installs ``legacy-cgi`` (the standard module, maintained
  apart) on 3.13 and later; `check_cgi` turns its absence into a message that says so.

`install()` is idempotent and runs when ``wsservices.esp`` is imported, which happens before any
spyne import: only modules of ``wsservices.esp`` import spyne (``tests/test_layout.py`` checks it).
On Python 3.11 it changes nothing.
"""
from __future__ import annotations

import importlib.util
import sys


class SixMovesFinder:
    """A ``sys.meta_path`` finder giving PEP 451 specs for the lazy modules of a bundled six that
    predates ``find_spec`` (``spyne.util.six.moves``, ``...moves.urllib``, ...)."""

    @staticmethod
    def _legacy_six_importer(fullname: str):
        for finder in sys.meta_path:
            if (hasattr(finder, "known_modules") and hasattr(finder, "load_module")
                    and not hasattr(finder, "find_spec") and fullname in finder.known_modules):
                return finder
        return None

    def find_spec(self, fullname, path=None, target=None):
        importer = self._legacy_six_importer(fullname)
        if importer is None:
            return None
        return importlib.util.spec_from_loader(fullname, _Loader(importer),
                                               is_package=importer.is_package(fullname))


class _Loader:
    """Loads a module through the old importer's ``load_module`` (which also puts it in
    ``sys.modules``); nothing is left to execute afterwards."""

    def __init__(self, importer):
        self.importer = importer

    def create_module(self, spec):
        return self.importer.load_module(spec.name)

    def exec_module(self, module) -> None:
        pass


def check_cgi() -> None:
    """Fail with a clear message when ``cgi`` is missing (Python 3.13+ without legacy-cgi)."""
    if importlib.util.find_spec("cgi") is None:
        raise ImportError("spyne needs the 'cgi' module, which Python 3.13 removed: "
                          "pip install legacy-cgi (hpccemu's setup.cfg installs it on 3.13+)")


def install() -> None:
    """Put `SixMovesFinder` first on ``sys.meta_path`` (3.12+) and check ``cgi`` (3.13+)."""
    if sys.version_info >= (3, 12) and not any(isinstance(f, SixMovesFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, SixMovesFinder())
    if sys.version_info >= (3, 13):
        check_cgi()
