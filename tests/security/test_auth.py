"""Authentication as ESP's htpasswd manager does it: the 401 challenge on every kind of path,
bcrypt/apr1/SHA entries, SOAP UsernameToken headers, and the paths that stay open."""
from __future__ import annotations

import pytest
import requests
import zeep
from requests import Session
from zeep.transports import Transport

from esputil import envelope, soap_post
from security.conftest import basic

REALM = 'Basic realm="ESP (Authentication: HTPASSWD Security Manager)"'
PAGE_TITLE = "<title>ESP - Access Denied</title>"

#: (method, path, kwargs, whether ESP sends the Access Denied page)
PATHS = [
    ("GET", "/", {}, True),
    ("GET", "/WsDfu/", {}, True),
    ("GET", "/WsDfu/?wsdl", {}, True),
    ("GET", "/WsDfu/DFUQuery?form", {}, True),
    ("GET", "/WsDfu/DFUQuery", {}, True),
    ("GET", "/WsDfu/DFUQuery.json", {}, False),
    ("GET", "/WsDfu/DFUQuery.xml", {}, False),
    ("GET", "/WsDfu/DFUQuery?rawxml_", {}, False),
    ("POST", "/WsDfu/DFUQuery.json", {"data": {"LogicalName": "*"}}, False),
    ("POST", "/WsDfu/", {"data": envelope("<DFUQueryRequest/>").encode(),
                         "headers": {"Content-Type": "text/xml"}}, False),
    ("POST", "/WsDfu/", {"json": {"DFUQueryRequest": {}}}, False),
    ("GET", "/FileSpray/DownloadFile?NetAddress=127.0.0.1&Path=/var/lib/HPCCSystems/mydropzone&Name=x", {}, True),
    ("GET", "/WsEcl/", {}, True),
    ("POST", "/hpccemu/reset", {}, True),
]


@pytest.mark.parametrize("method,path,kwargs,page", PATHS)
@pytest.mark.parametrize("auth", [None, "wrong", "unknown"])
def test_every_kind_of_path_challenges_missing_or_wrong_credentials(surl, method, path, kwargs, page, auth):
    headers = dict(kwargs.get("headers", {}))
    if auth == "wrong":
        headers["Authorization"] = basic("bob", "not-bobs")
    elif auth == "unknown":
        headers["Authorization"] = basic("mallory", "x")
    r = requests.request(method, surl + path, headers=headers, timeout=30, allow_redirects=False,
                         **{k: v for k, v in kwargs.items() if k != "headers"})
    assert r.status_code == 401
    assert r.reason == "Unauthorized"
    assert r.headers["WWW-Authenticate"] == REALM
    if page:
        assert r.headers["Content-Type"] == "text/html; charset=UTF-8"
        assert PAGE_TITLE in r.text and "Access Denied -- Valid username and password required!" in r.text
    else:
        assert r.content == b""


@pytest.mark.parametrize("user", ["admin", "bob", "carol"])  # bcrypt, apr1, {SHA}
def test_each_hash_kind_lets_its_user_in(surl, user):
    r = requests.get(surl + "/WsDfu/DFUQuery.json", headers={"Authorization": basic(user)}, timeout=30)
    assert r.status_code == 200
    assert "DFUQueryResponse" in r.json()


def test_a_domain_prefix_on_the_user_name_is_ignored(surl):
    r = requests.get(surl + "/WsDfu/DFUQuery.json", auth=("HPCC\\bob", "bob-pw"), timeout=30)
    assert r.status_code == 200


def test_soap_username_token_header_authenticates(surl):
    header = ('<soap:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
              'oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>bob'
              '</wsse:Username><wsse:Password>bob-pw</wsse:Password></wsse:UsernameToken>'
              '</wsse:Security></soap:Header>')
    body = envelope("<DFUQueryRequest/>").replace("<soap:Body>", header + "<soap:Body>")
    ok = soap_post(requests, surl + "/WsDfu/", body)
    assert ok.status_code == 200 and "DFUQueryResponse" in ok.text
    # a header login that fails is soapbind's SOAP_AUTHENTICATION_ERROR: a fault with code 401
    bad = soap_post(requests, surl + "/WsDfu/", body.replace("bob-pw", "nope"))
    assert bad.status_code == 500 and "<faultcode>401</faultcode>" in bad.text
    assert "Unauthorized Access: WsDfu - user=bob" in bad.text


def test_health_stays_open_for_monitoring(surl):
    assert requests.get(surl + "/health", timeout=30).status_code == 200


def test_zeep_with_credentials_works_and_without_fails_with_401(surl):
    s = Session()
    s.auth = ("bob", "bob-pw")
    client = zeep.Client(surl + "/WsDfu/?wsdl", transport=Transport(session=s))
    assert client.service.DFUQuery(LogicalName="*") is not None
    with pytest.raises(requests.HTTPError) as err:
        zeep.Client(surl + "/WsDfu/?wsdl")
    assert err.value.response.status_code == 401


def test_a_changed_htpasswd_file_is_reread(secure, surl):
    path = secure.cluster.settings.htpasswd
    before = path.read_text()
    try:
        path.write_text(before + "erin:{SHA}" + "fEqNCco3Yq9h5ZUglD3CZJT4lBs=\n")  # "123456"
        r = requests.get(surl + "/WsDfu/DFUQuery.json", auth=("erin", "123456"), timeout=30)
        assert r.status_code == 200
    finally:
        path.write_text(before)
    r = requests.get(surl + "/WsDfu/DFUQuery.json", auth=("erin", "123456"), timeout=30)
    assert r.status_code == 401
