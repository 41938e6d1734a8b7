"""Throughput with 8 connections against 1, for `hpccemu serve --workers 1` (one process) and
`--workers N` (N gunicorn ESP workers and a DFU server process; default N: the cores).

    .venv/bin/python benchmarks/bench_workers.py [--files 1000] [--workers 2] [--seconds 3] [--rounds 3]

A data dir is seeded once (bench_wsdfu.seed). For each server, DFUQuery (SOAP, 100 rows) and
DFUInfo (SOAP) are driven over 1 and over 8 keep-alive connections (bench_roundtrip.drive); the
8 connections come from two client processes of 4, so the client's own GIL is not the limit.
The figure is requests/s with 8 connections divided by requests/s with 1 (best of the rounds);
the client shares the machine's cores with the server.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_roundtrip import CALLS, drive  # noqa: E402
from serverproc import free_port  # noqa: E402

MEASURED = ("DFUQuery SOAP", "DFUInfo SOAP")


def seed_data_dir(data_dir: str, files: int) -> None:
    from bench_wsdfu import seed
    from hpccemu.testing import ThreadedEmulator

    with ThreadedEmulator(data_dir=data_dir) as emu:
        seed(emu, files)


def start(data_dir: str, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "wsservices", "serve", "--workers", str(workers),
                             "--port", str(port), "--data-dir", data_dir, "--log-level", "warning"],
                            env={**os.environ, "HPCCEMU_DETERMINISTIC": "0"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
            return proc, port
        except requests.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.1)


def _drive(args) -> float:
    return drive(*args)


def rate(pool, port: int, label: str, connections: int, seconds: float) -> float:
    if connections == 1:
        return drive(port, CALLS[label], 1, seconds)
    per = connections // 2
    return sum(pool.map(_drive, [(port, CALLS[label], per, seconds)] * 2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp, multiprocessing.Pool(2) as pool:
        data_dir = str(Path(tmp) / "data")
        seed_data_dir(data_dir, args.files)
        print(f"{args.files} files; {os.cpu_count()} cores; best of {args.rounds} rounds of {args.seconds}s")
        print(f"{'server':<12} {'call':<15} {'1 conn req/s':>13} {'8 conn req/s':>13} {'8 vs 1':>7}")
        for workers in (1, args.workers):
            proc, port = start(data_dir, workers)
            try:
                for label in MEASURED:
                    drive(port, CALLS[label], 2, 0.5)     # warm both sides
                    one = max(rate(pool, port, label, 1, args.seconds) for _ in range(args.rounds))
                    eight = max(rate(pool, port, label, 8, args.seconds) for _ in range(args.rounds))
                    print(f"{'--workers ' + str(workers):<12} {label:<15} {one:>13.0f} {eight:>13.0f} "
                          f"{eight / one:>6.2f}x", flush=True)
            finally:
                proc.terminate()
                proc.wait(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
