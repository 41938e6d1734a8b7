"""DfuJob on real background DFU workers: progress while running, timeout, abort."""
from __future__ import annotations

import io

import pytest

from hpccemu import DfuJobFailed, DfuTimeout, HPCCClient, ThreadedEmulator


def test_wait_shows_progress_times_out_and_reports_an_abort(tmp_path):
    with ThreadedEmulator(data_dir=tmp_path / "data", dfu_workers=1) as emu, HPCCClient(emu.url) as hpcc:
        fs = hpcc.filespray
        (emu.landing_zone / "big.dat").write_bytes(b"%09d\n" % 5 * 800_000)   # 8 MB at 1 MB/s
        job = fs.spray_fixed("big.dat", "bg::big", "mythor", 10, throttle=1024)
        seen = []
        bar = io.StringIO()
        with pytest.raises(DfuTimeout) as info:
            job.wait(timeout=1.0, poll_interval=0.05, progress_file=bar, on_progress=seen.append)
        assert info.value.wuid == job.wuid and info.value.state in ("queued", "started")
        assert seen and seen[-1].state == "started" and 0 <= seen[-1].percent_done < 100
        assert job.wuid in bar.getvalue()
        job.abort()
        with pytest.raises(DfuJobFailed) as failed:
            job.wait(timeout=30, poll_interval=0.05, progress=False)
        assert failed.value.state == "aborted" and "User Abort" in failed.value.summary
