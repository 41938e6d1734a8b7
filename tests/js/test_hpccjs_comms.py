"""ECL Watch's client library, @hpcc-js/comms 3.15.4 from npm, drives the emulator unchanged.

comms_flow.mjs runs each flow (drop zones, spray, file queries, superfiles, package maps) through
FileSprayService, DFUService and PackageProcessService over form-encoded POSTs to /Svc/Method.json;
each flow here is one test. Server gaps found this way are listed in /work/notes/comms-findings.md.
"""
from __future__ import annotations

import json

import pytest

from .jsrunner import JS_DIR, check_flow, flow_params, require_node_modules, run_flows

COMMS_VERSION = "3.15.4"
FLOWS = ["ping", "dropzones", "spray", "files", "transfers", "superfiles", "packagemaps", "batch_delete", "missing_wuid", "get_mode"]
# flow -> the server gap it hits (strict: the test starts failing, XPASS, once the gap is fixed)
KNOWN_GAPS: dict[str, str] = {}


@pytest.fixture(scope="module")
def comms_report(url):
    node = require_node_modules("@hpcc-js/comms")
    return run_flows(node, "comms_flow.mjs", url, timeout=120)


def test_the_pinned_comms_is_installed():
    require_node_modules("@hpcc-js/comms")
    installed = json.loads((JS_DIR / "node_modules/@hpcc-js/comms/package.json").read_text())["version"]
    declared = json.loads((JS_DIR / "package.json").read_text())["dependencies"]["@hpcc-js/comms"]
    assert installed == declared == COMMS_VERSION


@pytest.mark.parametrize("flow", flow_params(FLOWS, KNOWN_GAPS))
def test_comms_flow(comms_report, flow):
    check_flow(comms_report, flow)
