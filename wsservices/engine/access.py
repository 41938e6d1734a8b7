"""Who may do what: the access levels, users, groups, feature permissions and logical-file scope
permissions of HPCC's security managers, declared in the ``[security]`` table of the TOML file.

    [security]
    htpasswd = "users.htpasswd"   # turns authentication on (HPCCEMU_HTPASSWD sets the same)
    admins = ["alice"]            # users or groups that may use the control endpoint /hpccemu/
    control = true                # false: /hpccemu/ is switched off for everyone
    default_access = "Full"       # the level of a feature or scope no rule names

    [security.groups]
    analysts = ["bob", "carol"]

    [security.features.analysts]  # who (user, group or "*") -> feature -> level
    FileSprayAccess = "Read"

    [security.scopes.bob]         # who -> logical-file scope -> level
    "secret" = "None"             # "secret" and "secret::*" both mean the scope and below

Levels are HPCC's SecAccessFlags: None (0), Access (1; "View" is accepted for it), Read (3),
Write (7), Full (255). A user's level for a feature is their own rule if they have one, else
the highest rule of their groups, else the rule for ``*``, else ``default_access``. For a file
scope the most specific declared scope containing the file decides, by the same order. Admins
have Full on everything. With the htpasswd manager alone (no rules) every authenticated user
has Full, as in HPCC.

Not emulated: LDAP itself, deny entries, per-workunit scopes, view scopes, session logins.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

__all__ = ["Level", "SecurityConfig", "parse_security"]


class Level(enum.IntEnum):
    """HPCC's SecAccessFlags (system/security/shared/seclib.hpp)."""

    NONE = 0
    ACCESS = 1
    READ = 3
    WRITE = 7
    FULL = 255

    @property
    def title(self) -> str:
        """getSecAccessFlagName: ``None``, ``Access``, ``Read``, ``Write``, ``Full``."""
        return self.name.capitalize()

    @classmethod
    def parse(cls, text: Any, where: str) -> "Level":
        key = str(text).strip().lower() if isinstance(text, str) else ""
        key = "access" if key == "view" else key
        for level in cls:
            if level.name.lower() == key:
                return level
        raise ConfigError(f"{where}: expected None, View (or Access), Read, Write or Full, got {text!r}")


ANYONE = "*"


@dataclass(frozen=True)
class SecurityConfig:
    """The ``[security]`` table. ``htpasswd`` None means authentication is off."""

    htpasswd: Path | None = None
    admins: frozenset[str] = frozenset()
    control: bool = True
    default_access: Level = Level.FULL
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    features: Mapping[str, Mapping[str, Level]] = field(default_factory=dict)
    scopes: Mapping[str, Mapping[str, Level]] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.htpasswd is not None

    def groups_of(self, user: str) -> list[str]:
        return sorted(g for g, members in self.groups.items() if user in members)

    def is_admin(self, user: str) -> bool:
        return user in self.admins or any(g in self.admins for g in self.groups_of(user))

    def feature_level(self, user: str, feature: str) -> Level:
        if self.is_admin(user):
            return Level.FULL
        found = self._decide(user, self.features, feature.lower())
        return self.default_access if found is None else found

    def scope_level(self, user: str, logical_name_or_scope: str, is_scope: bool = False) -> Level:
        """The level on the scope of a logical name (or on ``scope`` itself)."""
        if self.is_admin(user):
            return Level.FULL
        parts = [p.strip() for p in logical_name_or_scope.strip().lstrip("~").lower().split("::")]
        if not is_scope:
            parts = parts[:-1]
        while parts:
            found = self._decide(user, self.scopes, "::".join(parts))
            if found is not None:
                return found
            parts.pop()
        return self.default_access

    def _decide(self, user: str, rules: Mapping[str, Mapping[str, Level]], key: str) -> Level | None:
        own = rules.get(user, {}).get(key)
        if own is not None:
            return own
        grouped = [rules[g][key] for g in self.groups_of(user) if key in rules.get(g, {})]
        if grouped:
            return max(grouped)
        return rules.get(ANYONE, {}).get(key)


def parse_security(doc: Mapping[str, Any], base_dir: Path, where: str) -> SecurityConfig:
    """The ``[security]`` table of a config file (``where`` names the file in errors)."""
    unknown = set(doc) - {"htpasswd", "admins", "control", "default_access", "groups", "features", "scopes"}
    if unknown:
        raise ConfigError(f"security.{sorted(unknown)[0]} ({where}): unknown setting")
    htpasswd = doc.get("htpasswd")
    if htpasswd is not None and (not isinstance(htpasswd, str) or not htpasswd.strip()):
        raise ConfigError(f"security.htpasswd ({where}): expected a file path, got {htpasswd!r}")
    control = doc.get("control", True)
    if not isinstance(control, bool):
        raise ConfigError(f"security.control ({where}): expected true or false, got {control!r}")
    groups = {name: frozenset(_names(members, f"security.groups.{name} ({where})"))
              for name, members in _table(doc.get("groups"), f"security.groups ({where})").items()}
    return SecurityConfig(
        htpasswd=(base_dir / Path(htpasswd.strip()).expanduser()) if htpasswd else None,
        admins=frozenset(_names(doc.get("admins", []), f"security.admins ({where})")),
        control=control,
        default_access=Level.parse(doc.get("default_access", "Full"), f"security.default_access ({where})"),
        groups=groups,
        features=_rules(doc.get("features"), f"security.features ({where})", str.lower),
        scopes=_rules(doc.get("scopes"), f"security.scopes ({where})", _scope_key))


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a table")
    return value


def _names(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of names, got {value!r}")
    return [v.strip() for v in value]


def _rules(value: Any, where: str, key) -> dict[str, dict[str, Level]]:
    out: dict[str, dict[str, Level]] = {}
    for who, table in _table(value, where).items():
        out[who] = {key(name): Level.parse(level, f"{where[:where.index(' ')]}.{who}.{name}")
                    for name, level in _table(table, f"{where}.{who}").items()}
    return out


def _scope_key(scope: str) -> str:
    parts = [p.strip() for p in scope.strip().lstrip("~").lower().split("::")]
    while parts and parts[-1] in ("*", ""):
        parts.pop()
    return "::".join(parts)
