"""DFU workunits as job handles: what a spray, despray or copy returns.

`DfuJob(wuid, filespray)` reads the workunit with ``GetDFUWorkunit`` (as dfuplus does) and
`wait` polls it until it ends, starting at `poll_interval` seconds and growing by `backoff` up to
`max_interval` (dfuplus polls every 10 s growing to 30 s; the defaults here are shorter so that
runs against the emulator finish at once). While waiting it draws a tqdm bar from
``PercentDone`` (to stderr; tqdm switches itself off when stderr is not a terminal, so logs stay
clean) and calls `on_progress(workunit)` on every poll. A workunit that ends ``failed`` or
``aborted`` raises `DfuJobFailed` with its SummaryMessage; running out of time raises `DfuTimeout`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import IO, Any, Callable

from .errors import DfuJobFailed, DfuTimeout

#: DFUstate numbers (dali/dfu/dfuwu.hpp) -> the word ESP reports in StateMessage / State
STATES = ("unknown", "scheduled", "queued", "started", "aborted", "failed", "finished",
          "monitoring", "aborting", "blocked")
TERMINAL = frozenset({"aborted", "failed", "finished"})


def state_name(wu: Any) -> str:
    """The state word of a zeep ``DFUWorkunit`` as dfuplus prints it: from the number when there
    is one, else from ``StateMessage``."""
    code = wu.State if isinstance(wu.State, int) else -1
    return STATES[code] if 0 <= code < len(STATES) else (wu.StateMessage or "unknown").lower()


@dataclass
class DfuWorkunit:
    """The fields of a DFU workunit scripts look at; `raw` is the whole zeep ``DFUWorkunit``."""

    wuid: str
    state: str
    percent_done: int = 0
    progress_message: str = ""
    summary_message: str = ""
    command: int = 0
    command_message: str = ""
    job_name: str = ""
    cluster: str = ""
    source_logical_name: str = ""
    dest_logical_name: str = ""
    time_started: str = ""
    time_stopped: str = ""
    raw: Any = field(default=None, repr=False, compare=False)

    @property
    def done(self) -> bool:
        return self.state in TERMINAL

    @classmethod
    def from_soap(cls, wu: Any) -> "DfuWorkunit":
        code = wu.State if isinstance(wu.State, int) else None
        state = (wu.StateMessage or (STATES[code] if code is not None and 0 <= code < len(STATES) else "unknown"))
        return cls(wuid=wu.ID or "", state=state.lower(), percent_done=wu.PercentDone or 0,
                   progress_message=wu.ProgressMessage or "", summary_message=wu.SummaryMessage or "",
                   command=wu.Command or 0, command_message=wu.CommandMessage or "", job_name=wu.JobName or "",
                   cluster=wu.ClusterName or "", source_logical_name=wu.SourceLogicalName or "",
                   dest_logical_name=wu.DestLogicalName or "", time_started=wu.TimeStarted or "",
                   time_stopped=wu.TimeStopped or "", raw=wu)


class DfuJob:
    """A submitted DFU workunit. `filespray` is the `FileSprayClient` that submitted it."""

    def __init__(self, wuid: str, filespray: Any):
        self.wuid = wuid
        self.filespray = filespray
        self.workunit: DfuWorkunit | None = None

    def __repr__(self) -> str:
        state = self.workunit.state if self.workunit else "?"
        return f"<DfuJob {self.wuid} {state}>"

    def refresh(self) -> DfuWorkunit:
        """Read the workunit now."""
        self.workunit = self.filespray.get_workunit(self.wuid)
        return self.workunit

    def done(self) -> bool:
        return self.refresh().done

    def abort(self) -> None:
        self.filespray.abort_workunit(self.wuid)

    def wait(self, timeout: float | None = 3600.0, poll_interval: float = 0.2, progress: bool = True, *,
             backoff: float = 1.5, max_interval: float = 10.0,
             on_progress: Callable[[DfuWorkunit], None] | None = None,
             progress_file: IO[str] | None = None) -> DfuWorkunit:
        """Poll until the workunit ends; return it when finished, raise `DfuJobFailed` when it
        failed or was aborted, `DfuTimeout` after `timeout` seconds (None: no limit)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = _bar(self.wuid, progress_file) if progress else None
        interval = poll_interval
        try:
            while True:
                wu = self.refresh()
                if bar is not None:
                    bar.update(max(0, min(100, wu.percent_done) - bar.n))
                    bar.set_postfix_str(wu.state, refresh=True)
                if on_progress is not None:
                    on_progress(wu)
                if wu.done:
                    break
                if deadline is not None and time.monotonic() + interval > deadline:
                    raise DfuTimeout(self.wuid, timeout, wu.state)
                time.sleep(interval)
                interval = min(max_interval, interval * backoff)
        finally:
            if bar is not None:
                bar.close()
        if wu.state != "finished":
            raise DfuJobFailed(self.wuid, wu.state, wu.summary_message, wu)
        return wu

    def result(self, timeout: float | None = 3600.0) -> DfuWorkunit:
        """`wait` without a progress bar (google-api-core's spelling)."""
        return self.wait(timeout, progress=False)


def _bar(wuid: str, file: IO[str] | None):
    from tqdm import tqdm

    return tqdm(total=100, desc=wuid, unit="%", file=file, disable=None if file is None else False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}", leave=True)
