"""WsDfu through zeep (our WSDL) and raw SOAP in the shapes real clients send: DFUQuery, DFUInfo,
DFUArrayAction, DFUFileView, DFUSpace, DFUSearch, DFUFileRename, Savexml/Add, history.

Files are seeded through the engine (real part files); every test uses its own scope because
the session server is shared."""
from __future__ import annotations

import base64
import re
import uuid

import pytest
from lxml import etree

from engine.files_support import PEOPLE_ECL, make_file, make_people
from esputil import envelope, esp_error, soap_post
from wsservices.engine.dali.files import HistoryRecord

NS = "urn:hpccsystems:ws:wsdfu"
Q = {"d": NS}
GMT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: ")


@pytest.fixture
def scope():
    return f"wsdfu{uuid.uuid4().hex[:10]}"


def raw(http, url, body: str, action: str = "WsDfu?ver_=1.69") -> etree._Element:
    """POST as the C++ ESP client does (dfuplus): unquoted SOAPAction, default namespace."""
    r = soap_post(http, f"{url}/WsDfu", envelope(body), headers={"SOAPAction": action})
    assert r.status_code == 200, r.text
    return etree.fromstring(r.content)


def text(root, path: str) -> str | None:
    found = root.find(path, Q)
    return None if found is None else (found.text or "")


# -- DFUQuery ---------------------------------------------------------------------------------

def test_dfuquery_filters_paging_and_rows(dfu, cat, scope):
    make_people(cat, f"{scope}::a::people", 50, owner="Alice", modified="2024-01-02T03:04:05")
    make_file(cat, f"{scope}::a::csv", b"x" * 1234567, owner="bob", kind="csv", format="csv")
    make_file(cat, f"{scope}::key", b"k" * 10, kind="key")
    cat.superfiles.add(f"{scope}::sup", [f"{scope}::a::people", f"{scope}::a::csv"])
    cat.set_protect(f"{scope}::key", "hpcc")

    r = dfu.service.DFUQuery(LogicalName=f"{scope.upper()}::*", IncludeSuperOwner=1)
    files = r.DFULogicalFiles.DFULogicalFile
    assert [f.Name for f in files] == [f"{scope}::a::csv", f"{scope}::a::people", f"{scope}::key",
                                       f"{scope}::sup"]
    assert (r.NumFiles, r.PageSize, r.PageStartFrom, r.PageEndAt) == (4, 100, 1, 4)
    assert (r.PrevPageFrom, r.NextPageFrom, r.LastPageFrom) == (-1, -1, -1)
    assert r.LogicalName == f"{scope.upper()}::*" and r.FileSizeFrom == -1 and r.FileSizeTo == -1
    assert r.Filters == f"LogicalName={scope.upper()}::*&FileSizeFrom=-1&FileSizeTo=-1&PageSize=100"
    csv, people, key, sup = files
    assert (csv.Totalsize, csv.IntSize, csv.RecordCount, csv.IntRecordCount) == ("1,234,567", 1234567, None, 0)
    assert (people.RecordCount, people.IntRecordCount, people.Owner) == ("50", 50, "Alice")
    assert (people.Prefix, people.NodeGroup, people.Parts, people.isSuperfile) == (scope, "mythor", "2", False)
    assert people.Directory == f"/var/lib/HPCCSystems/hpcc-data/thor/{scope}/a"
    assert people.Modified == "2024-01-02 03:04:05" and people.ContentType == "flat"
    assert people.SuperOwners == f"{scope}::sup" and key.SuperOwners is None  # written empty
    assert (key.IsProtected, key.KeyType, key.IsCompressed, key.CompressedFileSize) == (True, "Distributed", True, 10)
    assert (sup.isSuperfile, sup.NumOfSubfiles, sup.BrowseData, sup.NodeGroup) == (True, 2, False, None)
    assert sup.IntSize == 700 + 1234567

    r = dfu.service.DFUQuery(Prefix=scope, Owner="alice", FileType="Logical Files Only")
    assert [f.Name for f in r.DFULogicalFiles.DFULogicalFile] == [f"{scope}::a::people"]
    assert r.DFULogicalFiles.DFULogicalFile[0].SuperOwners in ("", None)  # not asked for
    r = dfu.service.DFUQuery(LogicalName=f"{scope}::*", ContentType="key", InvertContent=1,
                             Sortby="FileSize", Descending=1, PageSize=2, PageStartFrom=2)
    assert [f.Name for f in r.DFULogicalFiles.DFULogicalFile] == [f"{scope}::a::csv", f"{scope}::a::people"]
    assert (r.NumFiles, r.PageStartFrom, r.PageEndAt, r.PrevPageFrom) == (3, 2, 3, 1)
    assert (r.Sortby, r.Descending) == ("FileSize", True)
    assert r.ParametersForPaging.endswith("&PageSize=2&Sortby=FileSize&Descending=1")
    r = dfu.service.DFUQuery(LogicalName=f"{scope}::*", FileSizeFrom=500, FileSizeTo=1000,
                             StartDate="2024-01-01", EndDate="2024-12-31T00:00:00Z")
    assert [f.Name for f in r.DFULogicalFiles.DFULogicalFile] == [f"{scope}::a::people"]
    r = dfu.service.DFUQuery(LogicalName=f"{scope}::*", FileType="Superfiles Only", NodeGroup="mythor")
    assert r.DFULogicalFiles is None and r.NumFiles == 0 and r.NodeGroup == "mythor"
    r = dfu.service.DFUQuery(LogicalName=f"{scope}::*", FirstN=1, PageSize=50)
    assert (r.PageSize, r.NextPageFrom, r.LastPageFrom) == (1, 2, 4)


def test_dfuquery_as_dfuplus_list_sends_it(http, url, cat, scope):
    make_file(cat, f"{scope}::one", b"1")
    make_file(cat, f"{scope}::two", b"2")
    body = (f'<DFUQueryRequest xmlns="{NS}"><LogicalName>{scope}::*</LogicalName>'
            "<FileSizeFrom>-1</FileSizeFrom><FileSizeTo>-1</FileSizeTo><FirstN>-1</FirstN>"
            "<PageSize>-1</PageSize><Descending>0</Descending>"
            "<OneLevelDirFileReturn>0</OneLevelDirFileReturn></DFUQueryRequest>")
    root = raw(http, url, body)
    names = [e.text for e in root.iterfind(".//d:DFULogicalFile/d:Name", Q)]
    assert names == [f"{scope}::one", f"{scope}::two"]
    assert text(root, ".//d:DFUQueryResponse/d:PageSize") == "100"
    assert text(root, ".//d:DFUQueryResponse/d:IsSubsetOfFiles") == "0"
    assert text(root, ".//d:DFULogicalFile/d:isSuperfile") == "0"      # ESP booleans are 0/1
    assert text(root, ".//d:DFULogicalFile/d:LongSize") == ""           # not nil_remove: written empty


def test_dfuquery_one_level_returns_nothing(dfu):
    r = dfu.service.DFUQuery(OneLevelDirFileReturn=1)
    assert r.DFULogicalFiles is None and r.NumFiles == 0


# -- DFUInfo ----------------------------------------------------------------------------------

def test_dfuinfo_regular_file(dfu, cat, scope):
    name = f"{scope}::people"
    make_people(cat, name, 50, parts=2, owner="ann", job="myjob", workunit="W20240101-000001",
                description="d & <e>", expireDays=3, maxSkew=1250, minSkew=300)
    cat.superfiles.add(f"{scope}::owner", [name])
    d = dfu.service.DFUInfo(Name=f"~{name.upper()}", IncludeJsonTypeInfo=1).FileDetail
    assert (d.Name, d.Filename, d.Prefix, d.NodeGroup, d.NumParts) == (name, "people", scope, "mythor", 2)
    assert d.Dir == f"/var/lib/HPCCSystems/hpcc-data/thor/{scope}" and d.PathMask == "people._$P$_of_$N$"
    assert (d.Filesize, d.FileSizeInt64, d.RecordSize, d.RecordSizeInt64) == ("700", 700, "14", 14)
    assert (d.RecordCount, d.RecordCountInt64) == ("50", 50)
    assert (d.Owner, d.JobName, d.Wuid, d.Description) == ("ann", "myjob", "W20240101-000001", "d & <e>")
    assert d.Ecl == PEOPLE_ECL and d.ContentType == "flat" and d.ShowFileContent is True
    assert d.isSuperfile is False and [s.Name for s in d.Superfiles.DFULogicalFile] == [f"{scope}::owner"]
    assert d.ExpireDays == 3 and d.ExpirationDate
    assert (d.Stat.MinSkew, d.Stat.MaxSkew, d.Stat.MaxSkewInt64) == ("-3.00", "12.50", 1250)
    [cluster] = d.DFUFilePartsOnClusters.DFUFilePartsOnCluster
    assert (cluster.Cluster, cluster.BaseDir, cluster.ReplicateDir) == (
        "mythor", "/var/lib/HPCCSystems/hpcc-data/thor", "/var/lib/HPCCSystems/hpcc-data/thor")
    assert [(p.Id, p.Copy, p.Ip, p.Partsize) for p in cluster.DFUFileParts.DFUPart] == [
        (1, 1, "127.0.0.1", "350"), (2, 1, "127.0.0.2", "350")]
    assert '"fieldType": 13' in d.jsonInfo
    assert d.ProtectList is None and d.IsRestricted is False


def test_dfuinfo_superfile_and_changes(dfu, cat, scope):
    make_file(cat, f"{scope}::a", b"12")
    make_file(cat, f"{scope}::b", b"345")
    cat.superfiles.add(f"{scope}::s", [f"{scope}::a", f"{scope}::b"])
    d = dfu.service.DFUInfo(Name=f"{scope}::s").FileDetail
    assert (d.isSuperfile, d.BrowseData, d.subfiles.Item) == (True, False, [f"{scope}::a", f"{scope}::b"])
    assert (d.FileSizeInt64, d.NodeGroup) == (5, "mythor")
    assert d.Superfiles is None and d.Modified is None and d.DFUFilePartsOnClusters is None
    d = dfu.service.DFUInfo(Name=f"{scope}::a", Protect=1, Restrict=1, UpdateDescription=1,
                            FileDesc="new text").FileDetail
    assert [(p.Owner, bool(p.Modified)) for p in d.ProtectList.DFUFileProtect] == [("hpcc", True)]
    assert (d.IsRestricted, d.Description) == (True, "new text")
    d = dfu.service.DFUInfo(Name=f"{scope}::a", Protect=2, Restrict=2, UpdateDescription=1).FileDetail
    assert (d.ProtectList, d.IsRestricted, d.Description) == (None, False, None)


@pytest.mark.parametrize("name, cluster, code, message", [
    ("", None, 20051, "File name required"),
    ("{scope}::Missing", None, 20038, "Cannot find file {scope}::Missing."),
    ("{scope}::f", "roxie", 20038, "Cannot find file {scope}::f on roxie."),
    ("{scope}::bad*", None, -1, "Wildcards not allowed in filename ({scope}::bad*)"),
])
def test_dfuinfo_errors(dfu, cat, scope, name, cluster, code, message):
    make_file(cat, f"{scope}::f", b"1")
    resp = dfu.service.DFUInfo(Name=name.format(scope=scope), Cluster=cluster)
    assert esp_error(resp) == (code, message.format(scope=scope))
    assert GMT.match(resp.Exception[0].Message if hasattr(resp, "Exception") else resp.Exceptions.Exception[0].Message)


def test_dfuinfo_by_url_and_hpcc4j_shape(http, url, cat, scope):
    make_file(cat, f"{scope}::f", b"abc")
    r = http.get(f"{url}/WsDfu/DFUInfo", params={"Name": f"{scope}::f"}, timeout=30)
    assert r.status_code == 200 and f"<Name>{scope}::f</Name>" in r.text
    body = (f'<ns1:DFUInfoRequest xmlns:ns1="{NS}"><ns1:Name>{scope}::f</ns1:Name>'
            "<ns1:IncludeJsonTypeInfo>false</ns1:IncludeJsonTypeInfo>"
            "<ns1:IncludeBinTypeInfo>true</ns1:IncludeBinTypeInfo></ns1:DFUInfoRequest>")
    env = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
           f'"http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body>{body}'
           "</soapenv:Body></soapenv:Envelope>")
    r = http.post(f"{url}/WsDfu?rawxml_", data=env.encode(), timeout=30,
                  headers={"Content-Type": "text/xml; charset=UTF-8", "User-Agent": "Axis2",
                           "SOAPAction": '"WsDfu/DFUInfo?ver_=1.65"'})
    root = etree.fromstring(r.content)
    assert text(root, ".//d:FileDetail/d:FileSizeInt64") == "3"
    assert root.find(".//d:FileDetail/d:Stat", Q) is None          # nil_remove: unset omitted


# -- DFUArrayAction ---------------------------------------------------------------------------

def test_delete_results_as_dfuplus_remove_sends_it(http, url, cat, scope):
    make_file(cat, f"{scope}::gone", b"1", replicate=True)
    make_file(cat, f"{scope}::member", b"1")
    cat.superfiles.add(f"{scope}::s", [f"{scope}::member"])
    paths = [p for _, p in cat.part_paths(f"{scope}::gone")]
    body = (f'<DFUArrayActionRequest xmlns="{NS}"><Type>Delete</Type><NoDelete>0</NoDelete>'
            f"<BackToPage>/x?a=1&amp;b=2</BackToPage><LogicalFiles><Item>{scope}::gone</Item>"
            f"<Item>{scope}::member</Item><Item>{scope}::nothere</Item></LogicalFiles>"
            "<removeFromSuperfiles>0</removeFromSuperfiles><removeRecursively>0</removeRecursively>"
            "<Protect>0</Protect><Restrict>0</Restrict></DFUArrayActionRequest>")
    root = raw(http, url, body)
    results = [(text(e, "d:FileName"), text(e, "d:ActionResult"), text(e, "d:Failed"))
               for e in root.iterfind(".//d:DFUActionInfo", Q)]
    assert results == [
        (f"{scope}::gone", f"File {scope}::gone deleted.", "0"),
        (f"{scope}::member", f"The file {scope}::member can not be deleted because it is owned by "
                             "one or more superfiles.", "1"),
        (f"{scope}::nothere", f"Could not delete file {scope}::nothere: file not found.", "1")]
    assert text(root, ".//d:BackToPage") == "/x?a=1&b=2"       # what a client reads from ESP
    assert not any(p.exists() for p in paths)


def test_delete_as_hpcc4j_with_cluster_and_from_superfiles(dfu, cat, scope):
    make_file(cat, f"{scope}::m", b"1")
    cat.superfiles.add(f"{scope}::s", [f"{scope}::m"])
    r = dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [f"{scope}::m@mythor"]},
                                   removeFromSuperfiles=1, removeRecursively=1)
    rows = [(a.FileName, a.NodeGroup, a.ActionResult, a.Failed) for a in r.ActionResults.DFUActionInfo]
    assert rows == [(f"{scope}::m", "mythor", f"File {scope}::m@mythor deleted.", False),
                    (f"{scope}::s", None, f"File {scope}::s deleted.", False)]


def test_delete_of_protected_and_locked_files(dfu, cat, scope):
    make_file(cat, f"{scope}::p", b"1")
    make_file(cat, f"{scope}::l", b"1")
    cat.set_protect(f"{scope}::p", "hpcc")
    cat.locks.acquire([f"{scope}::l"], f"roxie query {scope}.1")
    r = dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [f"{scope}::p", f"{scope}::l"]})
    protected, locked = r.ActionResults.DFUActionInfo
    assert protected.ActionResult == (
        f"Could not delete file {scope}::p: DFS Exception: 12: Failed to delete file: {scope}::p - "
        f"cause: [ -1: Can't remove {scope}::p: file {scope}::p protected by hpcc] .")
    assert locked.ActionResult == (
        f"Could not delete file {scope}::l: DFS Exception: 12: Failed to delete file: {scope}::l - "
        f"cause: [ -1: Failed to remove {scope}::l: SDS: Lock held - SDS Reply Error  : SDS: Lock "
        f"held - Lock is held performing changeMode on connection to : Files/Scope[@name="
        f"\"{scope}\"]/File[@name=\"l\"], existing lock info: HOLD lock held by roxie query "
        f"{scope}.1] .")
    assert protected.Failed and locked.Failed
    assert cat.exists(f"{scope}::p") and cat.exists(f"{scope}::l")
    cat.locks.release(f"roxie query {scope}.1")


def test_protection_restriction_and_errors(dfu, cat, scope):
    make_file(cat, f"{scope}::f", b"1")
    names = {"Item": [f"{scope}::f", f"{scope}::x"]}
    r = dfu.service.DFUArrayAction(Type="Change Protection", LogicalFiles=names, Protect=1)
    assert [(a.FileName, a.ActionResult, a.Failed) for a in r.ActionResults.DFUActionInfo] == [
        (f"{scope}::f", "File protected", False), (f"{scope}::x", "Cannot find file.", True)]
    r = dfu.service.DFUArrayAction(Type="Change Protection", LogicalFiles=names, Protect=3)
    assert r.ActionResults.DFUActionInfo[0].ActionResult == "File unprotected"
    r = dfu.service.DFUArrayAction(Type="Change Restriction", LogicalFiles=names, Restrict=1)
    assert r.ActionResults.DFUActionInfo[0].ActionResult == "Changed to restricted"
    assert cat.get(f"{scope}::f").is_restricted and not cat.get(f"{scope}::f").protect
    r = dfu.service.DFUArrayAction(Type="Change Protection", LogicalFiles=names)
    assert r.ActionResults is None
    r = dfu.service.DFUArrayAction(Type="Add To Superfile", LogicalFiles={"Item": [f"{scope}::f@mythor"]})
    assert (r.RedirectTo, r.ActionResults) == (f"{scope}::f", None)
    assert esp_error(dfu.service.DFUArrayAction(LogicalFiles=names)) == (20052, "Action not defined.")
    assert esp_error(dfu.service.DFUArrayAction(Type="Remove", LogicalFiles=names)) == (
        -1, "Invalid value for type DFUArrayActions: Remove")


# -- DFUFileRename (1.68) ---------------------------------------------------------------------

def test_file_rename_through_zeep_and_raw(dfu, http, url, cat, scope):
    make_file(cat, f"{scope}::old", b"data")
    r = dfu.service.DFUFileRename(FileRenames={"DFUFileRenameItem": [
        {"OldName": f"{scope}::old", "NewName": f"{scope}::new"},
        {"OldName": f"{scope}::old", "NewName": f"{scope}::other"}]})
    assert [(x.OldName, x.NewName, x.Success, x.Message) for x in r.Results.DFUFileRenameResult] == [
        (f"{scope}::old", f"{scope}::new", True, "Successfully renamed."),
        (f"{scope}::old", f"{scope}::other", False,
         f"rename: file {scope}::old doesn't exist in the file system")]
    assert [p.read_bytes() for _, p in cat.part_paths(f"{scope}::new")] == [b"data"]
    root = raw(http, url, f'<DFUFileRenameRequest xmlns="{NS}"><FileRenames/></DFUFileRenameRequest>')
    assert text(root, ".//d:Exception/d:Code") == "20051"
    assert text(root, ".//d:Exception/d:Message").endswith("GMT: No files specified for rename.")


# -- DFUFileView, DFUSpace, DFUSearch -------------------------------------------------------------

def test_file_view(dfu, cat, scope):
    make_file(cat, f"{scope}::top", b"1")
    make_file(cat, f"{scope}::sub::inner", b"1")
    cat.superfiles.add(f"{scope}::sup", [f"{scope}::top"])
    r = dfu.service.DFUFileView(Scope=scope, IncludeSuperOwner=1)
    rows = [(f.Name, f.isDirectory, f.Directory, f.SuperOwners) for f in r.DFULogicalFiles.DFULogicalFile]
    assert sorted(rows[:2]) == [  # the files of the scope (in no particular order), then scopes
        (f"{scope}::sup", False, None, None),
        (f"{scope}::top", False, f"/var/lib/HPCCSystems/hpcc-data/thor/{scope}", f"{scope}::sup")]
    assert rows[2] == (None, True, "sub", None) and r.NumFiles == 2 and r.Scope == scope
    top = dfu.service.DFUFileView(Scope="")
    assert scope in [f.Directory for f in top.DFULogicalFiles.DFULogicalFile if f.isDirectory]


def test_space_and_search(dfu, cat, scope):
    make_file(cat, f"{scope}::a::x", b"x" * 2000, owner="o")
    make_file(cat, f"{scope}::b", b"x" * 10)
    r = dfu.service.DFUSpace(CountBy="Scope", ScopeUnder=scope)
    items = {i.Name: (i.NumOfFiles, i.TotalSize, i.LargestFile) for i in r.DFUSpaceItems.DFUSpaceItem}
    assert items == {scope: ("1", "10", f"{scope}::b"), f"{scope}::a": ("1", "2,000", f"{scope}::a::x")}
    assert (r.CountBy, r.ScopeUnder) == ("Scope", scope)
    r = dfu.service.DFUSearch(ShowExample="yes")
    assert r.ShowExample == "yes" and "mythor" in r.ClusterNames.ClusterName
    assert r.FileTypes.FileType == ["Logical Files and Superfiles", "Logical Files Only",
                                    "Superfiles Only", "Not in Superfiles"]


# -- Savexml / Add / AddRemote / history ------------------------------------------------------------

def test_savexml_add_roundtrip(dfu, cat, scope):
    make_people(cat, f"{scope}::src", 3, description="a&b")
    xml = dfu.service.Savexml(name=f"{scope}::src").xmlmap
    assert xml.startswith(b"<File ")
    assert dfu.service.Add(dstname=f"{scope}::copy", xmlmap=xml) is None
    copy = dfu.service.DFUInfo(Name=f"{scope}::copy").FileDetail
    assert (copy.Description, copy.RecordCountInt64, copy.Ecl) == ("a&b", 3, PEOPLE_ECL)
    resp = dfu.service.Add(dstname=f"{scope}::copy", xmlmap=xml)
    assert esp_error(resp) == (-1, f"Destination file '{scope}::copy' already exists!")
    assert esp_error(dfu.service.Add(dstname="", xmlmap=xml)) == (20051, "Dstname required.")
    assert esp_error(dfu.service.Savexml(name=f"{scope}::none")) == (8294, f"DFile {scope}::none not found")
    assert dfu.service.AddRemote(dstname=f"{scope}::remote", srcname=f"{scope}::src",
                                 srcdali="127.0.0.1") is None
    assert esp_error(dfu.service.AddRemote(dstname="d", srcname="s")) == (20052, "srcdali can't be empty.")


def test_add_refuses_entities(http, url, scope):
    attack = base64.b64encode(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                              b'<File name="&e;"/>').decode()
    root = raw(http, url, f'<AddRequest xmlns="{NS}"><dstname>{scope}::evil</dstname>'
                          f"<xmlmap>{attack}</xmlmap></AddRequest>")
    assert "DTDs and entity declarations are not allowed" in text(root, ".//d:Message")


def test_history(dfu, cat, scope):
    make_file(cat, f"{scope}::h", b"1", history=[HistoryRecord("DFUimport", "2024-01-01T00:00:00",
                                                              "10.0.0.1", "/lz", "h.csv")])
    h = dfu.service.ListHistory(Name=f"{scope}::h")
    assert [(o.Operation, o.IP, o.Path, o.Name, o.Timestamp) for o in h.History.Origin] == [
        ("DFUimport", "10.0.0.1", "/lz", "h.csv", "2024-01-01T00:00:00")]
    assert [o.Name for o in dfu.service.EraseHistory(Name=f"{scope}::h").History.Origin] == ["h.csv"]
    assert dfu.service.ListHistory(Name=f"{scope}::h").History is None
    assert esp_error(dfu.service.ListHistory(Name=f"{scope}::x")) == (
        20038, f"CWsDfuEx::onListHistory: Could not find file '{scope}::x'.")
    assert esp_error(dfu.service.EraseHistory(Name="")) == (20051, "Name required")
