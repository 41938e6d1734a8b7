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

import sys

import click

from .eclargs import MATCH, NO_MATCH, Argv, Common, load_ini, tool_version
from .eclpackage_parts import COMMANDS, shell_usage
from .errors import EspConnectionError, EspError, soap_client_text


def run(args: list[str], out=None, err=None) -> int:
    """``ecl packagemap`` with `args` (the tokens after ``packagemap``); returns the exit status."""
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
            out.write(f"{tool_version()}\n")
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
        err.write(f"\n{soap_client_text(exc) if exc.channel == 'http' else exc.message}\n")
        return 2
    except OSError as exc:  # StringBuffer::loadFile's message, as the ecl shell prints it
        err.write(f"\nFile {exc.filename} could not be opened\n" if exc.filename else f"\n{exc}\n")
        return 2


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(tool_version())      # `ecl --version` prints the build tag and exits
        ctx.exit(0)


@click.group()
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Print the version and exit.")
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
