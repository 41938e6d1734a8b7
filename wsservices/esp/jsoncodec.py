"""Between spyne models and ESP's JSON, read and written the way ESP does it (A.4, A.6.1, A.8).

Writing: `{"<ResponseType>": {...}}` with `"name": value`, members and items separated by
`, `, no newlines. Arrays are wrapped, `"Files": {"DFULogicalFile": [{...}]}`, one item is
still a list; an empty struct array is left out, an empty string array is `{"Item": []}` unless
the type is `nil_remove`. Integers are bare numbers, doubles `%.16g` (with `.0` when they look
integral, NaN and infinity quoted), booleans `true`/`false`, an unset field without a default
is `null` (left out under `nil_remove`), a nested struct with nothing to write is left out.
Strings are escaped like jlib's encodeJSON: `\\" \\\\ \\b \\f \\n \\r \\t`, other control
characters and DEL as `\\u00XX`, `/` and non-ASCII as they are. The omission rules are codec's
`fields_to_write`, shared with the XML writer.

Reading (a JSON-body POST): the first key of the top-level object names the call (method or
request type). Every key becomes an element named by its local name (after any `prefix:`); a
list becomes repeated elements; scalars are text, so `5`, `"5"`, `true` and `"true"` read alike.
Fields match case-sensitively; an array wrapper takes every child whatever its name, so
`{"Names": {"Item": ["a"]}}` fills `Names` and a bare `"Names": ["a"]` does not.

Errors outside a method follow ESP's JSON pipeline: `{"Exceptions": {"Exception": [{"Code":
n,"Audience": "user","Message": "..."}]}}` with an HTTP status that follows the code. A body
that does not parse is reported in the shape of jlib's JSON reader (code 2, "Error - syntax
error", or 1, "Error - end of stream", with the file offset); the detail in quotes is this
parser's wording, not jlib's.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from spyne.model.binary import ByteArray
from spyne.model.primitive import Boolean, DateTime, Decimal, Float, Integer

from wsservices.esp.codec import (array_item, fields_to_write, is_complex, is_many, keeps_unset, new, parse_simple,
                                 xml_text)

_ESCAPES = {i: f"\\u00{i:02X}" for i in range(32)}
_ESCAPES.update({0: "\\u0000", 0x7F: "\\u007f", ord("\b"): "\\b", ord("\f"): "\\f", ord("\n"): "\\n",
                 ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("\\"): "\\\\"})
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DEPTH = 64
#: HTTP statuses ESP passes through for a pipeline error code; any other code answers 500
PASSED_STATUS = frozenset({204, 301, 302, 303, 400, 401, 403, 404, 405, 501})


# ---------------------------------------------------------------- writing

def quote(text: str) -> str:
    """A JSON string literal, escaped as jlib's encodeJSON does."""
    text = text.translate(_ESCAPES)
    return '"' + _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + '"'


def document(inst: Any, model: type, tag: str, nil_remove: frozenset[str], version: float | None = None) -> str:
    """`{"<tag>": {...}}`, the whole body ESP sends for a response (to a client of `version`)."""
    return "{" + quote(tag) + ": {" + content(inst, model, nil_remove, version) + "}}"


def content(inst: Any, model: type, nil_remove: frozenset[str], version: float | None = None) -> str:
    """The members of one struct, without the braces."""
    parts = []
    for name, t, value in fields_to_write(inst, model, nil_remove, fill_unset=False, version=version):
        part = (exceptions_member(value) if name == "Exceptions"
                else _member(name, t, value, nil_remove, keeps_unset(model, name, nil_remove), version))
        if part:
            parts.append(part)
    return ", ".join(parts)


def _member(name: str, t: type, value: Any, nil_remove: frozenset[str], keep_empty: bool,
            version: float | None = None) -> str:
    if is_many(t):  # a repeated element outside a wrapper: a plain list
        return f"{quote(name)}: [{', '.join(_item(t, v, nil_remove, version) for v in value)}]"
    if not is_complex(t):
        return f"{quote(name)}: {scalar(t, value)}"
    item = array_item(t)
    if item is None:
        inner = content(value, t, nil_remove, version)
        return f"{quote(name)}: {{{inner}}}" if inner else ""
    item_name, item_type = item
    items = (getattr(value, item_name, None) or []) if value is not None else []
    if not items and (is_complex(item_type) or not keep_empty):
        return ""
    listed = ", ".join(_item(item_type, v, nil_remove, version) for v in items)
    return f"{quote(name)}: {{{quote(item_name)}: [{listed}]}}"


def _item(t: type, value: Any, nil_remove: frozenset[str], version: float | None = None) -> str:
    return "{" + content(value, t, nil_remove, version) + "}" if is_complex(t) else scalar(t, value)


def scalar(t: type, value: Any) -> str:
    """One simple value as ESP writes it in JSON."""
    if value is None:
        return '""' if issubclass(t, ByteArray) else "null"
    if issubclass(t, Boolean):
        truth = value.strip().lower() in ("1", "true") if isinstance(value, str) else bool(value)
        return "true" if truth else "false"
    if issubclass(t, Integer):
        try:
            return str(int(value))
        except (TypeError, ValueError):
            return quote(str(value))
    if issubclass(t, Decimal):
        return real(value, single=issubclass(t, Float))
    if issubclass(t, (DateTime, ByteArray)):
        return quote(xml_text(value))
    return quote(value if isinstance(value, str) else xml_text(value))


def real(value: Any, single: bool = False) -> str:
    """jlib's double (`%.16g`) or float (`%.7g`) text: `.0` added to integral values, NaN and
    infinity quoted."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return quote(str(value))
    if math.isnan(number) or math.isinf(number):
        return quote(("-" if number < 0 else "") + ("inf" if math.isinf(number) else "nan"))
    text = f"{number:.7g}" if single else f"{number:.16g}"
    return text if any(c in text for c in ".eE") else text + ".0"


def exceptions_member(exceptions: Any) -> str:
    """`"Exceptions": {"Exception": [...]}` as ESP writes it inside a JSON response: no Source,
    and no space after the commas inside each exception."""
    items = []
    for exc in getattr(exceptions, "Exception", None) or []:
        items.append(exception_object(_code(getattr(exc, "Code", None)), getattr(exc, "Audience", None) or "user",
                                      getattr(exc, "Message", None) or ""))
    return '"Exceptions": {"Exception": [' + ", ".join(items) + "]}"


def exception_object(code: int, audience: str, message: str) -> str:
    return f'{{"Code": {code},"Audience": {quote(audience)},"Message": {quote(message)}}}'


def error_document(code: int, message: str) -> str:
    """The body of a JSON pipeline error (a failure outside the method)."""
    return '{"Exceptions": {"Exception": [' + exception_object(code, "user", message) + "]}}"


def error_status(code: int) -> int:
    return code if code in PASSED_STATUS else 500


def _code(text: Any) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        return -1


# ---------------------------------------------------------------- reading

class ReadError(ValueError):
    """A JSON request ESP's pipeline refuses before any method runs (`code`, `message`)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class _Object(list):
    """A JSON object as its (key, value) pairs, in order, duplicates kept (as jlib's reader)."""


def read_call(body: bytes) -> tuple[str, Any]:
    """(call name, call value) of a JSON request body, or a ReadError as ESP would raise it."""
    if not body.strip():
        raise ReadError(-1, "Content read is empty")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _syntax("invalid UTF-8", exc.start) from None
    try:
        root = json.loads(text, object_pairs_hook=_Object, parse_int=str, parse_float=str,
                          parse_constant=str)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            raise ReadError(1, f'Error - end of stream "{exc.msg}" [file offset {exc.pos}]') from None
        raise _syntax(exc.msg, exc.pos) from None
    except RecursionError:
        raise _syntax("nesting too deep", 0) from None
    if not isinstance(root, _Object):
        raise _syntax("the request must be a JSON object", 0)
    if not root:
        return "", _Object()
    name, value = root[0]
    return _local(name), value


def _syntax(detail: str, offset: int) -> ReadError:
    return ReadError(2, f'Error - syntax error "{detail}" [file offset {offset}]')


def decode(node: Any, model: type, depth: int = 0) -> Any:
    """A model instance from a JSON value (the call's value or a nested struct's)."""
    inst = new(model)
    children = list(_children(node)) if depth < MAX_DEPTH else []
    item = array_item(model)
    if item is not None:
        name, t = item
        setattr(inst, name, [_value(v, t, depth) for _, v in children])
        return inst
    found: dict[str, list[Any]] = {}
    for key, value in children:
        found.setdefault(key, []).append(value)
    for name, t in model._type_info.items():
        matches = found.get(name)
        if not matches:
            continue
        if is_many(t):
            setattr(inst, name, [_value(v, t, depth) for v in matches])
        else:
            value = _value(matches[0], t, depth)
            if value is not None:
                setattr(inst, name, value)
    return inst


def _children(node: Any):
    """(local name, value) of each element a JSON object stands for; a list is repeated elements."""
    if not isinstance(node, _Object):
        return
    for key, value in node:
        name = _local(key)
        if isinstance(value, list) and not isinstance(value, _Object):
            for v in value:
                yield name, v
        else:
            yield name, value


def _value(node: Any, t: type, depth: int) -> Any:
    if is_complex(t):
        return decode(node, t, depth + 1)
    return parse_simple(t, _text(node))


def _text(node: Any) -> str:
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str):
        return _SURROGATE.sub("\ufffd", node)
    return ""


def _local(key: str) -> str:
    return key.rsplit(":", 1)[-1]
