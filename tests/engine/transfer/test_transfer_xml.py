"""XML partitioning: header, footer, row boundaries, reassembly (§6.4.3, §6.6)."""
import pytest

from wsservices.engine.dfu.transfer import FileFormat, SourceFormat, file_attributes, part_attributes
from wsservices.engine.dfu.transfer.errors import NoFirstXmlRecord, XmlRecordEndNotFound

HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n<Dataset>\n'
FOOTER = b"</Dataset>\n"


def doc(rows: list[bytes], header: bytes = HEADER, footer: bytes = FOOTER) -> bytes:
    return header + b"".join(rows) + footer


def row(i: int, pad: int = 0) -> bytes:
    return b"  <Row><id>%d</id><v>%s</v></Row>\n" % (i, b"x" * pad)


def test_every_part_is_header_rows_footer(spray):
    rows = [row(i) for i in range(10)]
    data = doc(rows)
    plan, parts = spray(data, SourceFormat.xml("Row"), 3)
    src = plan.sources[0]
    assert (src.header_length, src.footer_length) == (len(HEADER), len(FOOTER))
    assert plan.total_content == len(b"".join(rows))
    body = b""
    for p in parts:
        assert p.startswith(HEADER) and p.endswith(FOOTER)
        body += p[len(HEADER):-len(FOOTER)]
    assert body == b"".join(rows)
    assert spray.despray(parts, plan, kind="xml") == data
    attrs = file_attributes(plan)
    assert attrs["kind"] == "xml" and attrs["rowTag"] == "Row"
    assert attrs["format"] == "utf-8n" and attrs["maxRecordSize"] == 1 << 20
    assert (attrs["headerLength"], attrs["footerLength"]) == (len(HEADER), len(FOOTER))
    assert attrs["size"] == sum(len(p) for p in parts)


def test_row_containing_the_split_point_goes_to_the_earlier_part(spray):
    rows = [row(i) for i in range(3)]                  # equal rows of 33 bytes
    plan, parts = spray(doc(rows), SourceFormat.xml("Row"), 2)
    assert plan.split_points == [len(rows[0]) * 3 // 2]   # inside row 2
    assert parts[0] == doc(rows[:2]) and parts[1] == doc(rows[2:])


def test_row_starting_at_the_split_point_goes_to_the_earlier_part(spray):
    rows = [row(i) for i in range(4)]                  # split at 2 rows exactly
    plan, parts = spray(doc(rows), SourceFormat.xml("Row"), 2)
    assert plan.split_points == [2 * len(rows[0])]
    assert parts == [doc(rows[:3]), doc(rows[3:])]


def test_header_ends_at_the_start_of_the_row_line_only_if_blank_before(spray):
    data = b"<Dataset><Row>1</Row>\n<Row>2</Row>\n</Dataset>"
    plan, _ = spray(data, SourceFormat.xml("Row"), 2)
    assert plan.sources[0].header_length == len(b"<Dataset>")
    assert plan.sources[0].footer_length == len(b"</Dataset>")
    data = b"<Dataset>\r\n\t <Row>1</Row>\r\n</Dataset>\r\n"
    plan, _ = spray(data, SourceFormat.xml("Row"), 2)
    assert plan.sources[0].header_length == len(b"<Dataset>\r\n")
    assert plan.sources[0].footer_length == len(b"</Dataset>\r\n")


def test_row_tag_must_be_followed_by_space_gt_or_slash(spray):
    data = (b"<Rows>\n<RowInfo/>\n<Row\n id='1'>a</Row>\n<Row id='2'/>\n<Row>c</Row >\n"
            b"<RowEnd/>\n</Rows>\n")
    plan, parts = spray(data, SourceFormat.xml("Row"), 3)
    header = b"<Rows>\n<RowInfo/>\n"
    footer = b"<RowEnd/>\n</Rows>\n"
    assert plan.sources[0].header_length == len(header)
    assert plan.sources[0].footer_length == len(footer)
    bodies = [p[len(header):-len(footer)] for p in parts if p]
    assert b"".join(bodies) == b"<Row\n id='1'>a</Row>\n<Row id='2'/>\n<Row>c</Row >\n"
    assert spray.despray(parts, plan, kind="xml") == data


def test_self_closing_rows(spray):
    rows = [b'<r a="%d"/>\n' % i for i in range(6)]
    data = b"<ds>\n" + b"".join(rows) + b"</ds>\n"
    plan, parts = spray(data, SourceFormat.xml("r"), 3)
    # split points 22 and 44 are row starts: those rows go to the earlier part
    assert plan.split_points == [22, 44]
    assert [p.count(b"<r ") for p in parts] == [3, 2, 1]
    assert spray.despray(parts, plan, kind="xml") == data


def test_large_rows_give_header_footer_only_parts(spray):
    rows = [row(i, 200) for i in range(2)]
    data = doc(rows)
    plan, parts = spray(data, SourceFormat.xml("Row"), 6)
    empty = doc([])
    assert parts.count(empty) >= 3                      # zero-row entries: header + footer
    assert [p for p in parts if p != empty] == [doc(rows[:1]), doc(rows[1:])]
    assert spray.despray(parts, plan, kind="xml") == data


def test_no_rows_in_the_only_file(spray):
    with pytest.raises(NoFirstXmlRecord) as e:
        spray(b"<Dataset>\n</Dataset>\n", SourceFormat.xml("Row"), 2)
    assert (e.value.code, e.value.message) == (8098, "Could not find the start of the first record")


def test_empty_file_among_several_counts_as_empty(spray):
    a = doc([row(1), row(2)])
    b = b"<Dataset>\n</Dataset>\n"
    plan, parts = spray([a, b], SourceFormat.xml("Row"), 3)
    assert plan.sources[1].empty
    assert b"".join(p[len(HEADER):-len(FOOTER)] for p in parts if p) == row(1) + row(2)


def test_row_end_not_found_within_max_record_size(spray):
    data = b"<D>\n<Row>" + b"x" * (3 << 20) + b"</Row>\n</D>\n"
    with pytest.raises(XmlRecordEndNotFound) as e:
        spray(data, SourceFormat.xml("Row"), 2)
    assert e.value.code == 8101
    assert e.value.message.startswith(
        "End of XML record not found (need to increase maxRecordSize?)!")


def test_several_sources_each_with_its_own_header(spray):
    h1, h2 = b"<A>\n", b"<?xml version='1.0'?>\n<B>\n"
    s1 = doc([row(i) for i in range(4)], h1, b"</A>\n")
    s2 = doc([row(i) for i in range(4, 8)], h2, b"</B>\n")
    plan, parts = spray([s1, s2], SourceFormat.xml("Row"), 3)
    assert plan.total_content == 8 * len(row(0))
    rows_seen = []
    for p in parts:
        first_row = p.index(b"  <Row>")
        header = p[:first_row]
        assert header in (h1, h2)
        rows_seen.append(p)
    # part 2 starts in source 1 and ends in source 2: header of A, footer of B
    middle = parts[1]
    assert middle.startswith(h1) and middle.endswith(b"</B>\n")
    info = part_attributes(plan)
    assert any("headerLength" in d for d in info)       # lengths differ between parts
    assert "headerLength" not in file_attributes(plan)


def test_utf16_with_bom(spray):
    text = "<D>\n" + "".join(f"<Row>é{i}\u0a3c</Row>\n" for i in range(9)) + "</D>\n"
    data = b"\xff\xfe" + text.encode("utf-16-le")
    plan, parts = spray(data, SourceFormat.xml("Row", FileFormat.UTF16), 3)
    assert plan.text_format == "utf16le"
    decoded = [p.decode("utf-16-le") for p in parts]
    assert all(d.startswith("<D>\n") and d.endswith("</D>\n") for d in decoded)
    assert spray.despray(parts, plan, kind="xml") == data[2:]   # the BOM is dropped


def test_one_node_spray_copies_byte_for_byte(spray):
    data = b"\xef\xbb\xbf" + doc([row(1)])
    plan, parts = spray(data, SourceFormat.xml("Row"), 1)
    assert parts == [data]


@pytest.mark.parametrize("fmt,codec,bom", [
    (FileFormat.UTF16BE, "utf-16-be", b""),
    (FileFormat.UTF32, "utf-32-le", b"\xff\xfe\x00\x00"),
    (FileFormat.UTF32BE, "utf-32-be", b"\x00\x00\xfe\xff"),
])
def test_wide_encodings_with_self_closing_rows(spray, fmt, codec, bom):
    rows = "".join(f'<Row a="{i}\u3e3c"/>\n' if i % 2 else f"<Row>\u3c3e{i}</Row>\n"
                   for i in range(10))
    text = "<D>\n" + rows + "</D>\n"
    data = bom + text.encode(codec)
    plan, parts = spray(data, SourceFormat.xml("Row", fmt), 4)
    got = "".join(p.decode(codec)[4:-5] for p in parts if p)
    assert got == rows
    assert spray.despray(parts, plan, kind="xml") == data[len(bom):]
