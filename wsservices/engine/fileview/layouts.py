"""Record layouts as WsDfu hands them out: DFUDefFile, DFURecordTypeInfo and EclRecordTypeInfo
(wsdfu.md §4.12, §4.13), from a file's ``ECL`` attribute or a given ECL text.
"""
from __future__ import annotations

from .eclrecord import EclParseError, parse_record
from .ecltypes import def_file, json_type_info
from .source import resolve
from ..dali.actions import invalid_enum
from ..dali.files import FileCatalog
from ..errors import DomainError, FileNotFound, InvalidArgument, MissingArgument

ECLWATCH_CANNOT_PARSE_ECL_QUERY = 20066
DEF_FORMATS = ("xml", "def")


def record_def_file(catalog: FileCatalog, name: str | None, fmt: str | None) -> tuple[bytes, str]:
    """DFUDefFile: (file bytes, MIME type). ``Invalid format`` (20052) for no format, ESP's
    enum error for an unknown one, ``File name required`` (20051), ``Cannot find file <name>.``
    (20038), ``No record definition for file <name>.`` (20051)."""
    fmt = fmt or ""
    if not fmt:
        raise InvalidArgument("Invalid format")
    if fmt not in DEF_FORMATS:
        raise invalid_enum("DFUDefFileFormat", fmt)
    if not name:
        raise MissingArgument("File name required")
    info = resolve(catalog, name)
    if info is None:
        raise FileNotFound.cannot_find(name)
    if not info.ecl.strip():
        raise MissingArgument(f"No record definition for file {name}.")
    try:
        record = parse_record(info.ecl)
    except EclParseError as err:
        raise _ecl_error(err) from None
    return def_file(record, info.tail, fmt), "text/xml" if fmt == "xml" else "text/plain"


def _ecl_error(err: EclParseError) -> DomainError:
    return DomainError(f"Failed in parsing ECL record definition: {err} @ {err.col}:{err.line}.",
                       ECLWATCH_CANNOT_PARSE_ECL_QUERY)


def file_type_info(catalog: FileCatalog, name: str | None, include_json: bool = True) -> str | None:
    """DFURecordTypeInfo: the ``jsonInfo`` of a file's layout (None when it has none)."""
    if not name:
        raise MissingArgument("File name required")
    info = resolve(catalog, name)
    if info is None:
        raise FileNotFound.cannot_find(name)
    if not include_json or not info.ecl.strip():
        return None
    try:
        return json_type_info(parse_record(info.ecl))
    except EclParseError:
        return None


def ecl_type_info(ecl: str | None, include_json: bool = True) -> str | None:
    """EclRecordTypeInfo: ``Failed in parsing ECL record definition: <err> @ <col>:<line>.``
    (20066) when the text does not parse."""
    try:
        record = parse_record(ecl or "")
    except EclParseError as err:
        raise _ecl_error(err) from None
    return json_type_info(record) if include_json else None
