"""The pages a person browses (esp-protocol.md A.2, A.3, A.10): every link of every index page and
of every form page works, the form pages have an input per request field, the sample documents
and the SOAP/JSON test pages."""
from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qsl, urljoin

import pytest
from lxml import etree, html

from esputil import SERVICES
from wsservices.app import SERVICE_CLASSES
from wsservices.esp.codec import array_item, is_complex

OPERATIONS = {cls.contract.SERVICE: {op.name: op for op in list(cls.contract.OPERATIONS) + list(cls.extra_operations)}
              for cls in SERVICE_CLASSES}
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"


def links(page_url: str, text: str) -> list[str]:
    return [urljoin(page_url, unescape(h)) for h in re.findall(r'href="([^"#]+)"', text)]


def check_link(http, link: str, service: str) -> None:
    """GET one link and check that its answer is what the link promises."""
    r = http.get(link)
    assert r.status_code == 200, link
    path, _, query = link.partition("?")
    flags = {k for k, _ in parse_qsl(query, keep_blank_values=True)}
    method = path.rsplit("/", 1)[-1]
    op = OPERATIONS[service].get(method)
    if "wsdl" in flags:
        root = etree.fromstring(r.content)
        assert root.tag == f"{{{WSDL_NS}}}definitions", link
        ops = [o.get("name") for o in root.findall(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")]
        assert sorted(ops) == ([method] if op else sorted(OPERATIONS[service])), link
    elif "xsd" in flags:
        assert etree.fromstring(r.content).tag == f"{{{XSD_NS}}}schema", link
    elif flags & {"reqxml_", "respxml_"}:
        assert r.headers["Content-Type"] == "text/xml; charset=UTF-8", link
        root = etree.fromstring(r.content)
        request = "reqxml_" in flags
        if op:
            assert root.tag == f"{{{SERVICES[service]}}}{op.request_name if request else op.response_name}", link
        else:
            assert root.tag == "Examples" and root[0].tag == ("Requests" if request else "Responses"), link
            assert len(root[0]) == len(OPERATIONS[service]), link
    elif flags & {"reqjson_", "respjson_"}:
        assert r.headers["Content-Type"] == "text/plain; charset=UTF-8", link
        body = json.loads(r.text)
        request = "reqjson_" in flags
        if op:
            assert list(body) == [op.request_name if request else op.response_name], link
        else:
            assert len(body["Examples"]["Request" if request else "Response"]) == len(OPERATIONS[service]), link
    elif "form" in flags:
        assert op is not None and '<form id="esp_form"' in r.text and op.request_name in r.text, link
    else:
        pytest.fail(f"unexpected link {link}")


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_link_of_the_index_and_form_pages_works(http, url, service):
    index_url = f"{url}/{service}/"
    page = http.get(index_url).text
    found = links(index_url, page)
    assert len(found) == 4 + 2 * len(OPERATIONS[service])
    forms = [link for link in found if link.endswith("&form")]
    assert len(forms) == len(OPERATIONS[service])
    for link in found:
        check_link(http, link, service)
    for form in forms:
        text = http.get(form).text
        form_links = [link for link in links(form, text)]
        assert len(form_links) == 6, form
        for link in form_links:
            check_link(http, link, service)


def expected_controls(model: type, prefix: str = "", depth: int = 0) -> list[tuple[str, str]]:
    """(kind, name) of the controls a form must have for the request fields, from the contract."""
    found = []
    for name, t in model._type_info.items():
        path = prefix + name
        if not is_complex(t):
            found.append(("input", path))
        elif depth >= 6:
            continue
        elif (item := array_item(t)) is None:
            found += expected_controls(t, path + ".", depth + 1)
        elif is_complex(item[1]):
            found.append(("input", f"{path}.{item[1].get_type_name()}.itemcount"))
        else:
            found.append(("textarea", path))
    return found


@pytest.mark.parametrize("service, method", [(s, m) for s in OPERATIONS for m in sorted(OPERATIONS[s])])
def test_form_page_has_an_input_for_every_request_field(http, url, service, method):
    op = OPERATIONS[service][method]
    r = http.get(f"{url}/{service}/{method}?ver_=1.5&form")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=UTF-8"
    doc = html.fromstring(r.content)
    assert doc.findtext(".//title") == "ESP Service form"
    form = doc.get_element_by_id("esp_form")
    assert form.get("action") == f"{method}?ver_=1.5" and form.get("method") == "POST"
    names = {(el.tag, el.get("name")) for el in form.iter("input", "textarea") if el.get("name")}
    for control in expected_controls(op.request):
        assert control in names, control
    buttons = {el.get("value"): el.get("formaction") for el in form.iter("input") if el.get("type") == "submit"}
    assert buttons == {"Submit": None, "Submit as JSON": f"{method}.json?ver_=1.5",
                       "Submit as XML": f"{method}.xml?ver_=1.5", "SOAP Test": f"{method}?ver_=1.5&soap_builder_",
                       "Json Test": f"{method}?ver_=1.5&json_builder_"}


def browser_fields(form) -> list[tuple[str, str]]:
    """What a browser submits for a form left as it is: named inputs outside templates."""
    fields = []
    for el in form.iter("input", "textarea"):
        if any(a.tag == "template" for a in el.iterancestors()) or not el.get("name"):
            continue
        if el.get("type") == "checkbox" and el.get("checked") is None:
            continue
        fields.append((el.get("name"), el.text or "" if el.tag == "textarea" else el.get("value", "")))
    return fields


def test_submitting_the_package_form_adds_a_package_map(http, url, scope):
    page = html.fromstring(http.get(f"{url}/WsPackageProcess/AddPackage?form").content)
    fields = dict(browser_fields(page.get_element_by_id("esp_form")))
    assert "Activate" not in fields and fields["AllowForeignFiles"] == "1"  # only a true default is checked
    fields.update(Activate="1", Info=f'<RoxiePackages><Package id="{scope}"/></RoxiePackages>', Target="roxie", PackageMap=scope)
    r = http.post(f"{url}/WsPackageProcess/AddPackage?ver_=1.07", data=fields)
    assert r.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert f"<status><Code>0</Code><Description>Successfully loaded {scope}</Description></status>" in r.text
    as_json = http.post(f"{url}/WsPackageProcess/GetPackageMapById.json?ver_=1.07", data={"PackageMapId": f"roxie::{scope}"})
    assert as_json.json()["GetPackageMapByIdResponse"]["status"]["Code"] == 0


def test_unchecking_a_true_default_sends_false(http, url):
    page = html.fromstring(http.get(f"{url}/WsPackageProcess/AddPackage?form").content)
    form = page.get_element_by_id("esp_form")
    names = [(el.get("type"), el.get("value")) for el in form.iter("input") if el.get("name") == "AllowForeignFiles"]
    assert names == [("hidden", "0"), ("checkbox", "1")]  # unchecked: "0" is sent; checked: "1" comes last


def test_struct_array_rows_and_link_to_this_form(http, url):
    r = http.get(f"{url}/WsPackageProcess/DeletePackage?form&Target=roxie&PackageMaps.PackageMapEntry.itemcount=2"
                 "&PackageMaps.PackageMapEntry.1.Id=second&GlobalScope=1")
    form = html.fromstring(r.content).get_element_by_id("esp_form")
    fields = browser_fields(form)
    assert ("Target", "roxie") in fields and ("GlobalScope", "1") in fields
    assert ("PackageMaps.PackageMapEntry.itemcount", "2") in fields
    assert ("PackageMaps.PackageMapEntry.1.Id", "second") in fields and ("PackageMaps.PackageMapEntry.0.Id", "") in fields
    template = form.find(".//template")
    assert template is not None and "PackageMaps.PackageMapEntry.__i0__.Id" in html.tostring(template, encoding=str)


def test_a_string_array_is_a_textarea_with_a_value_per_line(http, url, cat, scope):
    from engine.files_support import make_file
    names = [f"{scope}::t1", f"{scope}::t2"]
    for n in names:
        make_file(cat, n)
    form = html.fromstring(http.get(f"{url}/WsDfu/DFUArrayAction?form").content).get_element_by_id("esp_form")
    assert form.find(".//textarea[@name='LogicalFiles']") is not None
    r = http.post(f"{url}/WsDfu/DFUArrayAction.json", data={"Type": "Delete", "LogicalFiles": "\r\n".join(names)})
    assert [x["FileName"] for x in r.json()["DFUArrayActionResponse"]["ActionResults"]["DFUActionInfo"]] == names


def test_form_with_json_flag_posts_to_json(http, url):
    form = html.fromstring(http.get(f"{url}/WsDfu/DFUQuery?form&json").content).get_element_by_id("esp_form")
    assert form.get("action") == "DFUQuery.json?ver_=1.69"  # no ver_: the ECM version (hidl onGetForm)


def textarea(page: bytes, ident: str) -> str:
    return html.fromstring(page).get_element_by_id(ident).text or ""


def test_soap_test_page_builds_an_envelope_that_works(http, url):
    r = http.post(f"{url}/WsPackageProcess/Echo?ver_=1.07&soap_builder_", data={"Request": "from <the> form"})
    assert r.status_code == 200 and "SOAP Test" in r.text
    doc = html.fromstring(r.content)
    envelope = textarea(r.content, "esp_request")
    assert "<soap:Body><EchoRequest><Request>from &lt;the&gt; form</Request></EchoRequest> </soap:Body>" in envelope
    assert doc.get_element_by_id("esp_soapaction").get("value") == '"WsPackageProcess/Echo?ver_=1.07"'
    dest = urljoin(f"{url}/WsPackageProcess/", doc.get_element_by_id("esp_dest").get("value"))
    sent = http.post(dest, data=envelope.encode(), headers={"Content-Type": "text/xml; charset=UTF-8",
                                                            "SOAPAction": '"WsPackageProcess/Echo?ver_=1.07"'})
    assert "<Response>from &lt;the&gt; form</Response>" in sent.text


def test_json_test_page_builds_a_body_that_works(http, url):
    r = http.post(f"{url}/WsDfu/DFUArrayAction?ver_=1.65&json_builder_",
                  data={"Type": "Bogus", "LogicalFiles_i0": "a::b", "NoDelete": "1"})
    body = textarea(r.content, "esp_request")
    assert json.loads(body) == {"DFUArrayActionRequest": {"Type": "Bogus", "NoDelete": True,
                                                          "LogicalFiles": {"Item": ["a::b"]}, "removeFromSuperfiles": False,
                                                          "removeRecursively": False, "Protect": 0, "Restrict": 0}}
    sent = http.post(f"{url}/WsDfu/DFUArrayAction?ver_=1.65", data=body, headers={"Content-Type": "application/json"})
    assert list(sent.json()) == ["DFUArrayActionResponse"]


def test_sample_documents(http, url):
    r = http.get(f"{url}/WsDfu/DFUArrayAction?reqxml_")
    assert r.text == ('<DFUArrayActionRequest xmlns="urn:hpccsystems:ws:wsdfu"><Type>String</Type><NoDelete>1</NoDelete>'
                      "<BackToPage>String</BackToPage><LogicalFiles><Item>String</Item><Item>String</Item></LogicalFiles>"
                      "<removeFromSuperfiles>false</removeFromSuperfiles><removeRecursively>false</removeRecursively>"
                      "<Protect>0</Protect><Restrict>0</Restrict></DFUArrayActionRequest>")
    sample = http.get(f"{url}/WsDfu/DFUArrayAction?respjson_").json()["DFUArrayActionResponse"]
    assert sample["ActionResults"] == {"DFUActionInfo": [{"FileName": "String", "NodeGroup": "String",
                                                          "ActionResult": "String", "Failed": True}]}
    assert http.get(f"{url}/WsDfu/DFUQuery?reqjson_").json()["DFUQueryRequest"]["PageSize"] == 32716
    everything = http.get(f"{url}/WsDfu?respxml_")  # the flags come before the /Svc redirect
    assert everything.status_code == 200 and everything.text.startswith("<Examples><Responses>\n<")
    recursive = etree.fromstring(http.get(f"{url}/WsDfu/DFUGetDataColumns?respxml_").content)
    assert recursive.tag == "{urn:hpccsystems:ws:wsdfu}DFUGetDataColumnsResponse"


def test_flags_need_their_underscore(http, url):
    r = http.get(f"{url}/WsPackageProcess/Echo?reqxml&Request=ran")
    assert "<EchoResponse><Response>ran</Response></EchoResponse>" in r.text  # rule 16: the method runs
