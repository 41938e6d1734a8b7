"""DFUXRefUnusedFiles through zeep: the files of a Roxie process cluster that no published query
(and, with CheckPackageMaps, no active package map) of that process uses; names or details; the
source's errors."""
from __future__ import annotations

import pytest

from esputil import zeep_client
from hpccemu.testing import ThreadedEmulator
from service.drills import Drill, records, unique


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    with ThreadedEmulator(data_dir=tmp_path_factory.mktemp("unused") / "data", deterministic=True) as emu:
        d = Drill(emu)
        d.xref = zeep_client(emu.url, "WsDFUXRef")
        d.pkg = zeep_client(emu.url, "WsPackageProcess")
        scope = unique("uf")
        names = [f"{scope}::{t}" for t in ("query", "free", "mapped")]
        for name in names:
            d.finished(d.spray(records(10), name))
        r = d.control("roxie/publish", {"target": "roxie", "name": "q1", "files": [names[0]],
                                        "keys": ["k"], "activate": True})
        assert r.status_code == 200, r.text
        pm = (f'<RoxiePackages><Package id="q1"><Base id="data"/></Package><Package id="data">'
              f'<SuperFile id="~{scope}::super"><SubFile value="~{names[2]}"/></SuperFile></Package></RoxiePackages>')
        reply = d.pkg.service.AddPackage(Info=pm, Target="roxie", PackageMap="unused_pm", Activate=True)
        assert int(reply.status.Code) == 0, reply.status.Description
        yield d, names
        d.close()


def test_unused_files_by_name(setup):
    d, (used_by_query, free, mapped) = setup
    reply = d.xref.service.DFUXRefUnusedFiles(ProcessCluster="myroxie")
    assert set(reply.UnusedFiles.File) == {free, mapped} and reply.UnusedFileCount == 2
    reply = d.xref.service.DFUXRefUnusedFiles(ProcessCluster="myroxie", CheckPackageMaps=True)
    assert reply.UnusedFiles.File == [free] and reply.UnusedFileCount == 1


def test_unused_files_with_details(setup):
    d, (_, free, _) = setup
    reply = d.xref.service.DFUXRefUnusedFiles(ProcessClusterList={"Item": ["myroxie"]}, CheckPackageMaps=True,
                                              GetFileDetails=True, CheckPlanes={"Item": ["mythor"]})
    files = reply.UnusedFilesWithDetails.DFULogicalFile
    assert [(f.Name, f.ClusterName, f.IntSize) for f in files] == [(free, "mythor", 100)]
    assert reply.UnusedFiles is None


@pytest.mark.parametrize("kwargs, code, message", [
    ({}, 20052, "process cluster not specified."),
    ({"ProcessCluster": "noroxie"}, 20045, "Connection info for 'noroxie' process cluster not found."),
])
def test_errors(setup, kwargs, code, message):
    d, _ = setup
    e = d.xref.service.DFUXRefUnusedFiles(**kwargs).Exceptions.Exception[0]
    assert (int(e.Code), e.Message.split("GMT: ", 1)[-1]) == (code, message)
