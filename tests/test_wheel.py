"""The wheel `pip install` builds carries everything the server and clients load at run time
(code, WSDLs, console files): an install without the source tree works."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_every_runtime_file(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("hpccemu-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = {f"wsservices/{p.relative_to(ROOT / 'wsservices')}" for p in (ROOT / "wsservices").rglob("*")
              if p.is_file() and p.suffix != ".pyc" and "__pycache__" not in p.parts}
    needed |= {f"hpccemu/{p.relative_to(ROOT / 'clients')}" for p in (ROOT / "clients").rglob("*")
               if p.is_file() and p.suffix != ".pyc" and "__pycache__" not in p.parts}
    assert sorted(needed - names) == []
