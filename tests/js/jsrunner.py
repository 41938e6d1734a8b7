"""Running the JavaScript client scripts of this folder against the session's live emulator.

The scripts need `npm ci` in this folder (node_modules) and, for the browser, Debian's chromium.
When either is missing the tests skip, unless HPCCEMU_REQUIRE_JS=1 (CI sets it): then they fail.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("HPCCEMU_CHROMIUM", "/usr/bin/chromium"))


def require(missing: str | None) -> None:
    """Skip (or, with HPCCEMU_REQUIRE_JS=1, fail) when something the scripts need is missing."""
    if missing is None:
        return
    if os.environ.get("HPCCEMU_REQUIRE_JS") == "1":
        pytest.fail(f"{missing} (HPCCEMU_REQUIRE_JS=1)")
    pytest.skip(missing)


def require_node_modules(*packages: str) -> str:
    """The node executable, once node and the npm packages are there."""
    node = shutil.which("node")
    require(None if node else "node is not on PATH")
    for package in packages:
        require(None if (JS_DIR / "node_modules" / package / "package.json").is_file()
                else f"{package} is not installed: run `npm ci` in {JS_DIR}")
    return node


def run_flows(node: str, script: str, url: str, timeout: float) -> dict:
    """Runs `node script url`; returns its per-flow report {flow: {ok, steps, error, ...}}."""
    try:
        proc = subprocess.run([node, str(JS_DIR / script), url], cwd=JS_DIR, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{script} did not finish in {timeout} s; it said:\n{e.stderr or ''}")
    lines = proc.stdout.strip().splitlines()
    try:
        flows = json.loads(lines[-1])["flows"]
    except (IndexError, ValueError, KeyError):
        pytest.fail(f"{script} exited {proc.returncode} without its JSON report:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    all_ok = all(f["ok"] for f in flows.values())
    assert proc.returncode == (0 if all_ok else 1), f"{script} exit code {proc.returncode}:\n{proc.stderr[-3000:]}"
    return flows


def flow_params(flows: list[str], known_gaps: dict[str, str]) -> list:
    """One pytest param per flow; a flow that hits a known server gap is xfail(strict=True), so it
    shows up (XPASS, a failure) as soon as the gap is fixed."""
    return [pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=known_gaps[f])) if f in known_gaps else f
            for f in flows]


def check_flow(report: dict, flow: str) -> None:
    assert flow in report, f"the script did not run flow {flow}"
    assert report[flow]["ok"], explain(report[flow])


def explain(flow: dict) -> str:
    """A failed flow's report, readable in a pytest failure."""
    lines = [f"failed at step: {flow.get('failedStep')}", f"error: {flow.get('error')}"]
    for exchange in flow.get("lastExchanges", []):
        lines.append(json.dumps(exchange, indent=1))
    if flow.get("pageUrl"):
        lines += [f"page: {flow['pageUrl']}", flow.get("pageText", "")[:1500]]
    return "\n".join(lines)
