"""The DFU server's progress and summary texts (filespray.md §4.5), computed from bytes moved.

`ProgressMessage` reads like `100% Done, 0 secs left (1234/1234bytes @56KB/sec) current
rate=56KB/sec [3/3nodes]`, built as dfuwu.cpp's formatProgressMessage builds it: the time left
only once bytes were counted, the byte/rate group only when one of its numbers is non-zero, the
node count only when the job has nodes (a rename's is `100% Done`, a job that failed before
moving anything says `0% Done`). `SummaryMessage` is `Failed: <first exception>` or
`Total time taken <t>[, Average transfer <n>KB/sec]`.
"""
from __future__ import annotations

from wsservices.engine.dfu.workunits import DfuWorkunit, Progress


def format_time(secs: float) -> str:
    secs = int(secs)
    if secs < 120:
        return f"{secs} secs"
    if secs < 5400:
        return f"{secs // 60}m {secs % 60}s"
    return f"{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}"


def scaled(done: int, total: int) -> tuple[int, int, str]:
    """Both byte counts in the unit the DFU server picks from the total."""
    if total <= 500_000:
        return done, total, "bytes"
    if total < 50_000_000:
        return done // 1000, total // 1000, "KB"
    return done // 1_000_000, total // 1_000_000, "MB"


def progress_message(p: Progress) -> str:
    text = f"{p.percent_done}% Done"
    if p.replicating and p.percent_done < 100:
        text += ", Replicating"
    if p.total_bytes:
        text += f", {format_time(p.secs_left)} left"
    if not p.replicating:
        done, total, unit = scaled(p.done_bytes, p.total_bytes)
        if p.kb_per_sec_ave or done or total:
            parts = [f"{done}/{total}{unit}"] if done or total else []
            if p.kb_per_sec_ave:
                parts.append(f"@{p.kb_per_sec_ave}KB/sec")
            text += f" ({' '.join(parts)})"
        if p.kb_per_sec:
            text += f" current rate={p.kb_per_sec}KB/sec"
    if p.total_nodes:
        text += f" [{p.slaves_done}/{p.total_nodes}nodes]"
    return text


def time_taken(p: Progress) -> str:
    if p.time_taken_text:
        return p.time_taken_text
    return "" if p.time_taken_ms is None else format_time(p.time_taken_ms / 1000)


def summary_message(wu: DfuWorkunit) -> str:
    if wu.exceptions:
        return f"Failed: {wu.exceptions[0]['message']}"
    text = f"Total time taken {time_taken(wu.progress)}"
    if wu.progress.kb_per_sec_ave:
        text += f", Average transfer {wu.progress.kb_per_sec_ave}KB/sec"
    return text
