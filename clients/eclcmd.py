"""``hpccemu-ecl``: the ``ecl`` command-line tool's ``packagemap`` commands, for WsPackageProcess.

    hpccemu-ecl packagemap <command> [options] <arguments>

Options are read as the ecl tool reads them (jlib ArgvIterator): ``--opt=value`` or
``--opt value``; flags as ``--flag``, ``--flag=0|1``, ``--flag+`` or ``--flag-``; positional
arguments fill the command's slots in order. Common options: ``-s/--server`` (default ``.``, this
machine), ``--port`` (8010), ``-u/--username``, ``-pw/--password``, ``--ssl``,
``--wait-read=<s>`` (the call timeout), ``--wait-connect=<ms>``, ``-v/--verbose``, ``--help``.
Defaults come from ``ecl.ini`` (current directory, then the home directory: ``eclWatchIP``,
``eclWatchPort``, ``eclUserName``, ``eclPassword``, ``eclSSL``), then the environment
(``ECL_WATCH_IP``, ``ECL_WATCH_PORT``, ``ECL_USER_NAME``, ``ECL_PASSWORD``, ``ECL_SSL``).

Exit status, as the real tool: 0 on success and after a usage message (a missing argument, an
unknown option); 1 when ESP answers with exceptions (printed to stderr under ``Exception(s):``
as ``<code>: <message>``), for an unknown command, or with no command; 2 when the request itself
fails (a SOAP fault, a connection error: the message goes to stderr).

Not supported: ``--cert``/``--key``/``--cacert`` client certificates (accepted, not used),
``--init-publisher-wuid`` (accepted, no publisher workunit is pre-allocated), ``--target-plane``
(newer than the 1.07 contract; not sent).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import click

from .dfuplus_options import Props, str_to_bool
from .errors import EspConnectionError, EspError

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
            self.out.write(f"{_version()}\n")
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


def run(args: list[str], out=None, err=None) -> int:
    """``ecl packagemap`` with `args` (the tokens after ``packagemap``); returns the exit status."""
    from .eclpackage_parts import COMMANDS, shell_usage

    out, err = out or sys.stdout, err or sys.stderr
    help_wanted = False
    it = Argv(args, err)
    if it.done():
        shell_usage(out)
        return 1
    name = None
    while not it.done():
        arg = it.query()
        it.next()
        if arg in ("help", "--help"):
            help_wanted = True
            continue
        if not arg.startswith("-"):
            name = arg
            break
        if arg == "--version":
            out.write(f"{_version()}\n")
            return 1
    factory = COMMANDS.get((name or "").lower())
    if factory is None:
        if name:
            err.write(f"ecl '{name}' command not found\n")
        shell_usage(out)
        return 1
    command = factory(Common(out, err))
    if help_wanted:
        command.usage()
        return 0
    try:
        ind = command.parse(Argv(args[it.pos:], err))
        if ind != MATCH:
            if ind == NO_MATCH:
                command.usage()
            return 0
        if not command.finalize(load_ini()):
            command.usage()
            return 0
        return command.process()
    except EspConnectionError:
        err.write("\nSOAP Connection error\n")
        return 2
    except EspError as exc:
        err.write(f"\n{exc.message}\n")
        return 2
    except OSError as exc:
        err.write(f"\n{exc}\n")
        return 2


def _version() -> str:
    from wsservices import __version__

    return f"hpccemu-ecl {__version__}"


@click.group()
@click.version_option(None, "--hpccemu-version", package_name="hpccemu", prog_name="hpccemu-ecl")
def main() -> None:
    """The ``ecl`` tool's commands that use the emulated services (``packagemap``)."""


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                "help_option_names": []}, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def packagemap(args: tuple[str, ...]) -> None:
    """ecl packagemap <command> [options] (add, add-part, remove-part, get-part, activate,
    deactivate, delete, list, info, validate, query-files, copy)."""
    sys.exit(run(list(args)))
