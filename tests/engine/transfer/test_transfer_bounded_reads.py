"""The planners read little: a counting file wrapper records every read (§ performance).

fixed: no reads; CSV/XML: a small window per split point; quote-exact CSV and JSON: one
streaming pass in bounded chunks; variable: headers only, through a 64 KiB window.
"""
import pytest

from wsservices.engine.dfu.transfer import SourceFile, SourceFormat, plan_spray

MiB = 1 << 20


class CountingFile:
    def __init__(self, path, stats):
        self.f = open(path, "rb", buffering=0)
        self.stats = stats

    def read(self, n=-1):
        data = self.f.read(n)
        self.stats["bytes"] += len(data)
        self.stats["reads"] += 1
        self.stats["max"] = max(self.stats["max"], len(data))
        return data

    def seek(self, *a):
        return self.f.seek(*a)

    def close(self):
        self.f.close()


def plan_counting(path, fmt, parts):
    stats = {"bytes": 0, "reads": 0, "max": 0}
    plan = plan_spray([SourceFile(str(path))], fmt, parts,
                      opener=lambda p: CountingFile(p, stats))
    return plan, stats


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    p = tmp_path_factory.mktemp("big") / "big.csv"
    line = b'12345,"quoted, text",67.5,plain words here\n'
    p.write_bytes(line * (16 * MiB // len(line)))
    return p


def test_fixed_reads_nothing(tmp_path):
    p = tmp_path / "fixed.dat"
    p.write_bytes(b"0123456789abcdef" * MiB)
    plan, stats = plan_counting(p, SourceFormat.fixed(16), 16)
    assert stats["bytes"] == 0
    assert sum(x.size for x in plan.parts) == 16 * MiB


@pytest.mark.parametrize("fmt", [SourceFormat.csv(quote=""), SourceFormat.csv()],
                         ids=["plain", "quote-local"])
def test_csv_reads_a_window_per_split(big_csv, fmt):
    plan, stats = plan_counting(big_csv, fmt, 16)
    window = 8096 + 64 + 8
    assert stats["max"] <= window
    assert stats["bytes"] <= 4 + 16 * window        # head, 15 splits, the first record
    assert all(p.size > 0 for p in plan.parts)


def test_csv_exact_is_local_when_conclusive(big_csv):
    plan, stats = plan_counting(big_csv, SourceFormat.csv(csv_quote_scan="exact"), 16)
    assert stats["bytes"] <= 4 + 16 * (8096 + 64 + 8)


def test_csv_exact_streams_in_bounded_chunks_when_ambiguous(tmp_path):
    p = tmp_path / "noquotes.csv"
    p.write_bytes(b"12345,67.5,plain words here\n" * (16 * MiB // 28))
    plan, stats = plan_counting(p, SourceFormat.csv(csv_quote_scan="exact"), 16)
    assert stats["max"] <= 4 * MiB + 64
    assert p.stat().st_size * 0.9 <= stats["bytes"] <= p.stat().st_size + 16 * 70_000


def test_xml_reads_small_windows(tmp_path):
    p = tmp_path / "big.xml"
    row = b"  <Row><a>1234567890</a><b>some text</b></Row>\n"
    p.write_bytes(b"<?xml version='1.0'?>\n<Dataset>\n" + row * (16 * MiB // len(row))
                  + b"</Dataset>\n")
    plan, stats = plan_counting(p, SourceFormat.xml("Row"), 16)
    assert stats["max"] <= 64 * 1024 + 4096 + 64
    assert stats["bytes"] <= 2 * 64 * 1024 + 16 * (64 * 1024 + 4096 + 64)


def test_json_streams_in_bounded_chunks(tmp_path):
    p = tmp_path / "big.json"
    rows = b",\n".join(b'{"id": %d, "v": "x"}' % i for i in range(40000))
    p.write_bytes(b"[\n" + rows + b"\n]\n")
    plan, stats = plan_counting(p, SourceFormat.json(), 8)
    assert stats["max"] <= MiB
    assert stats["bytes"] <= 2 * p.stat().st_size


def test_variable_reads_headers_through_a_window(tmp_path):
    p = tmp_path / "big.var"
    body = b"x" * 100_000                                 # large records: seeks, 4-byte reads
    p.write_bytes(((len(body)).to_bytes(4, "little") + body) * 160)
    plan, stats = plan_counting(p, SourceFormat.variable(), 8)
    assert stats["max"] <= 64 * 1024
    assert stats["bytes"] <= 64 * 1024 + 160 * 4
