"""ESP's client version: what version a request is served as, and which fields of a type a
client of that version sees.

The version a request gets (esp/bindings/http/platform/httptransport.cpp
`CHttpRequest::updateContext`): a non-empty ``ver_`` parameter read with atof, else ``ver_=``
inside SOAPAction, else 0. Then, by path (tools/hidl/hidlcomp.cpp):
- GET, form POST, ``.json``/``.xml`` (`onGetInstantQuery`): a version <= 0 becomes the
  service's `default_client_version` (`for_get`);
- SOAP and JSON POST (`processRequest`): a 0 becomes the method's `min_ver` when it has one,
  else stays 0, so every `min_ver` field is left out; a version below the method's `min_ver`
  fails with "Client version is too old" (`for_call`, `too_old`);
- ``?wsdl``/``?xsd`` (httpbinding.hpp `getVersion`): exactly 0 becomes the default.
The binding's `defaultServiceVersion` setting is not emulated (no config sets it).

Each service's version table (`versions.py`, generated from its ECM by `esp.ecmgen`) is
registered under the service's namespace. A field with `min_ver`/`max_ver`/`depr_ver` is
written only to a client inside its range, as hidl's `write_mapinfo_check` tests it:
``clientVer >= min and clientVer < depr`` (or ``<= max``); version None or -1 sees every
field. Fields outside the table are seen by every version.
"""
from __future__ import annotations

import bisect
import contextvars
from types import ModuleType
from typing import Any

_tables: dict[str, dict[str, dict[str, tuple]]] = {}
_methods: dict[str, dict[str, tuple]] = {}
_bounds: list[float] = []  # every min/max/depr value of every table, sorted
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
    _bounds[:] = sorted({v for table in _tables.values() for fields in table.values()
                         for rng in fields.values() for v in rng if v is not None})


ALL = -1.0  # hidl's "no context": every field


def for_get(version: float, default: float) -> float:
    """A GET/form/.json/.xml call's version (hidl onGetInstantQuery: <= 0 is the default)."""
    return default if version <= 0 else version


def for_call(version: float, method_min: float | None) -> float:
    """A SOAP/JSON call's version (hidl processRequest: 0 becomes the method's min_ver)."""
    return method_min if version == 0 and method_min is not None else version


def too_old(version: float, method_min: float | None) -> bool:
    """hidl processRequest's check: ``clientVer != -1 && clientVer < min_ver``."""
    return method_min is not None and version != ALL and version < method_min


def key(version: float | None) -> float | None:
    """One representative of the versions that see exactly the same fields as `version`
    (a writer is compiled per key, so arbitrary client versions cannot grow the cache)."""
    if version is None or version == ALL:
        return None
    i = bisect.bisect_left(_bounds, version)
    if i < len(_bounds) and _bounds[i] == version:
        return version
    if i == 0:
        return 0.0  # below every bound (the ECMs' versions are all above 0)
    if i == len(_bounds):
        return _bounds[-1] + 1.0
    return (_bounds[i - 1] + _bounds[i]) / 2


def in_range(rng: tuple, version: float | None) -> bool:
    """hidl's `write_mapinfo_check` for one field: (min_ver, max_ver, depr_ver)."""
    if version is None or version == ALL:
        return True
    low, high, deprecated = rng
    if low is not None and not version >= low:
        return False
    if deprecated is not None:
        return version < deprecated
    return high is None or version <= high


def shows(model: type, name: str, version: float | None) -> bool:
    """Whether a client of `version` sees field `name` of `model`."""
    if version is None or version == ALL:
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
