"""Emulator settings: a TOML file, then ``HPCCEMU_*`` environment variables, then explicit
overrides (CLI flags), each stronger than the one before.

Settings (TOML top-level key / environment variable / default):

==================  ==========================  ========================================
host                HPCCEMU_HOST                ``127.0.0.1``
port                HPCCEMU_PORT                ``8010`` (ESP's default; 0 = any free port)
data_dir            HPCCEMU_DATA_DIR            ``./hpccemu-data``, relative to the current
                                                directory when the settings are loaded
max_request_bytes   HPCCEMU_MAX_REQUEST_BYTES   ``8000000`` (ESP maxRequestEntityLength)
package_map_max_bytes       HPCCEMU_PACKAGE_MAP_MAX_BYTES       ``8000000`` characters in one
                                                package-map document a request sends
package_map_max_elements    HPCCEMU_PACKAGE_MAP_MAX_ELEMENTS    ``200000`` elements in it
package_map_max_attributes  HPCCEMU_PACKAGE_MAP_MAX_ATTRIBUTES  ``1000`` attributes on one of
                                                its elements (real Roxie has none of these three
                                                limits; a hostile map is refused, see
                                                packagemaps/xmlio.py)
dfu_workers         HPCCEMU_DFU_WORKERS         ``max(4, cores)``: DFU jobs run at once (they
                                                wait on the disk, not on a core)
deterministic       HPCCEMU_DETERMINISTIC       ``false``: when true a submitted DFU workunit
                                                has finished before the SOAP reply is sent
read_timeout        HPCCEMU_READ_TIMEOUT        ``30`` seconds a connection may stay silent
                                                while a request is read; then it is closed
max_connections     HPCCEMU_MAX_CONNECTIONS     ``64`` connections served at once; more are
                                                answered 503 and closed. The bound is the
                                                server's: with ``--workers N`` the ESP worker
                                                processes share one count (prefork.py)
max_upload_bytes    HPCCEMU_MAX_UPLOAD_BYTES    ``2000000000``: the largest UploadFile body
min_free_bytes      HPCCEMU_MIN_FREE_BYTES      ``67108864`` (64 MiB): sprays, copies and
                                                uploads are refused when the data dir's disk
                                                has less free space (0 turns the check off)
outbound_timeout    HPCCEMU_OUTBOUND_TIMEOUT    ``10`` seconds for a call to a remote ESP
dfu_lock_wait       HPCCEMU_DFU_LOCK_WAIT       ``0``: a DFU job that must replace a locked
                                                file waits, `blocked`, as long as the lock
                                                stays (the real DFU server's INFINITE wait);
                                                N > 0 fails it after N seconds with
                                                ``Timed out: ...`` (dfu/lockwait.py)
roxie_reload_delay  HPCCEMU_ROXIE_RELOAD_DELAY  ``0``: Roxie reloads a changed package map
                                                before the call that changed it returns;
                                                ``0.5`` waits as a real Roxie does, lookups
                                                seeing the old maps meanwhile
                                                (roxie/autoreload.py)
htpasswd            HPCCEMU_HTPASSWD            none: authentication off. In the file this
                                                is ``htpasswd`` in the ``[security]`` table
dali_backup         HPCCEMU_DALI_BACKUP         none: a folder the store is mirrored to as it
                                                is written (dali/backup.py); relative paths
                                                as for ``data_dir``
==================  ==========================  ========================================

The ``[security]`` table (users, groups, feature and file-scope permissions, the control
endpoint) is described in access.py, the ``[[remote]]`` tables (remote environments for outbound
calls) in remotes.py; both can be overridden with a `SecurityConfig` (``security``) or a tuple of
`RemoteEnvironment` (``remotes``). A relative ``htpasswd`` path in the file is taken relative
to the file's directory.

The config file is ``config_file``, else ``$HPCCEMU_CONFIG``, else none. Its top-level keys are
the settings above; its tables describe the topology (see environment.py). A relative
``data_dir`` in the file is taken relative to the file's directory; from the environment or an
override, relative to the current directory. The returned ``data_dir`` is always absolute.

Booleans accept ``1/0, true/false, yes/no, on/off`` (any case) from strings. An empty
environment variable counts as unset; an override whose value is ``None`` is ignored. Unknown
keys and bad values raise `ConfigError` (a ValueError) naming the key.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from .access import SecurityConfig, parse_security
from .environment import Environment
from .errors import ConfigError
from .remotes import RemoteEnvironment, parse_remotes


def default_dfu_workers() -> int:
    """DFU jobs move bytes and wait on the disk: more of them than cores, at least four."""
    return max(4, os.cpu_count() or 1)


__all__ = ["Settings", "load_settings", "ConfigError", "ENV_VARS", "DEFAULT_DATA_DIR"]

DEFAULT_DATA_DIR = Path("hpccemu-data")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8010
    data_dir: Path = DEFAULT_DATA_DIR
    max_request_bytes: int = 8_000_000
    package_map_max_bytes: int = 8_000_000
    package_map_max_elements: int = 200_000
    package_map_max_attributes: int = 1_000
    dfu_workers: int = field(default_factory=default_dfu_workers)
    deterministic: bool = False
    read_timeout: float = 30.0
    max_connections: int = 64
    max_upload_bytes: int = 2_000_000_000
    min_free_bytes: int = 64 << 20
    outbound_timeout: float = 10.0
    dfu_lock_wait: float = 0.0
    roxie_reload_delay: float = 0.0
    htpasswd: Path | None = None
    dali_backup: Path | None = None
    environment: Environment = field(default_factory=Environment.default)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    remotes: tuple[RemoteEnvironment, ...] = ()


#: Settings field -> environment variable.
ENV_VARS: dict[str, str] = {
    "host": "HPCCEMU_HOST",
    "port": "HPCCEMU_PORT",
    "data_dir": "HPCCEMU_DATA_DIR",
    "max_request_bytes": "HPCCEMU_MAX_REQUEST_BYTES",
    "package_map_max_bytes": "HPCCEMU_PACKAGE_MAP_MAX_BYTES",
    "package_map_max_elements": "HPCCEMU_PACKAGE_MAP_MAX_ELEMENTS",
    "package_map_max_attributes": "HPCCEMU_PACKAGE_MAP_MAX_ATTRIBUTES",
    "dfu_workers": "HPCCEMU_DFU_WORKERS",
    "deterministic": "HPCCEMU_DETERMINISTIC",
    "read_timeout": "HPCCEMU_READ_TIMEOUT",
    "max_connections": "HPCCEMU_MAX_CONNECTIONS",
    "max_upload_bytes": "HPCCEMU_MAX_UPLOAD_BYTES",
    "min_free_bytes": "HPCCEMU_MIN_FREE_BYTES",
    "outbound_timeout": "HPCCEMU_OUTBOUND_TIMEOUT",
    "dfu_lock_wait": "HPCCEMU_DFU_LOCK_WAIT",
    "roxie_reload_delay": "HPCCEMU_ROXIE_RELOAD_DELAY",
    "htpasswd": "HPCCEMU_HTPASSWD",
    "dali_backup": "HPCCEMU_DALI_BACKUP",
}
#: settings given as objects, not text: field -> its type
_OBJECT_SETTINGS = {"environment": Environment, "security": SecurityConfig, "remotes": tuple}
CONFIG_ENV_VAR = "HPCCEMU_CONFIG"
_TOPOLOGY_TABLES = {"thor", "dropzone", "roxie", "dfu"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def load_settings(config_file: str | Path | None = None,
                  overrides: Mapping[str, object] | None = None,
                  env: Mapping[str, str] | None = None) -> Settings:
    """Settings from defaults < config file < ``env`` (default ``os.environ``) < ``overrides``.

    ``overrides`` keys are Settings field names; ``environment`` may be overridden with an
    `Environment` instance.
    """
    env = os.environ if env is None else env
    if config_file is None:
        config_file = env.get(CONFIG_ENV_VAR) or None
    values: dict[str, Any] = {}
    base_dir = Path.cwd()
    if config_file is not None:
        path = Path(config_file)
        doc = _read_toml(path)
        file_dir = path.resolve().parent
        for key, raw in doc.items():
            if key in _TOPOLOGY_TABLES:
                continue
            if key == "security":
                values["security"] = parse_security(_table(raw, key, path), file_dir, str(path))
                if values["security"].htpasswd is not None:
                    values["htpasswd"] = values["security"].htpasswd
                continue
            if key == "remote":
                values["remotes"] = parse_remotes(raw, str(path))
                continue
            if key == "htpasswd":
                raise ConfigError(f"htpasswd ({path}): put it in the [security] table")
            if key not in ENV_VARS:
                raise ConfigError(f"{key} ({path}): unknown setting "
                                  f"(known: {', '.join(sorted(set(ENV_VARS) - {'htpasswd'}))} and the "
                                  f"tables {', '.join(sorted(_TOPOLOGY_TABLES | {'security', 'remote'}))})")
            values[key] = _parse(key, raw, str(path))
            if key in ("data_dir", "dali_backup"):
                values[key] = file_dir / values[key]
        try:
            values["environment"] = Environment.from_mapping(doc)
        except ConfigError as exc:
            raise ConfigError(f"{exc} ({path})") from None
    for key, var in ENV_VARS.items():
        raw = env.get(var)
        if raw is not None and raw.strip() != "":
            values[key] = _parse(key, raw, var)
    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        if key in _OBJECT_SETTINGS:
            if not isinstance(raw, _OBJECT_SETTINGS[key]):
                raise ConfigError(f"{key} (override): expected a {_OBJECT_SETTINGS[key].__name__}")
            values[key] = raw
            continue
        if key not in ENV_VARS:
            raise ConfigError(f"{key} (override): unknown setting")
        values[key] = _parse(key, raw, "override")
    settings = replace(Settings(), **values)
    htpasswd = None if settings.htpasswd is None else (base_dir / settings.htpasswd).absolute()
    backup = None if settings.dali_backup is None else (base_dir / settings.dali_backup).absolute()
    return replace(settings, data_dir=(base_dir / settings.data_dir).absolute(), htpasswd=htpasswd,
                   dali_backup=backup, security=replace(settings.security, htpasswd=htpasswd))


def _table(raw: Any, key: str, path: Path) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{key} ({path}): expected a table")
    return raw


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror}") from None


# ---------------------------------------------------------------------------------------------
# value parsers: accept the TOML type or a string (env vars, CLI flags)
# ---------------------------------------------------------------------------------------------

def _bad(key: str, source: str, raw: Any, why: str) -> ConfigError:
    return ConfigError(f"{key} ({source}): {why}, got {raw!r}")


def _as_int(key: str, raw: Any, source: str, low: int, high: int | None = None) -> int:
    if isinstance(raw, bool):
        raise _bad(key, source, raw, "expected an integer")
    if isinstance(raw, str):
        try:
            raw_int = int(raw.strip().replace("_", ""))
        except ValueError:
            raise _bad(key, source, raw, "expected an integer") from None
    elif isinstance(raw, int):
        raw_int = raw
    else:
        raise _bad(key, source, raw, "expected an integer")
    if raw_int < low or (high is not None and raw_int > high):
        limit = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _bad(key, source, raw, f"must be {limit}")
    return raw_int


def _as_bool(key: str, raw: Any, source: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise _bad(key, source, raw, "expected a boolean (true/false, 1/0, yes/no, on/off)")


def _as_host(key: str, raw: Any, source: str) -> str:
    if not isinstance(raw, str) or not raw.strip() or any(c.isspace() for c in raw.strip()):
        raise _bad(key, source, raw, "expected a host name or IP address")
    return raw.strip()


def _as_seconds(key: str, raw: Any, source: str) -> float:
    if isinstance(raw, bool):
        raise _bad(key, source, raw, "expected a number of seconds")
    try:
        value = float(raw.strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise _bad(key, source, raw, "expected a number of seconds") from None
    if not 0 < value <= 3600:
        raise _bad(key, source, raw, "must be more than 0 and at most 3600")
    return value


def _is_zero(raw: Any) -> bool:
    return not isinstance(raw, bool) and str(raw).strip() in ("0", "0.0")


def _as_path(key: str, raw: Any, source: str, what: str = "a directory path") -> Path:
    if isinstance(raw, Path):
        return raw
    if not isinstance(raw, str) or not raw.strip() or "\0" in raw:
        raise _bad(key, source, raw, f"expected {what}")
    return Path(raw.strip()).expanduser()


_PARSERS: dict[str, Callable[[str, Any, str], Any]] = {
    "host": _as_host,
    "port": lambda k, r, s: _as_int(k, r, s, 0, 65535),
    "data_dir": _as_path,
    "max_request_bytes": lambda k, r, s: _as_int(k, r, s, 1),
    "package_map_max_bytes": lambda k, r, s: _as_int(k, r, s, 1),
    "package_map_max_elements": lambda k, r, s: _as_int(k, r, s, 1),
    "package_map_max_attributes": lambda k, r, s: _as_int(k, r, s, 1),
    "dfu_workers": lambda k, r, s: _as_int(k, r, s, 1),
    "deterministic": _as_bool,
    "read_timeout": lambda k, r, s: _as_seconds(k, r, s),
    "max_connections": lambda k, r, s: _as_int(k, r, s, 1),
    "max_upload_bytes": lambda k, r, s: _as_int(k, r, s, 1),
    "min_free_bytes": lambda k, r, s: _as_int(k, r, s, 0),
    "outbound_timeout": lambda k, r, s: _as_seconds(k, r, s),
    "dfu_lock_wait": lambda k, r, s: 0.0 if _is_zero(r) else _as_seconds(k, r, s),
    "roxie_reload_delay": lambda k, r, s: 0.0 if _is_zero(r) else _as_seconds(k, r, s),
    "htpasswd": lambda k, r, s: _as_path(k, r, s, "an htpasswd file path"),
    "dali_backup": _as_path,
}
assert set(_PARSERS) == set(ENV_VARS) == {f.name for f in fields(Settings)} - set(_OBJECT_SETTINGS)


def _parse(key: str, raw: Any, source: str) -> Any:
    return _PARSERS[key](key, raw, source)
