"""``hpccemu-dfuplus``: a dfuplus-compatible command for FileSpray and WsDfu.

Same syntax (``action=... key=value``, ``@file``, ``dfuplus.ini``; see `dfuplus_options`), the
same ESP requests and the same output lines as dali/dfuplus: ``Submitted WUID <wuid>``, then while
waiting one line per poll (``<wuid> status: queued``, the progress message while started,
``<wuid> Finished`` and the summary). Like the real tool everything it prints goes to stdout,
ESP's inline exceptions included (``[<code>: <message>] ``), except errors that abort the action
(a missing option, a SOAP fault, a connection failure), which go to stderr. The exit status is
0 even when the operation failed — only a missing action or server exits with 8251
(``DFUERR_TooFewArguments``, which the shell sees as 59) — unless ``--strict-exit`` is given:
then any failure exits 1.

It is named ``hpccemu-dfuplus`` so that it never shadows a real dfuplus on PATH; scripts can
``alias dfuplus=hpccemu-dfuplus``. Waiting polls GetDFUWorkunit after 0, 1, 1.5, ... up to 10 s
(the real tool waits 10 s growing to 30 s) and draws a progress bar on stderr when it is a
terminal.

listhistory and erasehistory are in dfuplus_history.py.

monitor sends DfuMonitor, which the emulator answers with its "not implemented" exception (it
has no DFU monitor). Not supported: dafilesrv (answered with a message saying why); publisher
workunits in ``status``; the local dafilesrv the real tool starts for a ``srcip`` of this machine; ``encrypt``/``decrypt`` are sent as given (dfuplus scrambles them).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from . import dfuplus_options as opts
from .dfuplus_actions import Fail, FileActions, exceptions_text
from .dfuplus_history import HistoryActions
from .errors import EspConnectionError, EspError, soap_client_text
from .jobs import state_name
from .version import VERSION

DFUERR_TOO_FEW_ARGUMENTS = 8251
SEND = {  # dfuplus key -> (request field, kind), sent only when the key is given
    "prefix": ("prefix", str), "nosplit": ("nosplit", bool), "compress": ("compress", bool),
    "encrypt": ("encrypt", str), "decrypt": ("decrypt", str), "norecover": ("norecover", bool),
    "connect": ("maxConnections", int), "throttle": ("throttle", int),
    "transferbuffersize": ("transferBufferSize", int), "failifnosourcefile": ("failIfNoSourceFile", bool),
    "expiredays": ("expireDays", int), "dstnumparts": ("destNumParts", int),
}


class DfuPlus(FileActions, HistoryActions):
    def __init__(self, props: opts.Props, out=None):
        from .client import HPCCClient

        self.props = props
        self.out = out or sys.stdout
        user = props.get("username")
        password = props.get("password")
        if user and not password and sys.stdin.isatty():
            password = click.prompt(f"{user}'s password", hide_input=True, default="", show_default=False)
        self.hpcc = HPCCClient(props.get("server"), username=user, password=password)

    # -- output, as dfuplus's info()/progress()/error(): all to stdout -----------------------------
    def info(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def call(self, service: str, operation: str, **fields: Any) -> Any:
        """One request; ESP's inline exceptions come back as an EspError for the action to print."""
        client = getattr(self.hpcc, service)
        return client._call(operation, **fields)

    def need(self, key: str, message: str | None = None) -> str:
        value = self.props.get(key)
        if not value:
            raise Fail(message or f"{key} not specified")
        return value

    def doit(self) -> int:
        action = (self.props.get("action") or "").lower()
        handler = getattr(self, "do_" + action, None)
        if handler is None:
            raise Fail("Unknown dfuplus action" if action else "action is missing")
        return handler()

    def common(self, fields: dict[str, Any], keys=tuple(SEND)) -> dict[str, Any]:
        """The options spray and copy send alike (overwrite, replicate, and `keys` when given)."""
        p = self.props
        fields.update(overwrite=p.get_bool("overwrite", False), replicate=p.get_bool("replicate", True),
                      ReplicateOffset=p.get_int("replicateoffset", 1))
        for key in keys:
            field, kind = SEND[key]
            if p.has(key):
                fields[field] = p.get_bool(key) if kind is bool else p.get_int(key) if kind is int else p.get(key)
        if p.has("push"):
            fields["push" if p.get_bool("push") else "pull"] = True
        return fields

    # -- transfers --------------------------------------------------------------------------------
    def do_spray(self) -> int:
        from .filespray import spray_request

        p = self.props
        srcxml, srcip, srcplane, srcfile = p.get("srcxml"), p.get("srcip"), p.get("srcplane"), p.get("srcfile")
        fields: dict[str, Any] = {}
        if not srcxml:
            if not srcfile:
                raise Fail("srcfile not specified")
            if not srcplane and not srcip:
                raise Fail("Neither srcip nor srcplane specified")
            fields.update(sourceIP=srcip or None, sourcePlane=srcplane or None, sourcePath=srcfile)
        else:
            if srcip or srcfile or srcplane:
                raise Fail("srcip/srcfile/srcplane and srcxml can't be used at the same time")
            fields["srcxml"] = Path(srcxml).read_bytes()
        dstname, dstcluster = self.need("dstname"), self.need("dstcluster")
        fmt = p.get("format") or "fixed"
        fmt = "csv" if fmt.lower() == "delimited" else fmt
        names = ("recordsize", "encoding", "maxrecordsize", "separator", "terminator", "quote", "escape",
                 "rowtag", "rowpath", "nosplit")
        try:
            operation, request = spray_request(fmt, {k: p.get(k) for k in names})
        except ValueError as exc:
            raise Fail(str(exc)) from None
        kind = "Fixed" if operation == "SprayFixed" else "Variable"
        self.info(f"\n{kind} spraying from {srcfile} on {srcplane or srcip} to {dstname}\n" if not srcxml
                  else f"\nSpraying to {dstname}\n")
        fields.update(request, destGroup=dstcluster, destLogicalName=dstname)
        self.common(fields)
        if operation == "SprayFixed" and p.has("wrap"):
            fields["wrap"] = p.get_bool("wrap")
        if operation == "SprayVariable":
            for key, field in (("recordstructurepresent", "recordStructurePresent"),
                               ("quotedterminator", "quotedTerminator")):
                if p.has(key):
                    fields[field] = p.get_bool(key, key == "quotedterminator")
        return self.submitted(operation, "wuid", fields)

    def do_despray(self) -> int:
        p = self.props
        srcname = self.need("srcname")
        dstxml, dstip, dstplane, dstfile = p.get("dstxml"), p.get("dstip"), p.get("dstplane"), p.get("dstfile")
        fields: dict[str, Any] = {"sourceLogicalName": srcname}
        extra = ""
        if not dstxml:
            if not dstplane and not dstip:
                raise Fail("dstip not specified")
            extra = (f" to{f' storage plane {dstplane}' if dstplane else ''}"
                     f"{f' host {dstip}' if dstip else ''} file {dstfile or ''}")
            fields.update(destPlane=dstplane or None, destIP=dstip or None, destPath=dstfile or "")
        else:
            if dstip or dstfile or dstplane:
                raise Fail("dstip/dstfile/dstplane and dstxml can't be used at the same time")
            fields["dstxml"] = Path(dstxml).read_bytes()
        self.info(f"\nDespraying {srcname}{extra}\n")
        fields["overwrite"] = p.get_bool("overwrite", False)
        for key, field in (("connect", "maxConnections"), ("throttle", "throttle"),
                           ("transferbuffersize", "transferBufferSize")):
            if p.has(key):
                fields[field] = p.get_int(key)
        for key, field in (("norecover", "norecover"), ("wrap", "wrap"), ("multicopy", "multiCopy"),
                           ("compress", "compress")):
            if p.has(key):
                fields[field] = p.get_bool(key)
        for key in ("splitprefix", "encrypt", "decrypt"):
            if p.has(key):
                fields[key] = p.get(key)
        return self.submitted("Despray", "wuid", fields)

    def do_copy(self) -> int:
        p = self.props
        srcname, dstname = self.need("srcname"), self.need("dstname")
        self.info(f"\nCopying from {srcname} to {dstname}\n")
        fields: dict[str, Any] = {"sourceLogicalName": srcname, "destLogicalName": dstname,
                                  "destGroup": p.get("dstcluster"), "sourceDali": p.get("srcdali"),
                                  "SourceDiffKeyName": p.get("diffkeydst"), "DestDiffKeyName": p.get("diffkeysrc"),
                                  "srcusername": p.get("srcusername") or None,
                                  "srcpassword": p.get("srcpassword") or None,
                                  "KeyCompression": p.get("keycompression")}
        if (p.get("dstclusterroxie") or "").lower() == "yes":
            fields["destGroupRoxie"] = "Yes"
        self.common(fields, ("nosplit", "compress", "encrypt", "decrypt", "norecover", "connect", "throttle",
                             "transferbuffersize"))
        for key, field in (("nocommon", "noCommon"), ("preservecompression", "preserveCompression"),
                           ("wrap", "Wrap"), ("multicopy", "Multicopy"), ("ensure", "ensure")):
            if p.has(key):
                fields[field] = p.get_bool(key, key == "preservecompression")
        if p.has("expiredays"):
            fields["ExpireDays"] = p.get_int("expiredays")
        return self.submitted("Copy", "result", fields)

    def do_copysuper(self) -> int:
        """A superfile and its subfiles copied from another Dali: Copy with SuperCopy."""
        p = self.props
        srcname, dstname = self.need("srcname"), self.need("dstname")
        dstcluster, srcdali = self.need("dstcluster"), self.need("srcdali")
        self.info(f"\nCopying superfile from {srcname} to {dstname}\n")
        fields: dict[str, Any] = {"superCopy": True, "sourceLogicalName": srcname, "destLogicalName": dstname,
                                  "destGroup": dstcluster, "sourceDali": srcdali,
                                  "srcusername": p.get("srcusername") or None,
                                  "srcpassword": p.get("srcpassword") or None}
        if (p.get("dstclusterroxie") or "").lower() == "yes":
            fields["destGroupRoxie"] = "Yes"
        self.common(fields, ("nosplit", "compress", "encrypt", "decrypt", "norecover", "connect", "throttle",
                             "transferbuffersize"))
        for key, field in (("nocommon", "noCommon"), ("wrap", "Wrap")):
            if p.has(key):
                fields[field] = p.get_bool(key)
        return self.submitted("Copy", "result", fields)

    def do_replicate(self) -> int:
        p = self.props
        fields: dict[str, Any] = {"sourceLogicalName": self.need("srcname"),
                                  "replicateOffset": p.get_int("replicateoffset", 1)}
        repeatlast = p.get_bool("repeatlast", False)
        if p.get("cluster"):
            fields["cluster"] = p.get("cluster")
        elif repeatlast:
            self.info("replicate repeatlast specified with no cluster\n")
            return 0
        if repeatlast:
            fields["repeatLast"] = True
            if p.get_bool("onlyrepeated", False):
                fields["onlyRepeated"] = True
        return self.submitted("Replicate", "wuid", fields)

    def do_monitor(self) -> int:
        """DfuMonitor, with dfuplus's lines; the emulator has no DFU monitor, so its answer is the
        service's "not implemented" exception, printed as dfuplus prints exceptions."""
        p = self.props
        event, lfn, ip, filename = p.get("event"), p.get("lfn"), p.get("ip"), p.get("file")
        if not lfn and not filename:
            raise Fail("neither lfn nor filename specified")
        if lfn:
            self.info(f"\nEvent {event or ''}: Monitoring logical file name {lfn}\n")
        elif ip:
            self.info(f"\nEvent {event or ''}: Monitoring file(s) {filename} on {ip}\n")
        else:
            self.info(f"\nEvent {event or ''}: Monitoring file(s) {filename}\n")
        fields = {"EventName": event or None, "LogicalName": lfn or None, "Ip": ip or None,
                  "Filename": filename or None, "Sub": p.get_bool("sub", False),
                  "ShotLimit": p.get_int("shotlimit", 0) or 1}
        try:
            resp = self.call("filespray", "DfuMonitor", **fields)
        except EspError as err:
            if err.channel != "inline":
                raise
            self.info(exceptions_text(err) + "\n")
            return -1
        self.info(f"Submitted WUID {getattr(resp, 'wuid', '')}\n")
        return 0

    def do_dafilesrv(self) -> int:
        """The real tool starts a local dafilesrv for remote reads; the emulator needs none."""
        raise Fail("dafilesrv: not available in hpccemu-dfuplus (the emulator reads its drop zones "
                   "directly and needs no dafilesrv)")

    def submitted(self, operation: str, wuid_field: str, fields: dict[str, Any]) -> int:
        try:
            resp = self.call("filespray", operation, **fields)
        except EspError as err:
            if err.channel != "inline":
                raise
            self.info(exceptions_text(err) + "\n")
            return -1
        wuid = getattr(resp, wuid_field, None) or ""
        if not wuid:
            raise Fail(f"unknown error {operation.lower()}ing")
        jobname = self.props.get("jobname")
        if jobname:
            self.update_jobname(wuid, jobname)
        self.info(f"Submitted WUID {wuid}\n")
        if self.props.get_bool("nowait", False):
            return 0
        return self.wait(wuid)

    def update_jobname(self, wuid: str, jobname: str) -> None:
        wu = self.call("filespray", "GetDFUWorkunit", wuid=wuid).result
        wu.JobName = jobname
        self.call("filespray", "UpdateDFUWorkunit", wu=wu, StateOrig=wu.State)

    def wait(self, wuid: str) -> int:
        """waitToFinish: a line per poll until the workunit ends; -1 when it failed or was aborted."""
        from tqdm import tqdm

        interval = 1.0
        with tqdm(total=100, desc=wuid, unit="%", file=sys.stderr, disable=None, leave=False,
                  bar_format="{desc}: {percentage:3.0f}%|{bar}|") as bar:
            while True:
                try:
                    wu = self.call("filespray", "GetDFUWorkunit", wuid=wuid).result
                except EspError as err:
                    if err.channel != "inline":
                        raise
                    self.info(exceptions_text(err) + "\n")
                    return 0
                bar.update(max(0, min(100, wu.PercentDone or 0) - bar.n))
                state = state_name(wu)
                if state in ("unknown", "scheduled", "queued"):
                    self.info(f"{wuid} status: {state}\n")
                elif state == "started":
                    self.info(f"{wu.ProgressMessage or ''}\n")
                elif state == "aborting":
                    self.info(f"{wuid} aborting\n")
                elif state == "aborted":
                    self.info(f"{wuid} aborted\n")
                    return -1
                elif state == "failed":
                    self.info(f"{wu.SummaryMessage}\n" if wu.SummaryMessage else f"{wuid} failed.\n")
                    return -1
                elif state == "finished":
                    self.info(f"{wuid} Finished\n{wu.SummaryMessage or ''}\n")
                    return 0
                time.sleep(interval)
                interval = min(10.0, interval * 1.5)


def run(args: list[str], out=None, err=None) -> int:
    """Everything `main` does, returning the exit status (for tests and embedding)."""
    out, err = out or sys.stdout, err or sys.stderr
    strict = "--strict-exit" in args
    args = [a for a in args if a != "--strict-exit"]
    if args and args[0].lower() in ("/version", "-v", "--version"):
        out.write(f"hpccemu-dfuplus {VERSION} (dfuplus-compatible)\n")
        return 0
    ini = Path.cwd() / opts.INI_FILE
    if (not args and not (ini.is_file() and ini.stat().st_size > 0)) or \
            (args and args[0][:1] in "/-" and args[0][1:2] in ("?", "h")):
        out.write(opts.USAGE)
        return 0
    props = opts.load(args)
    if not props.get("action"):
        out.write(opts.USAGE)
        err.write("\nERROR: please specify one action\n")
        return DFUERR_TOO_FEW_ARGUMENTS
    if not props.get("server"):
        err.write("ERROR: Esp server url not specified.\n")
        return DFUERR_TOO_FEW_ARGUMENTS
    try:
        rc = DfuPlus(props, out).doit()
    except EspConnectionError:  # before OSError: it is a ConnectionError too
        err.write("SOAP Connection error\n")
        rc = -1
    except (Fail, OSError) as exc:
        err.write(f"{exc}\n")
        rc = -1
    except EspError as exc:
        err.write(f"{exceptions_text(exc) if exc.channel != 'http' else soap_client_text(exc)}\n")
        rc = -1
    return 1 if strict and rc != 0 else 0


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []}, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def main(args: tuple[str, ...]) -> None:
    """dfuplus-compatible client: hpccemu-dfuplus action=<action> key=value ... (see -h)."""
    sys.exit(run(list(args)))
