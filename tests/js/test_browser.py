"""A person in a browser: headless Chromium (Debian's chromium, driven by playwright-core) opens the
service pages, fills in and submits ?form pages (plain, as JSON, as XML, through the SOAP and JSON
test pages), and clicks every link of the three index pages.
Each flow of browser_flow.mjs is one test."""
from __future__ import annotations

import pytest

from .jsrunner import CHROMIUM, check_flow, flow_params, require, require_node_modules, run_flows

FLOWS = ["package_form", "filespray_form", "submit_modes", "every_form", "index_links"]
KNOWN_GAPS: dict[str, str] = {}  # flow -> the server gap it hits (comms-findings.md)


@pytest.fixture(scope="module")
def browser_report(url):
    node = require_node_modules("playwright-core")
    require(None if CHROMIUM.is_file() else f"{CHROMIUM} is missing: apt-get install chromium")
    return run_flows(node, "browser_flow.mjs", url, timeout=240)


@pytest.mark.parametrize("flow", flow_params(FLOWS, KNOWN_GAPS))
def test_browser_flow(browser_report, flow):
    check_flow(browser_report, flow)
