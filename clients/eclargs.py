"""The ``ecl`` tool's argument reading and common options (jlib's ArgvIterator, EclCmdCommon),
shared by every ``ecl packagemap`` command (eclpackage.py, eclpackage_parts.py) and by eclcmd.py.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import click

from .dfuplus_options import Props, str_to_bool
from .errors import EspError
from .version import VERSION

NO_MATCH, MATCH, COMPLETION = 0, 1, 2


class Argv:
    """jlib's ArgvIterator: the tokens after the command name."""

    def __init__(self, tokens: list[str], err):
        self.tokens = tokens
        self.pos = 0
        self.err = err

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def query(self) -> str:
        return self.tokens[self.pos]

    def next(self) -> None:
        self.pos += 1

    def option(self, *names: str) -> str | None:
        """``name=value`` or ``name value``; None when the token is not this option."""
        arg = self.query()
        for name in names:
            if not arg.startswith(name):
                continue
            rest = arg[len(name):]
            if rest.startswith("="):
                return rest[1:]
            if rest:
                continue
            if self.pos + 1 < len(self.tokens):
                self.next()
                return self.query()
            self.err.write(f"Error: Need to supply a value for {arg}\n")
        return None

    def flag(self, *names: str) -> bool | None:
        """``name``/``name+`` (true), ``name-`` (false), ``name=<bool>``; None when not this flag."""
        arg = self.query()
        for name in names:
            if not arg.startswith(name):
                continue
            rest = arg[len(name):]
            if rest in ("", "+"):
                return True
            if rest == "-":
                return False
            if rest.startswith("="):
                return str_to_bool(rest[1:])
        return None


class Common:
    """EclCmdCommon: the options every command takes, and where their defaults come from."""

    def __init__(self, out, err):
        self.out, self.err = out, err
        self.server = self.port = self.username = self.password = None
        self.ssl: bool | None = None
        self.wait_read: str | None = None
        self.verbose = False

    def match(self, it: Argv, usage: Callable[[], None]) -> int:
        if it.flag("--help"):
            usage()
            return COMPLETION
        if it.flag("--version"):
            self.out.write(f"{tool_version()}\n")
            return COMPLETION
        for attr, names in (("server", ("--server", "-s")), ("port", ("--port",)), ("wait_read", ("--wait-read",)),
                            ("username", ("--username", "-u")), ("password", ("--password", "-pw"))):
            value = it.option(*names)
            if value is not None:
                setattr(self, attr, value)
                return MATCH
        if it.option("--wait-connect", "--cert", "--key", "--cacert") is not None:
            return MATCH
        for attr, names in (("verbose", ("--verbose", "-v")), ("ssl", ("--ssl", "-ssl"))):
            value = it.flag(*names)
            if value is not None:
                setattr(self, attr, value)
                return MATCH
        if it.flag("--noKeepAlive", "--accept-self-signed") is not None:
            return MATCH
        self.err.write(f"\n{it.query()} option not recognized\n")
        return NO_MATCH

    def finalize(self, ini: Props) -> None:
        def pick(current, key: str, env: str, default=None):
            if current:
                return current
            return ini.get(key) or os.environ.get(env) or default

        self.server = pick(self.server, "eclWatchIP", "ECL_WATCH_IP", ".")
        self.port = pick(self.port, "eclWatchPort", "ECL_WATCH_PORT", "8010")
        self.username = pick(self.username, "eclUserName", "ECL_USER_NAME")
        if self.password is None:
            self.password = ini.get("eclPassword") or os.environ.get("ECL_PASSWORD")
            if self.username and self.password is None and sys.stdin.isatty():
                self.password = click.prompt(f"{self.username}'s password", hide_input=True, default="",
                                             show_default=False)
        if self.ssl is None:
            self.ssl = str_to_bool(ini.get("eclSSL") or os.environ.get("ECL_SSL"), False)

    def client(self):
        from .packages import PackageProcessClient

        host = "127.0.0.1" if self.server in (".", "") else self.server
        url = f"{'https' if self.ssl else 'http'}://{host}:{self.port}"
        timeout = float(self.wait_read) if self.wait_read else 60.0
        return PackageProcessClient(url, username=self.username, password=self.password, timeout=timeout)


def load_ini() -> Props:
    """ecl.ini from the current directory, else the home directory (the first that exists)."""
    props = Props()
    for folder in (Path.cwd(), Path.home()):
        if (folder / "ecl.ini").is_file():
            props.load_file(folder / "ecl.ini")
            break
    return props


def output_exceptions(err: EspError, stream) -> int:
    """outputMultiExceptionsEx: the header, one ``<code>: <message>`` line each, return 1."""
    stream.write("\nException(s):\n" + "".join(f"{e.code}: {e.message}\n" for e in err.exceptions) + "\n")
    return 1



def tool_version() -> str:
    """What ``--version`` prints."""
    return f"hpccemu-ecl {VERSION}"
