"""Feature permissions and logical-file scopes, as HPCC's LDAP manager applies them: denials with
ESP's codes and texts through zeep, JSON and form paths; scope rules on spray, delete, protect,
DFUInfo and DFUQuery; refused requests change nothing."""
from __future__ import annotations

import re

import pytest
import zeep
from zeep.transports import Transport

from security.conftest import session

LZ = "/var/lib/HPCCSystems/mydropzone"
FILES = ("secret::data", "secret::shared::data", "public::data")


def client(surl, service, user):
    return zeep.Client(f"{surl}/{service}/?wsdl", transport=Transport(session=session(user)))


def spray_json(http, surl, name):
    return http.get(f"{surl}/FileSpray/SprayFixed.json", params={
        "sourceIP": "127.0.0.1", "sourcePath": f"{LZ}/rows.dat", "destGroup": "mythor",
        "destLogicalName": name, "sourceRecordSize": 10, "overwrite": 1}, timeout=30)


def untimed(message: str) -> str:
    """The message without ESP's ``YYYY-MM-DD HH:MM:SS GMT: `` prefix (method-URL answers)."""
    return re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: ", "", message)


def exception(reply) -> tuple[int, str]:
    first = reply.json()["Exceptions"]["Exception"][0]
    return int(first["Code"]), untimed(first["Message"])


def soap_exception(reply) -> tuple[int, str]:
    first = reply.Exceptions.Exception[0]
    return int(first.Code), untimed(first.Message)


def names_listed(http, surl) -> set[str]:
    reply = http.get(f"{surl}/WsDfu/DFUQuery.json", params={"PageSize": 100}, timeout=30).json()
    files = reply["DFUQueryResponse"].get("DFULogicalFiles", {}).get("DFULogicalFile", [])
    return {f["Name"] for f in files}


@pytest.fixture(scope="module")
def files(secure, surl):
    (secure.landing_zone / "rows.dat").write_bytes(b"".join(b"%09d\n" % i for i in range(20)))
    admin = session("admin")
    for name in FILES:
        assert "SprayFixedResponse" in spray_json(admin, surl, name).json()
    return FILES


# -- features ---------------------------------------------------------------------------------

def test_a_reader_cannot_spray_and_gets_esps_code_and_text_through_zeep(surl, files):
    fs = client(surl, "FileSpray", "carol")
    reply = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/rows.dat", destGroup="mythor",
                                  destLogicalName="public::carols", sourceRecordSize=10)
    assert soap_exception(reply) == (20015, "Resource FileSprayAccess : Failed to do Spray. Permission denied.")
    assert "public::carols" not in names_listed(session("admin"), surl)


def test_a_reader_can_list_but_not_delete(surl, files):
    carol = session("carol")
    assert set(FILES) <= names_listed(carol, surl)
    reply = carol.get(f"{surl}/WsDfu/DFUArrayAction.json",
                      params={"Type": "Delete", "LogicalFiles_i0": "public::data"}, timeout=30)
    assert reply.status_code == 200
    assert exception(reply) == (20011, "Resource DfuAccess : WsDfu::DFUArrayAction: Permission denied.")
    assert "public::data" in names_listed(carol, surl)


def test_ecm_declared_features_use_the_dispatchers_code_and_text(surl, files):
    pkg = client(surl, "WsPackageProcess", "carol")
    assert pkg.service.ListPackages().status.Code == 0
    reply = pkg.service.DeletePackage(Target="roxie", PackageMap="x.pkg")
    assert soap_exception(reply) == (
        -1, "WsPackageProcess::DeletePackage access denied - Required features: PackageMapAccess:Full.")


def test_workunit_features(surl, files):
    fs = client(surl, "FileSpray", "carol")
    assert fs.service.GetDFUWorkunits().Exceptions is None
    assert soap_exception(fs.service.CreateDFUWorkunit()) == (
        20013, "Resource DfuWorkunitsAccess : Failed to create DFU workunit. Permission denied.")


def test_upload_needs_file_upload_access(secure, surl):
    reply = session("carol").post(f"{surl}/FileSpray/UploadFile.json", params={
        "upload_": "", "NetAddress": "127.0.0.1", "Path": LZ + "/"},
        files={"FilesToUpload": ("carol.txt", b"hello")}, timeout=30)
    assert exception(reply) == (-1, "Resource FileUploadAccess : Permission denied.")
    assert not (secure.landing_zone / "carol.txt").exists()
    ok = session("bob").post(f"{surl}/FileSpray/UploadFile.json", params={
        "upload_": "", "NetAddress": "127.0.0.1", "Path": LZ + "/"},
        files={"FilesToUpload": ("bob.txt", b"hello")}, timeout=30)
    assert "UploadFilesResponse" in ok.json()
    assert (secure.landing_zone / "bob.txt").read_bytes() == b"hello"


def test_the_form_path_shows_the_denial_in_esps_page(surl, files):
    reply = session("carol").get(f"{surl}/FileSpray/DeleteDropZoneFiles", params={
        "NetAddress": "127.0.0.1", "Path": LZ, "Names_i0": "rows.dat"}, timeout=30)
    assert reply.status_code == 200 and "Resource FileSprayAccess : Permission denied." in reply.text


# -- file scopes ------------------------------------------------------------------------------

def test_no_write_on_a_scope_refuses_a_spray_there(surl, files):
    reply = spray_json(session("bob"), surl, "secret::bobs")
    assert exception(reply) == (4, "DFS Exception: 4 Create access denied for scope secret user 'bob', "
                                   "assigned access None (0)")
    assert "secret::bobs" not in names_listed(session("admin"), surl)
    assert "SprayFixedResponse" in spray_json(session("bob"), surl, "public::bobs").json()


def test_files_without_view_are_not_listed(surl, files):
    listed = names_listed(session("bob"), surl)
    assert "secret::data" not in listed
    assert {"secret::shared::data", "public::data"} <= listed
    count = session("bob").get(f"{surl}/WsDfu/DFUQuery.json", params={"LogicalName": "secret::*"},
                               timeout=30).json()["DFUQueryResponse"]
    assert count["NumFiles"] == 1
    assert "secret::data" in names_listed(session("dave"), surl)  # View is enough to list


def test_lookup_needs_read_on_the_scope(surl, files):
    dave = session("dave")
    reply = dave.get(f"{surl}/WsDfu/DFUInfo.json", params={"Name": "secret::data"}, timeout=30)
    assert exception(reply) == (3, "DFS Exception: 3 Lookup access denied for scope secret user 'dave', "
                                   "assigned access Access (1) at Dali 127.0.0.1")
    ok = session("bob").get(f"{surl}/WsDfu/DFUInfo.json", params={"Name": "secret::shared::data"}, timeout=30)
    assert ok.json()["DFUInfoResponse"]["FileDetail"]["Name"] == "secret::shared::data"


@pytest.mark.parametrize("action", ["Delete", "Change Protection"])
def test_delete_and_protect_need_write_on_the_scope(surl, files, action):
    dfu = client(surl, "WsDfu", "bob")
    reply = dfu.service.DFUArrayAction(Type=action, LogicalFiles={"Item": ["secret::shared::data"]}, Protect=1)
    code, message = soap_exception(reply)
    assert code == 4 and message.startswith(
        "DFS Exception: 4 Create access denied for scope secret::shared user 'bob', assigned access Read (3)")
    info = session("admin").get(f"{surl}/WsDfu/DFUInfo.json", params={"Name": "secret::shared::data"},
                                timeout=30).json()["DFUInfoResponse"]["FileDetail"]
    assert not info.get("IsProtected") and not info.get("ProtectList")


def test_protect_entries_belong_to_the_authenticated_user(surl, files):
    dfu = client(surl, "WsDfu", "bob")
    reply = dfu.service.DFUArrayAction(Type="Change Protection", LogicalFiles={"Item": ["public::data"]}, Protect=1)
    assert reply.Exceptions is None
    detail = session("admin").get(f"{surl}/WsDfu/DFUInfo.json", params={"Name": "public::data"},
                                  timeout=30).json()["DFUInfoResponse"]["FileDetail"]
    owners = [p["Owner"] for p in detail["ProtectList"]["DFUFileProtect"]]
    assert owners == ["bob"]
    dfu.service.DFUArrayAction(Type="Change Protection", LogicalFiles={"Item": ["public::data"]}, Protect=2)
