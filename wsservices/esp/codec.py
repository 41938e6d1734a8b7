"""Between spyne models and ESP's XML, read and written the way ESP does it.

Reading (SOAP body): fields are matched by local name, case-sensitively, whatever their
namespace or prefix; unknown children are ignored; an array wrapper takes every child element
whatever its name; integers are read like C's atol (junk gives 0), booleans are true for
1/true (any case), an empty element leaves a non-string field unset.

Writing: children in contract order, never self-closing; booleans as 1/0. Types ESP marks
`nil_remove` omit the fields never set; every other type writes each simple field (empty
string, 0, false, or the declared default). Unset structs and the `Exceptions` field are
omitted, as are empty struct arrays.

A client version (`version`, None for all fields) leaves out the fields outside its
`min_ver`/`max_ver`/`depr_ver` range (clientversion.py).
"""
from __future__ import annotations

import base64
import datetime as _dt
import re
from typing import Any, Iterator

from lxml import etree
from spyne.model import ComplexModelBase
from spyne.model.binary import ByteArray
from spyne.model.primitive import Boolean, DateTime, Decimal, Double, Float, Integer, Integer32, UnsignedInteger

from wsservices.esp import clientversion

_INT = re.compile(r"\s*([+-]?\d+)")
_FLOAT = re.compile(r"\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def is_complex(t: type) -> bool:
    return isinstance(t, type) and issubclass(t, ComplexModelBase)


def is_many(t: type) -> bool:
    return t.Attributes.max_occurs not in (1, None)


def array_item(model: type) -> tuple[str, type] | None:
    """(field, type) when `model` is an ESP array wrapper: a single repeated field."""
    fields = list(model._type_info.items())
    if len(fields) == 1 and is_many(fields[0][1]):
        return fields[0]
    return None


def new(model: type) -> Any:
    """An empty instance of `model`; a customized array item type (`T.customize(...)`) is
    instantiated as its original class, as spyne wants."""
    return (getattr(model, "__orig__", None) or model)()


def local_name(el: etree._Element) -> str:
    return etree.QName(el).localname


# ---------------------------------------------------------------- reading

def atol(text: str) -> int:
    m = _INT.match(text)
    return int(m.group(1)) if m else 0


def c_integer(t: type, value: int) -> int:
    """The value ESP's C++ field of type `t` holds for `value`: strtol clamps to 64 bits, and
    an xs:int (``atoi``) keeps the low 32 bits of that, so 10**20 is -1 and 3000000000 is
    -1294967296; an unsigned field keeps the low 32 bits unsigned. Never a number too large for
    the store."""
    value = max(-(1 << 63), min(value, (1 << 63) - 1))
    if issubclass(t, Integer32):
        return (value + (1 << 31)) % (1 << 32) - (1 << 31)
    if issubclass(t, UnsignedInteger):
        return value % (1 << 32)
    return value


def atof(text: str) -> float:
    m = _FLOAT.match(text)
    return float(m.group(1)) if m else 0.0


def parse_simple(t: type, text: str | None) -> Any:
    """One simple value from its text, as ESP's SOAP reader converts it."""
    text = text or ""
    if issubclass(t, Boolean):
        return text.strip().lower() in ("1", "true") if text.strip() else None
    if not text.strip():
        return None if not _is_string(t) else text
    if issubclass(t, Integer):
        return c_integer(t, atol(text))
    if issubclass(t, (Double, Float, Decimal)):
        return atof(text)
    if issubclass(t, DateTime):
        try:
            return _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if issubclass(t, ByteArray):
        try:
            return [base64.b64decode(text.strip(), validate=False)]
        except ValueError:
            return None
    return text


def _is_string(t: type) -> bool:
    return not issubclass(t, (Boolean, Integer, Double, Float, Decimal, DateTime, ByteArray))


def decode(el: etree._Element, model: type) -> Any:
    """A model instance from an XML element (a request element or a nested struct)."""
    inst = new(model)
    item = array_item(model)
    if item is not None:
        name, t = item
        setattr(inst, name, [_decode_value(c, t) for c in el if isinstance(c.tag, str)])
        return inst
    found: dict[str, list[etree._Element]] = {}
    for child in el:
        if isinstance(child.tag, str):
            found.setdefault(local_name(child), []).append(child)
    for name, t in model._type_info.items():
        matches = found.get(name)
        if not matches:
            continue
        if is_many(t):
            setattr(inst, name, [_decode_value(c, t) for c in matches])
        else:
            value = _decode_value(matches[0], t)
            if value is not None:
                setattr(inst, name, value)
    return inst


def _decode_value(el: etree._Element, t: type) -> Any:
    return decode(el, t) if is_complex(t) else parse_simple(t, el.text)


# ---------------------------------------------------------------- writing

def fields_to_write(inst: Any, model: type, nil_remove: frozenset[str],
                    fill_unset: bool = True, version: float | None = None) -> Iterator[tuple[str, type, Any]]:
    """(name, type, value) of every field ESP writes for `inst`.

    A response carrying `Exceptions` writes that alone: ESP drops every other field.
    Types in `nil_remove` leave out their unset fields, and so does a field named there as
    `Type.Field` (ESP's per-field `nil_remove`). Otherwise an unset simple field is
    filled in (`fill_unset`, XML: empty, 0, false or the default) or given as its default or
    None (JSON writes `null`), and an unset string array is given as None (JSON writes it
    empty, XML leaves it out). Unset structs and empty struct arrays (wrapped or not) are
    always left out, as ESP's struct arrays are always nil_remove.

    A field outside the client `version`'s range is never written (clientversion.py).
    Shared by the XML and JSON writers so that both apply the same omission rules.
    """
    if getattr(inst, "Exceptions", None) is not None and "Exceptions" in model._type_info:
        yield "Exceptions", model._type_info["Exceptions"], inst.Exceptions
        return
    for name, t in model._type_info.items():
        if version is not None and not clientversion.shows(model, name, version):
            continue
        value = getattr(inst, name, None)
        if value is None:
            if name == "Exceptions" or not keeps_unset(model, name, nil_remove):
                continue
            if is_complex(t) or is_many(t):
                if not fill_unset and is_simple_array(t):
                    yield name, t, None
                continue
            value = unset_value(t) if fill_unset else t.Attributes.default
        elif (is_complex(t) and not value) if is_many(t) else is_empty_struct_array(t, value):
            continue
        yield name, t, value


def keeps_unset(model: type, name: str, nil_remove: frozenset[str]) -> bool:
    """Whether ESP writes field `name` of `model` when it is unset (or an empty string array)."""
    type_name = model.get_type_name()
    return type_name not in nil_remove and f"{type_name}.{name}" not in nil_remove


def is_empty_struct_array(t: type, value: Any) -> bool:
    """An ESP struct array with no items: ESP always leaves it out (its nil_remove is fixed)."""
    item = array_item(t) if is_complex(t) else None
    return item is not None and is_complex(item[1]) and not getattr(value, item[0], None)


def is_simple_array(t: type) -> bool:
    """An ESP array of strings or numbers (a wrapper around one repeated simple field)."""
    item = array_item(t) if is_complex(t) else None
    return item is not None and not is_complex(item[1])


def unset_value(t: type) -> Any:
    default = t.Attributes.default
    if default is not None:
        return default
    if issubclass(t, Boolean):
        return False
    if issubclass(t, Integer):
        return 0
    if issubclass(t, (Double, Float, Decimal)):
        return 0.0
    return ""


def xml_text(value: Any) -> str:
    """ESP's text for one simple value."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ" if value.tzinfo else "%Y-%m-%dT%H:%M:%S")
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], bytes):
        return base64.b64encode(b"".join(value)).decode("ascii")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def escape(text: str) -> str:
    text = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))
    return _XML_INVALID.sub("?", text)


def encode(inst: Any, model: type, tag: str, out: list[str], nil_remove: frozenset[str],
           attrs: str = "", version: float | None = None) -> None:
    """Append `<tag attrs>…</tag>` for a model instance to `out`, as a client of `version` sees it."""
    out.append(f"<{tag}{attrs}>")
    for name, t, value in fields_to_write(inst, model, nil_remove, version=version):
        values = value if is_many(t) else (value,)
        for v in values:
            if is_complex(t):
                encode(v, t, name, out, nil_remove, version=version)
            else:
                out.append(f"<{name}>{escape(xml_text(v))}</{name}>")
    out.append(f"</{tag}>")


def field_paths(model: type, prefix: str = "", depth: int = 0) -> list[str]:
    """The form-field names of a request model's fields (A.10): `A.B`, arrays as `N` or `X.T.0.F`."""
    paths: list[str] = []
    for name, t in model._type_info.items():
        if not is_complex(t) or depth > 4:
            paths.append(prefix + name)
            continue
        item = array_item(t)
        if item is None:
            paths += field_paths(t, f"{prefix}{name}.", depth + 1)
        elif is_complex(item[1]):
            paths += field_paths(item[1], f"{prefix}{name}.{item[1].get_type_name()}.0.", depth + 1)
        else:
            paths.append(prefix + name)
    return paths
