"""The contract: every official operation, exact element and field names, exported WSDLs fresh."""
from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from esputil import OFFICIAL_FILES, official_wsdl_dir
from wsservices.app import SERVICE_CLASSES
from wsservices.cli import main as cli
from wsservices.coverage import coverage_markdown
from wsservices.esp import wsdl

ROOT = Path(__file__).resolve().parents[1]
WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
XSD = "{http://www.w3.org/2001/XMLSchema}"


def test_operation_counts():
    counts = {cls.contract.SERVICE: len(cls.contract.OPERATIONS) for cls in SERVICE_CLASSES}
    assert counts == {"FileSpray": 32, "WsDfu": 27, "WsPackageProcess": 17, "WsDFUXRef": 12}


@pytest.mark.parametrize("cls", SERVICE_CLASSES, ids=lambda c: c.contract.SERVICE)
def test_exported_wsdl_matches_what_the_server_serves(cls, url, http):
    exported = (ROOT / "wsdl" / f"{cls.contract.SERVICE}.wsdl").read_bytes()
    served = http.get(f"{url}/{cls.contract.SERVICE}/?wsdl").content
    assert served.replace(url.encode(), b"http://127.0.0.1:8010") == exported, \
        "wsdl/ is stale: run `hpccemu export-wsdl`"


def test_export_command_writes_the_served_wsdls(tmp_path):
    result = CliRunner().invoke(cli, ["export-wsdl", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for cls in SERVICE_CLASSES:
        assert (tmp_path / f"{cls.contract.SERVICE}.wsdl").read_bytes() == \
            wsdl.document(cls, "http://127.0.0.1:8010")


def _fields(root, element: str) -> dict[str, str]:
    """{path: type} of an element, read the same way from both WSDLs."""
    schema = next(root.iter(XSD + "schema"))
    elements = {e.get("name"): e for e in schema.findall(XSD + "element")}
    types = {t.get("name"): t for t in schema.findall(XSD + "complexType")}
    simple = {t.get("name"): t.find(XSD + "restriction").get("base").split(":")[-1]
              for t in schema.findall(XSD + "simpleType")}
    out: dict[str, str] = {}

    def walk(ctype, prefix, seen):
        for el in ctype.iter(XSD + "element"):
            if next(a for a in el.iterancestors(XSD + "complexType")) is not ctype:
                continue
            path = prefix + el.get("name")
            many = "[]" if el.get("maxOccurs", "1") not in ("1", "0") else ""
            inline = el.find(XSD + "complexType")
            tname = (el.get("type") or "").split(":")[-1]
            sub = inline if inline is not None else types.get(tname)
            if sub is None:
                out[path] = simple.get(tname, tname) + many
            else:
                out[path] = "complex" + many
                if inline is not None:
                    walk(sub, path + "/", seen)
                elif tname not in seen:
                    walk(sub, path + "/", seen | {tname})

    el = elements[element]
    walk(el.find(XSD + "complexType") if el.find(XSD + "complexType") is not None
         else types[el.get("type").split(":")[-1]], "", frozenset())
    return out


def _official_version(official) -> float:
    """The version an official WSDL was served for: its soap:address's ``ver_``."""
    address = next(official.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")).get("location")
    return float(address.rsplit("ver_=", 1)[1])


@pytest.mark.parametrize("cls", SERVICE_CLASSES, ids=lambda c: c.contract.SERVICE)
def test_served_wsdl_conforms_to_the_official_one(cls):
    """The official WSDLs were served for 1.27/1.65/1.07 (the default is the ECM's newest):
    asked for that version, the served WSDL has the same operations and fields."""
    folder = official_wsdl_dir()
    official = etree.parse(str(folder / OFFICIAL_FILES[cls.contract.SERVICE])).getroot()
    version = _official_version(official)
    ours = etree.fromstring(wsdl.document(cls, "http://x", version=version))
    ours_ops = {op.get("name") for op in ours.iter(WSDL + "operation")}
    assert ours_ops == {op.get("name") for op in official.iter(WSDL + "operation")}
    service = cls(None)
    for op in official.iter(WSDL + "portType"):
        for operation in op.findall(WSDL + "operation"):
            name = operation.get("name")
            ref_in = official.find(f"{WSDL}message[@name='{operation.find(WSDL + 'input').get('message').split(':')[-1]}']")
            ref_out = official.find(f"{WSDL}message[@name='{operation.find(WSDL + 'output').get('message').split(':')[-1]}']")
            ours_op = service.operations[name]
            for ref_msg, our_name in ((ref_in, ours_op.request_name), (ref_out, ours_op.response_name)):
                element = ref_msg.find(WSDL + "part").get("element").split(":")[-1]
                assert element == our_name, name
                assert _fields(ours, our_name) == _fields(official, element), f"{name}: {element}"


def test_readme_coverage_table_is_current():
    readme = (ROOT / "README.md").read_text()
    assert coverage_markdown() in readme, "README coverage is stale: paste `hpccemu coverage`"


def test_every_package_is_listed_in_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    listed = set(cfg["options"]["packages"].split())
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "wsservices").rglob("__init__.py")}
    found |= {"hpccemu" + "".join("." + part for part in p.parent.relative_to(ROOT / "clients").parts)
              for p in (ROOT / "clients").rglob("__init__.py")}
    assert found <= listed, f"add to setup.cfg [options] packages: {sorted(found - listed)}"


def _soap_names(root) -> dict[str, list[tuple[str, ...]]]:
    """The service, port, binding and port type names (and references) of a WSDL."""
    def local(value):
        return (value or "").split(":")[-1]
    return {
        "service": [(s.get("name"),) for s in root.iter(WSDL + "service")],
        "port": [(p.get("name"), local(p.get("binding"))) for p in root.iter(WSDL + "port")],
        "binding": [(b.get("name"), local(b.get("type"))) for b in root.iter(WSDL + "binding")],
        "portType": [(t.get("name"),) for t in root.iter(WSDL + "portType")],
    }


@pytest.mark.parametrize("cls", SERVICE_CLASSES, ids=lambda c: c.contract.SERVICE)
def test_service_port_binding_and_port_type_are_named_as_esp_names_them(cls):
    ours = _soap_names(etree.fromstring(wsdl.document(cls, "http://x")))
    name = cls.contract.SERVICE
    assert ours == {"service": [(name,)], "port": [(f"{name}ServiceSoap", f"{name}ServiceSoap")],
                    "binding": [(f"{name}ServiceSoap", f"{name}ServiceSoap")],
                    "portType": [(f"{name}ServiceSoap",)]}
    folder = official_wsdl_dir()
    if folder is not None:
        assert ours == _soap_names(etree.parse(str(folder / OFFICIAL_FILES[name])).getroot())
