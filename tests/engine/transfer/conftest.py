"""Helpers for the transfer-engine tests: write sources, plan, materialise the parts."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from wsservices.engine.dfu.transfer import (OpenFiles, PartFile, SourceFile, plan_despray, plan_spray,
                                            write_segments)


class Sprayer:
    def __init__(self, tmp_path: Path):
        self.dir = tmp_path
        self.count = 0

    def write(self, data: bytes, name: str | None = None) -> Path:
        self.count += 1
        p = self.dir / (name or f"src{self.count}.dat")
        p.write_bytes(data)
        return p

    def __call__(self, data, fmt, num_parts: int, **kw):
        """Spray ``data`` (bytes, or a list of bytes for several sources); returns
        ``(plan, [part bytes])``."""
        blobs = data if isinstance(data, list) else [data]
        paths = [self.write(b) for b in blobs]
        plan = plan_spray([SourceFile(str(p)) for p in paths], fmt, num_parts, **kw)
        parts = []
        for part in plan.parts:
            out = io.BytesIO()
            with OpenFiles([str(p) for p in paths]) as files:
                written, _ = write_segments(part.segments, files, out)
            assert written == part.size == len(out.getvalue())
            parts.append(out.getvalue())
        return plan, parts

    def despray(self, parts: list[bytes], plan=None, kind: str = "flat", **kw) -> bytes:
        """Despray part bytes (header/footer lengths from ``plan``) into one file."""
        files = []
        for k, data in enumerate(parts):
            p = self.dir / f"part{self.count}_{k}"
            p.write_bytes(data)
            h = plan.parts[k].header_length if plan else 0
            f = plan.parts[k].footer_length if plan else 0
            files.append(PartFile(str(p), len(data), h, f))
        targets = plan_despray(files, str(self.dir / "out.dat"), kind=kind,
                               text_format=plan.text_format if plan else None, **kw)
        assert len(targets) == 1
        out = io.BytesIO()
        with OpenFiles([f.path for f in files]) as opened:
            write_segments(targets[0].segments, opened, out)
        assert len(out.getvalue()) == targets[0].size
        return out.getvalue()


@pytest.fixture
def spray(tmp_path) -> Sprayer:
    return Sprayer(tmp_path)
