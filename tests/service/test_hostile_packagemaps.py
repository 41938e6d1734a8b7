"""Hostile package maps: a document over the configured bounds is refused with a clear
WsPackageProcess error (and nothing is stored); attribute handling is linear, and the server
keeps answering other requests while a large map is processed."""
from __future__ import annotations

import threading
import time
import uuid
from xml.sax.saxutils import escape

import pytest
import requests
import zeep
from zeep.transports import Transport

from esputil import envelope
from hpccemu.testing import ThreadedEmulator


def wide_package(attributes: int, pid: str = "q1") -> str:
    attrs = " ".join(f'a{i}="v"' for i in range(attributes))
    return f'<RoxiePackages><Package id="{pid}" {attrs}/></RoxiePackages>'


@pytest.fixture(scope="module")
def client(url):
    return zeep.Client(url + "/WsPackageProcess/?wsdl", transport=Transport(cache=False, timeout=60))


def _refusal(resp) -> tuple[int, str]:
    [exc] = resp.Exceptions.Exception
    return int(exc.Code), exc.Message.split("GMT: ", 1)[-1]


@pytest.mark.parametrize("info,text", [
    (wide_package(100_000),
     "Error processing package file content: 100001 attributes on <Package>, more than the 1000 allowed "
     "(setting package_map_max_attributes)"),
    ("<RoxiePackages>" + "<Package id='p'/>" * 200_001 + "</RoxiePackages>",
     "Error processing package file content: 200002 elements, more than the 200000 allowed "
     "(setting package_map_max_elements)"),
])
def test_a_map_over_the_bounds_is_refused_and_not_stored(client, info, text):
    name = f"hostile{uuid.uuid4().hex[:8]}.pkg"
    for resp in (client.service.AddPackage(Info=info, Target="roxie", PackageMap=name),
                 client.service.AddPartToPackageMap(Target="roxie", PackageMap=name, PartName="p1", Content=info),
                 client.service.ValidatePackage(Target="roxie", Info=info)):
        assert _refusal(resp) == (11011, text)
    listed = client.service.ListPackages(Target="roxie")
    names = [m.Id for m in (listed.PackageMapList.PackageListMapData if listed.PackageMapList else [])]
    assert not [n for n in names if name in n.lower()]


def test_a_map_over_the_size_bound_is_refused():
    with ThreadedEmulator(package_map_max_bytes=1000) as emu:
        client = zeep.Client(emu.url + "/WsPackageProcess/?wsdl", transport=Transport(cache=False))
        resp = client.service.AddPackage(Info=wide_package(200), Target="roxie", PackageMap="big.pkg")
        code, message = _refusal(resp)
        assert code == 11011
        assert message.endswith("characters, more than the 1000 allowed (setting package_map_max_bytes)")


def test_a_map_within_the_bounds_is_stored_with_every_attribute(client):
    name = f"wide{uuid.uuid4().hex[:8]}.pkg"
    resp = client.service.AddPackage(Info=wide_package(999), Target="roxie", PackageMap=name)  # and id
    assert resp.status.Code == 0, resp
    stored = client.service.GetPackageMapById(PackageMapId=f"roxie::{name}").Info
    assert 'a998="v"' in stored and 'a0="v"' in stored


def _add_package(url: str, info: str, name: str) -> requests.Response:
    body = envelope(f'<AddPackageRequest xmlns="urn:hpccsystems:ws:wspackageprocess"><Info>{escape(info)}</Info>'
                    f"<Target>roxie</Target><PackageMap>{name}</PackageMap><OverWrite>1</OverWrite>"
                    "</AddPackageRequest>")
    return requests.post(f"{url}/WsPackageProcess", data=body.encode(), timeout=600,
                         headers={"Content-Type": "text/xml; charset=utf-8"})


def test_other_requests_answer_while_a_large_map_is_processed():
    """With the bounds raised, one Package with 300,000 attributes is taken in; while it is
    processed, other requests (one reads the store) keep completing. Before attribute
    handling was linear, lxml held the interpreter for minutes and no other request answered."""
    with ThreadedEmulator(package_map_max_attributes=1_000_000) as emu:
        info = wide_package(300_000)
        done = threading.Event()
        outcome: dict = {}

        def big():
            outcome["started"] = time.monotonic()
            outcome["response"] = _add_package(emu.url, info, "wide.pkg")
            outcome["ended"] = time.monotonic()
            done.set()

        worker = threading.Thread(target=big)
        worker.start()
        finished: list[float] = []
        with requests.Session() as http:
            while not done.is_set():
                for path in ("/WsPackageProcess/Echo.json?Request=x", "/WsPackageProcess/ListPackages.json"):
                    r = http.get(emu.url + path, timeout=600)
                    assert r.status_code == 200
                    finished.append(time.monotonic())
        worker.join()
        assert "<Code>0</Code>" in outcome["response"].text, outcome["response"].text[:500]
        started, ended = outcome["started"], outcome["ended"]
        # some other request completed in the second half of the big one's time
        assert any(started + (ended - started) / 2 <= t < ended for t in finished), (ended - started, len(finished))
