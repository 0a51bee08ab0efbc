#!/usr/bin/env python3
"""The parse floor (issue 15): `libcst.parse_module` on every file named, nothing else.

Usage::

    python bench/parse_floor.py [--jobs N] FILE...     # or the files one per line on standard input

Standard library and LibCST only. Run it with the Python that runs ddblint, so that it measures
the same LibCST. The files are parsed in N worker processes (default: the cores this process may
use, ddblint's own default for `--jobs`), each worker reading a file and handing its bytes to
`libcst.parse_module`, one file per task, as ddblint's pool takes them; on Linux the workers are
forked after LibCST is imported, as ddblint's are. The parse is LibCST's public one, validation
included. Prints one line: files parsed, files that failed, seconds spent. Exit code 0 (a file
that does not parse is counted, not fatal).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import libcst


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def parse(path: str) -> bool:
    with open(path, "rb") as f:
        data = f.read()
    try:
        libcst.parse_module(data)
        return True
    except Exception:  # noqa: BLE001 - counted
        return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes (default: usable cores)")
    ap.add_argument("files", nargs="*", help="files to parse (default: one per line on standard input)")
    args = ap.parse_args(argv)
    files = args.files or [line.strip() for line in sys.stdin if line.strip()]
    t0 = time.perf_counter()
    if args.jobs > 1 and len(files) > 1:
        ctx = multiprocessing.get_context("fork") if sys.platform != "darwin" and \
            "fork" in multiprocessing.get_all_start_methods() else multiprocessing.get_context()
        with ProcessPoolExecutor(args.jobs, mp_context=ctx) as pool:
            ok = list(pool.map(parse, files))
    else:
        ok = [parse(f) for f in files]
    try:
        from importlib.metadata import version
        libcst_version = version("libcst")
    except Exception:  # noqa: BLE001 - only for the message
        libcst_version = "?"
    print(f"{sum(ok)} files parsed, {len(ok) - sum(ok)} failed, {time.perf_counter() - t0:.3f} s, "
          f"{args.jobs if len(files) > 1 else 1} process(es), LibCST {libcst_version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
