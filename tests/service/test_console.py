"""The web console's files, served at /console/ from the package: routing, content types, the
JavaScript modules the page loads, refusals (unknown files, paths out of the folder, POST), the
link from '/', and setup.cfg shipping every file (so a wheel or `pip install .` has them)."""
from __future__ import annotations

import configparser
import http.client
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from wsservices.console import STATIC_DIR, console_files

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["Landing Zones", "Logical Files", "DFU Workunits", "Package Maps", "Roxie Queries"]


def raw_get(url: str, path: str, method: str = "GET") -> http.client.HTTPResponse:
    """A request whose path goes out exactly as written (no client-side '..' folding)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request(method, path)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_console_without_slash_redirects(http, url):
    r = http.get(url + "/console", allow_redirects=False)
    assert (r.status_code, r.headers["Location"]) == (302, "/console/")


def test_index_page_names_every_page_and_loads_the_app_module(http, url):
    r = http.get(url + "/console/")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=UTF-8"
    for name in PAGES:
        assert f">{name}</a>" in r.text
    assert '<script type="module" src="js/app.js"></script>' in r.text
    assert r.text == (STATIC_DIR / "index.html").read_text()


def test_every_module_import_resolves_to_a_served_module(http, url):
    served = console_files()
    js = [name for name in served if name.endswith(".js")]
    assert "js/app.js" in js and len(js) >= 8
    for name in js:
        r = http.get(f"{url}/console/{name}")
        assert r.status_code == 200 and r.headers["Content-Type"] == "text/javascript; charset=UTF-8", name
        for target in re.findall(r'^import .* from "\./([\w.]+)";$', r.text, re.M):
            assert f"js/{target}" in served, f"{name} imports {target}, which is not served"
    assert http.get(url + "/console/console.css").headers["Content-Type"] == "text/css; charset=UTF-8"


def test_console_calls_each_service_at_its_served_version(http, url):
    """ESP serves a JSON POST without ver_ as version 0 (no min_ver fields): the console sends the
    version each service serves, as ECL Watch's client library sends its own."""
    script = http.get(f"{url}/console/js/esp.js").text
    table = dict(re.findall(r'(\w+): "(\d+\.\d+)"', re.search(r"CLIENT_VERSIONS = \{([^}]*)\}", script).group(1)))
    served = {name: s["version"] for name, s in http.get(f"{url}/health").json()["services"].items()}
    called = set(re.findall(r'call\("(\w+)"', "".join(p.read_text() for p in (STATIC_DIR / "js").glob("*.js"))))
    assert called and called <= set(table)
    assert {name: table[name] for name in called} == {name: served[name] for name in called}
    assert "`/${service}/${method}.json?ver_=${CLIENT_VERSIONS[service]}`" in script


@pytest.mark.parametrize("path", ["/console/nothere.js", "/console/../wsservices/app.py", "/console/%2e%2e/console.py",
                                  "/console/js/../../console.py", "/console//etc/passwd", "/console/js/"])
def test_anything_else_is_not_found(url, path):
    r = raw_get(url, path)
    assert r.status == 404, path
    assert r.getheader("Content-Type") == "text/plain; charset=UTF-8"
    assert b"Traceback" not in r.body


def test_post_is_refused(url):
    r = raw_get(url, "/console/", "POST")
    assert (r.status, r.getheader("Allow")) == (405, "GET, HEAD")


def test_root_page_links_to_the_console(http, url):
    page = http.get(url + "/").text
    assert '<a href="/console/">/console/</a>' in page and "the web console" in page


def test_setup_cfg_ships_every_console_file():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    patterns = [p.strip() for p in cfg["options.package_data"]["wsservices"].replace(",", "\n").splitlines() if p.strip()]
    package = ROOT / "wsservices"
    shipped = {p.relative_to(package).as_posix() for pattern in patterns for p in package.glob(pattern)}
    wanted = {f"static/console/{name}" for name in console_files()}
    assert wanted and wanted <= shipped, sorted(wanted - shipped)
