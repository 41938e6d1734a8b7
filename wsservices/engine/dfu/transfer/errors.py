"""Errors of the DFU file-transfer engine (HPCC ``dali/ft``: the "DFT" errors).

Each class carries the DFT error number and formats the exact message text given in
``shared/reference/filespray.md`` §6. Where the notes give the number but not the full text
(8079, 8101's tail, 8105-8107) the text here is descriptive; the class docstring says so.
These errors normally surface as DFU workunit failures, not as SOAP exceptions (§7.3).

The numbers are kept here rather than in ``wsservices.engine.codes`` because this package may
import only ``wsservices.engine.errors``; the lead may move them into the code table.
"""
from __future__ import annotations

from ...errors import DomainError

DFTERR_COULD_NOT_OPEN_SOURCE = 8050
DFTERR_FORMAT_COMBINATION = 8051
DFTERR_INCONSISTENT_RECORD_SIZE = 8054
DFTERR_UNSUITABLE_FORMAT = 8055
DFTERR_COPY_ONTO_ITSELF = 8061
DFTERR_NOT_RECORD_MULTIPLE = 8078
DFTERR_NOT_UTF_MULTIPLE = 8079
DFTERR_INVALID_PREFIX = 8085
DFTERR_PREFIX_TOO_SMALL = 8086
DFTERR_OVERWRITE_NOT_SUPPLIED = 8089
DFTERR_SPLIT_PREFIX_FAILED = 8091
DFTERR_SPLIT_PREFIX_SINGLE_TARGET = 8092
DFTERR_SPLIT_PREFIX_NOSPLIT = 8094
DFTERR_NO_SOURCE_MATCH = 8095
DFTERR_NO_FIRST_XML_RECORD = 8098
DFTERR_END_OF_XML_RECORD = 8101
DFTERR_END_OF_CSV_RECORD = 8102
DFTERR_BAD_RDW = 8104
DFTERR_BAD_BDW = 8105
DFTERR_TRUNCATED_BLOCK = 8106
DFTERR_TRUNCATED_RECORD = 8107
DFTERR_NO_FIRST_JSON_RECORD = 8109
DFTERR_QUOTE_INCONSISTENT = 8118


class TransferError(DomainError):
    """A failure of the transfer engine; `code` is the DFT error number."""


class SourceOpenFailed(TransferError):
    code = DFTERR_COULD_NOT_OPEN_SOURCE

    def __init__(self, path: str):
        super().__init__(f"Could not open source file {path}")


class FormatCombinationUnsupported(TransferError):
    code = DFTERR_FORMAT_COMBINATION

    def __init__(self) -> None:
        super().__init__("This combination of source and target formats is not supported")


class InconsistentRecordSize(TransferError):
    code = DFTERR_INCONSISTENT_RECORD_SIZE

    def __init__(self, path: str):
        super().__init__(f"Length of file {path} is inconsistent with its record size")


class UnsuitableFormat(TransferError):
    code = DFTERR_UNSUITABLE_FORMAT

    def __init__(self) -> None:
        super().__init__(
            "Source file format is not specified or is unsuitable for (re-)partitioning")


class CopyOntoItself(TransferError):
    code = DFTERR_COPY_ONTO_ITSELF

    def __init__(self, path: str):
        super().__init__(f"Trying to copy a file ({path}) onto itself")


class NotRecordMultiple(TransferError):
    code = DFTERR_NOT_RECORD_MULTIPLE

    def __init__(self, path: str, record_size: int):
        super().__init__(f"Source file {path} is not a valid multiple of the expected "
                         f"record size ({record_size})")


class NotUtfMultiple(TransferError):
    """8079. The notes give only "the UTF variant" of 8078; this text is descriptive."""

    code = DFTERR_NOT_UTF_MULTIPLE

    def __init__(self, path: str, unit: int):
        super().__init__(f"Source file {path} is not a valid multiple of the expected "
                         f"UTF unit size ({unit})")


class InvalidPrefix(TransferError):
    code = DFTERR_INVALID_PREFIX

    def __init__(self, item: str):
        super().__init__(f"Invalid length prefix: '{item}'")


class PrefixTooSmall(TransferError):
    code = DFTERR_PREFIX_TOO_SMALL

    def __init__(self) -> None:
        super().__init__("Length prefix too small to store source length")


class OverwriteNotSupplied(TransferError):
    code = DFTERR_OVERWRITE_NOT_SUPPLIED

    def __init__(self, path: str):
        super().__init__(f"OVERWRITE not supplied and physical file {path} exists")


class SplitPrefixFailed(TransferError):
    code = DFTERR_SPLIT_PREFIX_FAILED

    def __init__(self, path: str):
        super().__init__(f"Cannot process file {path} using the splitprefix supplied")


class SplitPrefixSingleTarget(TransferError):
    code = DFTERR_SPLIT_PREFIX_SINGLE_TARGET

    def __init__(self) -> None:
        super().__init__("SplitPrefix can only name a single target file")


class SplitPrefixWithNoSplit(TransferError):
    code = DFTERR_SPLIT_PREFIX_NOSPLIT

    def __init__(self) -> None:
        super().__init__("/splitprefix is not compatible with /nosplit")


class NoSourceMatched(TransferError):
    code = DFTERR_NO_SOURCE_MATCH

    def __init__(self) -> None:
        super().__init__("The wildcarded source did not match any filenames")


class NoFirstXmlRecord(TransferError):
    code = DFTERR_NO_FIRST_XML_RECORD

    def __init__(self) -> None:
        super().__init__("Could not find the start of the first record")


class XmlRecordEndNotFound(TransferError):
    """8101. The notes cut the text after "!"; the position is appended descriptively."""

    code = DFTERR_END_OF_XML_RECORD

    def __init__(self, offset: int):
        super().__init__("End of XML record not found (need to increase maxRecordSize?)! "
                         f"(offset {offset})")


class CsvRecordEndNotFound(TransferError):
    code = DFTERR_END_OF_CSV_RECORD

    def __init__(self, processed: int):
        super().__init__("End of CSV record not found (wrong record terminator defined or "
                         f"need to increase maxRecordSize?) after processing {processed} bytes!")


class BadRdw(TransferError):
    code = DFTERR_BAD_RDW

    def __init__(self, value: int):
        super().__init__(f"RECFMv(b) file Record Description Word contains invalid data "
                         f"(0x{value:04x}) or the file is not RECFMv(b) format!")


class BadBdw(TransferError):
    """8105. The notes give the number only; the text is descriptive."""

    code = DFTERR_BAD_BDW

    def __init__(self, value: int):
        super().__init__(f"RECFMvb file Block Description Word contains invalid data "
                         f"(0x{value:08x}) or the file is not RECFMvb format!")


class TruncatedBlock(TransferError):
    """8106. The notes give the number only ("truncated"); the text is descriptive."""

    code = DFTERR_TRUNCATED_BLOCK

    def __init__(self, path: str, offset: int):
        super().__init__(f"Truncated block at offset {offset} in file {path}")


class TruncatedRecord(TransferError):
    """8107 (variable-length record running past the end of its file). The notes give the
    number for recfmv(b) truncation only; the text is descriptive."""

    code = DFTERR_TRUNCATED_RECORD

    def __init__(self, path: str, offset: int):
        super().__init__(f"Truncated record at offset {offset} in file {path}")


class NoFirstJsonRecord(TransferError):
    code = DFTERR_NO_FIRST_JSON_RECORD

    def __init__(self) -> None:
        super().__init__("Could not find first json record (check path)")


class QuoteInconsistent(TransferError):
    code = DFTERR_QUOTE_INCONSISTENT

    def __init__(self, quote: str, separator: str):
        super().__init__(f"The quote character {quote} and separator {separator} are "
                         "inconsistent with the file contents")
