"""spyne on Python 3.11, 3.12 and 3.13 (wsservices.esp.spynecompat): one test per version, each
running only on its own Python (CI runs the suite on all three), plus the finder itself."""
from __future__ import annotations

import subprocess
import sys
import types

import pytest

from wsservices.esp import spynecompat

PY = sys.version_info[:2]


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_spyne_serves_through_the_esp_layer_on_this_python():
    done = _python("import wsservices.app, spyne.util.six.moves.collections_abc as c, spyne.protocol.soap\n"
                   "print(c.MutableSet.__name__)")
    assert (done.returncode, done.stdout.strip()) == (0, "MutableSet"), done.stderr


@pytest.mark.skipif(PY != (3, 11), reason="Python 3.11 only")
def test_python_3_11_needs_no_change():
    done = _python("import sys, spyne.server.wsgi\n"
                   "from wsservices.esp import spynecompat\n"
                   "print([type(f).__name__ for f in sys.meta_path].count('SixMovesFinder'))")
    assert (done.returncode, done.stdout.strip()) == (0, "0"), done.stderr


@pytest.mark.skipif(PY != (3, 12), reason="Python 3.12 only")
def test_python_3_12_needs_the_finder_for_six_moves():
    bare = _python("import spyne")
    assert bare.returncode != 0 and "No module named 'spyne.util.six.moves'" in bare.stderr
    fixed = _python("from wsservices.esp import spynecompat\nimport spyne.server.wsgi\nprint('ok')")
    assert (fixed.returncode, fixed.stdout.strip()) == (0, "ok"), fixed.stderr


@pytest.mark.skipif(PY < (3, 13), reason="Python 3.13 and later")
def test_python_3_13_gets_cgi_from_legacy_cgi():
    from importlib.metadata import distribution

    assert "cgi.py" in {p.name for p in distribution("legacy-cgi").files}
    done = _python("import sys\nsys.modules['cgi'] = None\nfrom wsservices.esp import spynecompat")
    assert done.returncode != 0 and "pip install legacy-cgi" in done.stderr
    fixed = _python("from wsservices.esp import spynecompat\nimport spyne.protocol.soap, cgi\n"
                    "print(cgi.parse_header('text/xml; charset=utf-8'))")
    assert (fixed.returncode, fixed.stdout.strip()) == (0, "('text/xml', {'charset': 'utf-8'})"), fixed.stderr


class LegacyImporter:
    """A six-1.14-style importer: find_module/load_module only."""

    def __init__(self, prefix: str):
        self.known_modules = {f"{prefix}.moves": types.ModuleType(f"{prefix}.moves")}
        self.known_modules[f"{prefix}.moves"].answer = 42
        self.loaded: list[str] = []

    def find_module(self, fullname, path=None):
        return self if fullname in self.known_modules else None

    def load_module(self, fullname):
        self.loaded.append(fullname)
        module = sys.modules[fullname] = self.known_modules[fullname]
        return module

    def is_package(self, fullname):
        return False


def test_the_finder_loads_through_a_legacy_importer(monkeypatch):
    importer = LegacyImporter("compat_probe_six")
    finder = spynecompat.SixMovesFinder()
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path, importer])
    monkeypatch.setitem(sys.modules, "compat_probe_six", types.ModuleType("compat_probe_six"))
    sys.modules["compat_probe_six"].__path__ = []
    monkeypatch.delitem(sys.modules, "compat_probe_six.moves", raising=False)
    import importlib

    module = importlib.import_module("compat_probe_six.moves")
    assert (module.answer, importer.loaded) == (42, ["compat_probe_six.moves"])
    assert finder.find_spec("compat_probe_six.other") is None
    sys.modules.pop("compat_probe_six.moves", None)


def test_install_is_idempotent():
    before = [type(f).__name__ for f in sys.meta_path].count("SixMovesFinder")
    spynecompat.install()
    spynecompat.install()
    assert [type(f).__name__ for f in sys.meta_path].count("SixMovesFinder") == before == (1 if PY >= (3, 12) else 0)
