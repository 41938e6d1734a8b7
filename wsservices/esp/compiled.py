"""Compiled response writers: ESP's XML and JSON for one type, decided once per type.

`codec.encode` and `jsoncodec.content` re-derive, for every field of every row, what the type
already knows (struct or array, nil_remove, the unset text, the scalar kind). A `Writer` is
built once per (type, nil_remove) and keeps that as a plan: one entry per field, in contract
order, with the text of an unset field precomputed and the way to write a value chosen. It
writes the same bytes as the codecs (tests/protocol/test_compiled.py compares them on every
response type) from any object with the fields as attributes: a spyne instance, or a light
`Record`, so that a method returning many rows need not build a spyne model per row.
Each writer turns its plan, on first use, into two straight-line Python functions (XML and
JSON, compiled with `compile`/`exec`, one statement group per planned field): the loop over
the fields and the choice per field are done once, not per row. `xml_reference` and
`json_reference` walk the plan as the generated code does, for comparison.

Field filtering by client version (ESP's `min_ver`/`max_ver`/`depr_ver`) happens at
`Writer.plan`: `writer(model, nil_remove, version)` compiles one writer per (type, nil_remove,
version), and `plan` leaves out the fields outside the version's range (clientversion.py);
version None writes every field.
"""
from __future__ import annotations

import re
import threading
import types
from typing import Any

from spyne.model.binary import ByteArray
from spyne.model.primitive import Boolean, DateTime, Decimal, Float, Integer

from wsservices.esp import clientversion, jsoncodec
from wsservices.esp.codec import array_item, escape, is_complex, is_many, keeps_unset, unset_value, xml_text

#: a light response row: any attribute not set reads as unset (`getattr(..., None)`)
Record = types.SimpleNamespace
_defaults: dict[type, dict[str, Any]] = {}


def record(model: type, **fields: Any) -> Record:
    """A Record standing for an instance of `model`: the fields spyne would give a new
    instance (declared defaults, which a nil_remove type then writes), then `fields`."""
    defaults = _defaults.get(model)
    if defaults is None:
        defaults = _defaults[model] = {
            name: t.Attributes.default for name, t in model._type_info.items()
            if t.Attributes.default is not None}
    return Record(**defaults, **fields) if not (defaults.keys() & fields.keys()) \
        else Record(**{**defaults, **fields})

_XML_SPECIAL = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_JSON_SPECIAL = re.compile('["\\\\\x00-\x1f\x7f\ud800-\udfff]')

# field kinds
SIMPLE, STRUCT, WRAPPER, MANY_SIMPLE, MANY_STRUCT = range(5)

_cache: dict[tuple, "Writer"] = {}
_building: dict[tuple, "Writer"] = {}  # being planned by the thread holding _lock
_lock = threading.RLock()


def writer(model: type, nil_remove: frozenset[str], version: Any = None) -> "Writer":
    """The compiled writer of `model` (built on first use, then shared). A writer is
    published only once it and every writer it uses are planned, so another thread never
    sees one half-built; a recursive type finds itself in `_building`."""
    key = (model, nil_remove, version)
    found = _cache.get(key)
    if found is not None:
        return found
    with _lock:
        found = _cache.get(key) or _building.get(key)
        if found is not None:
            return found
        outermost = not _building
        found = _building[key] = Writer(model, nil_remove, version)
        try:
            found.plan()
            if outermost:
                _cache.update(_building)
        finally:
            if outermost:
                _building.clear()
    return found


def xml_value(value: Any) -> str:
    """`escape(xml_text(value))` with the common cases first."""
    kind = type(value)
    if kind is str:
        return escape(value) if _XML_SPECIAL.search(value) else value
    if kind is int:
        return str(value)
    return escape(xml_text(value))


def json_string(value: str) -> str:
    return jsoncodec.quote(value) if _JSON_SPECIAL.search(value) else f'"{value}"'


def _scalar_function(t: type):
    """A function value -> JSON text for simple type `t` (`jsoncodec.scalar`'s rules)."""
    if issubclass(t, Integer) and not issubclass(t, Boolean):
        def integer(value):
            return str(value) if type(value) is int else jsoncodec.scalar(t, value)
        return integer
    if issubclass(t, Boolean):
        def boolean(value):
            if value is True:
                return "true"
            return "false" if value is False else jsoncodec.scalar(t, value)
        return boolean
    if issubclass(t, Decimal):
        single = issubclass(t, Float)

        def real(value):
            return jsoncodec.real(value, single) if type(value) is float else jsoncodec.scalar(t, value)
        return real
    if issubclass(t, (DateTime, ByteArray)):
        return lambda value: jsoncodec.scalar(t, value)

    def string(value):
        if type(value) is str:
            return json_string(value)
        return jsoncodec.scalar(t, value)
    return string


class _Field:
    __slots__ = ("name", "kind", "keep", "type", "sub", "item_name", "item_complex",
                 "xml_unset", "json_unset", "json_key", "scalar", "open", "close")

    def __init__(self, name: str, t: type, keep: bool):
        self.name, self.type, self.keep = name, t, keep
        self.open, self.close, self.json_key = f"<{name}>", f"</{name}>", f'"{name}": '
        self.sub = self.item_name = None
        self.item_complex = False
        self.xml_unset = self.json_unset = None
        self.scalar = None


class Writer:
    """XML and JSON for one response type."""

    def __init__(self, model: type, nil_remove: frozenset[str], version: Any = None):
        self.model, self.nil_remove, self.version = model, nil_remove, version
        self.fields: list[_Field] = []
        self.exceptions: _Field | None = None  # the Exceptions field, when the type has one
        self.item: tuple[str, Any] | None = None
        self._json_fn = self._xml_fn = None  # generated from the plan on first use

    def plan(self) -> None:
        """Decide, once, how each field the client version sees is written."""
        for name, t in clientversion.visible_fields(self.model, self.version):
            f = _Field(name, t, keeps_unset(self.model, name, self.nil_remove))
            many, complex_ = is_many(t), is_complex(t)
            if many:
                f.kind = MANY_STRUCT if complex_ else MANY_SIMPLE
            elif not complex_:
                f.kind = SIMPLE
                f.xml_unset = f"<{name}>{escape(xml_text(unset_value(t)))}</{name}>"
                f.json_unset = jsoncodec.scalar(t, t.Attributes.default)
            elif array_item(t) is not None:
                f.kind = WRAPPER
                f.item_name, item_type = array_item(t)
                f.item_complex = is_complex(item_type)
            else:
                f.kind = STRUCT
            if complex_:
                f.sub = writer(t, self.nil_remove, self.version)
            if f.kind in (SIMPLE, MANY_SIMPLE):
                f.scalar = _scalar_function(t)
            elif f.kind == WRAPPER and not f.item_complex:
                f.scalar = _scalar_function(array_item(t)[1])
            if name == "Exceptions":
                self.exceptions = f
            self.fields.append(f)

    # -- XML (codec.encode) -------------------------------------------------------------------
    def xml(self, inst: Any, tag: str, out: list[str], attrs: str = "") -> None:
        """Append `<tag attrs>...</tag>` for `inst` to `out` (by the generated function)."""
        fn = self._xml_fn
        if fn is None:
            fn = self._xml_fn = _generate_xml(self)
        fn(inst, tag, out, attrs)

    def xml_reference(self, inst: Any, tag: str, out: list[str], attrs: str = "") -> None:
        """`xml` by walking the plan: what the generated function is checked against."""
        out.append(f"<{tag}{attrs}>")
        if self.exceptions is not None and getattr(inst, "Exceptions", None) is not None:
            self.exceptions.sub.xml(inst.Exceptions, "Exceptions", out)
            out.append(f"</{tag}>")
            return
        for f in self.fields:
            value = getattr(inst, f.name, None)
            kind = f.kind
            if value is None:
                if f.xml_unset is not None and f.keep:
                    out.append(f.xml_unset)
                continue
            if kind == SIMPLE:
                out.append(f"{f.open}{xml_value(value)}{f.close}")
            elif kind == WRAPPER:
                items = getattr(value, f.item_name, None)
                if f.item_complex and not items:
                    continue
                f.sub.xml(value, f.name, out)
            elif kind == STRUCT:
                f.sub.xml(value, f.name, out)
            elif kind == MANY_STRUCT:
                for v in value:
                    f.sub.xml(v, f.name, out)
            else:
                for v in value:
                    out.append(f"{f.open}{xml_value(v)}{f.close}")
        out.append(f"</{tag}>")

    # -- JSON (jsoncodec.content) -------------------------------------------------------------
    def document(self, inst: Any, tag: str) -> str:
        return "{" + jsoncodec.quote(tag) + ": {" + self.json(inst) + "}}"

    def json(self, inst: Any) -> str:
        """The members of `inst`, without the braces (by the generated function, once built)."""
        fn = self._json_fn
        if fn is None:
            fn = self._json_fn = _generate_json(self)
        return fn(inst)

    def json_reference(self, inst: Any) -> str:
        """`json` by walking the plan: what the generated function is checked against."""
        if self.exceptions is not None and getattr(inst, "Exceptions", None) is not None:
            return jsoncodec.exceptions_member(inst.Exceptions)
        parts: list[str] = []
        for f in self.fields:
            value = getattr(inst, f.name, None)
            kind = f.kind
            if value is None:
                if not f.keep or f.name == "Exceptions":
                    continue
                if kind == SIMPLE:
                    parts.append(f.json_key + f.json_unset)
                elif kind == WRAPPER and not f.item_complex:
                    parts.append(f'{f.json_key}{{"{f.item_name}": []}}')
                continue
            if kind == SIMPLE:
                parts.append(f.json_key + f.scalar(value))
            elif kind == WRAPPER:
                items = getattr(value, f.item_name, None) or []
                if not items and (f.item_complex or not f.keep):
                    continue
                if f.item_complex:
                    sub = f.sub.item_writer()
                    listed = ", ".join(["{" + sub.json(v) + "}" for v in items])
                else:
                    listed = ", ".join([f.scalar(v) for v in items])
                parts.append(f'{f.json_key}{{"{f.item_name}": [{listed}]}}')
            elif kind == STRUCT:
                inner = f.sub.json(value)
                if inner:
                    parts.append(f"{f.json_key}{{{inner}}}")
            elif kind == MANY_STRUCT:
                if value:
                    parts.append(f.json_key + "[" + ", ".join(["{" + f.sub.json(v) + "}" for v in value]) + "]")
            else:
                parts.append(f.json_key + "[" + ", ".join([f.scalar(v) for v in value]) + "]")
        return ", ".join(parts)

    def item_writer(self) -> "Writer":
        """For an array wrapper: the writer of its item type."""
        return self.fields[0].sub


# -- generated JSON writers ---------------------------------------------------------------------
def _generate_json(w: Writer):
    """A straight-line function `inst -> members` for `w`, with `Writer.json_reference`'s
    rules unrolled over the plan's fields (so a field left out of the plan is left out here):
    one read per field, the common value types written inline, the rest by the field's scalar
    function. Sub-writers are called through their `json`, so recursive types work."""
    env: dict[str, Any] = {"Record": Record, "special": _JSON_SPECIAL.search, "quote": jsoncodec.quote,
                           "exceptions_member": jsoncodec.exceptions_member}
    lines = ["def members(inst):",
             "    get = inst.__dict__.get if type(inst) is Record else (lambda n: getattr(inst, n, None))"]
    if w.exceptions is not None:
        lines += ["    v = get('Exceptions')",
                  "    if v is not None:",
                  "        return exceptions_member(v)"]
    lines += ["    p = []", "    a = p.append"]
    for i, f in enumerate(w.fields):
        env[f"s{i}"], env[f"w{i}"] = f.scalar, f.sub
        key = repr(f.json_key)
        kind = f.kind
        lines.append(f"    v = get({f.name!r})")
        unset = None
        if f.keep and f.name != "Exceptions":
            if kind == SIMPLE:
                unset = repr(f.json_key + f.json_unset)
            elif kind == WRAPPER and not f.item_complex:
                unset = repr(f'{f.json_key}{{"{f.item_name}": []}}')
        lines.append("    if v is None:")
        lines.append(f"        {'a(' + unset + ')' if unset else 'pass'}")
        lines.append("    else:")
        if kind == SIMPLE:
            t = f.type
            if issubclass(t, Integer) and not issubclass(t, Boolean):
                lines.append(f"        a({key} + (str(v) if type(v) is int else s{i}(v)))")
            elif issubclass(t, Boolean):
                lines.append(f"        a({key} + ('true' if v is True else 'false' if v is False else s{i}(v)))")
            elif issubclass(t, (Decimal, DateTime, ByteArray)):
                lines.append(f"        a({key} + s{i}(v))")
            else:
                lines.append(f"        a({key} + '\"' + v + '\"' if type(v) is str and not special(v)"
                             f" else {key} + s{i}(v))")
        elif kind == WRAPPER:
            item = repr(f.item_name)
            lines.append(f"        items = getattr(v, {item}, None) or []")
            if f.item_complex:
                lines += ["        if items:",
                          f"            j = w{i}.item_writer().json",
                          f"            a({key} + '{{\"' + {item} + '\": [' + ', '.join(['{{' + j(x) + '}}' for x in items]) + ']}}')"]
            else:
                cond = "if True:" if f.keep else "if items:"
                lines += [f"        {cond}",
                          f"            a({key} + '{{\"' + {item} + '\": [' + ', '.join([s{i}(x) for x in items]) + ']}}')"]
        elif kind == STRUCT:
            lines += [f"        inner = w{i}.json(v)",
                      "        if inner:",
                      f"            a({key} + '{{' + inner + '}}')"]
        elif kind == MANY_STRUCT:
            lines += ["        if v:",
                      f"            j = w{i}.json",
                      f"            a({key} + '[' + ', '.join(['{{' + j(x) + '}}' for x in v]) + ']')"]
        else:
            lines.append(f"        a({key} + '[' + ', '.join([s{i}(x) for x in v]) + ']')")
    lines.append("    return ', '.join(p)")
    code = compile("\n".join(lines), f"<json writer {w.model.__name__}>", "exec")
    exec(code, env)
    return env["members"]


def _generate_xml(w: Writer):
    """As `_generate_json`, for `Writer.xml_reference`: `(inst, tag, out, attrs) -> None`."""
    env: dict[str, Any] = {"Record": Record, "special": _XML_SPECIAL.search, "xml_value": xml_value}
    lines = ["def element(inst, tag, out, attrs):",
             "    get = inst.__dict__.get if type(inst) is Record else (lambda n: getattr(inst, n, None))",
             "    a = out.append",
             "    a('<' + tag + attrs + '>')"]
    if w.exceptions is not None:
        env["exc"] = w.exceptions.sub
        lines += ["    v = get('Exceptions')",
                  "    if v is not None:",
                  "        exc.xml(v, 'Exceptions', out)",
                  "        a('</' + tag + '>')",
                  "        return"]
    for i, f in enumerate(w.fields):
        env[f"w{i}"] = f.sub
        name, op, cl = repr(f.name), repr(f.open), repr(f.close)
        kind = f.kind
        lines.append(f"    v = get({name})")
        unset = repr(f.xml_unset) if f.xml_unset is not None and f.keep else None
        lines.append("    if v is None:")
        lines.append(f"        {'a(' + unset + ')' if unset else 'pass'}")
        if kind == SIMPLE:
            lines += ["    elif type(v) is str and not special(v):",
                      f"        a({op} + v + {cl})",
                      "    else:",
                      f"        a({op} + xml_value(v) + {cl})"]
        elif kind == WRAPPER:
            lines.append("    else:")
            if f.item_complex:
                lines += [f"        if getattr(v, {f.item_name!r}, None):",
                          f"            w{i}.xml(v, {name}, out)"]
            else:
                lines.append(f"        w{i}.xml(v, {name}, out)")
        elif kind == STRUCT:
            lines += ["    else:", f"        w{i}.xml(v, {name}, out)"]
        elif kind == MANY_STRUCT:
            lines += ["    else:", f"        x = w{i}.xml", "        for item in v:",
                      f"            x(item, {name}, out)"]
        else:
            lines += ["    else:", "        for item in v:",
                      f"            a({op} + xml_value(item) + {cl})"]
    lines.append("    a('</' + tag + '>')")
    code = compile("\n".join(lines), f"<xml writer {w.model.__name__}>", "exec")
    exec(code, env)
    return env["element"]
