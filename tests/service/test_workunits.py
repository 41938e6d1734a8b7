"""FileSpray's DFU workunit methods through zeep, with ESP's texts and codes."""
from __future__ import annotations

import pytest

from esputil import esp_error
from wsservices.engine.dfu import workunits as W

MISSING = "D20000101-000000"


@pytest.fixture
def finished_wu(emulator):
    wu = emulator.cluster.workunits.create(command=W.RENAME, user="tester", cluster="mythor", job_name="renamed",
                                           queue="dfuserver_queue", state=W.FINISHED)
    yield wu.wuid
    emulator.cluster.workunits.delete(wu.wuid)


def test_create_submit_and_read_back(fs):
    created = fs.service.CreateDFUWorkunit(DFUServerQueue="dfuserver_queue").result
    assert created.State == 0 and created.Overwrite is False and created.Replicate is True
    fs.service.SubmitDFUWorkunit(wuid=created.ID)
    wu = fs.service.GetDFUWorkunit(wuid=created.ID)
    assert wu.result.ID == created.ID and wu.result.StateMessage == "failed"  # an empty WU has no command
    assert wu.AutoRefresh == 0
    progress = fs.service.GetDFUProgress(wuid=created.ID)
    assert progress.State == "failed" and progress.SummaryMessage.startswith("Failed: ")
    excs = fs.service.GetDFUExceptions(wuid=created.ID).result.DFUException
    assert len(excs) == 1


def test_get_workunit_errors(fs):
    assert esp_error(fs.service.GetDFUWorkunit(wuid="")) == (20052, "Dfu workunit ID not specified.")
    assert esp_error(fs.service.GetDFUWorkunit(wuid=MISSING)) == (20080, f"Cannot read workunit {MISSING}.")
    assert esp_error(fs.service.GetDFUProgress(wuid="")) == (20052, "Workunit ID not specified.")
    assert esp_error(fs.service.GetDFUProgress(wuid=MISSING)) == (20081, f"Dfu workunit {MISSING} not found.")
    assert esp_error(fs.service.AbortDFUWorkunit(wuid=MISSING)) == (20080, f"Dfu workunit {MISSING} not found.")
    assert esp_error(fs.service.GetDFUExceptions(wuid=MISSING)) == (20080, f"Dfu workunit {MISSING} not found.")
    assert esp_error(fs.service.SubmitDFUWorkunit(wuid="")) == (20051, "Workunit ID required")
    assert esp_error(fs.service.DeleteDFUWorkunit(wuid=MISSING)) == (20082, f"Dfu workunit {MISSING} not found.")
    assert esp_error(fs.service.DFUWorkunitsAction(wuids={"Item": []}, Type="Delete")) == (20052, "Workunit not defined.")


def test_an_absent_wuid_reads_as_empty(fs):
    """ESP's request objects hold "" for a field not sent: the messages show nothing, never "None"."""
    assert esp_error(fs.service.AbortDFUWorkunit()) == (20080, "Dfu workunit  not found.")
    assert esp_error(fs.service.GetDFUExceptions()) == (20080, "Dfu workunit  not found.")
    assert esp_error(fs.service.GetDFUWorkunit()) == (20052, "Dfu workunit ID not specified.")
    assert esp_error(fs.service.SubmitDFUWorkunit()) == (20051, "Workunit ID required")


def test_workunit_view_translates_the_cluster(fs, finished_wu):
    wu = fs.service.GetDFUWorkunit(wuid=finished_wu).result
    assert wu.ClusterName == "thor" and wu.JobName == "renamed" and wu.User == "tester"
    assert wu.State == 6 and wu.StateMessage == "finished" and wu.Command == 4


def test_list_and_filters(fs, finished_wu):
    resp = fs.service.GetDFUWorkunits(Owner="TESTER", Cluster="thor", StateReq="finished", PageSize=10)
    ids = [w.ID for w in resp.results.DFUWorkunit]
    assert finished_wu in ids
    assert resp.Filters == "StateReq=finished&amp;Cluster=thor&amp;Owner=TESTER"
    entry = next(w for w in resp.results.DFUWorkunit if w.ID == finished_wu)
    assert entry.CommandMessage == "rename" and entry.ProgressMessage is None
    single = fs.service.GetDFUWorkunits(Wuid=finished_wu.lower())
    assert [w.ID for w in single.results.DFUWorkunit] == [finished_wu]
    assert esp_error(fs.service.GetDFUWorkunits(Wuid=MISSING)) == (20081, f"Dfu workunit {MISSING} not found.")


def test_protect_then_delete(fs, finished_wu):
    results = fs.service.DFUWorkunitsAction(wuids={"Item": [finished_wu]}, Type="Protect").DFUActionResults
    assert results.DFUActionResult[0].Result == "Success"
    assert fs.service.DeleteDFUWorkunit(wuid=finished_wu).result is False
    fs.service.DFUWorkunitsAction(wuids={"Item": [finished_wu]}, Type="Unprotect")
    assert fs.service.DeleteDFUWorkunit(wuid=finished_wu).result is True
    assert esp_error(fs.service.GetDFUWorkunit(wuid=finished_wu))[0] == 20080


def test_wu_file(fs, finished_wu):
    text = fs.service.DFUWUFile(Wuid=finished_wu).file
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet ')
    assert f"<{finished_wu} " in text and 'command="rename"' in text
    plain = fs.service.DFUWUFile(Wuid=finished_wu, PlainText="yes").file
    assert "xml-stylesheet" not in plain


def test_echo_date_time_and_search(http, url, fs):
    from esputil import envelope, soap_post
    r = soap_post(http, url + "/FileSpray", envelope("<EchoDateTime/>"))
    assert "<result>0000-00-00T00:00:00</result>" in r.text
    assert "thor" in fs.service.DFUWUSearch().ClusterNames.ClusterName
