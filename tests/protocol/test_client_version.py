"""A malformed ``ver_`` is read as ESP reads it (atof: ``abc`` is 0, ``1.x`` is 1), on every
request path; it never turns into an HTTP 500 or a traceback."""
from __future__ import annotations

import re

import pytest

from esputil import envelope, soap_post

BAD_VERSIONS = ["abc", "", "1.x", "-3", "1e999", "nan", "\u00e9"]
PATHS = ["/FileSpray/", "/FileSpray/Ping", "/FileSpray/Ping.json", "/FileSpray/Ping.xml", "/FileSpray/?wsdl",
         "/FileSpray/?xsd", "/FileSpray/Ping?form", "/FileSpray/Ping?soap_builder_", "/FileSpray/Ping?json_builder_",
         "/WsDfu/DFUQuery.json", "/WsPackageProcess/Echo?form", "/FileSpray/?reqxml_"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("ver", BAD_VERSIONS)
def test_a_malformed_ver_is_answered_normally(http, url, path, ver):
    sep = "&" if "?" in path else "?"
    r = http.get(f"{url}{path}{sep}ver_={ver}", timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert "Traceback" not in r.text and "Request failed" not in r.text


@pytest.mark.parametrize("ver,shown", [("abc", "1.29"), ("", "1.29"), ("1.x", "1.00"), ("2.5junk", "2.50")])
def test_the_index_page_shows_the_version_atof_reads(http, url, ver, shown):
    r = http.get(f"{url}/FileSpray/?ver_={ver}", timeout=30)
    assert r.status_code == 200
    assert f"<h2>Version: {shown}, " in r.text


@pytest.mark.parametrize("action", ["FileSpray/Ping?ver_=1.x", "FileSpray/Ping?ver_=abc", "FileSpray/Ping?ver_="])
def test_a_malformed_soapaction_version_still_runs_the_method(http, url, action):
    r = soap_post(http, f"{url}/FileSpray", envelope("<FileSprayPingRequest/>"), {"SOAPAction": action})
    assert r.status_code == 200
    assert "FileSprayPingResponse" in r.text


@pytest.mark.parametrize("action,printed", [("FileSpray/Bogus?ver_=1.x", "1"), ("FileSpray/Bogus?ver_=abc", "0")])
def test_a_fault_names_the_version_atof_reads(http, url, action, printed):
    r = soap_post(http, f"{url}/FileSpray/Bogus", envelope("<Bogus/>"), {"SOAPAction": action})
    assert r.status_code == 500
    assert re.search(rf"\?xsd&amp;ver_={printed}\"", r.text), r.text


def test_parameters_cannot_write_markup_into_the_index_page(http, url):
    r = http.get(f"{url}/FileSpray/?ver_=1\"><script>alert(1)</script>&x<y='1'", timeout=30)
    assert r.status_code == 200
    assert "<script>" not in r.text
    assert '<a href="?ver_=1%22%3E%3Cscript%3Ealert(1)%3C/script%3E&x%3Cy=%271%27&reqxml_">' in r.text
