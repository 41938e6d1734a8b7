"""Round trips against a ceiling: the emulator's DFUQuery (SOAP and ``.json``) and DFUInfo,
against a raw lxml + werkzeug app that writes the same documents, served the same way.

    .venv/bin/python benchmarks/bench_roundtrip.py [--files 1000] [--rounds 5] [--seconds 1.5]

A child process seeds a data dir, serves the emulator and the ceiling (each on its own
`EspServer`, werkzeug's threaded server as `hpccemu serve` uses), and fetches each emulator
answer once to give the ceiling its content. The ceiling parses the request (lxml for SOAP,
werkzeug's query parsing for GET), builds the same document from plain Python lists with lxml
(or `json.dumps`) and serialises it: no SQL, no model, no contract. For 1 and 8 keep-alive
connections the parent drives each target for ``--seconds``, alternating emulator and ceiling,
and keeps the best of ``--rounds`` rounds; the figure is requests/s of the emulator divided by
requests/s of the ceiling (1.0: as fast as the raw app).
"""
from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

NS = "urn:hpccsystems:ws:wsdfu"
SOAP = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{}</soap:Body>'
        "</soap:Envelope>")
CALLS = {
    "DFUQuery SOAP": ("POST", "/WsDfu", SOAP.format(
        f'<DFUQueryRequest xmlns="{NS}"><PageSize>100</PageSize></DFUQueryRequest>')),
    "DFUQuery.json GET": ("GET", "/WsDfu/DFUQuery.json?PageSize=100", None),
    "DFUInfo SOAP": ("POST", "/WsDfu", SOAP.format(
        f'<DFUInfoRequest xmlns="{NS}"><Name>bench::scope07::file000007</Name></DFUInfoRequest>')),
}
HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "WsDfu?ver_=1.65"}


# ---------------------------------------------------------------- the child: both servers

def _tree(el):
    """An lxml element as (tag, text, children) with plain names, for the ceiling to rebuild."""
    from lxml import etree
    return (etree.QName(el).localname, el.text, [_tree(c) for c in el if isinstance(c.tag, str)])


def ceiling_app(documents: dict[str, tuple[str, object]]):
    """The raw app: per request, parse the input and write the stored document again."""
    from lxml import etree
    from werkzeug.wrappers import Request, Response

    envelope_ns = "http://schemas.xmlsoap.org/soap/envelope/"

    def build(parent, node):
        tag, text, children = node
        el = etree.SubElement(parent, tag)
        el.text = text if not children else None
        for child in children:
            build(el, child)

    def app(environ, start_response):
        request = Request(environ)
        if request.method == "POST":
            call = etree.fromstring(request.get_data())[0][0]
            kind, tree = documents[etree.QName(call).localname]
            root = etree.Element(f"{{{envelope_ns}}}Envelope", nsmap={"soap": envelope_ns})
            body = etree.SubElement(root, f"{{{envelope_ns}}}Body")
            tag, _, children = tree
            top = etree.SubElement(body, tag, nsmap={None: NS})
            for child in children:
                build(top, child)
            data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
            response = Response(data, content_type="text/xml; charset=UTF-8")
        else:
            dict(request.args)  # read the parameters, as a method would
            kind, tree = documents["DFUQuery.json"]
            response = Response(json.dumps(tree, separators=(", ", ": ")), content_type="application/json")
        return response(environ, start_response)
    return app


def child(files: int) -> None:
    import logging

    from lxml import etree

    from bench_wsdfu import seed
    from hpccemu.testing import ThreadedEmulator
    from wsservices.engine.config import load_settings
    from wsservices.server import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-rt-") as tmp, ThreadedEmulator(data_dir=tmp) as emu:
        seed(emu, files)
        documents = {}
        host, port = emu.url.rsplit(":", 1)[0].split("//")[1], int(emu.url.rsplit(":", 1)[1])
        for label, (method, path, body) in CALLS.items():
            conn = http.client.HTTPConnection(host, port)
            conn.request(method, path, body=body, headers=HEADERS if body else {})
            data = conn.getresponse().read()
            if method == "GET":
                documents["DFUQuery.json"] = ("json", json.loads(data))
            else:
                call = etree.fromstring(data)[0][0]
                documents[etree.QName(call).localname.replace("Response", "Request")] = ("xml", _tree(call))
        settings = load_settings(None, {"host": "127.0.0.1", "port": 0, "data_dir": tmp}, env={})
        ceiling = make_server(settings, ceiling_app(documents))
        threading.Thread(target=ceiling.serve_forever, daemon=True).start()
        print(json.dumps({"emulator": port, "ceiling": ceiling.server_port}), flush=True)
        sys.stdin.read()  # until the parent closes our stdin
        ceiling.shutdown()


# ---------------------------------------------------------------- the parent: load

def drive(port: int, call: tuple[str, str, str | None], connections: int, seconds: float) -> float:
    """Requests per second over `connections` keep-alive connections for `seconds`."""
    method, path, body = call
    counts = [0] * connections
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        encoded = body.encode() if body else None
        while time.perf_counter() < stop:
            conn.request(method, path, body=encoded, headers=HEADERS if body else {})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"HTTP {response.status} from port {port}")
            counts[i] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--connections", default="1,8")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.files)
        return 0
    proc = subprocess.Popen([sys.executable, __file__, "--child", "--files", str(args.files)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(proc.stdout.readline())
        print(f"{'call':<20}{'conns':>6}{'emulator/s':>12}{'ceiling/s':>11}{'ratio':>8}")
        for label, call in CALLS.items():
            for connections in (int(c) for c in args.connections.split(",")):
                best = {"emulator": 0.0, "ceiling": 0.0}
                drive(ports["emulator"], call, connections, 0.3)  # warm-up
                drive(ports["ceiling"], call, connections, 0.3)
                for _ in range(args.rounds):
                    for target in ("emulator", "ceiling"):
                        best[target] = max(best[target], drive(ports[target], call, connections, args.seconds))
                print(f"{label:<20}{connections:>6}{best['emulator']:>12.0f}{best['ceiling']:>11.0f}"
                      f"{best['emulator'] / best['ceiling']:>8.2f}", flush=True)
    finally:
        proc.stdin.close()
        proc.wait(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
