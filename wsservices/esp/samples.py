"""ESP's sample documents: `?reqxml_`, `?respxml_`, `?reqjson_` and `?respjson_` (A.2).

Built from the request or response model the way ESP builds them from the schema: every field,
in contract order, with ESP's sample value for its type (the declared default when there is one,
`String`, `32716` for int, `2147483647` for long, `3.14159265358979` for double, `1`/true for
boolean, ...). An XML array shows two items and a JSON array one; a type already being written
higher up is not written again (recursive types). XML roots carry the service namespace;
JSON is pretty-printed and sent as text/plain. For the service itself (no method) every
method's document is listed inside `<Examples><Requests>` / `{"Examples": {"Request": [...]}}`
(Responses / Response for the answers).

Not like ESP: the JSON indentation is Python's, not jlib's, and enumerations have no first-value
sample (the models keep only their base type).
"""
from __future__ import annotations

import json
from typing import Any

from spyne.model.binary import ByteArray
from spyne.model.primitive import Boolean, DateTime, Decimal, Integer, Long, UnsignedInteger

from wsservices.esp.codec import array_item, escape, is_complex, is_many

XML_TYPE = "text/xml; charset=UTF-8"
JSON_TYPE = "text/plain; charset=UTF-8"
FLAGS = ("reqxml_", "respxml_", "respjson_", "reqjson_")  # ESP's order of precedence
#: ESP's sample value of each XSD type (xsdparser's), most specific spyne type first
SAMPLE_VALUES = ((Boolean, "1"), (UnsignedInteger, "1"), (Long, "2147483647"), (Integer, "32716"),
                 (Decimal, "3.14159265358979"), (DateTime, "2007-10-23 11:34:30"), (ByteArray, "YmFzZTY0QmluYXJ5"))


def document(flag: str, operations: list[Any], namespace: str) -> tuple[str, str]:
    """(body, content type) for one sample flag, for one operation or, when `operations`
    holds every operation of the service, for all of them."""
    request = flag.startswith("req")
    models = [(op.request, op.request_name) if request else (op.response, op.response_name) for op in operations]
    if flag.endswith("json_"):
        docs = [{tag: _json_value(model, ())} for model, tag in models]
        if len(operations) == 1:
            return json.dumps(docs[0], indent=2, ensure_ascii=False) + "\n", JSON_TYPE
        body = {"Examples": {"Request" if request else "Response": docs}}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n", JSON_TYPE
    docs_xml = "".join(_xml(model, tag, (), f' xmlns="{namespace}"') for model, tag in models)
    if len(operations) == 1:
        return docs_xml, XML_TYPE
    kind = "Requests" if request else "Responses"
    return f"<Examples><{kind}>\n{docs_xml}\n</{kind}></Examples>", XML_TYPE


def _xml(t: type, tag: str, parents: tuple[str, ...], attrs: str = "") -> str:
    if not is_complex(t):
        return f"<{tag}>{escape(_sample_text(t))}</{tag}>"
    name = t.get_type_name()
    if name in parents:
        return ""  # recursive
    parents += (name,)
    item = array_item(t)
    if item is not None:
        one = _xml(item[1], item[0], parents)
        return f"<{tag}{attrs}>{one}{one}</{tag}>"
    inner = "".join(_xml(ft, fname, parents) for fname, ft in t._type_info.items())
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _json_value(t: type, parents: tuple[str, ...]) -> Any:
    if not is_complex(t):
        return _sample_json(t)
    name = t.get_type_name()
    if name in parents:
        return {}
    parents += (name,)
    item = array_item(t)
    if item is not None:
        item_name, item_type = item
        recursive = is_complex(item_type) and item_type.get_type_name() in parents
        return {item_name: [] if recursive else [_json_value(item_type, parents)]}
    out: dict[str, Any] = {}
    for fname, ft in t._type_info.items():
        if is_complex(ft) and ft.get_type_name() in parents and array_item(ft) is None:
            continue
        value = _json_value(ft, parents)
        out[fname] = [value] if is_many(ft) else value
    return out


def _sample_text(t: type) -> str:
    default = t.Attributes.default
    if default is not None:
        return ("true" if default else "false") if isinstance(default, bool) else str(default)
    return next((text for kind, text in SAMPLE_VALUES if issubclass(t, kind)), "String")


def _sample_json(t: type) -> Any:
    text = _sample_text(t)
    if issubclass(t, Boolean):
        return text in ("1", "true")
    if issubclass(t, Integer):
        return int(text)
    if issubclass(t, Decimal):
        return float(text)
    return text
