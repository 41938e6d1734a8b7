"""Spray and despray throughput per format, as ratios to a plain copy of the same bytes.

    python benchmarks/bench_transfer.py [--size-mib 1024] [--parts 4] [--rounds 3] [--keep]
                                        [--formats csv,fixed] [--concurrent 4]

Starts `hpccemu serve` as a separate process (deterministic mode: a SOAP spray returns when the
transfer is done) on a temporary data dir, writes one source file per format into its drop zone,
then for each format, in interleaved rounds:

* baselines, each a plain copy of the same bytes in the same shape, fsynced (the emulator fsyncs
  every file it writes before renaming it, so the baselines give the same durability):
  ``copy``   the source file to one file (shutil.copyfile, then fsync);
  ``1->N``   the source into N files of a 1/N range each (what a spray writes);
  ``N->1``   the N part files of the sprayed logical file into one file (what a despray writes);
  ``cp``     the command ``cp`` of the source, then ``sync``;
  ``cat``    the command ``cat`` of the N part files into one file, then ``sync``;
* a SprayFixed/SprayVariable into N parts and a Despray back to one file (checked equal by size).

Dirty pages are flushed (os.sync) and the disk left alone for a second before each timed step;
the best rate of each step over the rounds is kept, because a VM's disk speed drifts a lot from one second to the next. Prints MB/s,
spray's ratio to ``1->N`` and despray's ratio to ``N->1`` (the ratios to the one-file ``copy``
in brackets, then spray's to ``cp`` and despray's to ``cat``), and the server's peak RSS
(VmHWM). Targets: ratio >= 0.9 for fixed and plain CSV, >= 0.6 for quote-aware CSV and XML; peak
RSS <= 64 MiB above the idle server's.

``--concurrent K`` then runs K CSV sprays of ``--size-mib`` each at once (K SOAP calls from K
threads) against K ``cp`` processes at once followed by ``sync``, and prints the ratio (target
>= 0.9; the DFU server must run K jobs at once).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import zeep
from zeep.transports import Transport

from serverproc import server_process

LZ = "/var/lib/HPCCSystems/mydropzone"
BLOCK = 4 * 1024 * 1024



def write_file(path: Path, size: int, make_block) -> int:
    """Fill `path` with whole records up to about `size` bytes; returns the real size."""
    block = make_block()
    written = 0
    with open(path, "wb") as f:
        while written + len(block) <= size:
            f.write(block)
            written += len(block)
    return written


def fixed_block() -> bytes:
    return b"".join(b"%09d\n" % i for i in range(BLOCK // 10))


def rows_block(row) -> bytes:
    """About BLOCK bytes of whole rows, `row(n)` giving the row that starts at offset n."""
    rows, n = [], 0
    while n < BLOCK:
        rows.append(row(n))
        n += len(rows[-1])
    return b"".join(rows)


def csv_block() -> bytes:
    return rows_block(lambda n: b"%d,name%d,some text here,%d\n" % (n, n, n * 7))


def quoted_csv_block() -> bytes:
    return rows_block(lambda n: b'%d,"name %d, with comma","two\nlines"\n' % (n, n))


def xml_rows_block() -> bytes:
    return rows_block(lambda n: b"<Row><id>%d</id><name>n%d</name></Row>\n" % (n, n))


def write_xml(path: Path, size: int) -> int:
    head, foot = b'<?xml version="1.0"?>\n<Dataset>\n', b"</Dataset>\n"
    block = xml_rows_block()
    written = 0
    with open(path, "wb") as f:
        f.write(head)
        while written + len(block) <= size - len(head) - len(foot):
            f.write(block)
            written += len(block)
        f.write(foot)
    return written + len(head) + len(foot)


SETTLE = 1.0   # seconds of quiet after os.sync() before a timed step


def timed(action, cleanup: Path | None = None) -> float:
    """Seconds `action` takes, dirty pages flushed first (and `cleanup` removed after).

    Every step starts from the same state: no dirty pages, and a short quiet spell so that the
    freeing (and, on a filesystem mounted with `discard`, trimming) of files deleted just before
    does not land on one step more than on another."""
    os.sync()
    time.sleep(SETTLE)
    t = time.perf_counter()
    action()
    elapsed = time.perf_counter() - t
    if cleanup is not None:
        cleanup.unlink()
    return elapsed


def synced_copy(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)
    with open(dst, "rb+") as f:
        os.fsync(f.fileno())


def cp_sync(src: Path, dst: Path) -> None:
    """The plain baseline of a spray: ``cp`` then ``sync``."""
    subprocess.run(["cp", str(src), str(dst)], check=True)
    subprocess.run(["sync"], check=True)


def cat_sync(parts: list[Path], dst: Path) -> None:
    """The plain baseline of a despray: ``cat`` of the parts into one file, then ``sync``."""
    with open(dst, "wb") as out:
        subprocess.run(["cat", *map(str, parts)], stdout=out, check=True)
    subprocess.run(["sync"], check=True)


def copy_ranges(pieces: list[tuple[Path, int, int]], dst: Path) -> None:
    """Append ranges (path, offset, length) to `dst` with the kernel's copy, then fsync."""
    with open(dst, "wb") as out:
        at = 0
        for path, offset, length in pieces:
            with open(path, "rb") as f:
                done = 0
                while done < length:
                    n = os.copy_file_range(f.fileno(), out.fileno(), length - done, offset + done, at)
                    if n <= 0:
                        raise OSError(f"short copy from {path}")
                    done += n
                    at += n
        os.fsync(out.fileno())


def split_copy(src: Path, parts: int, folder: Path) -> list[Path]:
    """Baseline of a spray: the source into `parts` files of one range each, each fsynced."""
    size = src.stat().st_size
    bounds = [k * size // parts for k in range(parts + 1)]
    outs = [folder / f"split{k}.tmp" for k in range(parts)]
    for k, out in enumerate(outs):
        copy_ranges([(src, bounds[k], bounds[k + 1] - bounds[k])], out)
    return outs


def part_files(data: Path, lfn: str) -> list[Path]:
    """The part files of a logical file, in part order (nodes/<n>/hpcc-data/<scopes>/<tail>._p_of_N)."""
    scopes, tail = lfn.split("::")[:-1], lfn.split("::")[-1]
    found = [p for p in (data / "nodes").glob(f"*/hpcc-data/thor/{'/'.join(scopes)}/{tail}._*_of_*")
             if not p.name.endswith(".tmp")]
    return sorted(found, key=lambda p: int(p.name.rsplit("._", 1)[1].split("_of_")[0]))


def check(fs, wuid: str) -> None:
    state = fs.GetDFUProgress(wuid=wuid)
    assert state.State == "finished", state.SummaryMessage


def delete_file(url: str, lfn: str) -> None:
    requests.post(url + "/WsDfu", timeout=600, headers={"Content-Type": "text/xml"}, data=(
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f"<DFUArrayActionRequest><Type>Delete</Type><LogicalFiles><Item>{lfn}</Item></LogicalFiles>"
        "</DFUArrayActionRequest></soap:Body></soap:Envelope>"))


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def concurrent_sprays(fs, url: str, zone: Path, root: Path, size: int, args) -> bool:
    """K CSV sprays at once against K ``cp`` at once (then ``sync``); best of the rounds."""
    k = args.concurrent
    sources = [zone / f"conc{i}.csv" for i in range(k)]
    mb = sum(write_file(src, size, csv_block) for src in sources) / 1e6
    best_cp = best_spray = 0.0
    with ThreadPoolExecutor(k) as pool:
        for round_no in range(args.rounds):
            outs = [root / f"conc{i}.tmp" for i in range(k)]

            def all_cp() -> None:
                procs = [subprocess.Popen(["cp", str(s), str(o)]) for s, o in zip(sources, outs)]
                assert all(p.wait() == 0 for p in procs)
                subprocess.run(["sync"], check=True)
            best_cp = max(best_cp, mb / timed(all_cp))
            for out in outs:
                out.unlink()
            names = [f"bench::conc{round_no}_{i}" for i in range(k)]

            def all_spray() -> None:
                wuids = list(pool.map(lambda a: fs.SprayVariable(
                    sourceIP="127.0.0.1", sourcePath=a[0].name, destGroup="mythor", destLogicalName=a[1],
                    sourceFormat=1, quotedTerminator=False, destNumParts=args.parts).wuid, zip(sources, names)))
                for wuid in wuids:
                    check(fs, wuid)
            best_spray = max(best_spray, mb / timed(all_spray))
            for name in names:
                delete_file(url, name)
    for src in sources:
        src.unlink()
    ratio = best_spray / best_cp
    print(f"{k} sprays at once: cp {best_cp:.0f} MB/s, spray {best_spray:.0f} MB/s, ratio {ratio:.2f} (target >= 0.9)")
    return ratio >= 0.9


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best of each is kept")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    ap.add_argument("--formats", default="fixed,csv,csv-quoted,xml", help="comma-separated formats to run")
    ap.add_argument("--concurrent", type=int, default=0, help="also K sprays at once vs K cp at once")
    args = ap.parse_args()
    size = args.size_mib * 1024 * 1024
    root = Path(tempfile.mkdtemp(prefix="hpccemu-bench-"))
    try:
        with server_process(root / "data") as (url, server):
            fs = zeep.Client(url + "/FileSpray/?wsdl", transport=Transport(cache=False, timeout=3600)).service
            idle_rss = peak_rss_mib(server.pid)
            zone = root / "data" / "dropzones" / "mydropzone"
            cases = [
                ("fixed", "src.dat", lambda p: write_file(p, size, fixed_block),
                 lambda n, s: fs.SprayFixed(sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n,
                                            sourceRecordSize=10, destNumParts=args.parts), 0.9),
                ("csv", "src.csv", lambda p: write_file(p, size, csv_block),
                 lambda n, s: fs.SprayVariable(sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n,
                                               sourceFormat=1, quotedTerminator=False, destNumParts=args.parts), 0.9),
                ("csv-quoted", "srcq.csv", lambda p: write_file(p, size, quoted_csv_block),
                 lambda n, s: fs.SprayVariable(sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n,
                                               sourceFormat=1, quotedTerminator=True, destNumParts=args.parts), 0.6),
                ("xml", "src.xml", lambda p: write_xml(p, size),
                 lambda n, s: fs.SprayVariable(sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n,
                                               sourceFormat=2, sourceRowTag="Row", destNumParts=args.parts), 0.6),
            ]
            print(f"{args.size_mib} MiB per format, {args.parts} parts; server idle RSS {idle_rss:.0f} MiB")
            cases = [c for c in cases if c[0] in args.formats.split(",")]
            print(f"{'format':<11} {'copy':>6} {'1->N':>6} {'N->1':>6} {'cp':>6} {'cat':>6} {'spray':>6} "
                  f"{'ratio':>13} {'/cp':>5} {'despray':>7} {'ratio':>13} {'/cat':>5} {'target':>6}   (MB/s)")
            failed = False
            for label, name, make, spray, target in cases:
                src = zone / name
                nbytes = make(src)
                mb = nbytes / 1e6
                best = {"copy": 0.0, "split": 0.0, "join": 0.0, "spray": 0.0, "despray": 0.0, "cp": 0.0,
                        "cat": 0.0}

                def keep(step: str, seconds: float) -> None:
                    best[step] = max(best[step], mb / seconds)

                for round_no in range(args.rounds):   # interleaved, best of each: the VM's disk speed drifts
                    keep("copy", timed(lambda: synced_copy(src, root / "copy.tmp"), cleanup=root / "copy.tmp"))
                    keep("cp", timed(lambda: cp_sync(src, root / "cp.tmp"), cleanup=root / "cp.tmp"))
                    outs: list[Path] = []
                    keep("split", timed(lambda: outs.extend(split_copy(src, args.parts, root))))
                    for out in outs:
                        out.unlink()
                    lfn = f"bench::{label.replace('-', '_')}{round_no}"
                    keep("spray", timed(lambda: check(fs, spray(lfn, name).wuid)))
                    parts = part_files(root / "data", lfn)
                    assert len(parts) == args.parts, parts
                    keep("join", timed(lambda: copy_ranges([(p, 0, p.stat().st_size) for p in parts], root / "join.tmp"),
                                       cleanup=root / "join.tmp"))
                    keep("cat", timed(lambda: cat_sync(parts, root / "cat.tmp"), cleanup=root / "cat.tmp"))
                    out = zone / f"out_{name}"
                    keep("despray", timed(lambda: check(fs, fs.Despray(
                        sourceLogicalName=lfn, destGroup="mydropzone", destPath=out.name).wuid)))
                    assert out.stat().st_size == nbytes
                    out.unlink()
                    delete_file(url, lfn)
                src.unlink()
                ratios = best["spray"] / best["split"], best["despray"] / best["join"]
                plain = best["spray"] / best["copy"], best["despray"] / best["copy"]
                ok = min(ratios) >= target
                failed |= not ok
                print(f"{label:<11} {best['copy']:>6.0f} {best['split']:>6.0f} {best['join']:>6.0f} "
                      f"{best['cp']:>6.0f} {best['cat']:>6.0f} "
                      f"{best['spray']:>6.0f} {ratios[0]:>5.2f} ({plain[0]:>4.2f}) {best['spray'] / best['cp']:>5.2f} "
                      f"{best['despray']:>7.0f} {ratios[1]:>5.2f} ({plain[1]:>4.2f}) {best['despray'] / best['cat']:>5.2f} "
                      f"{'>=' + str(target):>6}{'' if ok else '  BELOW TARGET'}")
            if args.concurrent:
                failed |= not concurrent_sprays(fs, url, zone, root, size, args)
            rss = peak_rss_mib(server.pid)
            print(f"server peak RSS {rss:.0f} MiB ({rss - idle_rss:+.0f} MiB over idle; target <= +64)")
            return 1 if failed or rss - idle_rss > 64 else 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
