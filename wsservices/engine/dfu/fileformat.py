"""A spray source's record format as a DFU workunit stores it, and back.

The workunit keeps the DFU names of filespray.md §4.4 (`format` number, record sizes, CSV
options, row tag); the transfer engine works with `SourceFormat`. One place converts both ways.
"""
from __future__ import annotations

from typing import Any

from wsservices.engine.dfu.transfer import FileFormat, Kind, SourceFormat


def to_workunit(fmt: SourceFormat) -> dict[str, Any]:
    attrs: dict[str, Any] = {"format": int(fmt.format)}
    if fmt.record_size:
        attrs["record_size"] = fmt.record_size
    if fmt.max_record_size:
        attrs["max_record_size"] = fmt.max_record_size
    if fmt.row_tag:
        attrs["row_tag"] = fmt.row_tag
    elif fmt.kind == Kind.CSV:
        attrs.update(csv_separate=fmt.separate, csv_terminate=fmt.terminate, csv_quote=fmt.quote)
        if fmt.escape:
            attrs["csv_escape"] = fmt.escape
    attrs["quoted_terminator"] = fmt.quoted_terminator
    attrs["record_structure_present"] = fmt.record_structure_present
    return attrs


def from_workunit(src: dict[str, Any]) -> SourceFormat:
    fmt = SourceFormat(FileFormat(int(src.get("format", 0))), record_size=int(src.get("record_size", 0)),
                       max_record_size=int(src.get("max_record_size", 0)), row_tag=src.get("row_tag", ""),
                       quoted_terminator=bool(src.get("quoted_terminator", True)),
                       record_structure_present=bool(src.get("record_structure_present", False)))
    if "csv_separate" in src:
        fmt = SourceFormat.csv(src["csv_separate"], src.get("csv_terminate", "\\n,\\r\\n"),
                               src.get("csv_quote", '"'), src.get("csv_escape", ""), format=fmt.format,
                               max_record_size=fmt.max_record_size, quoted_terminator=fmt.quoted_terminator,
                               record_structure_present=fmt.record_structure_present)
    return fmt


def from_file_attrs(attrs: dict[str, str]) -> SourceFormat:
    """The format of an existing logical file (for copies), from its Dali attributes."""
    kind = (attrs.get("kind") or "").lower()
    fmt_name = attrs.get("format") or ""
    if kind == "csv" or "csvSeparate" in attrs:
        return SourceFormat.csv(attrs.get("csvSeparate", "\\,"), attrs.get("csvTerminate", "\\n,\\r\\n"),
                                attrs.get("csvQuote", '"'), attrs.get("csvEscape", ""),
                                format=FileFormat.from_name(fmt_name) if fmt_name.startswith("utf") else FileFormat.CSV,
                                max_record_size=int(attrs.get("maxRecordSize") or 0))
    if kind in ("xml", "json"):
        return SourceFormat(FileFormat.from_name(fmt_name or "utf8n"), row_tag=attrs.get("rowTag", ""),
                            max_record_size=int(attrs.get("maxRecordSize") or 0))
    if fmt_name == "variable":
        return SourceFormat(FileFormat.VARIABLE)
    if attrs.get("recordSize"):
        return SourceFormat.fixed(int(attrs["recordSize"]))
    return SourceFormat.blob()
