"""CRC values as Dali stores them, and CRC combination over parts (§6.5)."""
import random
import zlib

from wsservices.engine.dfu.transfer import crc32_combine, csv_ecl_record, signed_crc32


def test_signed_crc32():
    assert signed_crc32(0) == 0
    assert signed_crc32(0x7FFFFFFF) == 0x7FFFFFFF
    assert signed_crc32(0x80000000) == -(1 << 31)
    assert signed_crc32(0xFFFFFFFF) == -1
    assert zlib.crc32(b"hello") == 0x3610A686
    assert signed_crc32(zlib.crc32(b"hello")) == 0x3610A686
    assert zlib.crc32(b"test") == 0xD87F7E0C            # above 2^31: stored negative
    assert signed_crc32(zlib.crc32(b"test")) == 0xD87F7E0C - (1 << 32) == -662733300


def test_crc32_combine_matches_crc_of_concatenation():
    rng = random.Random(7)
    for _ in range(50):
        a = rng.randbytes(rng.randint(0, 300))
        b = rng.randbytes(rng.randint(0, 300))
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_ecl_record_names():
    assert csv_ecl_record(["a", "b"]) == "RECORD\n    STRING field1;\n    STRING field2;\nEND;"
    rec = csv_ecl_record([" 1st ", "x-y", "", "A", "a"], True, now=5)
    assert rec == ("RECORD\n    STRING _st;\n    STRING x_y;\n    STRING field3;\n"
                   "    STRING A;\n    STRING a_5_5;\nEND;")
