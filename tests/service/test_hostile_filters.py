"""100,000-character scopes and name filters get a correct answer (here: nothing matches),
never SQLite's "LIKE or GLOB pattern too complex" or an internal error."""
from __future__ import annotations

import pytest

from wsservices.engine.dali.catalog import catalog
from wsservices.engine.dali.files import NewLogicalFile

NAME = "hostilefilter::scope::people"

BIG = "a" * 100_000
STARRED = "*a" * 50_000 + "*"

CALLS = {
    "fileview_scope": ("DFUFileView", {"Scope": BIG}),
    "space_scope": ("DFUSpace", {"CountBy": "Scope", "ScopeUnder": BIG}),
    "space_wild_scope": ("DFUSpace", {"CountBy": "Scope", "ScopeUnder": "a*" * 50_000}),
    "query_name": ("DFUQuery", {"LogicalName": BIG}),
    "query_wild_name": ("DFUQuery", {"LogicalName": STARRED}),
    "query_prefix": ("DFUQuery", {"Prefix": BIG}),
    "query_owner": ("DFUQuery", {"Owner": STARRED}),
    "query_content_type": ("DFUQuery", {"ContentType": STARRED}),
    "query_scoped": ("DFUQuery", {"LogicalName": "*::" + STARRED}),
}


@pytest.fixture(scope="module")
def a_file(emulator):
    """SQLite only evaluates a pattern against a row: the catalogue must hold one."""
    cat = catalog(emulator.cluster)
    if not cat.exists(NAME):
        cat.create(NewLogicalFile(name=NAME, group="mythor", directory="/x", part_mask="people._$P$_of_$N$",
                                  parts=[], attrs={"owner": "alice", "kind": "csv"}))
    return NAME


@pytest.mark.parametrize("op,fields", CALLS.values(), ids=CALLS.keys())
def test_a_huge_filter_gets_a_clean_empty_answer(dfu, a_file, op, fields):
    r = getattr(dfu.service, op)(**fields)
    assert r.Exceptions is None
    if op == "DFUQuery":
        assert r.NumFiles == 0 and not r.DFULogicalFiles
    if op == "DFUFileView":
        assert r.NumFiles == 0
    if op == "DFUSpace":
        assert not r.DFUSpaceItems


def test_the_filters_still_find_files(dfu, a_file):
    name = a_file
    found = dfu.service.DFUQuery(LogicalName="hostilefilter::*::people", Owner="ali*", ContentType="c*v")
    assert [f.Name for f in found.DFULogicalFiles.DFULogicalFile] == [name]
    assert dfu.service.DFUQuery(Prefix="hostilefilter::scope").NumFiles == 1
    view = dfu.service.DFUFileView(Scope="hostilefilter")
    assert [f.Directory for f in view.DFULogicalFiles.DFULogicalFile] == ["scope"]
    space = dfu.service.DFUSpace(CountBy="Scope", ScopeUnder="hostilefilter")
    assert space.DFUSpaceItems is not None


def test_a_workunit_filter_of_any_size_answers(fs, a_file):
    fs.service.CreateDFUWorkunit()   # at least one workunit for the pattern to be tried on
    r = fs.service.GetDFUWorkunits(Wuid="*D" * 50_000 + "*")
    assert r.Exceptions is None and r.NumWUs == 0


def test_a_drop_zone_search_cannot_backtrack_for_ever(http, url):
    """A backtracking regular expression takes exponential time on this filter."""
    name = "a" * 200
    r = http.post(f"{url}/FileSpray/UploadFile.json?upload_&NetAddress=127.0.0.1&OS=2"
                  "&Path=/var/lib/HPCCSystems/mydropzone/", files={"UploadedFiles[]": (name, b"x")}, timeout=60)
    assert r.status_code == 200, r.text
    r = http.get(f"{url}/FileSpray/DropZoneFileSearch.json",
                 params={"DropZoneName": "mydropzone", "NameFilter": "*a" * 40 + "b"}, timeout=60)
    assert r.status_code == 200 and "Exceptions" not in r.text, r.text
    r = http.get(f"{url}/FileSpray/DropZoneFileSearch.json",
                 params={"DropZoneName": "mydropzone", "NameFilter": "*a" * 40 + "*"}, timeout=60)
    assert name in r.text
