"""zeep, the way Python users call ESP, from our served WSDL and from the official files."""
from __future__ import annotations

import pytest
import zeep
from zeep.transports import Transport

from esputil import OFFICIAL_FILES, SERVICES, official_wsdl_dir


@pytest.mark.parametrize("service", list(SERVICES))
def test_ping_through_our_wsdl(url, service):
    client = zeep.Client(f"{url}/{service}/?wsdl", transport=Transport(cache=False, timeout=30))
    assert client.service.Ping() is None  # an empty PingResponse


def test_echo_through_our_wsdl(url):
    client = zeep.Client(f"{url}/WsPackageProcess?ver_=1.07&wsdl", transport=Transport(cache=False, timeout=30))
    assert client.service.Echo(Request="hello") == "hello"


@pytest.mark.parametrize("service", list(SERVICES))
def test_ping_through_the_official_wsdl(url, service):
    folder = official_wsdl_dir()
    client = zeep.Client(str(folder / OFFICIAL_FILES[service]), transport=Transport(cache=False, timeout=30))
    binding = next(iter(client.wsdl.bindings))
    proxy = client.create_service(binding, f"{url}/{service}?ver_=1")
    proxy.Ping()


@pytest.mark.parametrize("service", list(SERVICES))
def test_a_ported_script_binds_the_port_esp_names(url, service):
    """`client.bind(Service, ServiceSoap)` and `create_service({ns}ServiceSoap, url)`, as scripts
    written against a real ESP's WSDL do."""
    client = zeep.Client(f"{url}/{service}/?wsdl", transport=Transport(cache=False, timeout=30))
    assert client.bind(service, f"{service}ServiceSoap").Ping() is None
    proxy = client.create_service(f"{{{SERVICES[service]}}}{service}ServiceSoap", f"{url}/{service}?ver_=1")
    assert proxy.Ping() is None


def test_filespray_service_soap_calls_a_method(url):
    client = zeep.Client(f"{url}/FileSpray/?wsdl", transport=Transport(cache=False, timeout=30))
    service = client.bind("FileSpray", "FileSprayServiceSoap")
    resp = service.GetDFUWorkunit(wuid="D20000101-000000")
    assert resp.Exceptions.Exception[0].Code == "20080"


def test_inline_exception_reaches_zeep_as_data(url):
    client = zeep.Client(f"{url}/FileSpray/?wsdl", transport=Transport(cache=False, timeout=30))
    resp = client.service.GetDFUWorkunit(wuid="D20000101-000000")
    exc = resp.Exceptions.Exception[0]
    assert exc.Code == "20080"
    assert exc.Source == "FileSpray::GetDFUWorkunit()"
    assert exc.Message.endswith("Cannot read workunit D20000101-000000.")
