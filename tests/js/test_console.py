"""The web console (/console/) in headless Chromium, through its pages only: upload a CSV,
spray it with the Delimited dialog (its checks first), watch the workunit reach 100%, see the
file's parts and rows, protect it, build superfiles, add and activate a package map from a file,
see the Roxie query's resolved files, locks and a lookup, the other import dialogs' fields,
despray (into a folder)/copy/rename/delete, service errors shown readably, sorting, and
package-map deactivate, part add/remove and delete.
Each flow of console_flow.mjs is one test; the flows run in order and build on each other."""
from __future__ import annotations

import pytest

from .jsrunner import CHROMIUM, check_flow, require, require_node_modules, run_flows

FLOWS = ["upload", "spray", "browse", "superfile", "packagemap", "query", "dialogs", "transfers", "errors", "manage"]


@pytest.fixture(scope="module")
def console_report(url):
    node = require_node_modules("playwright-core")
    require(None if CHROMIUM.is_file() else f"{CHROMIUM} is missing: apt-get install chromium")
    return run_flows(node, "console_flow.mjs", url, timeout=120)


@pytest.mark.parametrize("flow", FLOWS)
def test_console_flow(console_report, flow):
    check_flow(console_report, flow)
