"""Generate a service's spyne models from an official ESP WSDL (a developer tool).

    python -m wsservices.esp.modelgen ../shared/reference/wsdl/FileSpray.wsdl wsservices/filespray/models.py

Every named complex type and every request/response element of the WSDL becomes a spyne
ComplexModel with the same name, namespace, field names, field order, simple types, defaults and
array-ness; the operations become an `OPERATIONS` table. Enumerations become their base type (ESP
never validates them) with their values listed in a comment. The output is committed; the server
never reads the official WSDL.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from lxml import etree

WSDL = "http://schemas.xmlsoap.org/wsdl/"
XSD = "http://www.w3.org/2001/XMLSchema"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"

SIMPLE = {"string": "Unicode", "int": "Int", "long": "Long", "boolean": "Boolean",
          "double": "Double", "dateTime": "DateTime", "nonNegativeInteger": "NonNegativeInteger",
          "base64Binary": "ByteArray", "unsignedInt": "UnsignedInt"}


def _local(qname: str | None) -> str:
    return (qname or "").split(":", 1)[-1]


def _default(simple: str, text: str) -> str:
    if simple == "Boolean":
        return "True" if text.strip().lower() in ("1", "true") else "False"
    if simple in ("Int", "Long", "NonNegativeInteger"):
        return str(int(text))
    if simple == "Double":
        return repr(float(text))
    return repr(text)


class Generator:
    def __init__(self, root: etree._Element):
        self.root = root
        self.schema = next(root.iter(f"{{{XSD}}}schema"))
        self.ns = self.schema.get("targetNamespace")
        self.enums: dict[str, tuple[str, list[str]]] = {}  # name -> (base type, values)
        self.types: dict[str, etree._Element] = {}
        self.elements: dict[str, etree._Element] = {}
        self.nested: list[str] = []  # classes for anonymous nested types, emitted before their owner
        self.emitted: set[str] = set()
        self.deferred: list[str] = []  # fields closing a type cycle, inserted once both types exist
        for child in self.schema:
            name = child.get("name")
            if child.tag == f"{{{XSD}}}simpleType":
                base = _local(child.find(f"{{{XSD}}}restriction").get("base"))
                self.enums[name] = (base, [e.get("value") for e in child.iter(f"{{{XSD}}}enumeration")])
            elif child.tag == f"{{{XSD}}}complexType":
                self.types[name] = child
            elif child.tag == f"{{{XSD}}}element":
                self.elements[name] = child

    def _fields(self, ctype: etree._Element, owner: str) -> list[str]:
        lines = []
        for group in ctype:
            if group.tag not in (f"{{{XSD}}}all", f"{{{XSD}}}sequence"):
                continue
            for index, el in enumerate(group.findall(f"{{{XSD}}}element")):
                name, expr, comment = self._field(el, owner)
                dep = _local(el.get("type"))
                if dep in self.types and dep not in self.emitted:
                    self.deferred.append(f'{owner}.insert_field({index}, "{name}", {expr})')
                else:
                    lines.append(f'        ("{name}", {expr}),{comment}')
        return lines

    def _field(self, el: etree._Element, owner: str) -> tuple[str, str, str]:
        """(field name, spyne type expression, trailing comment) of one xsd:element."""
        name = el.get("name")
        tname = _local(el.get("type"))
        comment = ""
        inline = el.find(f"{{{XSD}}}complexType")
        if inline is not None:
            spyne = f"{owner}_{name}"
            self.nested.append(self._class(spyne, inline))
        elif tname in SIMPLE:
            spyne = SIMPLE[tname]
        elif tname in self.enums:
            base, values = self.enums[tname]
            spyne = SIMPLE[base]
            comment = f"  # {tname}: " + ", ".join(values)
        elif tname in self.types:
            spyne = tname
        else:
            raise SystemExit(f"{owner}.{name}: unknown type {tname}")
        args = []
        if el.get("default") is not None and spyne in SIMPLE.values():
            args.append(f"default={_default(spyne, el.get('default'))}")
        if el.get("maxOccurs", "1") not in ("1", "0"):
            args.append('max_occurs="unbounded"')
        expr = f"{spyne}.customize({', '.join(args)})" if args else spyne
        return name, expr, comment

    def _class(self, name: str, ctype: etree._Element) -> str:
        """Source of one class; classes of its anonymous nested types go to `self.nested`."""
        fields = self._fields(ctype, name)
        body = "\n".join(fields) if fields else ""
        return (f"class {name}(ComplexModel):\n    __namespace__ = NAMESPACE\n"
                f"    _type_info = [\n{body}\n    ]\n" if fields else
                f"class {name}(ComplexModel):\n    __namespace__ = NAMESPACE\n    _type_info = []\n")

    def _ordered_types(self) -> list[str]:
        """Named types with every type they reference emitted first."""
        done: list[str] = []

        def visit(name: str, stack: tuple[str, ...]) -> None:
            if name in done or name in stack:
                return
            for el in self.types[name].iter(f"{{{XSD}}}element"):
                dep = _local(el.get("type"))
                if dep in self.types and dep != name:
                    visit(dep, stack + (name,))
            done.append(name)

        for name in self.types:
            visit(name, ())
        return done

    def _emit(self, name: str, ctype: etree._Element) -> list[str]:
        self.nested = []
        main = self._class(name, ctype)
        self.emitted.add(name)
        return [part for cls in self.nested + [main] for part in ("", cls)]

    def operations(self) -> list[tuple[str, str, str, str]]:
        messages = {m.get("name"): _local(m.find(f"{{{WSDL}}}part").get("element"))
                    for m in self.root.iter(f"{{{WSDL}}}message")}
        actions = {op.get("name"): op.find(f"{{{SOAP}}}operation").get("soapAction")
                   for b in self.root.iter(f"{{{WSDL}}}binding")
                   for op in b.findall(f"{{{WSDL}}}operation")}
        ops = []
        for pt in self.root.iter(f"{{{WSDL}}}portType"):
            for op in pt.findall(f"{{{WSDL}}}operation"):
                inp = messages[_local(op.find(f"{{{WSDL}}}input").get("message"))]
                out = messages[_local(op.find(f"{{{WSDL}}}output").get("message"))]
                ops.append((op.get("name"), inp, out, actions.get(op.get("name"), "")))
        return ops

    def render(self) -> str:
        ops = self.operations()
        service = ops[0][3].split("/", 1)[0]
        version = re.search(r"ver_=([0-9.]+)", ops[0][3]).group(1)
        out = [f'"""{service} {version} request and response models, generated from the official WSDL.\n\n'
               f"Generated by `python -m wsservices.esp.modelgen`: change the generator, not this file.\n"
               f'Element, field and type names, order, defaults and arrays mirror the WSDL exactly.\n"""',
               "# flake8: noqa",
               "from wsservices.esp.types import (Boolean, ByteArray, ComplexModel, DateTime, Double, Int,",
               "                                  Long, NonNegativeInteger, Operation, Unicode)",
               "", f'NAMESPACE = "{self.ns}"', f'SERVICE = "{service}"', f'VERSION = "{version}"', ""]
        for name in self._ordered_types():
            out += self._emit(name, self.types[name])
        out += [""] + self.deferred if self.deferred else []
        used = {n for op in ops for n in op[1:3]}
        for name, el in self.elements.items():
            if name not in used:
                continue
            if name in self.types:
                raise SystemExit(f"element {name} clashes with a named type")
            ctype = el.find(f"{{{XSD}}}complexType")
            if ctype is None:
                raise SystemExit(f"element {name} has no inline type")
            out += self._emit(name, ctype)
        out += ["", "OPERATIONS = ("]
        for name, inp, outp, _action in ops:
            out.append(f'    Operation("{name}", {inp}, {outp}),')
        out.append(")")
        text = "\n".join(out) + "\n"
        if "UnsignedInt" in text:   # only the WSDLs that use xs:unsignedInt import it
            text = text.replace(" Operation, Unicode)", " Operation, Unicode,\n" + " " * 34 + "UnsignedInt)", 1)
        return text


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__)
        return 2
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    root = etree.parse(args[0], parser).getroot()
    Path(args[1]).write_text(Generator(root).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
