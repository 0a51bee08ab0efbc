#!/usr/bin/env python3
"""Latency of `ddblint server` for one-line edits (issue 15): a language client over stdio.

Usage (see bench/README.md)::

    python bench/lsp.py                       # the module below, 20 edits, JSON on stdout
    python bench/lsp.py --reps 3              # three sessions, each with a fresh server
    python bench/lsp.py --ddblint "python -m ddblint" --file some/module.py --root some

Standard library only. It starts `<ddblint> server` as a child process and speaks the Language
Server Protocol to it over standard input and output (JSON-RPC with Content-Length framing):
`initialize` (publishDiagnostics with versionSupport), `initialized`, `didOpen` of the module, a
wait for its first `publishDiagnostics`, then one-line edits sent as `didChange` (incremental or
full, whichever sync kind the server announces), each only once the diagnostics of the previous
version arrived. An edit's latency is the time from writing its `didChange` to reading the
`publishDiagnostics` whose `version` is the edit's (a server that publishes without a version is
matched by order, and the result says so). Then `shutdown` and `exit`.

The module is a real file of the benchmark corpus, linted where it lies (the server's working
directory and workspace root are the root of its repository in the corpus, as when an editor
opens that repository; the corpus has no configuration file, so ddblint's defaults apply and
project imports resolve as in the command-line runs): MODULE below, 1,051 lines with 200
DynamoDB calls. Without it, the DynamoDB-touching corpus file whose length is nearest to 1,000
lines. The edits alternate between two string constants inside function bodies, a third and two
thirds of the way into the module (in MODULE: `page1["Count"]` at line 352 and
`IndexName="test_lsi"` at line 701), appending the version number (`"test_lsi"` → `"test_lsi_v3"`):
the file stays valid and every version's text differs, so nothing can answer from a cache of an
earlier text.
"""
from __future__ import annotations

import argparse
import ast
import json
import math
import os
import queue
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

MODULE = "moto/tests/test_dynamodb/test_dynamodb_query.py"
TARGET_LINES = 1000
EDITS = 20
TIMEOUT = 60.0  # seconds to wait for any one answer of the server


class LspError(RuntimeError):
    pass


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


# --------------------------------------------------------------------------------------------
# The module and its edits

class Site:
    """A string constant on one line of a function body: where an edit goes."""

    def __init__(self, line: int, start: int, end: int, quote: str, value: str) -> None:
        self.line, self.start, self.end, self.quote, self.value = line, start, end, quote, value

    def literal(self, version: Optional[int]) -> str:
        return f"{self.quote}{self.value}{'' if version is None else f'_v{version}'}{self.quote}"


def edit_sites(text: str) -> List[Site]:
    """Plain string constants (a word, in plain quotes, on an ASCII line) inside function bodies,
    not docstrings nor parts of f-strings, in source order: edits that keep the file valid."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in ast.walk(node))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # docstrings and bare strings
    sites = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for stmt in fn.body:
            for node in ast.walk(stmt):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                        and node.lineno == node.end_lineno):
                    continue
                line = lines[node.lineno - 1]
                if not line.isascii():
                    continue  # ast's columns are UTF-8 bytes, LSP's UTF-16 units: equal on ASCII lines
                source = line[node.col_offset:node.end_col_offset]
                m = re.fullmatch(r"""(["'])([A-Za-z][A-Za-z0-9_-]{0,39})\1""", source)
                if m:
                    sites.append(Site(node.lineno - 1, node.col_offset, node.end_col_offset, m.group(1), m.group(2)))
    unique = {(s.line, s.start): s for s in sites}
    return [unique[k] for k in sorted(unique)]


def pick_sites(text: str) -> Tuple[Site, Site]:
    """Two edit sites on different lines: the first at or after a third of the module, the
    first at or after two thirds (else the last ones)."""
    sites = edit_sites(text)
    lines = len(text.splitlines())
    if len({s.line for s in sites}) < 2:
        raise LspError("the module has fewer than two lines with a plain string constant in a function body")
    first = next((s for s in sites if s.line >= lines // 3), sites[-2])
    second = next((s for s in sites if s.line >= 2 * lines // 3 and s.line != first.line),
                  next(s for s in reversed(sites) if s.line != first.line))
    return first, second


def apply(text: str, site: Site, old: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    line = lines[site.line]
    assert line[site.start:site.start + len(old)] == old, (line, old)
    lines[site.line] = line[:site.start] + new + line[site.start + len(old):]
    return "".join(lines)


def find_module(corpus: Path) -> Path:
    """MODULE in the corpus, else the DynamoDB-touching file nearest to 1,000 lines (by the
    manifest beside the corpus) that has two edit sites."""
    if (corpus / MODULE).is_file():
        return corpus / MODULE
    manifest = corpus.parent / "corpus.json"
    if not manifest.is_file():
        raise LspError(f"no {MODULE} in {corpus} and no manifest {manifest}: name a module with --file")
    rows = json.loads(manifest.read_text())["files"]
    for rel, lines, ddb, _ in sorted((r for r in rows if r[2]), key=lambda r: (abs(r[1] - TARGET_LINES), r[0])):
        try:
            pick_sites((corpus / rel).read_text(encoding="utf-8"))
            return corpus / rel
        except (LspError, SyntaxError, UnicodeDecodeError, OSError, ValueError):
            continue
    raise LspError(f"no DynamoDB-touching module with two edit sites in {corpus}")


# --------------------------------------------------------------------------------------------
# The client

class Client:
    """JSON-RPC over a server's pipes. A reader thread stamps every message with the time it was
    read in full (`time.perf_counter`), so latencies do not include this thread's own delays."""

    def __init__(self, argv: Sequence[str], cwd: Path, env: Optional[dict] = None,
                 stderr_path: Optional[Path] = None) -> None:
        self.stderr_file = open(stderr_path, "wb") if stderr_path else None
        try:
            self.process = subprocess.Popen(list(argv), cwd=str(cwd), env=env, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE,
                                            stderr=self.stderr_file or subprocess.PIPE, start_new_session=True)
        except OSError as error:
            raise LspError(f"cannot start `{shlex.join(argv)}`: {error}") from error
        self.stderr = bytearray()
        self.inbox: "queue.Queue[Optional[Tuple[float, dict]]]" = queue.Queue()
        self.next_id = 0
        self.rusage = None
        self.returncode: Optional[int] = None
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr_reader = None
        if self.stderr_file is None:
            self.stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
            self.stderr_reader.start()

    def _read(self) -> None:
        stream = self.process.stdout
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        if length is not None:
                            break
                        continue
                    name, _, value = line.decode("ascii", "replace").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                body = stream.read(length)
                if len(body) != length:
                    return
                self.inbox.put((time.perf_counter(), json.loads(body.decode("utf-8"))))
        finally:
            self.inbox.put(None)

    def _read_stderr(self) -> None:
        for chunk in iter(lambda: self.process.stderr.read1(65536), b""):
            self.stderr += chunk

    def gone(self) -> str:
        """Why the server stopped answering: its exit code and the end of its standard error."""
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return f"the server stopped reading its input: {self.stderr_tail()}"
        if self.stderr_reader is not None:
            self.stderr_reader.join(timeout=5)
        return f"the server exited (code {code}): {self.stderr_tail()}"

    def stderr_tail(self) -> str:
        if self.stderr_file is not None:
            self.stderr_file.flush()
            try:
                data = Path(self.stderr_file.name).read_bytes()
            except OSError:
                data = b""
        else:
            data = bytes(self.stderr)
        return data.decode(errors="replace").strip()[-1500:]

    def send(self, message: dict) -> float:
        body = json.dumps(dict(message, jsonrpc="2.0")).encode("utf-8")
        try:
            t = time.perf_counter()
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise LspError(self.gone()) from error
        return t

    def notify(self, method: str, params: Any = None) -> float:
        return self.send({"method": method, **({"params": params} if params is not None else {})})

    def receive(self, deadline: float) -> Tuple[float, dict]:
        """The next message from the server; requests from it are answered (with null) on the way."""
        while True:
            try:
                item = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LspError(f"no answer from the server within {TIMEOUT:.0f} s") from None
            if item is None:
                self.inbox.put(None)
                raise LspError(self.gone())
            t, message = item
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
                continue
            return t, message

    def request(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> Any:
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, **({"params": params} if params is not None else {})})
        deadline = time.monotonic() + timeout
        while True:
            _, message = self.receive(deadline)
            if message.get("id") == request_id and "method" not in message:
                if "error" in message:
                    raise LspError(f"{method} failed: {message['error']}")
                return message.get("result")

    def diagnostics(self, uri: str, version: Optional[int], timeout: float = TIMEOUT) -> Tuple[float, dict]:
        """(arrival time, params) of the next publishDiagnostics for `uri` with `version` (or
        with no version at all, which the caller then matches by order)."""
        deadline = time.monotonic() + timeout
        while True:
            t, message = self.receive(deadline)
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params["uri"] == uri and (version is None or params.get("version") in (version, None)):
                return t, params

    def wait(self, timeout: float = 30) -> int:
        """Reap the server; its CPU time and peak RSS come from os.wait4."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status, ru = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.rusage = ru
                self.returncode = self.process.returncode = os.waitstatus_to_exitcode(status)
                return self.returncode
            time.sleep(0.01)
        self.kill()
        return self.wait(10)

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass

    def close(self) -> None:
        if self.returncode is None and self.process.poll() is None:
            self.kill()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.stderr_file is not None:
            self.stderr_file.close()


CAPABILITIES = {
    "general": {"positionEncodings": ["utf-16"]},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "didSave": True},
        "publishDiagnostics": {"versionSupport": True, "codeDescriptionSupport": True},
    },
    "workspace": {"workspaceFolders": True},
}


def sync_kind(capabilities: dict) -> int:
    """1 = full, 2 = incremental (0 = none: then full, as a client must send something)."""
    sync = capabilities.get("textDocumentSync", 0)
    kind = sync.get("change", 0) if isinstance(sync, dict) else sync
    return 2 if kind == 2 else 1


def session(ddblint: Sequence[str], module: Path, root: Path, edits: int = EDITS, env: Optional[dict] = None,
            stderr_path: Optional[Path] = None, display: Optional[str] = None) -> dict:
    """One server, one document, `edits` one-line edits. Raises LspError when the server cannot
    start or stops answering."""
    text = module.read_text(encoding="utf-8")
    sites = pick_sites(text) if edits else ()
    uri = module.resolve().as_uri()
    t0 = time.perf_counter()
    client = Client(list(ddblint) + ["server"], root, env, stderr_path)
    try:
        result = client.request("initialize", {
            "processId": os.getpid(), "rootUri": root.resolve().as_uri(),
            "workspaceFolders": [{"uri": root.resolve().as_uri(), "name": root.name}],
            "capabilities": CAPABILITIES})
        initialized_after = time.perf_counter() - t0
        kind = sync_kind(result.get("capabilities", {}))
        client.notify("initialized", {})
        sent = client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        arrived, params = client.diagnostics(uri, 1)
        by_order = "version" not in params
        open_latency = arrived - sent
        findings = len(params["diagnostics"])
        if not findings:
            raise LspError(f"{display or module}: the server published no diagnostics for the module; "
                           "the benchmark needs a module it really lints")
        latencies, versions_back = [], []
        current = {id(s): s.literal(None) for s in sites}
        for k in range(edits):
            version = k + 2
            site = sites[k % 2]
            old, new = current[id(site)], site.literal(version)
            start = {"line": site.line, "character": site.start}
            end = {"line": site.line, "character": site.start + len(old)}
            text = apply(text, site, old, new)
            current[id(site)] = new
            change = {"range": {"start": start, "end": end}, "text": new} if kind == 2 else {"text": text}
            sent = client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            arrived, params = client.diagnostics(uri, version)
            by_order = by_order or "version" not in params
            latencies.append(arrived - sent)
            versions_back.append(params.get("version"))
        client.request("shutdown")
        client.notify("exit")
        try:
            client.process.stdin.close()
        except OSError:
            pass
        code = client.wait()
    finally:
        client.close()
    ms = [x * 1000 for x in latencies]
    out = {
        "module": display or str(module), "lines": len(text.splitlines()), "edits": edits,
        "sync": "incremental" if kind == 2 else "full", "matched_by": "order" if by_order else "version",
        "edit_lines": [s.line + 1 for s in sites],
        "initialize_ms": round(initialized_after * 1000, 1), "open_ms": round(open_latency * 1000, 1),
        "findings": findings, "latencies_ms": [round(x, 1) for x in ms],
        "server_cpu_s": round(client.rusage.ru_utime + client.rusage.ru_stime, 3) if client.rusage else None,
        "server_rss_mb": round(client.rusage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
        if client.rusage else None,
        "exit_code": code,
    }
    if ms:
        out.update(p50_ms=round(percentile(ms, 50), 1), p95_ms=round(percentile(ms, 95), 1),
                   max_ms=round(max(ms), 1))
    return out


def probe(ddblint: Sequence[str], root: Path, env: Optional[dict] = None) -> Optional[str]:
    """None if `<ddblint> server` starts and answers initialize and shutdown, else why not."""
    try:
        client = Client(list(ddblint) + ["server"], root, env)
    except LspError as error:
        return str(error)
    try:
        client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}}, timeout=120)
        client.notify("initialized", {})
        client.request("shutdown")
        client.notify("exit")
        client.wait()
        return None
    except LspError as error:
        return str(error)
    finally:
        client.close()


def default_ddblint() -> List[str]:
    beside = Path(sys.executable).parent / "ddblint"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ddblint")
    return [found] if found else [sys.executable, "-m", "ddblint"]


def repo_root(module: Path, corpus: Path) -> Path:
    """The repository directory in the corpus that holds `module` (corpus/<repo>)."""
    try:
        rel = module.resolve().relative_to(corpus.resolve())
        return corpus.resolve() / rel.parts[0]
    except (ValueError, IndexError):
        return module.resolve().parent


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_cache = os.environ.get("DDBLINT_BENCH_CACHE") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ddblint-bench")
    ap.add_argument("--ddblint", help="command that runs ddblint (default: the ddblint beside this Python, "
                                      "else on PATH, else `python -m ddblint`); `server` is appended")
    ap.add_argument("--cache-dir", default=default_cache,
                    help="the benchmark's cache, whose corpus/ holds the module (default %(default)s)")
    ap.add_argument("--file", help=f"the module to edit (default: <cache>/corpus/{MODULE})")
    ap.add_argument("--root", help="the server's working directory and workspace root (default: the module's "
                                   "repository in the corpus, else its directory)")
    ap.add_argument("--edits", type=int, default=EDITS, help="one-line edits per session (default %(default)s)")
    ap.add_argument("--reps", type=int, default=1, help="sessions, each with a fresh server (default 1)")
    ap.add_argument("--stderr", help="write the server's standard error to this file")
    args = ap.parse_args(argv)
    if not hasattr(os, "wait4"):
        ap.error("needs os.wait4 (Linux or macOS)")
    ddblint = shlex.split(args.ddblint) if args.ddblint else default_ddblint()
    corpus = Path(args.cache_dir).expanduser() / "corpus"
    try:
        module = Path(args.file).expanduser() if args.file else find_module(corpus)
        root = Path(args.root).expanduser() if args.root else repo_root(module, corpus)
        try:
            display = module.resolve().relative_to(corpus.resolve()).as_posix()
        except ValueError:
            display = str(module)
        sessions = []
        for rep in range(args.reps):
            s = session(ddblint, module, root, args.edits, stderr_path=Path(args.stderr) if args.stderr else None,
                        display=display)
            log(f"[{rep + 1}/{args.reps}] p50 {s.get('p50_ms')} ms  p95 {s.get('p95_ms')} ms  max {s.get('max_ms')} ms"
                f"  (open {s['open_ms']} ms, {s['findings']} findings)")
            sessions.append(s)
    except LspError as error:
        log(f"error: {error}")
        return 2
    if len(sessions) == 1:
        print(json.dumps(sessions[0], indent=1))
    else:
        summary = {k: statistics.median(s[k] for s in sessions) for k in ("p50_ms", "p95_ms", "max_ms", "open_ms")
                   if all(k in s for s in sessions)}
        print(json.dumps({"reps": len(sessions), "median_of_sessions": summary, "sessions": sessions}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
