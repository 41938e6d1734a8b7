"""FileSpray's drop-zone methods on the live server: zeep, raw SOAP, and the HTTP-only
UploadFile / DownloadFile in the shapes hpcc4j and ECL Watch send (real-clients.md §4).

The session server is shared: every test works on its own uniquely named files and removes them.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import uuid
import xml.etree.ElementTree as ElementTree

import pytest
import zeep
from lxml import etree
from zeep.transports import Transport

from esputil import SERVICES, envelope, soap_post

LZ = "/var/lib/HPCCSystems/mydropzone"
HOST = "127.0.0.1"
NS = SERVICES["FileSpray"]
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: "


@pytest.fixture(scope="module")
def fs(url):
    return zeep.Client(url + "/FileSpray/?wsdl", transport=Transport(cache=False, timeout=30)).service


@pytest.fixture
def zone(emulator):
    """The real folder behind /var/lib/HPCCSystems/mydropzone."""
    return emulator.cluster.datadir.dropzone_dir("mydropzone")


@pytest.fixture
def name(zone):
    """A unique name prefix; everything in the zone starting with it is removed afterwards."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    yield prefix
    for p in zone.glob(prefix + "*"):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()


@pytest.fixture
def outside(emulator, zone, name):
    """A folder outside the data directory holding a secret, and a symlink to it in the zone."""
    folder = emulator.data_dir.parent / f"outside-{name}"
    folder.mkdir()
    (folder / "secret").write_bytes(b"top secret")
    os.symlink(folder, zone / f"{name}-link")
    yield folder
    shutil.rmtree(folder)


def snapshot(folder):
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[str(p)] = (st.st_mode, st.st_size, st.st_mtime_ns,
                       p.read_bytes() if stat.S_ISREG(st.st_mode) else None)
    return out


def multipart(parts, boundary):
    """A multipart body exactly as hpcc4j writes it (empty part Content-Type)."""
    body = b""
    for field, filename, data in parts:
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                 f'filename="{filename}"\r\nContent-Type: \r\n\r\n').encode() + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def upload(http, url, parts, query=None, method="UploadFile"):
    """POST like hpcc4j's uploadLargeFile (query string not URL-encoded)."""
    boundary = "--------------------" + uuid.uuid4().hex[:11]
    if isinstance(parts, tuple):
        parts = [parts]
    query = query or f"upload_&NetAddress={HOST}&Path={LZ}/&DropZoneName=mydropzone&OS=2&rawxml_=1"
    return http.post(f"{url}/FileSpray/{method}?{query}", data=multipart(parts, boundary), timeout=30,
                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                              "Authorization": ""}, allow_redirects=False)


def soap(http, url, call):
    """One raw SOAP call, as a 1.29 client (without ver_ it would be version 0: no Server, no
    AcceptLanguage); returns (response element, its XML text)."""
    r = soap_post(http, url + "/FileSpray?ver_=1.29", envelope(call))
    assert r.status_code == 200, r.text
    body = etree.fromstring(r.content)[0]
    return body[0], r.text


def exception_of(element):
    exc = element.find(f"{{{NS}}}Exceptions/{{{NS}}}Exception")
    assert exc is not None, etree.tostring(element)
    return exc.findtext(f"{{{NS}}}Code"), exc.findtext(f"{{{NS}}}Message"), exc.findtext(f"{{{NS}}}Source")


def xml_exception(text):
    m = re.fullmatch(r"<Exceptions><Source>([^<]*)</Source><Exception><Code>(-?\d+)</Code>"
                     r"<Audience>user</Audience><Message>([^<]*)</Message></Exception></Exceptions>", text)
    assert m, text
    return m.group(1), int(m.group(2)), m.group(3).replace("&apos;", "'").replace("&quot;", '"')


# ---------------------------------------------------------------------------------------------
# The whole landing-zone workflow
# ---------------------------------------------------------------------------------------------

def test_upload_list_download_delete(http, url, fs, emulator, zone, name):
    data = os.urandom(50_000) + b"\r\n--------------------lookalike\r\n" + os.urandom(1000)
    r = upload(http, url, ("FilesToUpload", name, data))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(r.content)  # hpcc4j: non-namespace-aware DOM, no DOCTYPE
    assert root.tag == "UploadFilesResponse"
    assert [(e.findtext("ID"), e.findtext("Action"), e.findtext("Result"))
            for e in root.findall("UploadFileResults/DFUActionResult")] == [(name, "Upload File", "Success")]
    assert (zone / name).read_bytes() == data

    listing = fs.DropZoneFiles(NetAddress=HOST, Path=LZ)
    assert (listing.DropZoneName, listing.NetAddress, listing.Path, listing.OS) == (
        "mydropzone", HOST, LZ + "/", 1)
    entry = next(f for f in listing.Files.PhysicalFileStruct if f.name == name)
    assert (entry.isDir, entry.filesize, entry.Path, entry.Server) == (False, len(data), LZ + "/", HOST)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", entry.modifiedtime)

    files = fs.FileList(Netaddr=HOST, Path=LZ + "/", OS="2").files.PhysicalFileStruct
    assert [(f.name, f.filesize) for f in files if f.name == name] == [(name, len(data))]
    found = fs.DropZoneFileSearch(DropZoneName="mydropzone", NameFilter=name + "*")
    assert [(f.name, f.Path, f.Server) for f in found.Files.PhysicalFileStruct] == [(name, None, HOST)]

    ecl_watch = http.get(f"{url}/FileSpray/DownloadFile", params={
        "Name": name, "NetAddress": HOST, "Path": LZ + "/", "OS": "2", "DropZoneName": "mydropzone"})
    assert ecl_watch.status_code == 200 and ecl_watch.content == data
    assert ecl_watch.headers["Content-Type"] == "application/octet-stream"
    assert ecl_watch.headers["Content-disposition"] == f"attachment;filename={name}"
    assert ecl_watch.headers["Content-Length"] == str(len(data))
    hpcc4j = http.post(f"{url}/FileSpray/DownloadFile?Name={name}&NetAddress={HOST}&Path={LZ}/&OS=1",
                       headers={"ENCTYPE": "multipart/form-data", "Authorization": ""})
    assert hpcc4j.content == data

    deleted = fs.DeleteDropZoneFiles(NetAddress=HOST, Path=LZ, Names={"Item": [name]})
    assert deleted.FirstColumn == "File"
    assert [(d.ID, d.Action, d.Result) for d in deleted.DFUActionResults.DFUActionResult] == [
        (name, "Delete", "Success")]
    assert not (zone / name).exists()
    after = fs.FileList(Netaddr=HOST, Path=LZ).files
    assert all(f.name != name for f in (after.PhysicalFileStruct if after else []))


def test_responses_never_show_the_data_directory(http, url, emulator, name):
    real = str(emulator.data_dir)
    calls = [f"<DropZoneFilesRequest><NetAddress>{HOST}</NetAddress><Path>{LZ}</Path></DropZoneFilesRequest>",
             f"<FileListRequest><Netaddr>{HOST}</Netaddr><Path>{LZ}/nothere</Path></FileListRequest>",
             "<FileListRequest><DropZoneName>mydropzone</DropZoneName><Path>sub</Path></FileListRequest>",
             "<DropZoneFileSearchRequest><DropZoneName>mydropzone</DropZoneName>"
             "<NameFilter>*</NameFilter></DropZoneFileSearchRequest>"]
    for call in calls:
        assert real not in soap(http, url, call)[1]
    r = http.get(f"{url}/FileSpray/DownloadFile?Name=missing&NetAddress={HOST}&Path={LZ}&rawxml_")
    assert real not in r.text and f"Cannot open file {LZ}/missing." in r.text


# ---------------------------------------------------------------------------------------------
# UploadFile
# ---------------------------------------------------------------------------------------------

def test_ecl_watch_json_upload_of_two_files(http, url, zone, name):
    r = upload(http, url, [("uploadedfiles[]", f"{name}-a.csv", b"a\n"), ("uploadedfiles[]", f"{name}-b.csv", b"b\n")],
               query=f"upload_&rawxml_=1&NetAddress={HOST}&OS=2&Path={LZ}&DropZoneName=mydropzone",
               method="UploadFile.json")
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"UploadFilesResponse": {"UploadFileResults": {"DFUActionResult": [
        {"ID": f"{name}-a.csv", "Action": "Upload File", "Result": "Success"},
        {"ID": f"{name}-b.csv", "Action": "Upload File", "Result": "Success"}]}}}
    assert (zone / f"{name}-b.csv").read_bytes() == b"b\n"


def test_browser_forms_are_redirected(http, url, zone, name):
    r = upload(http, url, ("FilesToUpload", name, b"x"),
               query=f"upload_&NetAddress={HOST}&Path={LZ}/&OS=0")  # hpcc4j's small uploadFile
    assert r.status_code == 302
    assert r.headers["Location"] == f"/FileSpray/DropZoneFiles?NetAddress={HOST}&Path={LZ}/"
    assert (zone / name).read_bytes() == b"x"


def test_upload_names_subfolders_overwrite_and_nothing(http, url, zone, name):
    (zone / name).mkdir()
    sub = f"{LZ}/{name}/"
    query = f"upload_&NetAddress=localhost&Path={sub}&rawxml_=1"
    r = upload(http, url, [("f", "C:\\Users\\me\\in.csv", b"old"), ("f", "../../../../tmp/evil", b"e")], query)
    assert [e.findtext("ID") for e in ElementTree.fromstring(r.content).iter("DFUActionResult")] == ["in.csv", "evil"]
    upload(http, url, ("f", "in.csv", b"new"), query)
    assert (zone / name / "in.csv").read_bytes() == b"new"
    assert sorted(p.name for p in (zone / name).iterdir()) == ["evil", "in.csv"]  # no .part left
    boundary = "xyz"
    empty = http.post(f"{url}/FileSpray/UploadFile.xml?upload_&NetAddress={HOST}&Path={sub}",
                      data=f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--{boundary}--\r\n',
                      headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    result = ElementTree.fromstring(empty.content).find("UploadFileResults/DFUActionResult")
    assert [result.findtext(k) for k in ("ID", "Action", "Result")] == ["<N/A>", "Upload File", "No file uploaded"]


def test_upload_streams_past_the_request_size_limit(http, url, emulator, zone, name):
    size = emulator.cluster.settings.max_request_bytes + 1_000_000
    data = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    r = upload(http, url, ("FilesToUpload", name, data))
    assert "<Result>Success</Result>" in r.text
    assert (zone / name).stat().st_size == size and (zone / name).read_bytes() == data


@pytest.mark.parametrize("query, code, message", [
    (f"upload_&Path={LZ}&rawxml_=1", 20052, "Host or file path not defined."),
    (f"upload_&NetAddress={HOST}&rawxml_=1", 20052, "Host or file path not defined."),
    (f"upload_&NetAddress={HOST}&Path={LZ}/../..&rawxml_=1", 20052, f"Invalid path {LZ}/../.."),
    (f"upload_&NetAddress={HOST}&Path=~/x&rawxml_=1", 20052, "Invalid path ~/x"),
    (f"upload_&NetAddress={HOST}&Path=/etc&rawxml_=1", 20052, "DropZone not found for host '127.0.0.1' path '/etc'."),
    (f"upload_&NetAddress={HOST}&Path={LZ}&DropZoneName=nope&rawxml_=1", 20052, "DropZone 'nope' not found."),
    (f"upload_&NetAddress=10.0.0.1&Path={LZ}&DropZoneName=mydropzone&rawxml_=1", 20052,
     "The host '10.0.0.1' is not valid for dropzone mydropzone."),
    (f"upload_&NetAddress={HOST}&Path=/tmp&DropZoneName=mydropzone&rawxml_=1", 20052,
     "The path '/tmp' is not valid for dropzone mydropzone."),
    (f"upload_&NetAddress={HOST}&Path={LZ}/nothere&rawxml_=1", 20074, f"{LZ}/nothere is not a directory."),
])
def test_upload_errors(http, url, zone, name, query, code, message):
    r = upload(http, url, ("FilesToUpload", name, b"x" * 100_000), query)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/xml"
    assert xml_exception(r.text) == ("FileSpray::UploadFile()", code, message)  # no timestamp
    assert not list(zone.glob(name + "*"))
    assert http.get(f"{url}/FileSpray/Ping").status_code == 200  # the session still works


def test_upload_error_formats(http, url, name):
    bad = f"upload_&NetAddress={HOST}&Path=/etc"
    as_json = upload(http, url, ("f", name, b"x"), bad, method="UploadFile.json")
    assert as_json.json() == {"Exceptions": {"Source": "FileSpray::UploadFile()", "Exception": [
        {"Code": 20052, "Message": "DropZone not found for host '127.0.0.1' path '/etc'."}]}}
    as_html = upload(http, url, ("f", name, b"x"), bad)
    assert as_html.headers["Content-Type"].startswith("text/html")
    assert "Exception(s) occurred:" in as_html.text and "20052" in as_html.text


@pytest.mark.parametrize("filename, shown", [
    ("..", ".."), (".", "."), ("x/..", "x/.."), ("~", "~"), ("~evil", "~evil"), ("dir/", "dir/")])
def test_upload_file_names_refused(http, url, zone, name, filename, shown):
    before = sorted(p.name for p in zone.iterdir())
    r = upload(http, url, ("FilesToUpload", filename, b"x"))
    assert xml_exception(r.text)[1:] == (20052, f"Invalid file name {shown}")
    assert sorted(p.name for p in zone.iterdir()) == before


def test_not_an_upload(http, url):
    assert http.post(f"{url}/FileSpray/UploadFile?NetAddress={HOST}&Path={LZ}", files={"f": ("a", b"x")}).status_code == 404
    assert http.post(f"{url}/FileSpray/UploadFile?upload_", data={"a": "b"}).status_code == 404
    assert http.get(f"{url}/FileSpray/UploadFile?upload_").status_code == 404


@pytest.mark.parametrize("body", [
    b'--B\r\nContent-Disposition: form-data; name="f"; filename="NAME"\r\n\r\ntruncated',
    b"no boundary at all",
    b'--B\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n--B--\r\n',
])
def test_malformed_multipart_leaves_nothing(http, url, zone, name, body):
    r = http.post(f"{url}/FileSpray/UploadFile?upload_&NetAddress={HOST}&Path={LZ}&rawxml_=1",
                  data=body.replace(b"NAME", name.encode()),
                  headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert xml_exception(r.text)[1:] == (20052, "Invalid multipart/form-data request.")
    assert not list(zone.glob(name + "*"))


# ---------------------------------------------------------------------------------------------
# DownloadFile
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, code, message", [
    (f"NetAddress={HOST}&Path={LZ}", 20052, "File name not specified."),
    (f"Name=../x&NetAddress={HOST}&Path={LZ}", 20052, "Invalid file name ../x"),
    (f"Name=%2e%2e%2fetc%2fpasswd&NetAddress={HOST}&Path={LZ}", 20052, "Invalid file name ../etc/passwd"),
    (f"Name=~x&NetAddress={HOST}&Path={LZ}", 20052, "Invalid file name ~x"),
    (f"Name=x&NetAddress={HOST}", 20052, "Path not specified."),
    (f"Name=x&Path={LZ}", 20052, "Host or file path not defined."),
    (f"Name=x&NetAddress={HOST}&Path={LZ}%2f%2e%2e", 20052, f"Invalid path {LZ}/.."),
    (f"Name=passwd&NetAddress={HOST}&Path=%2fetc", 20052, "DropZone not found for host '127.0.0.1' path '/etc'."),
    (f"Name=x&NetAddress={HOST}&Path={LZ}&DropZoneName=nope", 20052, "DropZone 'nope' not found."),
    (f"Name=nothere&NetAddress={HOST}&Path={LZ}", 20039, f"Cannot open file {LZ}/nothere."),
    (f"Name=%252e%252e&NetAddress={HOST}&Path={LZ}", 20039, f"Cannot open file {LZ}/%2e%2e."),
])
def test_download_errors(http, url, query, code, message):
    r = http.get(f"{url}/FileSpray/DownloadFile?{query}&rawxml_")
    assert r.status_code == 200
    assert xml_exception(r.text) == ("FileSpray::DOWNLOADFILE()", code, message)
    page = http.get(f"{url}/FileSpray/DownloadFile?{query}")
    assert page.headers["Content-Type"].startswith("text/html") and str(code) in page.text


# ---------------------------------------------------------------------------------------------
# SOAP: shapes and every documented error
# ---------------------------------------------------------------------------------------------

def test_listing_shapes(http, url, zone, name):
    assert soap(http, url, "<DropZoneFilesRequest/>")[1].endswith(
        f'<DropZoneFilesResponse xmlns="{NS}"><DropZones><DropZone><Name>mydropzone</Name>'
        f"<NetAddress>127.0.0.1</NetAddress><Path>{LZ}</Path><Computer>127.0.0.1</Computer>"
        "<Linux>true</Linux></DropZone></DropZones></DropZoneFilesResponse></soap:Body></soap:Envelope>")
    (zone / name).mkdir()
    (zone / name / "f.txt").write_bytes(b"12345")
    element, text = soap(http, url, f"<FileList><Netaddr>{HOST}</Netaddr><Path>{LZ}/{name}</Path>"
                                    "<Mask>*.TXT</Mask></FileList>")
    mtime = re.search(r"<modifiedtime>([^<]+)</modifiedtime>", text).group(1)
    assert text.endswith(
        f'<FileListResponse xmlns="{NS}"><Netaddr>127.0.0.1</Netaddr><Path>{LZ}/{name}/</Path>'
        "<Mask>*.TXT</Mask><OS>0</OS><DirectoryOnly>0</DirectoryOnly><AcceptLanguage>en</AcceptLanguage>"
        "<files><PhysicalFileStruct><name>f.txt</name><Server>127.0.0.1</Server><isDir>0</isDir>"
        f"<filesize>5</filesize><modifiedtime>{mtime}</modifiedtime><Path>{LZ}/{name}/</Path>"
        "</PhysicalFileStruct></files></FileListResponse></soap:Body></soap:Envelope>")
    element, text = soap(http, url, "<DropZoneFileSearchRequest><DropZoneName>mydropzone</DropZoneName>"
                                    "<NameFilter>f.t?t</NameFilter></DropZoneFileSearchRequest>")
    assert "<name>f.txt</name><Server>127.0.0.1</Server><isDir>0</isDir><filesize>5</filesize>" in text
    assert f"<Path>{name}</Path></PhysicalFileStruct></Files><Warning></Warning>" in text


def test_targets_queues_and_remote_targets(http, url, fs):
    assert soap(http, url, "<GetSprayTargetsRequest/>")[1].endswith(
        f'<GetSprayTargetsResponse xmlns="{NS}"><GroupNodes><GroupNode><Name>mythor</Name>'
        "<ClusterType>thor</ClusterType></GroupNode></GroupNodes></GetSprayTargetsResponse>"
        "</soap:Body></soap:Envelope>")
    assert soap(http, url, "<GetDFUServerQueuesRequest/>")[1].endswith(
        f'<GetDFUServerQueuesResponse xmlns="{NS}"><Names><Item>dfuserver_queue</Item></Names>'
        "</GetDFUServerQueuesResponse></soap:Body></soap:Envelope>")
    assert soap(http, url, "<GetDFUServerQueues><DFUServerName>other</DFUServerName></GetDFUServerQueues>")[1].endswith(
        f'<GetDFUServerQueuesResponse xmlns="{NS}"></GetDFUServerQueuesResponse></soap:Body></soap:Envelope>')
    assert soap(http, url, "<GetRemoteTargetsRequest/>")[1].endswith(
        f'<GetRemoteTargetsResponse xmlns="{NS}"><AllowForeign>1</AllowForeign></GetRemoteTargetsResponse>'
        "</soap:Body></soap:Envelope>")
    assert fs.GetDFUServerQueues(DFUServerName="mydfuserver").Names.Item == ["dfuserver_queue"]
    assert [(g.Name, g.ClusterType) for g in fs.GetSprayTargets().GroupNodes.GroupNode] == [("mythor", "thor")]


def test_delete_as_hpcc4j_sends_it(http, url, zone, name):
    (zone / name).write_bytes(b"x")
    call = (f'<ns1:DeleteDropZoneFilesRequest xmlns:ns1="{NS}"><ns1:DropZoneName>mydropzone</ns1:DropZoneName>'
            f"<ns1:NetAddress>{HOST}</ns1:NetAddress><ns1:Path>{LZ}/</ns1:Path><ns1:OS>2</ns1:OS>"
            f"<ns1:Names><ns1:Item>{name}</ns1:Item><ns1:Item>{name}-gone</ns1:Item><ns1:Item/></ns1:Names>"
            "</ns1:DeleteDropZoneFilesRequest>")
    r = soap_post(http, url + "/FileSpray?rawxml_", envelope(call),
                  {"SOAPAction": '"FileSpray/DeleteDropZoneFiles?ver_=1.27"'})
    assert r.text.endswith(
        f'<DFUWorkunitsActionResponse xmlns="{NS}"><FirstColumn>File</FirstColumn><DFUActionResults>'
        f"<DFUActionResult><ID>{name}</ID><Action>Delete</Action><Result>Success</Result></DFUActionResult>"
        f"<DFUActionResult><ID>{name}-gone</ID><Action>Delete</Action>"
        "<Result>Warning: this file does not exist.</Result></DFUActionResult></DFUActionResults>"
        "</DFUWorkunitsActionResponse></soap:Body></soap:Envelope>")
    assert not (zone / name).exists()


def test_delete_reports_failures_per_file(fs, zone, name):
    (zone / name).mkdir()
    (zone / name / "keep").write_bytes(b"")
    (zone / f"{name}-empty").mkdir()
    results = fs.DeleteDropZoneFiles(DropZoneName="mydropzone", NetAddress="localhost", Path=LZ,
                                     Names={"Item": [name, f"{name}-empty", f"{name}/keep"]})
    assert [r.Result for r in results.DFUActionResults.DFUActionResult] == [
        "Failed: Directory not empty", "Success", "Success"]


ERRORS = [
    # DropZoneFiles (filespray.md §5.2)
    ("DropZoneFilesRequest", "<NetAddress>bad host!</NetAddress>", 20052, "Invalid server bad host! specified."),
    ("DropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>{LZ}/../x</Path>", 20052, f"Invalid path {LZ}/../x"),
    ("DropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>{LZ}</Path><Subfolder>../x</Subfolder>",
     20052, "Invalid Subfolder ../x"),
    ("DropZoneFilesRequest", f"<DropZoneName>mydropzone</DropZoneName><NetAddress>10.1.1.1</NetAddress><Path>{LZ}</Path>",
     20070, "Dropzone is not found in the environment settings."),
    ("DropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>/etc</Path>",
     20052, "DropZone not found for host '127.0.0.1' path '/etc/'."),
    ("DropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>{LZ}</Path><Subfolder>nothere</Subfolder>",
     20074, f"{LZ}/nothere/ is not a directory."),
    # FileList (§5.3)
    ("FileListRequest", f"<Netaddr>{HOST}</Netaddr>", 20052, "Path not specified."),
    ("FileListRequest", f"<Netaddr>{HOST}</Netaddr><Path>../x</Path>", 20052, "Invalid path ../x"),
    ("FileListRequest", f"<Path>{LZ}</Path>", 20052, "DropZoneName or Netaddr must be specified."),
    ("FileListRequest", f"<DropZoneName>nope</DropZoneName><Path>{LZ}</Path>", 20052, "DropZone 'nope' not found."),
    ("FileListRequest", f"<DropZoneName>mydropzone</DropZoneName><Netaddr>10.1.1.1</Netaddr><Path>{LZ}</Path>",
     20052, "The host '10.1.1.1' is not valid for dropzone mydropzone."),
    ("FileListRequest", "<DropZoneName>mydropzone</DropZoneName><Path>/etc</Path>",
     20052, "The path '/etc/' is not valid for dropzone mydropzone."),
    # DropZoneFileSearch (§5.4)
    ("DropZoneFileSearchRequest", "<NameFilter>x</NameFilter>", 20052, "DropZone not specified."),
    ("DropZoneFileSearchRequest", "<DropZoneName>mydropzone</DropZoneName>", 20052, "Name Filter not specified."),
    ("DropZoneFileSearchRequest", "<DropZoneName>mydropzone</DropZoneName><NameFilter>**</NameFilter>",
     20052, "Invalid Name Filter '*'"),
    ("DropZoneFileSearchRequest", "<DropZoneName>mydropzone</DropZoneName><Server>10.2.2.2</Server>"
     "<NameFilter>x*</NameFilter>", 20052, "Server 10.2.2.2 not found in dropzone mydropzone."),
    # DeleteDropZoneFiles (§5.5)
    ("DeleteDropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>{LZ}/..</Path><Names><Item>x</Item></Names>",
     20052, f"Invalid path {LZ}/.."),
    ("DeleteDropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>{LZ}</Path>", 20052, "File not specified."),
    ("DeleteDropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>{LZ}</Path><Names><Item>a/../../x</Item></Names>",
     20052, "Invalid file a/../../x"),
    ("DeleteDropZoneFilesRequest", f"<Path>{LZ}</Path><Names><Item>x</Item></Names>",
     20052, "NetworkAddress or Path not defined."),
    ("DeleteDropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>/tmp</Path><Names><Item>x</Item></Names>",
     20070, "Dropzone is not found in the environment settings."),
    ("DeleteDropZoneFilesRequest", f"<NetAddress>{HOST}</NetAddress><Path>{LZ}/nothere</Path><Names><Item>x</Item></Names>",
     20074, f"{LZ}/nothere is not a directory."),
]


@pytest.mark.parametrize("request_name, fields, code, message", ERRORS)
def test_documented_errors(http, url, request_name, fields, code, message):
    element, _ = soap(http, url, f"<{request_name}>{fields}</{request_name}>")
    expected = "DFUWorkunitsActionResponse" if request_name.startswith("Delete") else \
        request_name.replace("Request", "Response")
    assert etree.QName(element).localname == expected
    got_code, got_message, source = exception_of(element)
    assert (int(got_code), source) == (code, f"FileSpray::{request_name}()")
    assert re.fullmatch(STAMP + re.escape(message), got_message)


def test_errors_reach_zeep_as_data(fs):
    resp = fs.FileList(Netaddr=HOST, Path=LZ + "/../../etc")
    assert resp.Exceptions.Exception[0].Code == "20052"
    assert resp.Exceptions.Exception[0].Message.endswith(f"Invalid path {LZ}/../../etc")


# ---------------------------------------------------------------------------------------------
# Traversal on every field that takes a path
# ---------------------------------------------------------------------------------------------

def test_traversal_attempts_on_every_path_field(http, url, emulator, zone, name, outside):
    link = f"{name}-link"
    before = snapshot(outside)
    bad_paths = ["..", "../..", f"{LZ}/../../..", "/etc", f"{LZ}/{link}", f"{LZ}/{link}/", "~", "~root",
                 f"{LZ}/a\\..\\..", link]
    calls = []
    for bad in bad_paths:
        calls += [
            f"<DropZoneFilesRequest><NetAddress>{HOST}</NetAddress><Path>{bad}</Path></DropZoneFilesRequest>",
            f"<DropZoneFilesRequest><DropZoneName>mydropzone</DropZoneName><NetAddress>{HOST}</NetAddress>"
            f"<Path>{LZ}</Path><Subfolder>{bad}</Subfolder></DropZoneFilesRequest>",
            f"<FileListRequest><DropZoneName>mydropzone</DropZoneName><Path>{bad}</Path></FileListRequest>",
            f"<FileListRequest><Netaddr>{HOST}</Netaddr><Path>{bad}</Path></FileListRequest>",
            f"<DeleteDropZoneFilesRequest><NetAddress>{HOST}</NetAddress><Path>{bad}</Path>"
            "<Names><Item>secret</Item></Names></DeleteDropZoneFilesRequest>",
        ]
    for bad in ["../x", f"{link}/secret", link, "../../" + outside.name + "/secret", "~/secret", "/"]:
        calls.append(f"<DeleteDropZoneFilesRequest><NetAddress>{HOST}</NetAddress><Path>{LZ}</Path>"
                     f"<Names><Item>{bad}</Item></Names></DeleteDropZoneFilesRequest>")
    for call in calls:
        element, text = soap(http, url, call)
        assert element.find(f"{{{NS}}}Exceptions") is not None, call
        assert "top secret" not in text and str(emulator.data_dir) not in text

    downloads = [{"Name": "secret", "Path": f"{LZ}/{link}"}, {"Name": f"../{outside.name}/secret", "Path": LZ},
                 {"Name": link, "Path": LZ}, {"Name": "secret", "Path": str(outside)},
                 {"Name": "passwd", "Path": "/etc"}, {"Name": "secret", "Path": f"{LZ}/../../{outside.name}"}]
    for params in downloads:
        r = http.get(f"{url}/FileSpray/DownloadFile", params={"NetAddress": HOST, "rawxml_": "", **params})
        assert r.headers["Content-Type"] == "application/xml" and "top secret" not in r.text, params

    for path in [f"{LZ}/{link}", str(outside), f"{LZ}/../../{outside.name}"]:
        r = upload(http, url, ("f", "pwned", b"pwned"), f"upload_&NetAddress={HOST}&Path={path}&rawxml_=1")
        assert "<Exceptions>" in r.text, path
    for filename in [link, f"{link}/secret", f"../{outside.name}/secret"]:
        r = upload(http, url, ("f", filename, b"pwned"))
        if "<Exceptions>" not in r.text:  # reduced to its tail, stored inside the zone
            assert (zone / filename.rsplit("/", 1)[-1]).read_bytes() == b"pwned"
            (zone / filename.rsplit("/", 1)[-1]).unlink()
    assert snapshot(outside) == before
    assert (zone / link).is_symlink()
    names = json.dumps([e.name for e in zone.iterdir()])
    assert "secret" not in names
