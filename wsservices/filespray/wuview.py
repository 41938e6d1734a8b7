"""An engine DFU workunit as FileSpray's `DFUWorkunit` struct (filespray.md §4.2).

`full_view` is GetDFUWorkunit's DeepAssign; `list_view` is GetDFUWorkunits' lighter entry.
The struct is nil_remove: fields left None are not written.
"""
from __future__ import annotations

from wsservices.engine.dfu import wuactions
from wsservices.engine.dfu import workunits as W
from wsservices.engine.dfu.progress import progress_message, summary_message
from wsservices.filespray import models

CSV_FORMATS = (1,)


def full_view(cluster, wu: W.DfuWorkunit) -> models.DFUWorkunit:
    src, dst, opt, p = wu.source, wu.destination, wu.options, wu.progress
    m = models.DFUWorkunit(
        ID=wu.wuid, DFUServerName=wu.dfu_server or None,
        ClusterName=wuactions.target_of_group(cluster, wu.cluster) or None, JobName=wu.job_name,
        Queue=wu.queue, User=wu.user, isProtected=wu.protected, Command=wu.command,
        State=wu.state, StateMessage=wu.state_name, TimeStarted=wu.time_started,
        TimeStopped=wu.time_stopped, ProgressMessage=progress_message(p),
        SummaryMessage=summary_message(wu), SecsLeft=p.secs_left or None, PercentDone=p.percent_done,
        Replicate=bool(opt.get("replicate")), Overwrite=bool(opt.get("overwrite")),
        KbPerSecAve=p.kb_per_sec_ave, KbPerSec=p.kb_per_sec)
    if src.get("logical_name"):
        m.SourceLogicalName = src["logical_name"]
    elif wu.command == W.IMPORT:
        m.SourceFormat = src.get("format", 0)
    m.SourceDirectory = src.get("directory") or None
    if src.get("ip"):
        m.SourceIP, m.SourceFilePath = src["ip"], src.get("file_path")
    m.SourceNumParts = src.get("num_parts") or None
    m.SourceRecordSize = src.get("record_size") or None
    m.RowTag = src.get("row_tag") or None
    if src.get("format") in CSV_FORMATS and not src.get("row_tag"):
        m.SourceCsvSeparate = src.get("csv_separate") or None
        m.SourceCsvTerminate = src.get("csv_terminate") or None
        m.SourceCsvQuote = src.get("csv_quote") or None
        m.SourceCsvEscape = src.get("csv_escape") or None
        m.quotedTerminator = bool(opt.get("quoted_terminator", True))
    if dst.get("logical_name"):
        m.DestLogicalName = dst["logical_name"]
    else:
        m.DestFormat = dst.get("format", 0)
    m.DestDirectory = dst.get("directory") or None
    m.DestGroupName = (dst.get("group") or "").lower() or None
    if dst.get("ip"):
        m.DestIP, m.DestFilePath = dst["ip"], dst.get("file_path")
    m.DestNumParts = dst.get("num_parts") or None
    m.DestRecordSize = dst.get("record_size") or None
    m.Compress = bool(dst.get("compress"))
    m.PreserveFileParts = bool(dst.get("wrap")) if wu.command == W.EXPORT else None
    return m


def list_view(cluster, wu: W.DfuWorkunit, messages: bool, timings: bool, rates: bool) -> models.DFUWorkunit:
    m = models.DFUWorkunit(
        ID=wu.wuid, JobName=wu.job_name, Command=wu.command, CommandMessage=wu.command_name, User=wu.user,
        ClusterName=wuactions.target_of_group(cluster, wu.cluster) or None, isProtected=wu.protected,
        State=wu.state, StateMessage=wu.state_name, PercentDone=wu.progress.percent_done)
    if messages:
        m.ProgressMessage, m.SummaryMessage = progress_message(wu.progress), summary_message(wu)
    if rates:
        m.KbPerSec, m.KbPerSecAve = wu.progress.kb_per_sec, wu.progress.kb_per_sec_ave
    if timings:
        m.TimeStarted, m.TimeStopped = wu.time_started, wu.time_stopped
        m.SecsLeft = wu.progress.secs_left or None
    return m


def wu_file_xml(wu: W.DfuWorkunit, plain: bool) -> str:
    """DFUWUFile: the workunit's stored tree as XML (filespray.md §4.4), tags in sorted order."""
    from lxml import etree

    root = etree.Element(wu.wuid)
    for key, value in sorted({"command": wu.command_name, "submitID": wu.user, "cluster": wu.cluster,
                              "jobName": wu.job_name, "queue": wu.queue, "protected": str(int(wu.protected)),
                              "dfuserver": wu.dfu_server}.items()):
        if value:
            root.set(key, value)
    if wu.exceptions:
        excs = etree.SubElement(root, "Exceptions")
        for e in wu.exceptions:
            etree.SubElement(excs, "Exception", exceptionCode=str(e["code"]), exceptionMessage=e["message"],
                             time=e.get("time", ""))
    p = wu.progress
    progress = {"state": wu.state_name, "percentdone": p.percent_done, "secsleft": p.secs_left,
                "kbpersecave": p.kb_per_sec_ave, "kbpersec": p.kb_per_sec, "slavesdone": p.slaves_done,
                "totalnodes": p.total_nodes, "scaleddone": p.done_bytes, "scaledtotal": p.total_bytes,
                "timestarted": wu.time_started, "timestopped": wu.time_stopped}
    etree.SubElement(root, "Progress", {k: str(v) for k, v in sorted(progress.items()) if v not in ("", None)})
    for tag, data in (("Destination", wu.destination), ("Options", wu.options), ("Source", wu.source)):
        if data:
            etree.SubElement(root, tag, {k: _attr(v) for k, v in sorted(data.items()) if v not in ("", None)})
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    if not plain:
        head += '<?xml-stylesheet href="../esp/xslt/xmlformatter.xsl" type="text/xsl"?>'
    return head + etree.tostring(root, encoding="unicode")


def _attr(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
