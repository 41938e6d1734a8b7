"""What WsDfu writes about an ECL record (eclrecord.py): RTL type information, XML schemas and
def files (wsdfu.md §4.12, §4.13).

`json_type_info` writes the RTL type information as DFURecordTypeInfo's ``jsonInfo``
(rtldynfield's serializer: ``tyN`` types children first, then the record's ``fieldType``,
``length`` and ``fields``); `xml_schema` the XmlSchemaBuilder-style schema of DFUBrowseData and
DFUGetFileMetaData; `def_file` DFUDefFile's ``.xml``/``.def`` text.
Not emulated: the binary ``binInfo`` form, locales, initialisers.
"""
from __future__ import annotations

import json
import re

from .eclrecord import RFTM_UNKNOWNSIZE, RFTM_UNSIGNED, TYPE_CODES, EclField, EclRecord

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
