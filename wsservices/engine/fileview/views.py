"""What DFUBrowseData, DFUGetDataColumns and DFUGetFileMetaData return (wsdfu.md §4.8-4.11): a
page of rows as XML with its schema, the column lists, the file's metadata. Rows come from the
data sources of source.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .eclrecord import EclField, EclRecord
from .ecltypes import xsd_type
from .source import FILEPOS, Page, Row, open_source, parse_filter_by
from ..dali.files import FileCatalog
from ..errors import DomainError, InvalidArgument

DEFAULT_COUNT = 20
MAX_COUNT = 1000          # MAX_VIEWKEYFILE_ROWS
SCHEMA_NAME = "myschema"
ECLWATCH_TOO_MANY_DATA_ROWS = 20063

STRINGSIZE = 128
INTEGERSIZE = 20
REALSIZE = 32
MAX_LINES = 20


def row_xml(record: EclRecord, row: Row) -> str:
    parts = ["<Row>"]
    for f in record.fields:
        parts.append(_value_xml(f, row.values.get(f.name)))
    parts.append(f"<__fileposition__>{row.position}</__fileposition__></Row>")
    return "".join(parts)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\x00", ""))


def _scalar_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _escape(str(value))


def _value_xml(f: EclField, value) -> str:
    name = f.name
    if f.type == "record":
        inner = "".join(_value_xml(c, (value or {}).get(c.name)) for c in f.children)
        return f"<{name}>{inner}</{name}>"
    if f.type == "dataset":
        rows = "".join("<Row>" + "".join(_value_xml(c, r.get(c.name)) for c in f.children)
                       + "</Row>" for r in (value or []))
        return f"<{name}>{rows}</{name}>"
    if f.type == "set":
        items = "".join(f"<Item>{_scalar_text(v)}</Item>" for v in (value or []))
        return f"<{name}>{items}</{name}>"
    if value is None:
        return f"<{name}></{name}>"
    return f"<{name}>{_scalar_text(value)}</{name}>"


@dataclass
class BrowseResult:
    logical_name: str
    start: int
    requested: int
    count: int
    total: int
    result: str
    column_labels: list[tuple[str, str]]   # (label, schema type) per top-level column
    timed_out: bool


def browse(catalog: FileCatalog, name: str | None, start: int | None, count: int | None,
           filter_by: str | None = "", schema_only: bool = False,
           disable_uppercase: bool = False) -> BrowseResult:
    """DFUBrowseData's data (wsdfu.md §4.8): schema + a page of rows as XML text."""
    shown = (name or "").strip()
    if not shown:
        raise InvalidArgument("No LogicalName defined.")
    start = start if start and start > 0 else 0
    requested = count if count else DEFAULT_COUNT
    if requested > MAX_COUNT:
        raise DomainError(f"Browser Cannot display more than {MAX_COUNT} data rows.",
                          ECLWATCH_TOO_MANY_DATA_ROWS)
    source = open_source(catalog, shown)
    filters = parse_filter_by(filter_by)
    text = f'<XmlSchema name="{SCHEMA_NAME}">{source.schema()}</XmlSchema>\n'
    page = Page([], source.total)
    if not schema_only:
        page = source.rows(start, max(0, requested), filters, uppercase=not disable_uppercase)
        text += f'<Dataset xmlSchema="{SCHEMA_NAME}" >\n'
        text += "".join(row_xml(source.record, r) + "\n" for r in page.rows)
        text += "</Dataset>"
    labels = [(f.name, xsd_type(f)) for f in source.record.fields] + \
             [(FILEPOS.name, xsd_type(FILEPOS))]
    return BrowseResult(shown, start, requested, len(page.rows), source.total, text, labels,
                        page.timed_out)


@dataclass
class DataColumn:
    label: str
    column_type: str
    column_size: int
    max_size: int
    value: str = ""


@dataclass
class ColumnsResult:
    logical_name: str
    row_count: int
    keyed: list[list[DataColumn]]       # up to 20 "lines"
    non_keyed: list[list[DataColumn]]


def data_columns(catalog: FileCatalog, name: str, filter_by: str | None = "") -> ColumnsResult:
    """DFUGetDataColumns (wsdfu.md §4.9): columns packed into display lines of width 128."""
    shown = (name or "").strip()
    source = open_source(catalog, shown)
    filters = {n.lower(): v for n, v in parse_filter_by(filter_by) if v}
    keyed_cols, other_cols = [], []
    for col in source.columns:
        column = _display_column(col.field)
        column.value = filters.get(col.field.name.lower(), "")
        (keyed_cols if col.keyed else other_cols).append(column)
    return ColumnsResult(shown, source.total, _pack(keyed_cols), _pack(other_cols))


def _display_column(f: EclField) -> DataColumn:
    label_len = len(f.name)
    if f.type == "boolean":
        return DataColumn(f.name, "Boolean", label_len, 1)
    if f.type in ("integer", "unsigned"):
        return DataColumn(f.name, "Integer", max(INTEGERSIZE, label_len), INTEGERSIZE)
    if f.type == "real":
        return DataColumn(f.name, "Real", max(REALSIZE, label_len), REALSIZE)
    if f.type in ("string", "varstring", "qstring", "data"):
        raw = f.fixed_size or 0
        size = raw * 4 // 3  # ESP passes every string's raw size through rtlQStrLength
        size = STRINGSIZE if size < 1 or size > STRINGSIZE else size
        return DataColumn(f.name, "String", max(size, label_len), size)
    if f.type in ("unicode", "varunicode", "utf8"):
        size = min(STRINGSIZE, int((f.fixed_size or 0) * 0.5))
        return DataColumn(f.name, "Others", size, size)
    return DataColumn(f.name, "Others", STRINGSIZE, STRINGSIZE)


def _pack(columns: list[DataColumn]) -> list[list[DataColumn]]:
    lines: list[list[DataColumn]] = [[] for _ in range(MAX_LINES)]
    width = 0
    line = 0
    for col in columns:
        cost = (2 if col.column_type == "Boolean" else col.column_size) + 7
        if width == 0 and cost > STRINGSIZE:
            if line >= MAX_LINES:
                break
            lines[line].append(col)
            line += 1
            continue
        if width + cost < STRINGSIZE:
            width += cost
        else:
            line += 1
            width = cost
        if line >= MAX_LINES:
            break
        lines[line].append(col)
    return lines


@dataclass
class MetaColumn:
    id: int
    label: str
    ecl_type: str
    raw_size: int | None
    column_type: str
    keyed: bool
    natural: bool
    children: list["MetaColumn"] = field(default_factory=list)


@dataclass
class MetaDataResult:
    columns: list[MetaColumn]
    keyed_count: int
    total_rows: int
    xml_schema: str
    xpath_schema: str


_META_TYPES = {"boolean": "Boolean", "integer": "Integer", "unsigned": "Unsigned Integer",
               "real": "Real", "decimal": "Real", "udecimal": "Real", "string": "String",
               "varstring": "String", "qstring": "String", "data": "Data", "unicode": "Unicode",
               "varunicode": "Unicode", "utf8": "Unicode", "record": "Record", "set": "Set",
               "dataset": "Dataset"}


def file_metadata(catalog: FileCatalog, name: str | None, include_schema: bool = False,
                  schema_header: bool = False, include_xpath_schema: bool = False,
                  xpath_header: bool = False) -> MetaDataResult:
    """DFUGetFileMetaData (wsdfu.md §4.11)."""
    shown = (name or "").strip()
    if not shown:
        raise InvalidArgument("CWsDfuEx::onDFUGetFileMetaData: LogicalFileName not set")
    source = open_source(catalog, shown)
    counter = iter(range(1, 1_000_000))

    def meta(f: EclField, keyed: bool, natural: bool) -> MetaColumn:
        raw = f.fixed_size if f.is_string or f.type == "data" else None
        col = MetaColumn(next(counter), f.name, f.ecl_type, raw, _META_TYPES.get(f.type, "Unknown"),
                         keyed, natural)
        if f.type in ("record", "dataset"):
            col.children = [meta(c, False, True) for c in f.children]
        elif f.type == "set" and f.element is not None:
            col.children = [meta(EclField(f.element.name or "Item", f.element.type,
                                          f.element.length, f.element.precision), False, True)]
        return col

    columns = [meta(c.field, c.keyed, c.natural) for c in source.columns]
    schema = source.schema()
    header = '<?xml version="1.0" encoding="UTF-8"?>'
    return MetaDataResult(
        columns, source.keyed_count, source.total,
        ((header if schema_header else "") + schema) if include_schema else "",
        ((header if xpath_header else "") + schema) if include_xpath_schema else "")
