"""ECL record definitions: the ``ECL`` attribute of a logical file, parsed (wsdfu.md §4.8-4.13, §8).

Understood: ``[name :=] RECORD ... END;`` and ``{ type name, ... }`` forms, several definitions
in one text (the last is the file's layout, earlier ones can be used as field types), field
attributes in braces (``{xpath('x')}``, ignored except xpath), defaults (``:= value``), comments.
Field types: STRING, QSTRING, VARSTRING, UNICODE, VARUNICODE, UTF8, DATA (each with or without
a length), INTEGER1-8, UNSIGNED1-8, REAL4/8, DECIMALn[_m], UDECIMALn[_m], BOOLEAN, ``SET OF``
a scalar, ``DATASET(layout)`` and a named layout as a nested record. ``EBCDIC``/``ASCII``
prefixes and ``BIG_ENDIAN`` are accepted (big-endian integers are decoded as such).
Anything else (IFBLOCK, ``RECORDOF``, inheritance, packed integers, bitfields) is *unparsable*:
`EclParseError`, which views report as ``Could not process record description`` (6702).

The binary layout is Thor's flat format: fixed strings padded, variable strings/data/unicode/
utf8 with a 4-byte little-endian length (characters for unicode/utf8), varstrings NUL-ended,
little-endian integers, IEEE reals, packed BCD decimals, sets as ``isAll`` byte + 4-byte byte
length + items, child datasets as 4-byte byte length + rows.

Rows in that layout are decoded by eclrows.py; type information, XML schemas and def files are
written by ecltypes.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

STRING_TYPES = ("string", "qstring", "varstring", "unicode", "varunicode", "utf8")
#: rtlconst.hpp type codes and RFTM flags (eclhelper.hpp)
TYPE_CODES = {"boolean": 0, "integer": 1, "unsigned": 1, "real": 2, "decimal": 3, "udecimal": 3,
              "string": 4, "record": 13, "varstring": 14, "data": 16, "dataset": 20, "set": 21,
              "qstring": 30, "unicode": 31, "varunicode": 33, "utf8": 41}
RFTM_UNSIGNED = 0x100
RFTM_UNKNOWNSIZE = 0x400

_TOKEN = re.compile(r"""
    (?P<ws>\s+) | (?P<comment>//[^\n]*|/\*.*?\*/) |
    (?P<str>'(?:[^'\\]|\\.)*') | (?P<num>\d+(?:\.\d+)?) |
    (?P<id>[A-Za-z_$][A-Za-z0-9_$]*) | (?P<op>:=|[;,{}()\[\]=<>+\-*/.:#@!&|^~?%])
""", re.X | re.S)
_BASE = re.compile(r"^(string|qstring|varstring|data|unicode|varunicode|utf8|integer|unsigned|"
                   r"real|decimal|udecimal|boolean)(?:_?([a-z]{2}(?:_[a-z]{2})?)(?=\d|$))?"
                   r"(\d+)?(?:_(\d+))?$", re.I)


class EclParseError(ValueError):
    """The record text cannot be processed. ``col``/``line`` (1-based) locate the problem."""

    col: int = 0
    line: int = 0


@dataclass
class EclField:
    name: str
    type: str                      # base type name, see TYPE_CODES
    length: int | None = None      # declared length: characters, bytes or digits; None = variable
    precision: int | None = None   # decimal places
    children: list["EclField"] = field(default_factory=list)   # record / dataset rows
    element: "EclField | None" = None                          # set element type
    xpath: str | None = None
    big_endian: bool = False

    # -- description ------------------------------------------------------------------------
    @property
    def ecl_type(self) -> str:
        """``string10``, ``string``, ``integer4``, ``unsigned8``, ``real8``, ``boolean``,
        ``decimal10_2``, ``set of string10``, ``dataset``, ``record``."""
        if self.type in ("record", "dataset"):
            return self.type
        if self.type == "set":
            return f"set of {self.element.ecl_type}" if self.element else "set"
        if self.type == "boolean":
            return "boolean"
        if self.type in ("decimal", "udecimal"):
            text = f"{self.type}{self.length or ''}"
            return f"{text}_{self.precision}" if self.precision else text
        return f"{self.type}{self.length if self.length is not None else ''}"

    @property
    def is_variable(self) -> bool:
        return self.fixed_size is None

    @property
    def fixed_size(self) -> int | None:
        """Bytes of the field in a row, or None when it varies."""
        t, n = self.type, self.length
        if t == "boolean":
            return 1
        if t in ("integer", "unsigned"):
            return n or 8
        if t == "real":
            return n or 8
        if t == "decimal":
            return (n or 32) // 2 + 1
        if t == "udecimal":
            return ((n or 32) + 1) // 2
        if t == "record":
            sizes = [c.fixed_size for c in self.children]
            return None if any(s is None for s in sizes) else sum(sizes)
        if n is None or t in ("set", "dataset", "utf8"):
            return None
        return {"string": n, "data": n, "qstring": (n * 3 + 3) // 4, "varstring": n + 1,
                "unicode": 2 * n, "varunicode": 2 * (n + 1)}[t]

    @property
    def is_string(self) -> bool:
        return self.type in STRING_TYPES

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "unsigned", "real", "decimal", "udecimal")


@dataclass
class EclRecord:
    fields: list[EclField]
    text: str = ""

    @property
    def fixed_size(self) -> int | None:
        sizes = [f.fixed_size for f in self.fields]
        return None if any(s is None for s in sizes) else sum(sizes)

    @property
    def is_complex(self) -> bool:
        """Child datasets (the views show them as nested rows; indexes refuse them)."""
        return any(f.type == "dataset" for f in self.fields)


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

def _locate(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return col, line


def _tokens(text: str) -> tuple[list[str], list[int]]:
    out, where, pos = [], [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            err = EclParseError(f"unexpected character {text[pos]!r}")
            err.col, err.line = _locate(text, pos)
            raise err
        if m.lastgroup not in ("ws", "comment"):
            out.append(m.group())
            where.append(pos)
        pos = m.end()
    return out, where


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks, self.where = _tokens(text)
        self.i = 0
        self.layouts: dict[str, list[EclField]] = {}

    def locate(self, err: EclParseError) -> EclParseError:
        if not err.line:
            index = min(max(self.i - 1, 0), len(self.where) - 1)  # the token just read
            pos = self.where[index] if self.where else 0
            err.col, err.line = _locate(self.text, pos)
        return err

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ""

    def next(self) -> str:
        tok = self.peek()
        if not tok:
            raise EclParseError("unexpected end of record text")
        self.i += 1
        return tok

    def expect(self, tok: str) -> None:
        got = self.next()
        if got.lower() != tok:
            raise EclParseError(f"expected {tok!r}, got {got!r}")

    def parse(self) -> list[EclField]:
        last: list[EclField] | None = None
        while self.peek():
            name = None
            if self.peek(1) == ":=":
                name = self.next().lower()
                self.next()
            if self.peek().lower() == "record":
                self.next()
                if self.peek() == "(":
                    raise EclParseError("record inheritance is not supported")
                fields = self.fields_until_end()
            elif self.peek() == "{":
                self.next()
                fields = self.brace_fields()
            else:
                raise EclParseError(f"expected RECORD, got {self.peek()!r}")
            while self.peek() == ";":
                self.next()
            if name:
                self.layouts[name] = fields
            last = fields
        if last is None:
            raise EclParseError("no record definition")
        return last

    def fields_until_end(self) -> list[EclField]:
        fields = []
        while True:
            tok = self.peek().lower()
            if tok == "end":
                self.next()
                return fields
            if not tok:
                raise EclParseError("missing END")
            if tok == ";":
                self.next()
                continue
            fields.append(self.field(terminators=(";",)))
            if self.peek() == ";":
                self.next()

    def brace_fields(self) -> list[EclField]:
        fields = []
        while True:
            if self.peek() == "}":
                self.next()
                return fields
            fields.append(self.field(terminators=(",", "}")))
            if self.peek() == ",":
                self.next()

    def field(self, terminators: tuple[str, ...]) -> EclField:
        tok = self.peek().lower()
        if tok in ("ifblock", "recordof", "ifblock("):
            raise EclParseError("IFBLOCK is not supported")
        big_endian = False
        while tok in ("ebcdic", "ascii", "big_endian", "little_endian", "linkcounted",
                      "embedded"):
            big_endian = big_endian or tok == "big_endian"
            self.next()
            tok = self.peek().lower()
        proto = self.type_spec()
        proto.big_endian = big_endian
        name = self.next()
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise EclParseError(f"bad field name {name!r}")
        proto.name = name
        if self.peek() == "{":
            self.attributes(proto)
        if self.peek() == ":=":
            self.skip_expression(terminators)
        return proto

    def type_spec(self) -> EclField:
        tok = self.next()
        low = tok.lower()
        if low == "set":
            self.expect("of")
            element = self.type_spec()
            if element.type in ("record", "dataset", "set"):
                raise EclParseError("set of a record is not supported")
            return EclField("", "set", element=element)
        if low in ("dataset", "embedded"):
            self.expect("(")
            layout = self.next().lower()
            children = self.layout(layout)
            while self.peek() != ")":
                self.next()
            self.next()
            return EclField("", "dataset", children=children)
        if low in self.layouts:
            return EclField("", "record", children=self.layouts[low])
        m = _BASE.match(tok)
        if not m:
            raise EclParseError(f"unknown type {tok!r}")
        base = m.group(1).lower()
        length = int(m.group(3)) if m.group(3) else None
        precision = int(m.group(4)) if m.group(4) else None
        if base in ("integer", "unsigned") and length is not None and not 1 <= length <= 8:
            raise EclParseError(f"bad integer size in {tok!r}")
        if base == "real" and length not in (None, 4, 8):
            raise EclParseError(f"bad real size in {tok!r}")
        if base == "boolean" and length is not None:
            raise EclParseError(f"unknown type {tok!r}")
        if base not in ("decimal", "udecimal") and precision is not None:
            if base == "utf8":
                length = None
            else:
                raise EclParseError(f"unknown type {tok!r}")
        return EclField("", base, length=length, precision=precision)

    def layout(self, name: str) -> list[EclField]:
        if name not in self.layouts:
            raise EclParseError(f"unknown layout {name!r}")
        return self.layouts[name]

    def attributes(self, f: EclField) -> None:
        self.expect("{")
        depth = 1
        while depth:
            tok = self.next()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
            elif tok.lower() == "xpath" and self.peek() == "(":
                self.next()
                value = self.next()
                if value.startswith("'"):
                    f.xpath = value[1:-1]

    def skip_expression(self, terminators: tuple[str, ...]) -> None:
        self.next()
        depth = 0
        while self.peek():
            tok = self.peek()
            if depth == 0 and tok in terminators:
                return
            if tok in "({[":
                depth += 1
            elif tok in ")}]":
                if depth == 0:
                    return
                depth -= 1
            self.next()


def parse_record(text: str) -> EclRecord:
    """Parse an ECL record definition; `EclParseError` when it cannot be processed."""
    if not (text or "").strip():
        raise EclParseError("empty record definition")
    parser = _Parser(text)
    try:
        fields = parser.parse()
    except EclParseError as err:
        raise parser.locate(err) from None
    if not fields:
        raise EclParseError("record has no fields")
    return EclRecord(fields, text)


def contents_record(record_size: int) -> EclRecord:
    """A file with a record size but no ECL shows one ``contents`` column (wsdfu.md §8)."""
    return EclRecord([EclField("contents", "string", length=record_size)])


def line_record(unicode: bool = False) -> EclRecord:
    """CSV and UTF text files show one ``line`` column (wsdfu.md §8)."""
    return EclRecord([EclField("line", "utf8" if unicode else "string")])
