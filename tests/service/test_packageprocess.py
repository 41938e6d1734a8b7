"""WsPackageProcess over the wire: zeep from our WSDL, ECL SOAPCALL (GenIndex) and the `ecl packagemap`
C++ client shapes. The server is shared by the session: every test uses its own map names."""
from __future__ import annotations

import re
import uuid
from xml.sax.saxutils import escape

import pytest
import zeep
from lxml import etree
from zeep.transports import Transport

from esputil import envelope, genindex_soapcall as soapcall, soap_post, soapcall_status
from hpccemu.testing import ThreadedEmulator
from wsservices.engine.names import parse_logical_name
from wsservices.engine.remotes import RemoteEnvironment
from wsservices.engine.packagemaps.maps import PackageMaps

NS = "urn:hpccsystems:ws:wspackageprocess"
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: "


@pytest.fixture(scope="module")
def client(url):
    return zeep.Client(url + "/WsPackageProcess/?wsdl", transport=Transport(cache=False, timeout=30))


@pytest.fixture
def name():
    return f"pm_{uuid.uuid4().hex[:10]}.pkg"


def exception_of(resp, stamped: bool = False):
    """(code, message) of the one inline exception. ws_packageprocessService.cpp timestamps only
    ValidatePackage's errors (FORWARDEXCEPTION); the others reach the wire unchanged."""
    assert resp.Exceptions is not None, resp
    [exc] = resp.Exceptions.Exception
    assert bool(re.match(STAMP, exc.Message)) == stamped, exc.Message
    return int(exc.Code), re.sub(STAMP, "", exc.Message, count=1)


def packages(pid: str, body: str = "") -> str:
    return f'<RoxiePackages><Package id="{pid}">{body}</Package></RoxiePackages>'


def response(r, name: str):
    assert r.status_code == 200, r.text
    el = etree.fromstring(r.content).find(f".//{{{NS}}}{name}")
    assert el is not None, r.text
    return el


def text(el, path: str) -> str | None:
    found = el.find("/".join(f"{{{NS}}}{p}" for p in path.split("/")))
    return None if found is None else (found.text or "")


def add_file(emulator, name: str) -> None:
    ln = parse_logical_name(name)
    emulator.cluster.store.execute(
        "INSERT OR IGNORE INTO logical_files(name, scope, tail, modified) VALUES (?, ?, ?, ?)",
        (ln.name, ln.scope, ln.tail, "2024-01-01T00:00:00"))


# ------------------------------------------------------------------------------ zeep

def test_zeep_map_lifecycle(client, name):
    info = packages("toy_query", '<SuperFile id="~Emp::Super"><SubFile value="~emp::v1"/></SuperFile>')
    r = client.service.AddPackage(Info=info, Target="roxie", PackageMap=name.upper(), Process="*", Activate=True)
    assert (r.status.Code, r.status.Description) == (0, f"Successfully loaded {name.upper()}")
    assert r.FilesNotFound.File == ["emp::v1"]
    pmid = f"roxie::{name}"
    listed = {m.Id: m for m in client.service.ListPackages(Process="*").PackageMapList.PackageListMapData}
    assert listed[pmid].Active is True and listed[pmid].Target == "roxie" and listed[pmid].Process == "*"
    assert f'<PackageMaps id="{pmid}" multipart="1">' in client.service.GetPackage(Target="roxie", Process="*").Info
    byid = client.service.GetPackageMapById(PackageMapId=pmid.upper())
    assert byid.status.Code == 0 and byid.Info.startswith(f'<PackageMaps id="{pmid}"')
    assert '<SuperFile id="emp::super">' in byid.Info
    assert client.service.DeActivatePackage(Target="roxie", PackageMap=name, Process="*").status.Code == 0
    mine = [m for m in client.service.ListPackage(Target="roxie", Process="*").PkgListMapData.PackageListMapData
            if m.Id == pmid]
    assert [m.Active for m in mine] == [False]
    r = client.service.DeletePackage(Target="roxie", PackageMap=name, Process="*")
    assert r.status.Description == f"Successfully deleted {name} from roxie;"
    assert client.service.GetPackageMapById(PackageMapId=pmid).Info == "<PackageMaps/>\n"


@pytest.mark.parametrize("call, expected", [
    (("AddPackage", dict(Info="<RoxiePackages/>", Target="roxie")), (11001, "PackageMap name parameter required")),
    (("AddPackage", dict(Info="<RoxiePackages/>", PackageMap="m")), (11001, "Target cluster parameter required")),
    (("AddPackage", dict(Info="<RoxiePackages/>", Target="nosuch", PackageMap="m")),
     (11004, "Could not find information about target cluster nosuch ")),
    (("AddPackage", dict(Info="", Target="roxie", PackageMap="$name")), (11014, "No PackageMap content provided")),
    (("AddPartToPackageMap", dict(Target="roxie", PackageMap="$name", Content="<RoxiePackages/>")),
     (11014, "No PackageMap Part name provided")),
    (("RemovePartFromPackageMap", dict(Target="roxie", PackageMap="$name", PartName="p")),
     (11000, "PackageMap roxie::$name not found")),
    (("GetPartFromPackageMap", dict(Target="roxie", PackageMap="$name", PartName="p")),
     (11000, "PackageMap roxie::$name not found")),
    (("ActivatePackage", dict(PackageMap="m")), (11004, "No target defined")),
    (("ActivatePackage", dict(Target="roxie")), (11001, "No pmid specified")),
    (("ActivatePackage", dict(Target="ROXIE", PackageMap="$NAME", Process="*")),
     (11005, "PackageMap $name not found on target roxie")),
    (("DeActivatePackage", dict(Target="roxie", PackageMap="$name")), (11005, "PackageMap $name not found on target roxie")),
    (("DeletePackage", dict(Target="roxie", PackageMap="$name", Process="nosuch_process")),
     (11004, "No package sets defined for nosuch_process")),
    (("DeletePackage", dict(Target="roxie", PackageMap="$NAME")), (11007, "Unable to delete $name - information not found")),
    (("ValidatePackage", dict(Info="<RoxiePackages/>")), (11004, "Target cluster required")),
    (("ValidatePackage", dict(Target="roxie")), (20052, "Please specify PMID or Package Map content")),
    (("ValidatePackage", dict(Target="roxie", Info=" ")), (11011, "Error processing package file content")),
    (("ValidatePackage", dict(Target="nosuch", Info="<RoxiePackages/>")), (11004, "Target cluster not found")),
    (("ValidatePackage", dict(Target="thor", Info="<RoxiePackages/>")), (11004, "Roxie process not found")),
    (("ValidatePackage", dict(Target="roxie", PMID="$name")), (11010, "Package map $name not found")),
    (("ValidatePackage", dict(Target="roxie", Info='<RoxiePackages><Package id="a"><Base id="b"/></Package></RoxiePackages>')),
     (5203, "PACKAGE_ERROR: base package b not found")),
    (("GetQueryFileMapping", dict(Target="roxie")), (11013, "Query name required")),
    (("GetQueryFileMapping", dict(QueryName="q")), (11004, "Target cluster required")),
    (("GetQueryFileMapping", dict(Target="nosuch", QueryName="q")), (11004, "Unable to find target cluster")),
    (("GetQueryFileMapping", dict(Target="thor", QueryName="q")), (11012, "Roxie target required")),
    (("GetQueryFileMapping", dict(Target="roxie", QueryName="No_Such_Query", PMID="$name")),
     (5204, "Query No_Such_Query not found")),
    (("CopyPackageMap", dict(SourcePath="just_one_part", Target="roxie")), (20052, "Invalid source PackageMap path")),
    (("CopyPackageMap", dict(SourcePath="roxie/$name", Target="roxie")), (20052, "Source PackageMap not found")),
])
def test_documented_errors_are_inline_exceptions(client, name, call, expected):
    method, fields = call
    stem = name[:-4]
    fields = {k: v.replace("$NAME", stem.upper()).replace("$name", stem) for k, v in fields.items()}
    resp = getattr(client.service, method)(**fields)
    code, message = exception_of(resp, stamped=method == "ValidatePackage")
    assert (code, message) == (expected[0], expected[1].replace("$name", stem))
    assert resp.Exceptions.Exception[0].Source == f"WsPackageProcess::{method}Request()"
    assert getattr(resp, "status", None) is None


def test_existing_map_and_part_errors(client, name):
    info = packages("p")
    client.service.AddPackage(Info=info, Target="roxie", PackageMap=name)
    assert exception_of(client.service.AddPackage(Info=info, Target="roxie", PackageMap=name, ReplacePackageMap=True)) \
        == (11000, f"PackageMap roxie::{name} already exists, either delete it or specify overwrite")
    assert client.service.AddPackage(Info=info, Target="roxie", PackageMap=name, OverWrite=True).status.Code == 0
    assert exception_of(client.service.AddPartToPackageMap(Target="roxie", PackageMap=name, PartName=name,
                                                           Content=info)) == \
        (11000, f"Package Part {name} already exists, remove, or specify 'delete previous'")
    assert exception_of(client.service.GetPartFromPackageMap(Target="roxie", PackageMap=name, PartName="Nope")) == \
        (11000, f"PackageMap roxie::{name} Part Nope not found")
    code, message = exception_of(client.service.AddPackage(Info="<RoxiePackages><Package>", Target="roxie",
                                                           PackageMap=name, OverWrite=True))
    assert code == 1 and message.startswith('Error - end of stream "')
    code, message = exception_of(client.service.AddPackage(Info="<a></b>", Target="roxie", PackageMap=name,
                                                           OverWrite=True))
    assert code == 2 and re.match(r'Error - syntax error ".*" \[line 1, file offset \d+\]', message)


def test_hostile_package_xml_is_refused(client, name, tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("SECRET-CONTENT")
    info = f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]><RoxiePackages>&e;</RoxiePackages>'
    resp = client.service.AddPackage(Info=info, Target="roxie", PackageMap=name)
    code, message = exception_of(resp)
    assert code == 2 and "SECRET" not in message
    resp = client.service.ValidatePackage(Target="roxie", Info=info)
    assert exception_of(resp, stamped=True)[0] == 2


def test_select_options(client):
    r = client.service.GetPackageMapSelectOptions()
    assert r.status.Code == 0
    assert [(t.Name, t.Type, t.Processes.Item) for t in r.Targets.TargetData] == [("roxie", "roxie", ["myroxie"])]
    assert r.ProcessFilters.Item[0] == "*"
    r = client.service.GetPackageMapSelectOptions(IncludeTargets=False, IncludeProcesses=False)
    assert r.Targets is None and r.ProcessFilters is not None


def test_validate_and_query_files_with_a_published_query(client, emulator, name):
    store = emulator.cluster.store
    query = name[:-4]
    store.execute("INSERT INTO queries(query_set, id, name, seq) VALUES ('roxie', ?, ?, 1)", (f"{query}.1", query))
    store.execute("INSERT INTO query_aliases(query_set, name, id) VALUES ('roxie', ?, ?)", (query, f"{query}.1"))
    for i, (f, opt) in enumerate([(f"{query}::super", 0), (f"{query}::plain", 0), (f"{query}::opt", 1)]):
        store.execute("INSERT INTO query_files(query_set, query_id, ord, file_name, optional) VALUES "
                      "('roxie', ?, ?, ?, ?)", (f"{query}.1", i, f, opt))
    info = (f'<RoxiePackages><Package id="{query}"><SuperFile id="~{query}::Super"><SubFile value="~a::one"/>'
            f'<SubFile value="~A::Two"/></SuperFile></Package><Package id="{query}_unused"/></RoxiePackages>')
    client.service.AddPackage(Info=info, Target="roxie", PackageMap=name)
    r = client.service.ValidatePackage(Target="roxie", PMID=f"roxie::{name}", QueryIdToVerify=f"{query}.1",
                                       CheckDFS=True)
    [res] = r.Results.Result
    assert (res.Target, res.PMID) == ("roxie", f"roxie::{name}")
    assert res.files.Unmatched.Item == [f"{query}.1/{query}::plain", f"{query}.1/{query}::opt/Optional"]
    assert res.files.NotInDFS.File == ["a::one", "a::two"]
    assert res.packages.Unmatched.Item == [f"{query}_unused"]
    assert res.queries.Unmatched is None and res.Errors is None
    m = client.service.GetQueryFileMapping(Target="roxie", QueryName=query.upper(), PMID=name)
    assert m.UnmappedFiles.File == [f"{query}::plain", f"{query}::opt"]
    assert [(s.Name, s.SubFiles.File) for s in m.SuperFiles.SuperFile] == [(f"{query}::super", ["a::two", "a::one"])]


def test_copy_from_a_remote_esp(client, url, name):
    """CopyPackageMap from `//host:port/target/pmid`: GetPackageMapById on that ESP (here: the
    session server, declared as a [[remote]] of a second emulator that does the copy)."""
    client.service.AddPackage(Info=packages("p", '<SuperFile id="s"><SubFile value="~r::x"/></SuperFile>'),
                              Target="roxie", PackageMap=name)
    host = url.split("//", 1)[1]
    remote = RemoteEnvironment("session", url, (host.split(":")[0],))
    with ThreadedEmulator(remotes=(remote,)) as copier:
        other = zeep.Client(copier.wsdl_url("WsPackageProcess"))
        r = other.service.CopyPackageMap(SourcePath=f"//{host}/roxie/{name}", Target="roxie", PMID="copy_" + name)
        assert (r.status.Code, r.status.Description) == (0, f"Successfully loaded {name}")
        assert r.FilesNotFound.File == ["r::x"]
        part = other.service.GetPartFromPackageMap(Target="roxie", PackageMap="copy_" + name, PartName=name)
        assert part.Content.startswith(f'<Part id="{name}">')
        r = other.service.CopyPackageMap(SourcePath=f"//{host}/roxie/missing_{name}", Target="roxie")
        assert exception_of(r)[1] == "Source PackageMap not found"


# ------------------------------------------------------------------------------ raw XML details

def test_files_not_found_is_present_even_when_empty(http, url, name):
    call = (f"<AddPackageRequest><Info>{escape(packages('p'))}</Info><Target>roxie</Target>"
            f"<PackageMap>{name}</PackageMap></AddPackageRequest>")
    # DfuPublisherWuid/State are [min_ver("1.05")]: a SOAP call without ver_ (version 0) gets neither
    el = response(soap_post(http, url + "/WsPackageProcess?ver_=1.08", envelope(call)), "AddPackageResponse")
    assert [etree.QName(c).localname for c in el] == ["status", "FilesNotFound", "DfuPublisherWuid",
                                                      "DfuPublisherState"]
    assert len(el.find(f"{{{NS}}}FilesNotFound")) == 0


def test_list_packages_is_nil_remove(http, url):
    call = "<ListPackagesRequest><ProcessFilter>no_such_process_set</ProcessFilter></ListPackagesRequest>"
    el = response(soap_post(http, url + "/WsPackageProcess", envelope(call)), "ListPackagesResponse")
    assert [etree.QName(c).localname for c in el] == ["status"]


def test_get_part_content_is_the_normalised_part(http, url, name):
    content = escape(packages("p", '<SuperFile id="~Scope::Super"><SubFile value="~Scope::Sub_A"/></SuperFile>'))
    call = (f"<AddPartToPackageMapRequest><Target>roxie</Target><PackageMap>{name}</PackageMap>"
            f"<PartName>Part_One.pkg</PartName><Content>{content}</Content></AddPartToPackageMapRequest>")
    soap_post(http, url + "/WsPackageProcess", envelope(call))
    call = (f"<GetPartFromPackageMap><Target>roxie</Target><PackageMap>{name.upper()}</PackageMap>"
            "<PartName>Part_One.pkg</PartName></GetPartFromPackageMap>")
    el = response(soap_post(http, url + "/WsPackageProcess", envelope(call)), "GetPartFromPackageMapResponse")
    assert text(el, "status/Code") == "0" and text(el, "status/Description") == ""
    assert text(el, "Content") == ('<Part id="Part_One.pkg">\n <Package id="p">\n  <SuperFile id="scope::super">\n'
                                   '   <SubFile value="Scope::Sub_A"/>\n  </SuperFile>\n </Package>\n</Part>\n')


# ------------------------------------------------------------------------------ GenIndex (DataMgmt)

def status_row(root, xpath: str) -> tuple[int, str] | None:
    """What SOAPCALL's XPATH('…Response/status') row reads (namespaces ignored), or None."""
    return soapcall_status(root, xpath.split("/")[0])


def test_genindex_recipe(http, url, emulator):
    """DataMgmt GenIndex (§8): query part (activated), data part with a virtual superkey, part replaced with
    DeletePrevious, get, remove, and the buggy RemovePackageMap call."""
    pmap, query = "genindex_packagemap.pkg", f"gi_{uuid.uuid4().hex[:8]}"
    store_path = f"~{query}::store"
    clean_super = f"{query}_store_gen_1"
    data_pkg, data_part = f"data_{clean_super}.pkg", f"part_{clean_super}.pkg"
    virtual = f"virtual_{query}_store"
    common = [("Target", "roxie"), ("Process", "*"), ("PackageMap", pmap)]

    query_part = f'<RoxiePackages><Package id="{query}"><Base id="{data_pkg}"/></Package></RoxiePackages>'
    root = soapcall(http, url, "AddPartToPackageMap", common + [
        ("PartName", f"query_{query}.pkg"), ("Content", query_part), ("DeletePrevious", "true"), ("DaliIp", "127.0.0.1")])
    assert status_row(root, "AddPartToPackageMapResponse") == \
        (0, f"Successfully loaded Part query_{query}.pkg to PackageMap roxie::{pmap}")
    root = soapcall(http, url, "ActivatePackage", common)
    assert status_row(root, "ActivatePackageResponse") == (0, "")

    maps = PackageMaps.for_cluster(emulator.cluster)
    res = maps.resolve("roxie", f"{query}.1")  # the transient state: the map fails to load, Roxie skips it
    assert res.pmid != f"roxie::{pmap}" and res.superfiles == {}
    assert ("roxie::" + pmap, f"PACKAGE_ERROR: base package {data_pkg} not found") in res.failed_maps

    empty_data = f'<RoxiePackages><Package id="{data_pkg}"><SuperFile id="{virtual}"><SubFile/></SuperFile></Package></RoxiePackages>'
    root = soapcall(http, url, "AddPartToPackageMap", common + [
        ("PartName", data_part), ("Content", empty_data), ("DeletePrevious", "true"), ("DaliIp", "127.0.0.1")])
    assert status_row(root, "AddPartToPackageMapResponse")[0] == 0
    res = maps.resolve("roxie", f"{query}.1")
    assert (res.pmid, res.package, res.superfiles, res.unresolved) == (f"roxie::{pmap}", query, {}, (virtual,))

    subkey = f"{store_path}::subkey_1"
    add_file(emulator, subkey)
    data = (f'<RoxiePackages><Package id="{data_pkg}"><SuperFile id="{virtual}"><SubFile value="{subkey}"/>'
            f'</SuperFile></Package></RoxiePackages>')
    root = soapcall(http, url, "AddPartToPackageMap", common + [
        ("PartName", data_part), ("Content", data), ("DeletePrevious", "true"), ("DaliIp", "127.0.0.1")])
    assert status_row(root, "AddPartToPackageMapResponse")[0] == 0
    assert len(root.xpath("//*[local-name()='FilesNotFound']/*")) == 0
    res = maps.resolve("roxie", f"{query}.1")
    assert res.lookup(virtual) == (subkey[1:].lower(),)

    client = zeep.Client(url + "/WsPackageProcess/?wsdl", transport=Transport(cache=False, timeout=30))
    part = client.service.GetPartFromPackageMap(Target="roxie", PackageMap=pmap, PartName=data_part).Content
    assert f'<SubFile value="{subkey[1:]}"/>' in part
    info = client.service.GetPackage(Target="roxie", Process="*").Info
    assert info.index(f'<Part id="query_{query}.pkg">') < info.index(f'<Part id="{data_part}">')

    root = soapcall(http, url, "RemovePartFromPackageMap",
                    [("Target", "roxie"), ("PackageMap", pmap), ("PartName", data_part)])
    assert status_row(root, "RemovePartFromPackageMapResponse") == \
        (0, f"Successfully removed Part {data_part} from PackageMap roxie::{pmap}")

    # RemovePackageMap: the wrong method, no PartName, and the wrong response XPATH
    root = soapcall(http, url, "RemovePartFromPackageMap", common)
    assert status_row(root, "DeletePackageResponse") is None  # ECL then reads a default row: Code 0
    resp = root.xpath("//*[local-name()='RemovePartFromPackageMapResponse']")[0]
    assert [etree.QName(c).localname for c in resp] == ["Exceptions"]
    assert resp.xpath("string(.//*[local-name()='Code'])") == "11000"
    assert re.fullmatch(re.escape(f"PackageMap roxie::{pmap} Part  not found"),
                        resp.xpath("string(.//*[local-name()='Message'])"))
    assert resp.xpath("string(.//*[local-name()='Source'])") == "WsPackageProcess::RemovePartFromPackageMapRequest()"
    client.service.DeActivatePackage(Target="roxie", PackageMap=pmap, Process="*")


def test_old_helper_sends_booleans_as_digits(http, url, name):
    """The older ECL helper (§8): `?ver_=1.03`, booleans '0'/'1'."""
    fields = [("Target", "roxie"), ("PackageMap", name), ("PartName", "p.pkg"), ("Content", packages("x")),
              ("DeletePrevious", "1"), ("DaliIp", ""), ("UpdateSuperFiles", "0"), ("AppendCluster", "1")]
    for _ in range(2):
        root = soapcall(http, url + "", "AddPartToPackageMap", fields)
        assert status_row(root, "AddPartToPackageMapResponse")[0] == 0


# ------------------------------------------------------------------------------ ecl packagemap (C++ client)

def ecl_call(http, url, request: str, fields: list[tuple[str, str]]):
    """The hidl-generated C++ client: namespace, every field (empty ones too), 1/0 booleans, SOAPAction."""
    body = "".join(f"<{k}>{escape(v)}</{k}>" if v else f"<{k}></{k}>" for k, v in fields)
    doc = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
           'xmlns:wsse="http://schemas.xmlsoap.org/ws/2002/04/secext"><soap:Body>'
           f'<{request} xmlns="{NS}">{body}</{request}></soap:Body></soap:Envelope>')
    r = http.post(url + "/WsPackageProcess", data=doc.encode(),
                  headers={"Content-Type": "text/xml", "SOAPAction": "WsPackageProcess?ver_=1.08"})
    return response(r, request.replace("Request", "Response"))


DFU = [("DfuCopyFiles", "0"), ("DfuQueue", ""), ("DfuWait", "1800"), ("DfuOverwrite", "0"), ("OnlyCopyFiles", "0"),
       ("StopIfFilesCopied", "0"), ("DfuPublisherWuid", ""), ("RemoteStorage", ""), ("KeyCompression", ""),
       ("DfuTargetPlane", "")]


def test_ecl_packagemap_commands(http, url, name, emulator):
    add_file(emulator, "ecl::present")
    text_ = packages("eclq", '<SuperFile id="~ecl::super"><SubFile value="~ecl::present"/>'
                             '<SubFile value="~ecl::absent"/></SuperFile>')
    # ecl packagemap add -A roxie <name>
    el = ecl_call(http, url, "AddPackageRequest", [
        ("Info", text_), ("Activate", "1"), ("OverWrite", "0"), ("Target", "roxie"), ("PackageMap", name),
        ("Process", "*"), ("DaliIp", ""), ("GlobalScope", "0"), ("SourceProcess", ""), ("AllowForeignFiles", "0"),
        ("PreloadAllPackages", "0"), ("ReplacePackageMap", "0"), ("UpdateSuperFiles", "0"), ("UpdateCloneFrom", "0"),
        ("AppendCluster", "1")] + DFU)
    assert text(el, "status/Description") == f"Successfully loaded {name}"
    assert [f.text for f in el.find(f"{{{NS}}}FilesNotFound")] == ["ecl::absent"]
    # ecl packagemap list roxie
    el = ecl_call(http, url, "ListPackageRequest", [("Target", "roxie"), ("Process", "*")])
    mine = [m for m in el.iter(f"{{{NS}}}PackageListMapData") if text(m, "Id") == f"roxie::{name}"]
    assert [(text(m, "Active"), text(m, "Process")) for m in mine] == [("1", "*")]
    assert mine[0].find(f"{{{NS}}}PkgListData") is None  # Q7: no packages; ESP omits an empty struct array
    # ecl packagemap info roxie
    el = ecl_call(http, url, "GetPackageRequest", [("Target", "roxie"), ("Process", "*")])
    assert f'<PackageMaps id="roxie::{name}" multipart="1">' in text(el, "Info")
    # ecl packagemap validate roxie --pmid <name> --check-dfs
    el = ecl_call(http, url, "ValidatePackageRequest", [
        ("Info", ""), ("Target", "roxie"), ("Process", ""), ("Active", "0"), ("PMID", name), ("QueryIdToVerify", ""),
        ("QueriesToVerify", ""), ("QueriesToIgnore", ""), ("CheckDFS", "1"), ("GlobalScope", "0"),
        ("IgnoreWarnings", "0"), ("IgnoreOptionalFiles", "0")])
    result = el.find(f"{{{NS}}}Results/{{{NS}}}Result")
    assert text(result, "PMID") == f"roxie::{name}"
    assert [f.text for f in result.find(f"{{{NS}}}files/{{{NS}}}NotInDFS")] == ["ecl::absent"]
    # ecl packagemap add-part roxie <name> extra.xml --delete-prev (no Process sent)
    el = ecl_call(http, url, "AddPartToPackageMapRequest", [
        ("Target", "roxie"), ("PackageMap", name), ("GlobalScope", "0"), ("PartName", "Extra.xml"),
        ("Content", packages("extra")), ("DeletePrevious", "1"), ("DaliIp", ""), ("SourceProcess", ""),
        ("AllowForeignFiles", "0"), ("PreloadAllPackages", "0"), ("UpdateSuperFiles", "0"),
        ("UpdateCloneFrom", "0"), ("AppendCluster", "1")] + DFU)
    assert text(el, "status/Code") == "0"
    # ecl packagemap get-part / remove-part
    el = ecl_call(http, url, "GetPartFromPackageMapRequest", [
        ("Target", "roxie"), ("PackageMap", name), ("GlobalScope", "0"), ("PartName", "Extra.xml")])
    assert text(el, "Content") == '<Part id="Extra.xml">\n <Package id="extra"/>\n</Part>\n'
    el = ecl_call(http, url, "RemovePartFromPackageMapRequest", [
        ("Target", "roxie"), ("PackageMap", name), ("GlobalScope", "0"), ("PartName", "Extra.xml")])
    assert text(el, "status/Description") == f"Successfully removed Part Extra.xml from PackageMap roxie::{name}"
    # ecl packagemap copy roxie/<name> roxie --pmid copy_<name>
    el = ecl_call(http, url, "CopyPackageMapRequest", [
        ("SourcePath", f"roxie/{name}"), ("RemoteUserName", ""), ("RemotePassword", ""), ("Target", "roxie"),
        ("Process", "*"), ("PMID", f"copy_{name}"), ("Activate", "0"), ("DaliIp", ""), ("GlobalScope", "0"),
        ("SourceProcess", ""), ("PreloadAllPackages", "0"), ("ReplacePackageMap", "0"), ("UpdateSuperFiles", "0"),
        ("UpdateCloneFrom", "0"), ("AppendCluster", "1")] + DFU)
    assert text(el, "status/Description") == f"Successfully loaded {name}"
    # ecl packagemap query-files roxie nosuch --pmid <name>
    el = ecl_call(http, url, "GetQueryFileMappingRequest", [
        ("Target", "roxie"), ("PMID", name), ("QueryName", "nosuch"), ("GlobalScope", "0")])
    assert text(el, "Exceptions/Exception/Code") == "5204"
    # ecl packagemap deactivate / activate / delete
    for request in ("DeActivatePackageRequest", "ActivatePackageRequest"):
        el = ecl_call(http, url, request, [("Target", "roxie"), ("PackageMap", name), ("Process", "*"),
                                          ("GlobalScope", "0")])
        assert text(el, "status/Code") == "0"
    el = ecl_call(http, url, "DeletePackageRequest", [
        ("Target", "roxie"), ("PackageMap", name), ("Process", "*"), ("GlobalScope", "0"), ("PackageMaps", "")])
    assert text(el, "status/Description") == f"Successfully deleted {name} from roxie;"
    el = ecl_call(http, url, "DeletePackageRequest", [
        ("Target", ""), ("PackageMap", ""), ("Process", ""), ("GlobalScope", "0"),
        ("PackageMaps", "")])
    assert text(el, "Exceptions/Exception/Code") == "11007"


def test_delete_batch_over_the_wire(http, url, name):
    for n in ("a_" + name, "b_" + name):
        soap_post(http, url + "/WsPackageProcess", envelope(
            f"<AddPackageRequest><Info>{escape(packages('p'))}</Info><Target>roxie</Target>"
            f"<PackageMap>{n}</PackageMap></AddPackageRequest>"))
    call = ("<DeletePackageRequest><PackageMaps>"
            f"<PackageMap><Id>a_{name}</Id><Target>roxie</Target></PackageMap>"
            "<PackageMap><Target>roxie</Target></PackageMap>"
            f"<PackageMap><Id>roxie::b_{name}</Id><Target>roxie</Target><Process>*</Process></PackageMap>"
            "</PackageMaps></DeletePackageRequest>")
    el = response(soap_post(http, url + "/WsPackageProcess", envelope(call)), "DeletePackageResponse")
    assert text(el, "status/Description") == (f"Successfully deleted a_{name} from roxie;PackageMap[1]: Package map "
                                              f"Id not specified; Successfully deleted roxie::b_{name} from roxie;")


def test_list_packages_target_is_an_exact_querySet_match(client, name):
    """listPkgInfo filters with the xpath `PackageMap[@querySet='%s']`: jptree compares with `=`
    exactly (only `~=` is a wildcard match), so `rox*` and `*` list nothing while `roxie` does."""
    client.service.AddPackage(Info=packages("p"), Target="roxie", PackageMap=name)
    def ids(target):
        listing = client.service.ListPackages(Target=target, Process="*").PackageMapList
        return {m.Id for m in listing.PackageListMapData} if listing is not None else set()
    pmid = f"roxie::{name}"
    assert pmid in ids("roxie")
    assert pmid not in ids("rox*") and pmid not in ids("*") and pmid not in ids("ROXIE")
