"""dfuplus's option handling: ``key=value`` tokens, ``@file`` option files and ``dfuplus.ini``.

As the real tool reads them (dali/dfuplus/main.cpp, jlib properties): ``dfuplus.ini`` in the
*current directory* first, then every ``@file`` on the command line, then every token that
contains ``=``; a later source overrides an earlier one, so the command line wins wherever it
stands. Keys are case-insensitive. In files, a line starting with ``#`` is a comment, anything
after ``#`` is dropped, lines without ``=`` are ignored; around a value, leading blanks are
skipped and trailing ones clipped. A missing ``@file`` is silently ignored. Booleans are true
for ``1`` (any non-zero number), ``true``, ``yes`` and ``on``.
"""
from __future__ import annotations

from pathlib import Path

INI_FILE = "dfuplus.ini"

USAGE = """\
Usage:
    hpccemu-dfuplus [-v|--version] [--strict-exit] action=<action> {<options>}

    A dfuplus-compatible client of FileSpray and WsDfu. Options are key=value tokens,
    @<file> reads more of them from a file, and dfuplus.ini in the current directory
    gives defaults; the command line wins over @file, which wins over dfuplus.ini.

    actions: spray despray copy remove rename list add addsuper removesuper listsuper
             savexml status abort resubmit

    general options:
        server=<esp-server-url>         required (port 8010 when none is given)
        username=<user-name> password=<password>
        overwrite=0|1  replicate=1|0  replicateoffset=N  nowait=0|1  jobname=<name>
        connect=<n>  throttle=<n>  transferbuffersize=<n>  norecover=0|1  nosplit=0|1
        compress=0|1  encrypt=<pw>  decrypt=<pw>  push=0|1  failifnosourcefile=0|1
    spray:      srcip=<ip> | srcplane=<plane>, srcfile=<path> | srcxml=<file>,
                dstname=<logical-name> dstcluster=<cluster>
                format=fixed|csv|delimited|xml|json|variable|recfmv|recfmvb|variablebigendian
                recordsize=<n> (fixed)  encoding= maxrecordsize= separator= terminator= quote=
                escape= recordstructurepresent= quotedterminator= (csv)  rowtag= (xml)
                rowpath= (json)  prefix=  expireDays=  dstNumParts=
    despray:    srcname=  dstip= | dstplane=, dstfile= | dstxml=  splitprefix= wrap= multicopy=
    copy:       srcname= dstname= dstcluster= dstclusterroxie=Yes srcdali= srcusername=
                srcpassword= preservecompression= ensure= expireDays=
    remove:     name= | names=<a,b> | namelist=<file>
    rename:     srcname= dstname= | srcnames=<a,b> dstnames=<c,d>
    list:       name=<mask> saveto=<file>
    addsuper:   superfile= subfiles=<a,b> before=
    removesuper: superfile= subfiles=<a,b|*> delete=0|1
    listsuper:  superfile=
    savexml:    srcname= dstxml=<file> (stdout when omitted)
    add:        dstname= srcxml=<file> dstcluster= | srcname= srcdali= srcusername= srcpassword=
    status | abort | resubmit:  wuid=<dfu-workunit-id>

    --strict-exit   exit 1 when the operation fails (an ESP exception, a failed or aborted
                    workunit, a missing option); the real dfuplus exits 0 in those cases.
"""


def str_to_bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    text = value.strip().lower()
    if text in ("true", "yes", "on"):
        return True
    try:
        return int(text.split()[0] if text.split() else "0") != 0
    except ValueError:
        return False


class Props:
    """Case-insensitive options with dfuplus's loading rules."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, str]] = {}

    def set(self, key: str, value: str) -> None:
        self._values[key.lower()] = (key, value)

    def load_token(self, token: str) -> None:
        key, sep, value = token.partition("=")
        key = key.rstrip()
        if sep and key:
            self.set(key, value.lstrip().rstrip())

    def load_file(self, path: str | Path) -> None:
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            self.load_token(line.split("#", 1)[0])

    def has(self, key: str) -> bool:
        return key.lower() in self._values

    def get(self, key: str, default: str | None = None) -> str | None:
        found = self._values.get(key.lower())
        return found[1] if found else default

    def get_bool(self, key: str, default: bool = False) -> bool:
        return str_to_bool(self.get(key), default)

    def get_int(self, key: str, default: int = 0) -> int:
        value = (self.get(key) or "").strip()
        digits = ""
        for i, ch in enumerate(value):
            if ch.isdigit() or (i == 0 and ch in "+-"):
                digits += ch
            else:
                break
        try:
            return int(digits)
        except ValueError:
            return default


def load(args: list[str], cwd: Path | None = None) -> Props:
    """dfuplus.ini, then @files, then key=value tokens."""
    props = Props()
    props.load_file((cwd or Path.cwd()) / INI_FILE)
    for arg in args:
        if arg.startswith("@") and len(arg) > 1:
            props.load_file(arg[1:])
    for arg in args:
        if "=" in arg:
            props.load_token(arg)
    return props
