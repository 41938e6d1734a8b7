"""The format-code table, ESP option strings and request defaults (§3.1, §3.2, §4.1)."""
import pytest

from wsservices.engine.errors import DomainError
from wsservices.engine.dfu.transfer import (FileFormat, Kind, SourceFormat, spray_fixed_format,
                                            spray_variable_format)
from wsservices.engine.dfu.transfer.formats import (codec_for_format_name, detect_encoding,
                                                    split_alternatives, stored_csv_option, target_format_name)


def test_format_codes_and_names():
    expected = ["fixed", "csv", "utf8", "utf8n", "utf16", "utf16le", "utf16be", "utf32",
                "utf32le", "utf32be", "variable", "recfmvb", "recfmv", "variablebigendian"]
    assert [FileFormat(i).dfu_name for i in range(14)] == expected
    assert FileFormat.from_name("ascii") == FileFormat.CSV
    assert FileFormat.from_name("UTF8") == FileFormat.UTF8
    assert FileFormat.from_name("nonsense") == FileFormat.FIXED


@pytest.mark.parametrize("text,expected", [
    ("\\,", [","]),
    ("\\n,\\r\\n", ["\n", "\r\n"]),
    (",", [","]),
    ("|", ["|"]),
    ("\\t", ["\t"]),
    ("\\x7c", ["|"]),
    ("\\011", ["\t"]),
    ("a,b", ["a", "b"]),
    ("", []),
])
def test_split_alternatives(text, expected):
    assert split_alternatives(text) == expected


def test_bare_comma_is_stored_escaped():
    assert stored_csv_option(",") == "\\,"
    assert stored_csv_option("|") == "|"


def test_spray_fixed_format_selection():
    assert spray_fixed_format(-1).kind == Kind.RECFMVB
    assert spray_fixed_format(-2).kind == Kind.RECFMV
    assert spray_fixed_format(-3).kind == Kind.VARIABLE
    assert spray_fixed_format(-4).kind == Kind.VARIABLE_BE
    assert spray_fixed_format(10, "recfmv").kind == Kind.RECFMV
    assert spray_fixed_format(0, nosplit=True).kind == Kind.UNKNOWN
    f = spray_fixed_format(10)
    assert (f.kind, f.record_size) == (Kind.FIXED, 10)
    with pytest.raises(DomainError) as e:
        spray_fixed_format(0)
    assert (e.value.code, e.value.message) == (20052, "Invalid record size")


def test_spray_variable_defaults():
    f = spray_variable_format(1)
    assert (f.kind, f.separate, f.terminate, f.quote, f.escape) == \
        (Kind.CSV, "\\,", "\\n,\\r\\n", '"', "")
    assert spray_variable_format(1, no_separator=True).separator_tokens == []
    assert spray_variable_format(1, quote="").quote_tokens == []       # empty quote kept
    assert spray_variable_format(1, escape='"').escape_tokens == []    # escape == quote ignored


def test_spray_variable_row_tags():
    x = spray_variable_format(2, row_tag="Row")
    assert (x.kind, x.row_tag) == (Kind.XML, "Row")
    j = spray_variable_format(2, row_tag="ignored", row_path="a/b", is_json=True)
    assert (j.kind, j.row_tag) == (Kind.JSON, "/a/b")
    assert spray_variable_format(2, is_json=True).row_tag == "/"
    assert spray_variable_format(1, row_tag="Row").kind == Kind.CSV    # csv + row tag = csv
    assert spray_variable_format(0, row_tag="Row").kind == Kind.UNKNOWN
    assert spray_variable_format(13).kind == Kind.VARIABLE_BE


def test_target_formats():
    assert SourceFormat.recfmvb().target.format == FileFormat.VARIABLE
    assert SourceFormat.variable(big_endian=True).target.format == FileFormat.VARIABLE
    assert SourceFormat.xml("Row").target.format == FileFormat.UTF8N
    assert target_format_name(FileFormat.UTF8) == "utf-8n"
    assert target_format_name(FileFormat.UTF16LE) == "utf16le"


def test_bom_detection():
    assert detect_encoding(FileFormat.UTF8, b"\xef\xbb\xbfab").bom == b"\xef\xbb\xbf"
    assert detect_encoding(FileFormat.UTF8, b"abcd").bom == b""
    e = detect_encoding(FileFormat.UTF16, b"\xff\xfe<\x00")
    assert (e.format, e.unit, len(e.bom)) == (FileFormat.UTF16LE, 2, 2)
    e = detect_encoding(FileFormat.UTF16, b"\x00<\x00R")
    assert (e.format, e.bom) == (FileFormat.UTF16BE, b"")
    assert detect_encoding(FileFormat.UTF32, b"\xff\xfe\x00\x00").format == FileFormat.UTF32LE
    assert codec_for_format_name("utf16le") == "utf-16-le"
    assert codec_for_format_name("utf-8n") == "utf-8"
