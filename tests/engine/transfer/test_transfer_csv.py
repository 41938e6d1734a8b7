"""CSV / delimited partitioning (§6.4.2) and the first record (§6.5)."""
import csv
import io

import pytest

from wsservices.engine.dfu.transfer import FileFormat, SourceFormat, ecl_record, file_attributes
from wsservices.engine.dfu.transfer.errors import CsvRecordEndNotFound, QuoteInconsistent


def rows_of(part: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(part.decode(), newline="")))


def test_worked_example_line_with_split_point_goes_to_earlier_part(spray):
    plan, parts = spray(b"a\nb\nc\nd\n", SourceFormat.csv(), 2)
    assert plan.split_points == [4]
    assert parts == [b"a\nb\nc\n", b"d\n"]


def test_line_starting_exactly_at_split_point_goes_to_earlier_part(spray):
    plan, parts = spray(b"aaa\nbbb\n", SourceFormat.csv(), 2)
    assert plan.split_points == [4]                      # the "b" line starts at 4
    assert parts == [b"aaa\nbbb\n", b""]


def test_longest_terminator_wins(spray):
    data = b"ab\r\ncd\r\nef\r\n"                         # split at 4 = "c"
    plan, parts = spray(data, SourceFormat.csv(), 3)
    assert plan.split_points == [4, 8]
    # 8 is where the first cut ended: "Split point is less than the current offset => this
    # will contain nothing" (CCsvQuickPartitioner::findSplitPoint), so the middle part is empty
    assert parts == [b"ab\r\ncd\r\n", b"", b"ef\r\n"]
    # a split point on the "\r" of "\r\n": the whole "\r\n" ends the line
    plan, parts = spray(b"abc\r\nd\r\n", SourceFormat.csv(), 2)   # split at 3 = "\r"
    assert parts == [b"abc\r\n", b"d\r\n"]


def test_custom_separators_and_terminators(spray):
    fmt = SourceFormat.csv(separate="|", terminate="\\x3b")          # ';' as terminator
    plan, parts = spray(b"a|b;c|d;e|f;", fmt, 2)
    assert parts == [b"a|b;c|d;", b"e|f;"]


def test_final_line_without_terminator(spray):
    plan, parts = spray(b"a\nbbbbbb", SourceFormat.csv(), 2)     # split at 4, no terminator
    assert parts == [b"a\nbbbbbb", b""]


def test_no_terminator_within_max_record_size(spray):
    data = b"x" * 100 + b"\n" + b"y" * 100 + b"\n"
    with pytest.raises(CsvRecordEndNotFound) as e:
        spray(data, SourceFormat.csv(max_record_size=20, quote=""), 2)
    assert e.value.code == 8102
    assert e.value.message == ("End of CSV record not found (wrong record terminator defined "
                               "or need to increase maxRecordSize?) after processing 20 bytes!")


QUOTED = (b'id,text,n\n'
          b'1,"hello\nworld, again",10\n'
          b'2,"say ""hi""\nthere",20\n'
          b'3,plain,30\n'
          b'4,"multi\nline\nfield",40\n')


@pytest.mark.parametrize("scan", ["local", "exact"])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 11, 16])
def test_terminators_inside_quotes_are_not_boundaries(spray, scan, n):
    plan, parts = spray(QUOTED, SourceFormat.csv(csv_quote_scan=scan), n)
    assert b"".join(parts) == QUOTED
    all_rows = []
    for p in parts:
        assert p == b"" or p.endswith(b"\n")
        all_rows += rows_of(p)
    assert all_rows == rows_of(QUOTED)


@pytest.mark.parametrize("scan", ["local", "exact"])
def test_split_inside_a_quoted_field(spray, scan):
    data = b'1,"ab\ncd\nef",x\n2,y\n'
    plan, parts = spray(data, SourceFormat.csv(csv_quote_scan=scan), 2)
    assert plan.split_points == [9]                  # the "\n" after "cd", inside quotes
    assert parts == [b'1,"ab\ncd\nef",x\n', b"2,y\n"]


def test_split_with_doubled_quotes_before_the_close(spray):
    data = b'1,"say ""hi""\nthere",2\n3,z\n'
    plan, parts = spray(data, SourceFormat.csv(), 3)       # points 8 ("hi") and 16
    assert parts[0] == b'1,"say ""hi""\nthere",2\n'


def test_ambiguous_state_takes_the_first_terminator(spray):
    # deduceStartNextLine: "If the quote state remains ambiguous to the end of the scanned
    # buffer, remember the first terminator seen while the state was unknown": after the split
    # point 3 (`b\n"\n`) nothing tells inside from outside
    data = b'"a\nb\n"\n'
    plan, parts = spray(data, SourceFormat.csv(), 2)
    assert plan.split_points == [3] and parts == [b'"a\nb\n', b'"\n']
    # the exact scan knows it is inside the quotes
    plan, parts = spray(data, SourceFormat.csv(csv_quote_scan="exact"), 2)
    assert parts == [data, b""]


def test_a_state_decided_later_moves_the_cut_past_the_first_terminator(spray):
    # the first terminator is only the fallback: `d"` (a quote after text, not doubled) proves
    # the scan was inside quotes, so the record ends at the next terminator, even beyond
    # maxRecordSize (the DFU server scans a whole 256 KB block: 0x40000 in daftformat.cpp)
    data = b'"a\nbbbbbbbbbbbbbbbbbbbb\ncccccccccc\nd"\n'
    plan, parts = spray(data, SourceFormat.csv(max_record_size=16), 2)
    assert parts == [data, b""]


@pytest.mark.parametrize("data, n, sizes", [
    (b'd e\n"x\ny"\n', 4, [10, 0, 0, 0]),        # real cuts 10/10/10 (the old rule: 4/4/10)
    (b'"p,q"\n"s""t",""\n', 3, [16, 0, 0]),        # real cuts 16/16 (the old rule: 6/16)
])
def test_quoted_fields_spanning_lines_cut_where_the_dfu_server_cuts(spray, data, n, sizes):
    plan, parts = spray(data, SourceFormat.csv(), n)
    assert [len(p) for p in parts] == sizes and b"".join(parts) == data


def test_exact_scan_falls_back_to_quote_parity_when_the_window_is_ambiguous(spray):
    # split point 4 is inside a quoted field; the closing quote follows a newline, so both
    # "inside" and "outside" stay consistent within maxRecordSize
    data = b'"x\nyyyy\n",1\n' + b"zz,2\n" * 20
    plan, parts = spray(data, SourceFormat.csv(max_record_size=32), 28)
    assert plan.split_points[0] == 4
    assert parts[0] == b'"x\nyyyy\n'                         # HPCC's first-terminator rule
    plan, parts = spray(data, SourceFormat.csv(max_record_size=32, csv_quote_scan="exact"), 28)
    assert parts[0] == b'"x\nyyyy\n",1\n'
    assert b"".join(parts) == data


def test_quoted_terminator_false_takes_any_terminator(spray):
    data = b'1,"a\nb"\n2,c\n'                                  # split at 6 = "b"... inside quotes
    plan, parts = spray(data, SourceFormat.csv(quoted_terminator=False), 2)
    assert plan.split_points == [6]
    assert parts == [b'1,"a\nb"\n', b"2,c\n"]
    plan, parts = spray(b'1,"ab\ncd"\n2,c\n', SourceFormat.csv(quoted_terminator=False), 3)
    assert parts[0] == b'1,"ab\n'                                # cut inside the quotes
    plan, parts = spray(b'1,"ab\ncd"\n2,c\n', SourceFormat.csv(), 3)
    assert parts[0] == b'1,"ab\ncd"\n'


def test_quotes_inconsistent_with_contents(spray):
    # a closing quote (`x"` then a separator) proves "outside"; a quote after text then
    # cannot open a field: DFTERR_InconsistentQuoteSeparator
    data = b'aaaa\nxx",y"z\n'
    with pytest.raises(QuoteInconsistent) as e:
        spray(data, SourceFormat.csv(), 2)
    assert e.value.code == 8118
    assert e.value.message == ('The quote character " and separator \\, are inconsistent '
                               'with the file contents')


def test_escape_skips_the_next_token(spray):
    data = b"ab\\\ncd\nef\n"                                 # "\\" escapes the first newline
    fmt = SourceFormat.csv(escape="\\\\", quote="")
    plan, parts = spray(data, fmt, 2)
    assert plan.split_points == [5]
    assert parts == [b"ab\\\ncd\n", b"ef\n"]
    plan, parts = spray(data, fmt, 4)                           # 2 = the escape itself
    assert plan.split_points == [2, 4, 6]
    assert parts == [b"ab\\\ncd\n", b"", b"", b"ef\n"]


def test_escaped_quote_in_exact_mode(spray):
    data = b'1,"a\\"\nb"\n2,x\n3,y\n'
    fmt = SourceFormat.csv(escape="\\\\", csv_quote_scan="exact")
    plan, parts = spray(data, fmt, 3)
    assert b"".join(parts) == data
    assert parts[0].startswith(b'1,"a\\"\nb"\n')


def test_utf8_bom_dropped_on_multi_part_and_kept_on_one_part(spray):
    data = b"\xef\xbb\xbfa,b\nc,d\ne,f\n"
    plan, parts = spray(data, SourceFormat.csv(format=FileFormat.UTF8), 2)
    assert b"".join(parts) == data[3:]
    assert plan.text_format == "utf-8n"
    plan, parts = spray(data, SourceFormat.csv(format=FileFormat.UTF8), 1)
    assert parts == [data]


def test_utf16_csv_is_cut_on_code_units(spray):
    text = "a,\u0a0d\u0a0a\nb,\u0a0a\nc,d\n"          # \u0a0a bytes contain 0x0a
    data = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    plan, parts = spray(data, SourceFormat.csv(format=FileFormat.UTF16), 3)
    joined = b"".join(parts)
    assert joined == data[2:]
    for p in parts:
        assert len(p) % 2 == 0
        assert p == b"" or p.decode("utf-16-le").endswith("\n")
    assert plan.text_format == "utf16le"


def test_first_record_gives_the_ecl_record(spray):
    data = b'Name, "2nd" ,last name,name\nx,y,z,w\n'
    plan, _ = spray(data, SourceFormat.csv(record_structure_present=True), 2)
    assert plan.first_record == ["Name", " 2nd ", "last name", "name"]
    assert ecl_record(plan, now=1700000000) == (
        "RECORD\n    STRING Name;\n    STRING _nd;\n    STRING last_name;\n"
        "    STRING name_4_1700000000;\nEND;")
    plan, _ = spray(data, SourceFormat.csv(), 2)
    assert ecl_record(plan) == ("RECORD\n    STRING field1;\n    STRING field2;\n"
                                "    STRING field3;\n    STRING field4;\nEND;")
    assert b"Name" in _[0]                                  # the header row is not removed


def test_csv_attributes(spray):
    plan, _ = spray(b"a,b\n", SourceFormat.csv(separate=",", escape="\\\\"), 2)
    attrs = file_attributes(plan)
    assert attrs == {"format": "csv", "kind": "csv", "csvSeparate": "\\,",
                     "csvTerminate": "\\n,\\r\\n", "csvQuote": '"', "csvEscape": "\\\\",
                     "size": 4}
