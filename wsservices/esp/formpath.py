"""Requests from URL parameters and form fields, decoded as ESP's form path does (A.5).

Nested fields use dots (`A.B=v`, any depth). A string or number array is read from
`N.itemlist=0+2` with `N.0=..`, else from `N.itemcount=2` with `N.0=..`, else from every
parameter of these kinds, in the order received: `N` and `N_rd_<x>` (each value split on
newlines, CR dropped, empty lines skipped), `N_i<x>` (one value each, empty ones kept) and
checkbox-style `N_v<value>` (adds `<value>` when the parameter's integer value is non-zero).
A struct array names the struct type: `X.T.itemlist=0+1` or `X.T.itemcount=2` with
`X.T.0.F=..`. Booleans are true only for `1`, `true` or `on` (case-sensitive); numbers are
read like atoi/atof; an empty value leaves a number or boolean unset and sets a string to "".
A repeated name keeps its last value; unknown names are ignored.

Not like ESP: an `itemcount`/`itemlist` is cut at MAX_ITEMS entries (ESP allocates whatever
it is told), so that one parameter cannot make the server build millions of empty structs.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Any

from spyne.model.primitive import Boolean, Decimal, Integer

from wsservices.esp.codec import array_item, atof, atol, c_integer, is_complex, new, parse_simple

MAX_ITEMS = 10_000
MAX_DEPTH = 16


class Params:
    """The request's parameters: the last value of each name, and prefix lookups that stay
    cheap however many (or however long) the names are."""

    def __init__(self, args: list[tuple[str, str]]):
        self.values = dict(args)
        self._order = {k: i for i, k in enumerate(self.values)}
        self._sorted = sorted(self.values)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.values.get(name, default)

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def starting_with(self, prefix: str) -> list[str]:
        """Names that start with `prefix`, in the order they were received."""
        found = []
        i = bisect_left(self._sorted, prefix)
        while i < len(self._sorted) and self._sorted[i].startswith(prefix):
            found.append(self._sorted[i])
            i += 1
        return sorted(found, key=self._order.__getitem__)

    def has_under(self, key: str) -> bool:
        i = bisect_left(self._sorted, key + ".")
        return i < len(self._sorted) and self._sorted[i].startswith(key + ".")


def decode_params(args: list[tuple[str, str]], model: type) -> Any:
    """A request model instance from the parameters (a repeated name keeps its last value)."""
    return _struct(Params(args), model, "", 0)


def _struct(params: Params, model: type, prefix: str, depth: int) -> Any:
    inst = new(model)
    for name, t in model._type_info.items():
        key = prefix + name
        if not is_complex(t):
            if key in params:
                value = _simple(t, params.values[key])
                if value is not None:
                    setattr(inst, name, value)
            continue
        if depth >= MAX_DEPTH:
            continue
        item = array_item(t)
        if item is None:
            if params.has_under(key):
                setattr(inst, name, _struct(params, t, key + ".", depth + 1))
            continue
        item_name, item_type = item
        if is_complex(item_type):
            base = f"{key}.{item_type.get_type_name()}"
            values = [_struct(params, item_type, f"{base}.{i}.", depth + 1) for i in _indexes(params, base) or []]
        else:
            values = [v for v in (_simple(item_type, s) for s in _string_items(params, key)) if v is not None]
        if values:
            wrapper = new(t)
            setattr(wrapper, item_name, values)
            setattr(inst, name, wrapper)
    return inst


def _indexes(params: Params, key: str) -> list[str] | None:
    """The item ids of `key.itemlist` or `key.itemcount`, or None when neither is given."""
    if f"{key}.itemlist" in params:
        return params.values[f"{key}.itemlist"].replace("+", " ").split()[:MAX_ITEMS]
    if f"{key}.itemcount" in params:
        return [str(i) for i in range(min(max(atol(params.values[f"{key}.itemcount"]), 0), MAX_ITEMS))]
    return None


def _string_items(params: Params, key: str) -> list[str]:
    indexes = _indexes(params, key)
    if indexes:
        return [params.get(f"{key}.{i}", "") for i in indexes]
    items: list[str] = []
    for name in params.starting_with(key):
        rest, value = name[len(key):], params.values[name]
        if rest == "" or rest.startswith("_rd_"):
            items += [line for line in value.replace("\r", "").split("\n") if line]
        elif rest.startswith("_v"):
            if atol(value):
                items.append(rest[2:])
        elif rest.startswith("_i"):
            items.append(value)
    return items


def _simple(t: type, text: str) -> Any:
    if issubclass(t, Boolean):
        return text in ("1", "true", "on") if text else None
    if issubclass(t, Integer):
        return c_integer(t, atol(text)) if text.strip() else None
    if issubclass(t, Decimal):
        return atof(text) if text.strip() else None
    return parse_simple(t, text)
