"""ESP's client version: which fields of a type a client of a given `ver_` sees.

Each service's version table (`versions.py`, generated from its ECM by `esp.ecmgen`) is
registered under the service's namespace. A field with `min_ver`/`max_ver`/`depr_ver` is
written only to a client inside its range, as hidl's generated serializers test it:
``clientVer >= min and clientVer < depr`` (or ``<= max``); version None (ESP's -1) sees
every field. Fields outside the table are seen by every version.
"""
from __future__ import annotations

import contextvars
from types import ModuleType
from typing import Any

_tables: dict[str, dict[str, dict[str, tuple]]] = {}
_methods: dict[str, dict[str, tuple]] = {}
#: the version of the request being served (None outside a request: every field)
_current: contextvars.ContextVar[float | None] = contextvars.ContextVar("client_version", default=None)


def current() -> float | None:
    """The client version of the request this thread is serving."""
    return _current.get()


def serving(version: float | None) -> contextvars.Token:
    return _current.set(version)


def done(token: contextvars.Token) -> None:
    _current.reset(token)


def register(namespace: str, versions: ModuleType) -> None:
    _tables[namespace] = {t: {f: tuple(None if v is None else float(v) for v in rng) for f, rng in fields.items()}
                          for t, fields in versions.FIELDS.items()}
    _methods[namespace] = {m: tuple(None if v is None else float(v) for v in rng)
                           for m, rng in versions.METHODS.items()}


def in_range(rng: tuple, version: float | None) -> bool:
    """hidl's `write_mapinfo_check` for one field: (min_ver, max_ver, depr_ver)."""
    if version is None:
        return True
    low, high, deprecated = rng
    if low is not None and version < low:
        return False
    if deprecated is not None:
        return version < deprecated
    return high is None or version <= high


def shows(model: type, name: str, version: float | None) -> bool:
    """Whether a client of `version` sees field `name` of `model`."""
    if version is None:
        return True
    rng = _tables.get(model.get_namespace(), {}).get(model.get_type_name(), {}).get(name)
    return rng is None or in_range(rng, version)


class Probe:
    """Stands for a type known only by name (a WSDL's complexType) in `shows`."""

    def __init__(self, namespace: str, name: str):
        self.namespace, self.name = namespace, name

    def get_namespace(self) -> str:
        return self.namespace

    def get_type_name(self) -> str:
        return self.name


def methods(namespace: str) -> list[str]:
    """The methods with a version range."""
    return list(_methods.get(namespace, {}))


def method_allowed(namespace: str, method: str, version: float) -> bool:
    """ESP's isMethodAllowed: inside the method's [min_ver, max_ver]."""
    low, high = _methods.get(namespace, {}).get(method, (None, None))
    return (low is None or version >= low) and (high is None or version <= high)


def method_min_version(namespace: str, method: str) -> float | None:
    rng = _methods.get(namespace, {}).get(method)
    return rng[0] if rng else None


def visible_fields(model: type, version: float | None) -> list[tuple[str, Any]]:
    return [(name, t) for name, t in model._type_info.items() if shows(model, name, version)]
