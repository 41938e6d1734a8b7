"""What the package-map engine tests share besides the conftest fixtures: seeded files."""
from __future__ import annotations

from wsservices.engine.names import parse_logical_name


def add_file(store, name: str, superfile: bool = False) -> None:
    """Register a logical file the way the file catalogue does (only the columns needed here)."""
    ln = parse_logical_name(name)
    store.execute("INSERT INTO logical_files(name, scope, tail, is_superfile, modified) VALUES (?, ?, ?, ?, ?)",
                  (ln.name, ln.scope, ln.tail, int(superfile), "2024-01-01T00:00:00"))
