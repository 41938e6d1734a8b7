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

`json_type_info` writes the RTL type information as DFURecordTypeInfo's ``jsonInfo``
(rtldynfield's serializer: ``tyN`` types children first, then the record's ``fieldType``,
``length`` and ``fields``). Not emulated: the binary ``binInfo`` form, locales, initialisers.
"""
from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass, field
from decimal import Decimal

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


# ---------------------------------------------------------------------------------------------
# Decoding rows
# ---------------------------------------------------------------------------------------------

class RowTooShort(ValueError):
    pass


def _take(buf: bytes, pos: int, n: int) -> tuple[bytes, int]:
    if n < 0 or pos + n > len(buf):
        raise RowTooShort()
    return buf[pos:pos + n], pos + n


def _u32(buf: bytes, pos: int) -> tuple[int, int]:
    raw, pos = _take(buf, pos, 4)
    return struct.unpack("<I", raw)[0], pos


def _qstring(raw: bytes, chars: int) -> str:
    bits = int.from_bytes(raw, "big") if raw else 0
    total = len(raw) * 8
    out = []
    for k in range(chars):
        shift = total - 6 * (k + 1)
        out.append(chr(((bits >> shift) & 0x3F) + 32) if shift >= 0 else " ")
    return "".join(out)


def _bcd(raw: bytes, digits: int, precision: int, signed: bool) -> str:
    nibbles = []
    for b in raw:
        nibbles += [b >> 4, b & 0xF]
    negative = False
    if signed:
        sign = nibbles.pop()
        negative = sign in (0xB, 0xD)
    text = "".join(str(n if n < 10 else 0) for n in nibbles).lstrip("0") or "0"
    value = Decimal(text).scaleb(-(precision or 0))
    if negative and value:
        value = -value
    out = format(value, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


def format_real(value: float) -> str:
    text = format(value, ".15g")
    return text


def decode_field(f: EclField, buf: bytes, pos: int):
    """(value, new position) of one field at ``pos``. Values: str for strings (trailing
    spaces removed), hex text for data, int, float text, bool, list for sets, list of rows
    (dicts) for datasets, dict for records."""
    t, n = f.type, f.length
    if t == "boolean":
        raw, pos = _take(buf, pos, 1)
        return raw != b"\x00", pos
    if t in ("integer", "unsigned"):
        raw, pos = _take(buf, pos, n or 8)
        order = "big" if f.big_endian else "little"
        return int.from_bytes(raw, order, signed=(t == "integer")), pos
    if t == "real":
        raw, pos = _take(buf, pos, n or 8)
        return format_real(struct.unpack("<f" if len(raw) == 4 else "<d", raw)[0]), pos
    if t in ("decimal", "udecimal"):
        raw, pos = _take(buf, pos, f.fixed_size)
        return _bcd(raw, n or 32, f.precision or 0, t == "decimal"), pos
    if t == "string":
        if n is None:
            n, pos = _u32(buf, pos)
        raw, pos = _take(buf, pos, n)
        return raw.decode("latin-1").rstrip(" "), pos
    if t == "data":
        if n is None:
            n, pos = _u32(buf, pos)
        raw, pos = _take(buf, pos, n)
        return raw.hex().upper(), pos
    if t == "qstring":
        if n is None:
            n, pos = _u32(buf, pos)
        raw, pos = _take(buf, pos, (n * 3 + 3) // 4)
        return _qstring(raw, n).rstrip(" "), pos
    if t == "varstring":
        if n is not None:
            raw, pos = _take(buf, pos, n + 1)
            return raw.split(b"\x00", 1)[0].decode("latin-1"), pos
        end = buf.find(b"\x00", pos)
        if end < 0:
            raise RowTooShort()
        return buf[pos:end].decode("latin-1"), end + 1
    if t == "unicode":
        if n is None:
            n, pos = _u32(buf, pos)
        raw, pos = _take(buf, pos, 2 * n)
        return raw.decode("utf-16-le", "replace").rstrip(" "), pos
    if t == "varunicode":
        if n is not None:
            raw, pos = _take(buf, pos, 2 * (n + 1))
        else:
            end = pos
            while True:
                if end + 2 > len(buf):
                    raise RowTooShort()
                if buf[end:end + 2] == b"\x00\x00":
                    break
                end += 2
            raw, pos = buf[pos:end + 2], end + 2
        text = raw.decode("utf-16-le", "replace")
        return text.split("\x00", 1)[0], pos
    if t == "utf8":
        chars, pos = _u32(buf, pos)
        out_bytes = bytearray()
        seen = 0
        while seen < chars:
            if pos >= len(buf):
                raise RowTooShort()
            lead = buf[pos]
            width = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            out_bytes += buf[pos:pos + width]
            pos += width
            seen += 1
        return out_bytes.decode("utf-8", "replace"), pos
    if t == "record":
        row = {}
        for child in f.children:
            row[child.name], pos = decode_field(child, buf, pos)
        return row, pos
    if t == "set":
        raw, pos = _take(buf, pos, 1)
        size, pos = _u32(buf, pos)
        end = pos + size
        if end > len(buf):
            raise RowTooShort()
        items = []
        while pos < end:
            item, pos = decode_field(f.element, buf, pos)
            items.append(item)
        return items, end
    if t == "dataset":
        size, pos = _u32(buf, pos)
        end = pos + size
        if end > len(buf):
            raise RowTooShort()
        rows = []
        while pos < end:
            row = {}
            for child in f.children:
                row[child.name], pos = decode_field(child, buf, pos)
            rows.append(row)
        return rows, end
    raise EclParseError(f"cannot decode {t}")  # pragma: no cover


def decode_row(record: EclRecord, buf: bytes, pos: int = 0) -> tuple[dict, int]:
    """One row at ``pos`` of ``buf``: (field values, position after the row).
    `RowTooShort` when the buffer ends inside the row."""
    row = {}
    for f in record.fields:
        row[f.name], pos = decode_field(f, buf, pos)
    return row, pos


# ---------------------------------------------------------------------------------------------
# Type information
# ---------------------------------------------------------------------------------------------

def _type_key(f: EclField) -> tuple:
    return (f.type, f.length, f.precision, f.big_endian,
            tuple((c.name, _type_key(c)) for c in f.children),
            _type_key(f.element) if f.element else None)


def field_type_code(f: EclField) -> int:
    code = TYPE_CODES[f.type]
    if f.type in ("unsigned", "udecimal"):
        code |= RFTM_UNSIGNED
    if f.fixed_size is None or f.type in ("dataset", "set"):
        code |= RFTM_UNKNOWNSIZE
    return code


def _type_length(f: EclField) -> int:
    if f.type in ("string", "qstring", "unicode", "data"):
        return f.length or 0
    if f.type in ("varstring", "varunicode"):
        return (f.length + 1) if f.length is not None else 0
    if f.type in ("utf8", "set", "dataset"):
        return 0
    if f.type in ("decimal", "udecimal"):
        return ((f.length or 32) << 16) | (f.precision or 0)
    if f.type == "record":
        return f.fixed_size or 0
    return f.fixed_size or 0


def json_type_info(record: EclRecord) -> str:
    """DFURecordTypeInfo's ``jsonInfo`` for a record (see the module docstring)."""
    names: dict[tuple, str] = {}
    entries: list[tuple[str, dict]] = []

    def describe(f: EclField) -> dict:
        body: dict = {"fieldType": field_type_code(f), "length": _type_length(f)}
        if f.type == "set" and f.element:
            body["child"] = name_of(f.element)
        if f.type in ("record", "dataset"):
            if f.type == "dataset":
                rec = EclField("", "record", children=f.children)
                body["child"] = name_of(rec)
            else:
                body["fields"] = [field_entry(c) for c in f.children]
        return body

    def name_of(f: EclField) -> str:
        key = _type_key(f)
        if key not in names:
            if f.type == "record":
                for c in f.children:
                    name_of(c)
            body = describe(f)
            names[key] = f"ty{len(names) + 1}"
            entries.append((names[key], body))
        return names[key]

    def field_entry(c: EclField) -> dict:
        entry = {"name": c.name.lower(), "type": name_of(c)}
        if c.xpath:
            entry["xpath"] = c.xpath
        code = field_type_code(c)
        if code:
            entry["flags"] = code
        return entry

    for f in record.fields:
        name_of(f)
    top = {"fieldType": TYPE_CODES["record"] | (RFTM_UNKNOWNSIZE if record.fixed_size is None else 0),
           "length": record.fixed_size or 0,
           "fields": [field_entry(f) for f in record.fields]}
    doc: dict = {name: body for name, body in entries}
    doc.update(top)
    return json.dumps(doc, indent=1)


# ---------------------------------------------------------------------------------------------
# XML schema (XmlSchemaBuilder style) and the def file
# ---------------------------------------------------------------------------------------------

def xsd_type(f: EclField) -> str:
    """The schema type name a column shows (``string10``, ``xs:integer``, ...)."""
    t, n = f.type, f.length
    if t in ("string", "qstring", "varstring", "unicode", "varunicode"):
        return f"string{n}" if n is not None else "xs:string"
    if t == "utf8":
        return "xs:string"
    if t == "integer":
        return "xs:integer"
    if t == "unsigned":
        return "xs:nonNegativeInteger"
    if t == "real":
        return "xs:double"
    if t == "boolean":
        return "xs:boolean"
    if t == "data":
        return f"data{n}" if n is not None else "xs:hexBinary"
    if t in ("decimal", "udecimal"):
        return f"{t}{n or 32}_{f.precision or 0}"
    return "Object"


def xml_schema(record: EclRecord, extra: list[EclField] = (), keyed: int = 0) -> str:
    """``<xs:schema>`` for rows of ``record`` (plus virtual columns) inside ``<Dataset>``."""
    simple: dict[str, str] = {}

    def element(f: EclField, indent: str) -> str:
        name = f.name
        if f.type == "record":
            inner = "".join(element(c, indent + "  ") for c in f.children)
            return (f'{indent}<xs:element name="{name}"><xs:complexType><xs:sequence>\n'
                    f"{inner}{indent}</xs:sequence></xs:complexType></xs:element>\n")
        if f.type == "dataset":
            inner = "".join(element(c, indent + "    ") for c in f.children)
            return (f'{indent}<xs:element name="{name}" minOccurs="0"><xs:complexType><xs:sequence>\n'
                    f'{indent}  <xs:element name="Row" minOccurs="0" maxOccurs="unbounded">'
                    f"<xs:complexType><xs:sequence>\n{inner}{indent}  </xs:sequence>"
                    f"</xs:complexType></xs:element>\n"
                    f"{indent}</xs:sequence></xs:complexType></xs:element>\n")
        if f.type == "set":
            item = xsd_type(f.element) if f.element else "xs:string"
            note_simple(f.element)
            return (f'{indent}<xs:element name="{name}" minOccurs="0"><xs:complexType>'
                    f'<xs:sequence><xs:element name="All" minOccurs="0"/>'
                    f'<xs:element name="Item" minOccurs="0" maxOccurs="unbounded" type="{item}"/>'
                    f"</xs:sequence></xs:complexType></xs:element>\n")
        note_simple(f)
        return f'{indent}<xs:element name="{name}" type="{xsd_type(f)}"/>\n'

    def note_simple(f: EclField | None) -> None:
        if f is None:
            return
        name = xsd_type(f)
        if name.startswith("xs:") or name in simple:
            return
        if name.startswith("string"):
            simple[name] = (f'<xs:simpleType name="{name}"><xs:restriction base="xs:string">'
                            f'<xs:maxLength value="{f.length}"/></xs:restriction></xs:simpleType>')
        elif name.startswith("data"):
            simple[name] = (f'<xs:simpleType name="{name}"><xs:restriction base="xs:hexBinary">'
                            f'<xs:maxLength value="{f.length}"/></xs:restriction></xs:simpleType>')
        elif name.startswith(("decimal", "udecimal")):
            simple[name] = (f'<xs:simpleType name="{name}"><xs:restriction base="xs:decimal">'
                            f'<xs:totalDigits value="{f.length or 32}"/>'
                            f'<xs:fractionDigits value="{f.precision or 0}"/>'
                            f"</xs:restriction></xs:simpleType>")

    body = ""
    for i, f in enumerate(list(record.fields) + list(extra)):
        text = element(f, "      ")
        if i < keyed:
            text = text.replace("/>\n", '><xs:annotation><xs:appinfo hpcc:keyed="true"/>'
                                        "</xs:annotation></xs:element>\n", 1)
        body += text
    return ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"'
            ' attributeFormDefault="unqualified" xmlns:hpcc="urn:hpccsystems:xsd:appinfo">\n'
            '<xs:element name="Dataset"><xs:complexType><xs:sequence minOccurs="0" '
            'maxOccurs="unbounded">\n'
            '  <xs:element name="Row"><xs:complexType><xs:sequence>\n'
            f"{body}"
            "  </xs:sequence></xs:complexType></xs:element>\n"
            "</xs:sequence></xs:complexType></xs:element>\n"
            + "".join(v + "\n" for v in simple.values()) +
            "</xs:schema>")


def _xml_escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def def_file(record: EclRecord, tail: str, fmt: str) -> bytes:
    """DFUDefFile: ``xml`` = ``<Table>`` with one ``<Field>`` per field and the file's tail as
    ``<filename>``; ``def`` = the layout as ECL text (wsdfu.md §4.13)."""
    if fmt == "def":
        lines = [f"{tail} := RECORD"]

        def emit(fields: list[EclField], indent: str) -> None:
            for f in fields:
                if f.type == "record":
                    lines.append(f"{indent}RECORD")
                    emit(f.children, indent + "  ")
                    lines.append(f"{indent}END {f.name};")
                else:
                    lines.append(f"{indent}{f.ecl_type.upper()} {f.name};")
        emit(record.fields, "  ")
        lines.append("END;")
        return ("\n".join(lines) + "\n").encode("utf-8")

    out = ["<Table>"]

    def fields_xml(fields: list[EclField], position: int, indent: str) -> int:
        for f in fields:
            size = f.fixed_size if f.fixed_size is not None else 0
            plain = re.sub(r"\d+(_\d+)?$", "", f.ecl_type)
            attrs = (f'ecltype="{_xml_escape(f.ecl_type)}" label="{_xml_escape(f.name)}" '
                     f'name="{_xml_escape(f.name)}" position="{position}" size="{size}" '
                     f'type="{_xml_escape(plain)}"')
            if f.type in ("record", "dataset"):
                out.append(f"{indent}<Field {attrs}>")
                fields_xml(f.children, 0, indent + " ")
                out.append(f"{indent}</Field>")
            else:
                out.append(f"{indent}<Field {attrs}/>")
            position += 1
        return position

    fields_xml(record.fields, 0, " ")
    out.append(f" <filename>{_xml_escape(tail)}</filename>")
    out.append("</Table>")
    return ("\n".join(out) + "\n").encode("utf-8")
