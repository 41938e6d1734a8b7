"""Remote environments: the other HPCC clusters this one may call out to, declared in the TOML
file. Every outbound call (CopyPackageMap's remote source; Copy's ``sourceDali``, a foreign Dali
standing for another emulator) goes only to a declared remote, and client credentials go only there.

    [[remote]]
    name = "prod"                        # required, unique
    url = "http://10.0.0.5:8010"         # required: the remote ESP's base URL (http or https)
    addresses = ["10.0.0.5", "prod-esp"] # how requests may name it; default: the URL's host

A request names a remote by ``host`` or ``host:port`` (the port must then match the URL's) or by
its ``name``; ``addresses`` may hold a real Dali's address that stands for the emulator at
``url``. Not emulated: foreign file reads by name (``foreign::``) outside a Copy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError

__all__ = ["RemoteEnvironment", "parse_remotes", "find_remote"]


@dataclass(frozen=True)
class RemoteEnvironment:
    name: str
    url: str
    addresses: tuple[str, ...]

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    def matches(self, address: str) -> bool:
        text = address.strip().lower()
        if text == self.name.lower():
            return True
        host, sep, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
        if sep and port != str(self.port):
            return False
        return host in {a.lower() for a in self.addresses}


def parse_remotes(value: Any, where: str) -> tuple[RemoteEnvironment, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"remote ({where}): expected [[remote]] tables")
    found: list[RemoteEnvironment] = []
    for i, table in enumerate(value):
        at = f"remote[{i}] ({where})"
        if not isinstance(table, dict):
            raise ConfigError(f"{at}: expected a table")
        unknown = set(table) - {"name", "url", "addresses"}
        if unknown:
            raise ConfigError(f"{at}: unknown key {sorted(unknown)[0]}")
        name, url = table.get("name"), table.get("url")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{at}: name is required")
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{at}: url must be an http(s) URL, got {url!r}")
        addresses = table.get("addresses", [parts.hostname])
        if not isinstance(addresses, list) or not all(isinstance(a, str) and a.strip() for a in addresses):
            raise ConfigError(f"{at}: addresses must be a list of host names")
        if any(r.name.lower() == name.strip().lower() for r in found):
            raise ConfigError(f"{at}: remote {name!r} is declared twice")
        found.append(RemoteEnvironment(name.strip(), url.rstrip("/"), tuple(a.strip() for a in addresses)))
    return tuple(found)


def find_remote(remotes: tuple[RemoteEnvironment, ...], address: str) -> RemoteEnvironment | None:
    """The declared remote a client-given address names, or None."""
    return next((r for r in remotes if r.matches(address)), None)
