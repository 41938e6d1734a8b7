"""The XREF build queue lives in the store (engine/xref/builds.py): an ESP-only cluster object
(role ``esp``, as in an ESP worker process) queues and cancels, the one that runs the DFU server
(role ``dfuserver``) builds, in the order asked for; a build a crash stopped does not stay
"Running XRef"."""
from __future__ import annotations

from wsservices.engine.cluster import Cluster
from wsservices.engine.config import load_settings
from wsservices.engine.environment import Environment
from wsservices.engine.xref import builds

from esputil import wait_until
from .files_support import TWO_CLUSTERS


def _settings(root):
    return load_settings(env={}, overrides={"data_dir": str(root), "dfu_workers": 1,
                                            "environment": Environment.from_mapping(TWO_CLUSTERS)})


def _status(cluster) -> dict[str, str]:
    return {name: status for name, _, status in cluster.xref.clusters()}


def test_esp_processes_queue_and_cancel_the_dfu_server_process_builds_in_order(tmp_path):
    settings = _settings(tmp_path / "data")
    with Cluster.open(settings, role="dfuserver"):       # recovery ran; the builder is idle
        pass
    with Cluster.open(settings, role="esp") as esp, Cluster.open(settings, role="esp") as other:
        assert esp.xref.queue("thor2") == builds.IDLE
        assert other.xref.queue("thor2") == builds.IN_PROCESS      # one queue for every process
        assert other.xref.queue("mythor") == builds.IDLE
        assert _status(esp) == {"mythor": "Submitted", "thor2": "Submitted"}
        assert esp.xref.cancel() == 2                                # from any process
        assert _status(other) == {"mythor": "Not Run", "thor2": "Not Run"}
        esp.xref.queue("thor2")
        other.xref.queue("mythor", "nothing::here")
        with Cluster.open(settings, role="dfuserver") as dfu:
            wait_until(lambda: set(_status(esp).values()) == {"Generated"}, timeout=30, what="both builds")
            order = dfu.store.query("SELECT cluster, modified, queued FROM xref_nodes ORDER BY cluster")
        assert [r["queued"] for r in order] == [0, 0]
        assert esp.xref.result("mythor")["Found"] == [] and esp.xref.result("thor2") is not None
        assert esp.xref.queue("mythor") == builds.IDLE               # generated: it may run again
        assert _status(other)["mythor"] == "Submitted"


def test_a_build_a_crash_stopped_is_failed_and_a_queued_one_still_runs(tmp_path):
    settings = _settings(tmp_path / "data")
    with Cluster.open(settings, role="esp") as esp:
        esp.xref.queue("mythor")
        esp.xref.queue("thor2")
        # what a crash of the DFU server process in the middle of a build leaves
        esp.store.execute("UPDATE xref_nodes SET status = 'Running XRef' WHERE cluster = 'mythor'")
        assert esp.xref.queue("thor2") == builds.IN_PROCESS
        with Cluster.open(settings, role="dfuserver"):
            assert _status(esp)["mythor"] == builds.CRASH_STATUS
            wait_until(lambda: _status(esp)["thor2"] == "Generated", timeout=30, what="the queued build")
            assert _status(esp)["mythor"] == builds.CRASH_STATUS
            assert esp.xref.queue("mythor") == builds.IDLE           # and it can be asked for again
            wait_until(lambda: _status(esp)["mythor"] == "Generated", timeout=30, what="the new build")


def test_a_build_in_one_process_waits_for_the_running_one(tmp_path):
    settings = _settings(tmp_path / "data")
    with Cluster.open(settings, role="esp") as esp:
        esp.store.execute("INSERT INTO xref_nodes(cluster, status) VALUES ('mythor', 'Running XRef')")
        assert esp.xref.queue("thor2") == builds.BUSY
        assert esp.xref.queue("mythor") == builds.IN_PROCESS
