"""Requests from URL parameters and form fields, decoded as ESP's form path does (A.5).

Nested fields use dots (`A.B=v`). String arrays accept `N.itemlist=0+2` with `N.0=..`,
`N.itemcount=2` with `N.0=..`, one value split on newlines, `N_i0=..`, and checkbox-style
`N_v<value>=1`. Struct arrays name the struct type: `X.T.itemcount=2&X.T.0.F=..`. Booleans are
true only for `1`, `true` or `on` (case-sensitive); numbers are read like atoi; an empty value
leaves a number unset. A repeated name keeps its last value; unknown names are ignored.
"""
from __future__ import annotations

from typing import Any

from wsservices.esp.codec import array_item, atof, atol, is_complex
from spyne.model.primitive import Boolean, Double, Float, Integer


def decode_params(args: list[tuple[str, str]], model: type) -> Any:
    params = dict(args)  # the last of a repeated name wins
    return _struct(params, model, "")


def _struct(params: dict[str, str], model: type, prefix: str) -> Any:
    inst = model()
    for name, t in model._type_info.items():
        key = prefix + name
        if not is_complex(t):
            if key in params:
                value = _simple(t, params[key])
                if value is not None:
                    setattr(inst, name, value)
            continue
        item = array_item(t)
        if item is None:
            if any(k.startswith(key + ".") for k in params):
                setattr(inst, name, _struct(params, t, key + "."))
            continue
        item_name, item_type = item
        if is_complex(item_type):
            values = [_struct(params, item_type, f"{key}.{item_type.get_type_name()}.{i}.")
                      for i in _indexes(params, f"{key}.{item_type.get_type_name()}")]
        else:
            values = [_simple(item_type, v) for v in _string_items(params, key)]
        if values:
            setattr(inst, name, t(**{item_name: values}))
    return inst


def _indexes(params: dict[str, str], key: str) -> list[str]:
    if f"{key}.itemlist" in params:
        return params[f"{key}.itemlist"].replace("+", " ").split()
    if f"{key}.itemcount" in params:
        return [str(i) for i in range(max(atol(params[f"{key}.itemcount"]), 0))]
    return []


def _string_items(params: dict[str, str], key: str) -> list[str]:
    indexes = _indexes(params, key)
    if indexes:
        return [params.get(f"{key}.{i}", "") for i in indexes]
    if key in params:
        return [line for line in params[key].replace("\r", "").split("\n") if line != ""]
    items = [v for k, v in params.items() if k.startswith(key + "_i")]
    if items:
        return items
    return [k[len(key) + 2:] for k, v in params.items() if k.startswith(key + "_v") and atol(v)]


def _simple(t: type, text: str) -> Any:
    if issubclass(t, Boolean):
        return text in ("1", "true", "on")
    if issubclass(t, Integer):
        return atol(text) if text.strip() else None
    if issubclass(t, (Double, Float)):
        return atof(text) if text.strip() else None
    return text
