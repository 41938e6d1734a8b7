"""WsDFUXRef through zeep and raw SOAP: build a cluster's XREF in the background, read found,
orphan and lost files, directories and messages, attach and delete what it found."""
from __future__ import annotations

import time

import pytest
from lxml import etree

from esputil import envelope, soap_post, zeep_client
from hpccemu.testing import ThreadedEmulator
from service.drills import Drill, records

DATA = "/var/lib/HPCCSystems/hpcc-data/thor"


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    with ThreadedEmulator(data_dir=tmp_path_factory.mktemp("xref") / "data", deterministic=True) as emu:
        d = Drill(emu)
        d.xref = zeep_client(emu.url, "WsDFUXRef")
        yield d
        d.close()


def build(drill) -> None:
    drill.xref.service.DFUXRefBuild(Cluster="mythor")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        nodes = etree.fromstring(drill.xref.service.DFUXRefList())
        status = {n.findtext("Name"): n.findtext("Status") for n in nodes}
        if status["mythor"] == "Generated":
            return
        time.sleep(0.05)
    raise AssertionError(f"XREF build did not finish: {status}")


def tree(text: str):
    return etree.fromstring(text)


def test_list_before_any_build(tmp_path):
    with ThreadedEmulator(data_dir=tmp_path / "d", deterministic=True) as emu:
        xref = zeep_client(emu.url, "WsDFUXRef")
        assert xref.service.DFUXRefList() == ("<XRefNodes><XRefNode><Name>mythor</Name><Modified></Modified>"
                                              "<Status>Not Run</Status></XRefNode></XRefNodes>")
        assert xref.service.DFUXRefFoundFiles(Cluster="mythor") is None


def test_found_orphan_and_lost_files_and_what_can_be_done_with_them(drill):
    data = drill.emu.data_dir / "nodes"
    drill.finished(drill.spray(records(40), "xref::kept"))
    drill.finished(drill.spray(records(40), "xref::lost"))
    (data / "node3/hpcc-data/thor/xref/lost._3_of_4").unlink()
    for node, part in (("node1", 1), ("node2", 2)):
        folder = data / node / "hpcc-data/thor/xref"
        (folder / f"found._{part}_of_2").write_bytes(b"%09d\n" % part)
    (data / "node1/hpcc-data/thor/xref/orphan._1_of_3").write_bytes(b"x" * 10)
    build(drill)

    found = tree(drill.xref.service.DFUXRefFoundFiles(Cluster="mythor"))
    assert [(f.findtext("Partmask"), f.findtext("Numparts"), f.findtext("Size")) for f in found.iter("File")] == [
        (f"{DATA}/xref/found._$P$_of_2", "2", "20")]
    assert [(p.findtext("Num"), p.findtext("Node")) for p in found.iter("Part")] == [
        ("1", drill.emu.cluster.environment.nodes[0].address), ("2", drill.emu.cluster.environment.nodes[1].address)]
    orphans = tree(drill.xref.service.DFUXRefOrphanFiles(Cluster="mythor"))
    assert [f.findtext("Partmask") for f in orphans.iter("File")] == [f"{DATA}/xref/orphan._1_of_3"]
    lost = tree(drill.xref.service.DFUXRefLostFiles(Cluster="mythor"))
    assert [(f.findtext("Name"), f.findtext("Numparts"), f.findtext("Partslost"), f.findtext("Primarylost"),
             f.findtext("Cluster"), f.findtext("Size")) for f in lost.iter("File")] == [
        ("xref::lost", "4", "1", "1", "mythor", "400")]
    assert [p.findtext("Num") for p in lost.iter("Part")] == ["3"]
    dirs = tree(drill.xref.service.DFUXRefDirectories(Cluster="mythor"))
    xref_dir = [d for d in dirs.iter("Directory") if d.findtext("Name") == f"{DATA}/xref"][0]
    assert xref_dir.findtext("Num") == "10" and xref_dir.findtext("PositiveSkew") is not None
    assert tree(drill.xref.service.DFUXRefMessages(Cluster="mythor")).findtext("Cluster") == "mythor"

    r = drill.xref.service.DFUXRefArrayAction(Type="Found", Cluster="mythor", Action="Attach",
                                              XRefFiles={"Item": [f"{DATA}/xref/found._$P$_of_2"]})
    assert r == f"<Message><Value>Reattached Physical part {DATA}/xref/found._$P$_of_2</Value></Message>"
    assert drill.dfu.service.DFUInfo(Name="xref::found").FileDetail.Filesize == "20"
    r = drill.xref.service.DFUXRefArrayAction(Type="Orphan", Cluster="mythor", Action="Delete",
                                              XRefFiles={"Item": [f"{DATA}/xref/orphan._1_of_3"]})
    assert r == f"<Message><Value>Removed Physical part {DATA}/xref/orphan._1_of_3</Value></Message>"
    assert not (data / "node1/hpcc-data/thor/xref/orphan._1_of_3").exists()
    r = drill.xref.service.DFUXRefArrayAction(Type="Lost", Cluster="mythor", Action="DeleteLogical",
                                              XRefFiles={"Item": ["xref::lost"]})
    assert r == "<Message><Value>Removed Logical File xref::lost</Value></Message>"
    assert (data / "node1/hpcc-data/thor/xref/lost._1_of_4").exists()   # surviving parts stay: orphans now
    r = drill.xref.service.DFUXRefArrayAction(Type="Lost", Cluster="mythor", Action="DeleteLogical",
                                              XRefFiles={"Item": ["xref::lost"]})
    assert r == ("<Message><Value>Error(s) removing File xref::lost</Value></Message>"
                 "<Message><Value>Logical file xref::lost not found</Value></Message>")
    build(drill)
    assert tree(drill.xref.service.DFUXRefFoundFiles(Cluster="mythor")).find("File") is None
    assert [f.findtext("Partmask") for f in tree(drill.xref.service.DFUXRefOrphanFiles(Cluster="mythor")).iter("File")
            ] == [f"{DATA}/xref/lost._$P$_of_4"]
    assert tree(drill.xref.service.DFUXRefLostFiles(Cluster="mythor")).find("File") is None


@pytest.mark.parametrize("call, kwargs, expected", [
    ("DFUXRefBuild", {"Cluster": ""}, (20052, "Cluster not defined.")),
    ("DFUXRefArrayAction", {"Type": "Found", "Action": ""}, (20052, "Action or Type not defined.")),
    ("DFUXRefArrayAction", {"Type": "Found", "Action": "Move", "Cluster": "mythor"},
     (20052, "Invalid DFUXRefArrayAction: only Attach, Delete or DeleteLogical allowed.")),
    ("DFUXRefArrayAction", {"Type": "Found", "Action": "Delete", "Cluster": "mythor"},
     (20052, "XRefFile not defined.")),
    ("DFUXRefArrayAction", {"Type": "Odd", "Action": "Delete", "Cluster": "mythor", "XRefFiles": {"Item": ["x"]}},
     (20065, "Unable to find a suitable IXRefFilesNode interface for Odd")),
])
def test_errors(drill, call, kwargs, expected):
    """Over raw SOAP: some of these responses declare no Exceptions element, which zeep refuses."""
    fields = "".join(f"<{k}>{v}</{k}>" if isinstance(v, str) else f"<{k}><Item>{v['Item'][0]}</Item></{k}>"
                     for k, v in kwargs.items())
    r = soap_post(drill.http, f"{drill.url}/WsDFUXRef/", envelope(f"<{call}Request>{fields}</{call}Request>"))
    root = etree.fromstring(r.content)
    exc = next(root.iter("{*}Exception"))
    assert (int(exc.findtext("{*}Code")), exc.findtext("{*}Message").split(" GMT: ", 1)[-1]) == expected


def test_build_and_cancel_over_raw_soap(drill):
    r = soap_post(drill.http, f"{drill.url}/WsDFUXRef/", envelope("<DFUXRefBuildCancelRequest/>"))
    assert r.status_code == 200
    assert ("&lt;Message&gt;&lt;Value&gt;All Queued items have been cleared. The current running job will continue "
            "to execute.&lt;/Value&gt;&lt;href&gt;/WsDFUXRef/DFUXRefList&lt;/href&gt;&lt;/Message&gt;") in r.text
    r = soap_post(drill.http, f"{drill.url}/WsDFUXRef/",
                  envelope("<DFUXRefBuildRequest><Cluster>mythor</Cluster></DFUXRefBuildRequest>"))
    assert "XRef" in r.text and "Exception" not in r.text
    build(drill)


def test_clean_directories_removes_empty_folders(drill):
    empty = drill.emu.data_dir / "nodes/node2/hpcc-data/thor/empty/inner"
    empty.mkdir(parents=True)
    assert drill.xref.service.DFUXRefCleanDirectories(Cluster="mythor") is None   # no Exceptions
    assert not (drill.emu.data_dir / "nodes/node2/hpcc-data/thor/empty").exists()
    assert (drill.emu.data_dir / "nodes/node2/hpcc-data/thor").is_dir()
