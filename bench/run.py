#!/usr/bin/env python3
"""Benchmark ddblint against Ruff, Semgrep and Fixit on a fixed corpus (issues 8 and 15).

Usage (see bench/README.md)::

    python bench/run.py                 # build/reuse the corpus, install the peers, time, write bench/results.md
    python bench/run.py --reps 3        # fewer repetitions
    python bench/run.py --prepare-only  # only build the corpus and install the peers

Standard library only; Python >= 3.9 on Linux or macOS (it needs ``os.wait4``).

The corpus is three public repositories pinned by commit (REPOS below), reduced to their ``.py``
files. Each repository comes from the first of these that works:

1. a local copy: ``--corpus-dir DIR`` / ``DDBLINT_BENCH_CORPUS`` (DIR holds, per repository, a git
   clone or mirror that has the pinned commit, or a plain source tree);
2. the corpus built by an earlier run, in the cache directory;
3. ``git fetch --depth 1`` of the pinned commit (``--git-url`` / ``DDBLINT_BENCH_GIT_URL``);
4. the source distribution of the pinned release from PyPI (``pip download --no-binary :all:``),
   which holds fewer files (no tests, docs or examples for two of the three).

Every timed command runs as a child process: wall time from ``time.perf_counter``, CPU time
(user + sys) and peak RSS from ``os.wait4`` (which covers the child's waited-for descendants; peak
RSS is that of the largest single process, not the sum of a process pool). Two benchmarks are
not ddblint's command line: ``floor`` parses the DynamoDB subset with LibCST and nothing else
(bench/parse_floor.py), and ``lsp`` times `ddblint server` over the Language Server Protocol
(bench/lsp.py): its value is the 95th percentile of 20 edits' latencies, not a process's wall time.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from pathlib import Path, PurePosixPath
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# --------------------------------------------------------------------------------------------
# The fixed corpus. Tags are the releases whose sdists are the PyPI fallback; commits are what
# those tags point to.
REPOS = [
    {
        "key": "moto",
        "repo": "getmoto/moto",
        "tag": "5.2.3",
        "commit": "3acd662d8196355a1dbbcdb36f7b9ee63d6c70d9",
        "pypi": "moto",
        "version": "5.2.3",
        # A generated 160 k-line data module (AWS managed IAM policies as one dict literal). Its
        # policy strings mention `dynamodb:` actions, so it alone would be 70 % of the
        # "DynamoDB-touching" lines; partial mirrors of the repository also lack its blob.
        "exclude": ["moto/iam/aws_managed_policies.py"],
    },
    {
        "key": "powertools-lambda-python",
        "repo": "aws-powertools/powertools-lambda-python",
        "tag": "v3.2.0",
        "commit": "4d20f6d4d068163b1e281ae5e9dd5da6df14556e",
        "pypi": "aws-lambda-powertools",
        "version": "3.2.0",
        "exclude": [],
    },
    {
        "key": "boto3",
        "repo": "boto/boto3",
        "tag": "1.43.78",
        "commit": "bf8d3436bee5177a2a8316194ea1218e1c95d687",
        "pypi": "boto3",
        "version": "1.43.78",
        "exclude": [],
    },
]
# Directory names Ruff and ddblint skip by default: dropped from the corpus so every tool sees
# the same files (and the line counts are the lines actually linted).
EXCLUDED_DIRS = {
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".hypothesis", ".ipynb_checkpoints",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn",
    ".tox", ".venv", ".vscode", ".ddblint_cache", "__pycache__", "__pypackages__", "_build",
    "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
}
# "Touches DynamoDB" (case-sensitive, as a byte scan).
DDB_PATTERN = re.compile(rb"dynamodb|update_item|put_item|batch_writer|ConsistentRead|pynamodb")
# The pre-commit-shaped run checks this file (falls back to the median-sized DynamoDB file).
ONE_FILE = "powertools-lambda-python/aws_lambda_powertools/utilities/idempotency/persistence/dynamodb.py"
# Peers, installed into an isolated venv under the cache directory. A pin that cannot be
# installed is retried unpinned; the version used is recorded.
PEERS = {"ruff": "0.17.6", "semgrep": "1.182.0", "fixit": "2.1.0"}
SEMGREP_RULES = HERE / "semgrep-rules.yml"
SEMGREP_SAMPLE = HERE / "semgrep-sample.txt"
PARSE_FLOOR = HERE / "parse_floor.py"
LSP_TARGET_MS = 150

BENCHES = ["cold", "warm", "onefile", "subset", "floor", "lsp", "ruff", "semgrep", "fixit", "scale-nonddb",
           "scale-ddb"]
LABELS = {
    "cold": "ddblint cold (--no-cache)",
    "warm": "ddblint warm (cache, nothing changed)",
    "onefile": "ddblint one file (pre-commit shape)",
    "subset": "ddblint cold, DynamoDB subset only",
    "floor": "bare LibCST parse, DynamoDB subset (floor)",
    "lsp": "ddblint server: one-line edit → diagnostics",
    "ruff": "ruff check --select ALL",
    "semgrep": "semgrep (bench/semgrep-rules.yml)",
    "fixit": "fixit lint, DynamoDB subset only",
    "scale-nonddb": "ddblint cold, corpus + non-DynamoDB copy",
    "scale-ddb": "ddblint cold, corpus + DynamoDB copies",
}

GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_HTTP_LOW_SPEED_LIMIT": "1000",
           "GIT_HTTP_LOW_SPEED_TIME": "60"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Corpus

def keep(rel: str, excludes: Sequence[str]) -> bool:
    """Is ``rel`` (posix, relative to the repository root) a corpus file?"""
    if not rel.endswith(".py") or rel in excludes:
        return False
    parts = PurePosixPath(rel).parts
    if any(p in ("", ".", "..") for p in parts):
        return False
    return not any(p in EXCLUDED_DIRS or p.endswith(".egg-info") for p in parts[:-1])


def git(gitdir: Path, *args: str, check: bool = True, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, **GIT_ENV)
    return subprocess.run(["git", "-C", str(gitdir), *args], check=check, timeout=timeout, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def has_commit(path: Path, commit: str) -> bool:
    if shutil.which("git") is None:
        return False
    try:
        return git(path, "cat-file", "-e", commit + "^{commit}", check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def is_git(path: Path) -> bool:
    if shutil.which("git") is None or not path.is_dir():
        return False
    try:
        r = git(path, "rev-parse", "--git-dir", check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    if r.returncode != 0:
        return False
    # a plain directory inside some other repository is not a clone of this one
    gd = Path(r.stdout.decode().strip())
    gd = gd if gd.is_absolute() else (path / gd)
    return gd.resolve() in (path.resolve(), (path / ".git").resolve())


def export_git(path: Path, commit: str, dest: Path, excludes: Sequence[str]) -> List[str]:
    """Write the corpus files of ``commit`` into ``dest`` from the objects of the git repository at
    ``path`` (bare or not; its work tree is not touched). Returns the paths whose blobs are missing."""
    out = git(path, "ls-tree", "-r", "-z", "--full-tree", commit).stdout
    entries = []
    for rec in out.split(b"\0"):
        if not rec:
            continue
        meta, name = rec.split(b"\t", 1)
        mode, typ, sha = meta.split()
        rel = name.decode("utf-8", "surrogateescape")
        if typ == b"blob" and mode in (b"100644", b"100755") and keep(rel, excludes):
            entries.append((sha.decode(), rel))
    missing = []
    env = dict(os.environ, **GIT_ENV)
    proc = subprocess.Popen(["git", "-C", str(path), "cat-file", "--batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env)
    try:
        for sha, rel in entries:
            proc.stdin.write(sha.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) < 3 or header[1] != b"blob":
                missing.append(rel)
                continue
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # trailing newline
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    finally:
        proc.stdin.close()
        proc.wait()
    return missing


def copy_tree(src: Path, dest: Path, excludes: Sequence[str]) -> int:
    n = 0
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED_DIRS and not d.endswith(".egg-info"))
        for f in filenames:
            full = Path(dirpath) / f
            rel = full.relative_to(src).as_posix()
            if keep(rel, excludes) and full.is_file() and not full.is_symlink():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(full, dest / rel)
                n += 1
    return n


def local_candidates(base: Path, spec: dict) -> List[Path]:
    owner, name = spec["repo"].split("/")
    names = [spec["key"], name, f"{owner}+{name}", f"{owner}__{name}", f"{owner}/{name}"]
    out = []
    for n in names:
        for p in (base / n, base / n / "repo"):
            if p.is_dir() and p not in out:
                out.append(p)
    # the directory itself may be the copy of this one repository
    if not out and base.name in names and base.is_dir():
        out.append(base)
    return out


def corpus_dir_of(repos: Sequence[dict]) -> Optional[str]:
    """The `--corpus-dir` a reused corpus was built from, read back from its manifest's sources
    ("local git copy (DIR/getmoto+moto/repo)"), so that results.md can show it as a placeholder."""
    for r in repos:
        m = re.match(r"^local (?:git copy|source tree) \((.+?)\)", r.get("obtained", {}).get("source", ""))
        if not m:
            continue
        owner, name = r["repo"].split("/")
        for n in (r["key"], name, f"{owner}+{name}", f"{owner}__{name}", f"{owner}/{name}"):
            for suffix in (f"/{n}/repo", f"/{n}"):
                if m.group(1).endswith(suffix) and len(m.group(1)) > len(suffix):
                    return m.group(1)[:-len(suffix)]
    return None


def download_sdist(spec: dict, cache: Path) -> Path:
    """Download (or reuse) the pinned sdist and unpack it; returns the unpacked root."""
    sd = cache / "sdist"
    sd.mkdir(parents=True, exist_ok=True)
    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "_", name).lower()

    def find() -> Optional[Path]:
        for p in sorted(sd.iterdir()):
            m = re.match(r"^(.+)-([^-]+?)\.(tar\.gz|zip)$", p.name)
            if m and norm(m.group(1)) == norm(spec["pypi"]) and m.group(2) == spec["version"]:
                return p
        return None

    archive = find()
    if archive is None:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
               "--dest", str(sd), f"{spec['pypi']}=={spec['version']}"]
        log(f"  pip download {spec['pypi']}=={spec['version']} (sdist)")
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
        archive = find()
        if archive is None:
            tail = r.stdout.decode(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError("pip download failed: " + " | ".join(tail))
    unpacked = sd / (archive.name + ".d")
    if not unpacked.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=sd))
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as z:
                for m in z.infolist():
                    if m.filename.endswith(".py") and ".." not in PurePosixPath(m.filename).parts \
                            and not m.filename.startswith("/"):
                        z.extract(m, tmp)
        else:
            with tarfile.open(archive) as t:
                members = [m for m in t.getmembers() if m.isfile() and m.name.endswith(".py")
                           and ".." not in PurePosixPath(m.name).parts and not m.name.startswith("/")]
                for m in members:
                    f = t.extractfile(m)
                    target = tmp / m.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(f.read())
        tmp.rename(unpacked)
    tops = [p for p in unpacked.iterdir() if p.is_dir()]
    return tops[0] if len(tops) == 1 else unpacked


def fetch_repo(spec: dict, dest: Path, args, cache: Path) -> dict:
    """Fill ``dest`` with the corpus files of one repository; returns how they were obtained."""
    commit, excludes = spec["commit"], spec["exclude"]
    notes: List[str] = []
    info: Optional[dict] = None

    def from_git(path: Path, kind: str) -> dict:
        missing = export_git(path, commit, dest, excludes)
        res = {"source": f"{kind} ({path})", "commit": commit, "missing": missing}
        if missing:  # e.g. a partial mirror: take those files from the same release's sdist
            try:
                root = download_sdist(spec, cache)
                filled = []
                for rel in missing:
                    # sdists of a src/ layout or the root layout: try both
                    for cand in (root / rel, root / "src" / rel):
                        if cand.is_file():
                            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                            shutil.copyfile(cand, dest / rel)
                            filled.append(rel)
                            break
                res["missing"] = [m for m in missing if m not in filled]
                if filled:
                    res["filled_from_sdist"] = filled
            except Exception as e:  # noqa: BLE001 - reported, not fatal
                notes.append(f"could not fill {len(missing)} missing blobs from the sdist: {e}")
        return res

    # 1. local copy
    if args.corpus_dir:
        cands = local_candidates(Path(args.corpus_dir).expanduser(), spec)
        gits = [c for c in cands if is_git(c)]
        for cand in gits:
            if has_commit(cand, commit):
                info = from_git(cand, "local git copy")
                break
            notes.append(f"{cand}: git copy without the pinned commit, skipped")
        for cand in ([] if info else [c for c in cands if c not in gits]):
            n = copy_tree(cand, dest, excludes)
            if n:
                info = {"source": f"local source tree ({cand}), unpinned: trusted to be {spec['tag']}",
                        "commit": None, "missing": []}
                notes.append(f"{cand}: plain directory ({n} files), taken as is")
                break
        if info is None:
            notes.append(f"no usable local copy of {spec['repo']} under {args.corpus_dir}")
    # 3. git fetch of the pinned commit
    if info is None and not args.no_git and shutil.which("git"):
        owner, name = spec["repo"].split("/")
        url = args.git_url.format(repo=spec["repo"], owner=owner, name=name, key=spec["key"])
        local = Path(url).expanduser()
        if not re.match(r"^[a-z+]+://|^[\w.-]+@", url) and local.is_dir():
            if is_git(local) and has_commit(local, commit):
                info = from_git(local, "local git mirror")
            else:
                notes.append(f"{url}: no git repository with the pinned commit")
        else:
            gitdir = cache / "git" / spec["key"]
            try:
                if not has_commit(gitdir, commit):
                    shutil.rmtree(gitdir, ignore_errors=True)
                    gitdir.mkdir(parents=True)
                    git(gitdir, "init", "-q")
                    log(f"  git fetch --depth 1 {url} {commit[:12]}")
                    git(gitdir, "fetch", "-q", "--depth", "1", url, commit, timeout=1800)
                info = from_git(gitdir, f"git fetch {url}")
            except (subprocess.SubprocessError, OSError) as e:
                err = getattr(e, "stderr", b"") or b""
                msg = err.decode(errors="replace").strip().splitlines()[-1:] or [str(e)]
                notes.append(f"git fetch {url} failed: {msg[0]}")
                shutil.rmtree(gitdir, ignore_errors=True)
    # 4. PyPI sdist
    if info is None:
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        root = download_sdist(spec, cache)
        copy_tree(root, dest, excludes)
        info = {"source": f"PyPI sdist {spec['pypi']}=={spec['version']} (git unavailable)",
                "commit": None, "missing": []}
    info["notes"] = notes
    return info


def scan_files(root: Path) -> List[Tuple[str, int, bool, str]]:
    """(relative path, lines, touches DynamoDB, sha256) of every .py file under root, sorted."""
    rows = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in sorted(filenames):
            if f.endswith(".py"):
                p = Path(dirpath) / f
                data = p.read_bytes()
                lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
                rows.append((p.relative_to(root).as_posix(), lines, bool(DDB_PATTERN.search(data)),
                             hashlib.sha256(data).hexdigest()))
    rows.sort()
    return rows


def spec_digest() -> str:
    blob = json.dumps([REPOS, sorted(EXCLUDED_DIRS), DDB_PATTERN.pattern.decode()], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def build_corpus(args, cache: Path) -> dict:
    corpus, manifest_path = cache / "corpus", cache / "corpus.json"
    if not args.corpus_dir and not args.rebuild_corpus and manifest_path.is_file() and corpus.is_dir():
        try:
            manifest = json.loads(manifest_path.read_text())
            if manifest.get("spec") == spec_digest():
                log(f"corpus: reusing {corpus} (built {manifest['built']})")
                return manifest
        except (ValueError, KeyError):
            pass
    log(f"corpus: building {corpus}")
    tmp = cache / "corpus.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    repos = []
    for spec in REPOS:
        log(f"- {spec['repo']} @ {spec['tag']} ({spec['commit'][:12]})")
        info = fetch_repo(spec, tmp / spec["key"], args, cache)
        for n in info["notes"]:
            log(f"  note: {n}")
        log(f"  from {info['source']}")
        repos.append({**{k: spec[k] for k in ("key", "repo", "tag", "commit", "pypi", "version", "exclude")},
                      "obtained": info})
    # An empty .semgrepignore: without one Semgrep skips tests/ directories by default.
    (tmp / ".semgrepignore").write_text("")
    shutil.rmtree(corpus, ignore_errors=True)
    tmp.rename(corpus)
    rows = scan_files(corpus)
    manifest = {"spec": spec_digest(), "built": datetime.datetime.now().isoformat(timespec="seconds"),
                "repos": repos, "files": rows}
    manifest["digest"] = hashlib.sha256("".join(f"{r[0]}\0{r[3]}\n" for r in rows).encode()).hexdigest()[:16]
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def corpus_stats(manifest: dict) -> dict:
    rows = manifest["files"]
    per = {}
    for spec in manifest["repos"]:
        sub = [r for r in rows if r[0].startswith(spec["key"] + "/")]
        per[spec["key"]] = {"files": len(sub), "lines": sum(r[1] for r in sub),
                            "ddb_files": sum(1 for r in sub if r[2]), "ddb_lines": sum(r[1] for r in sub if r[2])}
    return {"files": len(rows), "lines": sum(r[1] for r in rows), "ddb_files": sum(1 for r in rows if r[2]),
            "ddb_lines": sum(r[1] for r in rows if r[2]), "per_repo": per}


def link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def build_scaled(cache: Path, manifest: dict, kind: str, copies: int) -> Tuple[Path, int, int]:
    """The corpus plus extra copies under ``_dup_*`` subdirectories. Returns (dir, files, lines added)."""
    corpus = cache / "corpus"
    dest = cache / f"scaled-{kind}"
    stamp = dest / ".stamp"
    key = f"{manifest['digest']}:{kind}:{copies}"
    rows = manifest["files"]
    extra = [r for r in rows if (r[2] if kind == "ddb" else not r[2])]
    if not (stamp.is_file() and stamp.read_text() == key):
        shutil.rmtree(dest, ignore_errors=True)
        for r in rows:
            link_or_copy(corpus / r[0], dest / r[0])
        for i in range(copies):
            sub = f"_dup_{kind}" + (f"_{i + 1}" if copies > 1 else "")
            for r in extra:
                link_or_copy(corpus / r[0], dest / sub / r[0])
        stamp.write_text(key)
    return dest, len(extra) * copies, sum(r[1] for r in extra) * copies


# --------------------------------------------------------------------------------------------
# Peers

def venv_bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def pkg_version(python: Path, dist: str) -> Optional[str]:
    r = subprocess.run([str(python), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.stdout.decode().strip() or None if r.returncode == 0 else None


def install_peers(cache: Path, wanted: Sequence[str]) -> Dict[str, dict]:
    venv = cache / "peers-venv"
    py = venv_bin(venv, "python")
    if not py.exists():
        log(f"peers: creating venv {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    peers = {}
    for name in wanted:
        pin = PEERS[name]
        have = pkg_version(py, name)
        note = None
        if have != pin:
            for req in (f"{name}=={pin}", name):
                log(f"peers: pip install {req}")
                r = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", req],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
                if r.returncode == 0:
                    if req == name:
                        note = f"pinned {name}=={pin} could not be installed; used the newest available"
                    break
                note = (r.stdout.decode(errors="replace").strip().splitlines() or ["?"])[-1]
            have = pkg_version(py, name)
        exe = venv_bin(venv, name)
        if have and exe.exists():
            peers[name] = {"exe": str(exe), "version": have, "note": note}
        else:
            peers[name] = {"exe": None, "version": None, "note": f"could not be installed: {note}"}
            log(f"peers: {name} UNAVAILABLE ({note}); continuing without it")
    if "fixit" in peers and peers["fixit"]["exe"]:
        peers["fixit"]["libcst"] = pkg_version(py, "libcst")
    return peers


def check_semgrep_rules(semgrep: str) -> Tuple[bool, str]:
    """Run the rules on bench/semgrep-sample.txt; every `# expect: RULE` line and nothing else."""
    expected = set()
    text = SEMGREP_SAMPLE.read_text()
    for i, line in enumerate(text.splitlines(), 1):
        m = re.search(r"# expect: ([\w-]+)\s*$", line)
        if m:
            expected.add((i, m.group(1)))
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "sample.py").write_text(text)
        (Path(d) / ".semgrepignore").write_text("")
        r = subprocess.run([semgrep, "scan", "--config", str(SEMGREP_RULES), "--metrics=off",
                            "--disable-version-check", "-q", "--json", "sample.py"], cwd=d,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    try:
        data = json.loads(r.stdout)
    except ValueError:
        return False, "semgrep failed: " + r.stderr.decode(errors="replace")[-300:]
    got = {(res["start"]["line"], res["check_id"].rsplit(".", 1)[-1]) for res in data["results"]}
    if data.get("errors"):
        return False, f"semgrep reported errors: {data['errors'][:1]}"
    if got != expected:
        return False, f"missing {sorted(expected - got)}, unexpected {sorted(got - expected)}"
    return True, f"{len(expected)} expected findings on bench/semgrep-sample.txt, no others"


# --------------------------------------------------------------------------------------------
# Timing

def run_timed(argv: Sequence[str], cwd: Path, env: dict, out: Path, err: Path, timeout: float) -> dict:
    """Run one command; wall time, CPU (user+sys, including waited-for descendants), peak RSS."""
    with open(out, "wb") as fo, open(err, "wb") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(list(argv), cwd=str(cwd), env=env, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        timed_out = []

        def kill():
            timed_out.append(True)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is KiB on Linux, bytes on macOS
    rss_mb = ru.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": rss_mb, "rc": p.returncode,
            "timeout": bool(timed_out)}


def run_lsp(lsp_bench, ddb: Sequence[str], meta: dict, env: dict, out: Path, err: Path) -> Optional[dict]:
    """One session of bench/lsp.py: a result like run_timed's, whose `wall` is the p95 latency
    (seconds) and whose CPU and peak RSS are the server's; None (and meta["error"]) if it failed."""
    try:
        s = lsp_bench.session(ddb, Path(meta["module_abs"]), meta["cwd"], env=env, stderr_path=err,
                              display=meta["module"])
    except (lsp_bench.LspError, OSError) as error:
        meta["error"] = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
        return None
    out.write_text(json.dumps(s, indent=1))
    meta["findings"] = s["findings"]
    meta["matched_by"] = s["matched_by"]
    meta["sync"] = s["sync"]
    return {"kind": "lsp", "wall": s["p95_ms"] / 1000, "cpu": s["server_cpu_s"] or 0.0,
            "rss_mb": s["server_rss_mb"] or 0.0, "rc": s["exit_code"], "timeout": False,
            "p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"], "max_ms": s["max_ms"], "open_ms": s["open_ms"],
            "latencies_ms": s["latencies_ms"]}


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def first_error(path: Path) -> str:
    for line in path.read_text(errors="replace").splitlines():
        if line.strip() and not line.startswith("warning:"):
            return line.strip()[:200]
    return ""


def ddblint_command(args) -> List[str]:
    if args.ddblint:
        return shlex.split(args.ddblint)
    beside = Path(sys.executable).parent / "ddblint"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ddblint")
    if found:
        return [found]
    return [sys.executable, "-m", "ddblint"]


def ddblint_python(ddb: Sequence[str]) -> Optional[str]:
    """The Python interpreter that runs the ddblint command (the command itself when it is a
    Python, else its script's `#!` line), so that the parse floor measures the same LibCST."""
    first = ddb[0]
    if re.fullmatch(r"python[\d.]*(\.exe)?", Path(first).name):
        return shutil.which(first) or first
    script = shutil.which(first) or first
    try:
        with open(script, "rb") as f:
            line = f.readline(4096)
    except OSError:
        return None
    if not line.startswith(b"#!"):
        return None
    parts = shlex.split(line[2:].decode(errors="replace").strip())
    if parts and Path(parts[0]).name == "env":
        parts = [p for p in parts[1:] if not p.startswith("-")]
    if not parts or not re.fullmatch(r"python[\d.]*(\.exe)?", Path(parts[0]).name):
        return None  # a shell script or some other launcher: its Python is not known
    return shutil.which(parts[0]) or (parts[0] if Path(parts[0]).exists() else None)


def load_lsp():
    """bench/lsp.py as a module (the LSP client that times `ddblint server`)."""
    spec = importlib.util.spec_from_file_location("ddblint_bench_lsp", HERE / "lsp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tool_version(argv: Sequence[str]) -> str:
    return tool_version_env(argv, None)


def tool_version_env(argv: Sequence[str], env: Optional[dict]) -> str:
    try:
        r = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, env=env)
        return r.stdout.decode(errors="replace").strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


# --------------------------------------------------------------------------------------------
# Machine

def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        if sys.platform == "darwin":
            cpu = tool_version(["sysctl", "-n", "machdep.cpu.brand_string"])
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        try:
            ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
        except (ValueError, OSError, AttributeError):
            pass
    osname = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = f"{line.split('=', 1)[1].strip(chr(34))} ({platform.system()} {platform.release()})"
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": usable,
            "ram_gib": round(ram, 1) if ram else None, "os": osname,
            "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
            "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None}


def ddblint_source_state(snapshot: Optional[Path]) -> str:
    """Which ddblint code was measured: a digest of its sources (ddblint/ and rules/)."""
    h = hashlib.sha256()
    if snapshot:
        pkg = snapshot / "ddblint"
        files = [(("rules/" + p.relative_to(pkg / "rules").as_posix()) if (pkg / "rules") in p.parents
                  else ("ddblint/" + p.relative_to(pkg).as_posix()), p) for p in pkg.rglob("*.py")]
    else:
        files = [(p.relative_to(ROOT).as_posix(), p) for sub in ("ddblint", "rules") for p in (ROOT / sub).rglob("*.py")]
    for rel, p in sorted(files):
        h.update(rel.encode() + b"\0" + p.read_bytes())
    head = ""
    try:
        r = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=30)
        head = r.stdout.decode().strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return (f"sources sha256 {h.hexdigest()[:12]}" + (f", checkout HEAD {head}" if head else "")
            + (", a snapshot of the work tree taken when the run started" if snapshot else ""))


def take_snapshot(cache: Path) -> Path:
    """Copy this checkout's ddblint (with rules/ as ddblint/rules, as installed) under the cache, so
    edits made while the benchmark runs do not change what it measures."""
    snap = cache / "ddblint-snapshot"
    shutil.rmtree(snap, ignore_errors=True)
    ign = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "ddblint", snap / "ddblint", ignore=ign)
    shutil.copytree(ROOT / "rules", snap / "ddblint" / "rules", ignore=ign)
    # An editable install maps `ddblint` to this checkout with a finder that outranks PYTHONPATH:
    # the launcher drops such finders, puts the snapshot first and runs ddblint's CLI.
    (snap / "run_ddblint.py").write_text(
        "import os, sys\n"
        "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
        "sys.meta_path[:] = [f for f in sys.meta_path\n"
        "                    if not (getattr(f, '__module__', '') or '').startswith('__editable__')]\n"
        "from ddblint.cli import main\n"
        "sys.exit(main())\n")
    # compile now, so that no timed run pays for writing the bytecode cache
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(snap)], stdout=subprocess.DEVNULL)
    return snap


# --------------------------------------------------------------------------------------------
# Report

def med(runs: List[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def fmt_s(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def fmt_ms(x: float) -> str:
    return f"{x:.0f} ms"


# An absolute path left in the report (after the known directories became placeholders): a `/`
# that starts a token, followed by at least one path segment. URLs (`https://…`), `~/…` and
# `<cache>/…` do not match.
ABSOLUTE_PATH = re.compile(r"(?<![\w:/.~<>*+-])/(?:[\w.+@%=,-]+/)*[\w.+@%=,-]+")


def scrub(text: str, paths: Dict[str, str]) -> str:
    """`text` without absolute paths of the machine: the directories in `paths` (placeholder ->
    path; the longest first, so the corpus under the cache is `<cache>/corpus`) become their
    placeholders, and any other absolute path `<path>/` and its last component."""
    for placeholder, path in sorted(((k, v) for k, v in paths.items() if v and v != "/"),
                                    key=lambda kv: (kv[0] in ("<python>", "~"), kv[0] == "~", -len(kv[1]))):
        text = re.sub(re.escape(path.rstrip("/")) + r"(?![\w.+-])", lambda _: placeholder, text)
    return ABSOLUTE_PATH.sub(lambda m: "<path>/" + m.group(0).rsplit("/", 1)[-1], text)


def render(ctx: dict) -> Tuple[str, str]:
    """(console table, results.md)"""
    results, stats, bench_meta = ctx["results"], ctx["stats"], ctx["bench_meta"]
    rows = []
    for b in ctx["order"]:
        runs = results.get(b)
        meta = bench_meta[b]
        if not runs:
            rows.append([LABELS[b], "–", "skipped: " + meta.get("skipped", "not run"), "", "", "", "", "", ""])
            continue
        wall, cpu, rss = med(runs, "wall"), med(runs, "cpu"), med(runs, "rss_mb")
        lo, hi = min(r["wall"] for r in runs), max(r["wall"] for r in runs)
        if b == "lsp":  # latencies of edits, not a process's wall time
            rows.append([LABELS[b], str(len(runs)),
                         f"p95 {fmt_ms(med(runs, 'p95_ms'))} (p50 {fmt_ms(med(runs, 'p50_ms'))}, "
                         f"max {fmt_ms(med(runs, 'max_ms'))})",
                         f"p95 {fmt_ms(lo * 1000)}–{fmt_ms(hi * 1000)}", fmt_s(cpu), f"{rss:.0f} MB",
                         f"{meta.get('files', 0):,} / {meta.get('lines', 0):,}", "–", str(meta.get("findings", "–"))])
            continue
        klps = meta["lines"] / wall / 1000 if meta.get("lines") else None
        rcs = sorted({r["rc"] for r in runs})
        flag = "" if all(r["rc"] in meta["ok"] and not r["timeout"] for r in runs) else f" (rc {rcs}!)"
        rows.append([LABELS[b] + flag, str(len(runs)), fmt_s(wall), f"{fmt_s(lo)}–{fmt_s(hi)}", fmt_s(cpu),
                     f"{rss:.0f} MB", f"{meta.get('files', 0):,} / {meta.get('lines', 0):,}",
                     f"{klps:.1f}" if klps else "–", str(meta.get("findings", "–"))])
    head = ["Benchmark", "Runs", "Wall (median)", "Wall (min–max)", "CPU user+sys", "Peak RSS",
            "Files / lines", "k lines/s", "Findings"]

    def m(b, k="wall"):
        return med(results[b], k) if results.get(b) else None

    ratios = []  # (name, wall-based value, target, met (on wall) or None, CPU-based value, detail)

    def both(num_b, den_b, f):
        """f(num, den) on wall medians and on CPU medians -> (wall value, cpu value) or None."""
        if not (results.get(num_b) and results.get(den_b)):
            return None
        return f(m(num_b), m(den_b)), f(m(num_b, "cpu"), m(den_b, "cpu"))

    def add(name, vals, target, test, fmt, detail=""):
        if vals is None:
            ratios.append((name, "n/a", target, None, "n/a", detail))
        else:
            ratios.append((name, fmt(vals[0]), target, test(vals[0]) if test else None,
                           "–" if vals[1] is None else fmt(vals[1]), detail))

    times = lambda v: f"{v:.2f} ×"  # noqa: E731
    pct = lambda v: f"{v * 100:+.1f} %"  # noqa: E731
    div = lambda a, b: a / b  # noqa: E731
    add("ddblint cold / Ruff", both("cold", "ruff", div), "≤ 2.0 ×", lambda v: v <= 2.0, times)
    add("ddblint cold / Semgrep", both("cold", "semgrep", div), "≤ 0.4 ×", lambda v: v <= 0.4, times)
    floor_meta = bench_meta.get("floor", {})
    add("ddblint DynamoDB subset / bare parse", both("subset", "floor", div), "≤ 1.3 ×", lambda v: v <= 1.3, times,
        "the same files: ddblint's cold run against `libcst.parse_module` of each and nothing else, in as many "
        "worker processes as ddblint uses" + (f", {floor_meta['argv'][3]}" if floor_meta.get("argv") else "")
        + " (bench/parse_floor.py)")
    add("ddblint warm / ddblint cold", both("warm", "cold", div), "≤ 0.10 ×", lambda v: v <= 0.10, times,
        "" if ctx["has_cache"] else "ddblint keeps no result cache yet: warm ≈ cold expected")
    one = results.get("onefile")
    add("ddblint one file (interpreter start included)", (m("onefile"), m("onefile", "cpu")) if one else None,
        "≤ 200 ms", lambda v: v <= 0.200, fmt_s, ctx["onefile_rel"])
    scaling = []
    for b, target, test in (("scale-nonddb", "≤ +10 %", lambda v: v <= 0.10), ("scale-ddb", "(none)", None)):
        meta = bench_meta[b]
        detail = ""
        if meta.get("added_lines"):
            detail = (f"+{meta['added_lines']:,} lines ({meta['added_lines'] / stats['lines'] * 100:.0f} % more), "
                      f"+{meta['added_files']:,} files")
        scaling.append((LABELS[b].replace("ddblint cold, ", "cold run, "), both(b, "cold", lambda a, c: a / c - 1),
                        target, test, pct, detail))
    add(*scaling[0])
    lsp_runs = results.get("lsp")
    lsp_meta = bench_meta.get("lsp", {})
    detail = ""
    if lsp_runs:
        detail = (f"median over {len(lsp_runs)} session(s) of each one's p95 (nearest rank) of "
                  f"{len(lsp_runs[0].get('latencies_ms', [])) or 20} edits; p50 {fmt_ms(med(lsp_runs, 'p50_ms'))}, "
                  f"max {fmt_ms(med(lsp_runs, 'max_ms'))}; `{lsp_meta.get('module', '?')}`, "
                  f"{lsp_meta.get('lines', 0):,} lines, {lsp_meta.get('sync', '?')} sync")
        if lsp_meta.get("matched_by") == "order":
            detail += "; the server published without versions, so diagnostics were matched to edits by order"
    add("ddblint server: one-line edit → diagnostics published, p95", (med(lsp_runs, "p95_ms"), None)
        if lsp_runs else None, f"≤ {LSP_TARGET_MS} ms", lambda v: v <= LSP_TARGET_MS, fmt_ms, detail)
    ddb_rss = [r["rss_mb"] for b in ("cold", "warm", "onefile", "subset", "lsp", "scale-nonddb", "scale-ddb")
               for r in results.get(b, [])]
    if ddb_rss:
        peak = max(ddb_rss)
        ratios.append(("ddblint peak memory (largest process, any run)", f"{peak:.0f} MB", "≤ 250 MB", peak <= 250,
                       "", ""))
    ddb_lines = stats["ddb_lines"]
    detail = ""
    fx = both("fixit", "cold", div)
    if fx:
        detail = (f"information, no target: per DynamoDB-touching line: ddblint cold {m('cold') / ddb_lines * 1e6:.0f} "
                  f"µs, Fixit {m('fixit') / ddb_lines * 1e6:.0f} µs (wall)")
        sub = both("fixit", "subset", div)
        if sub:
            detail += f"; ddblint on the DynamoDB subset alone: {sub[0]:.1f} × Fixit's speed (CPU {sub[1]:.1f} ×)"
    add("ddblint cold's speed-up over Fixit, per DynamoDB-touching line", fx, "(none)", None,
        lambda v: f"{v:.2f} ×", detail)
    add(*scaling[1])

    def mark(ok):
        return "✓" if ok is True else ("✗" if ok is False else "–")

    # console
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)) for r in [head] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    rw = max(len(r[0]) for r in ratios)
    lines.append(f"{'Ratio'.ljust(rw)}  {'wall':>15}  {'target':<14} met  {'CPU':>15}  detail")
    for name, val, target, ok, cpu, extra in ratios:
        lines.append(f"{name.ljust(rw)}  {val:>15}  {target:<14} {mark(ok):^3}  {cpu:>15}  {extra}")
    console = "\n".join(lines)

    # markdown
    mc = ctx["machine"]
    md = ["# ddblint benchmark results", "",
          f"Generated by `python bench/run.py {shlex.join(ctx['argv'])}`".rstrip() + f" on {ctx['started']}; "
          f"the run took {ctx['elapsed'] / 60:.1f} min. Medians of {ctx['reps']} alternating repetitions "
          "(every benchmark once per round, the round's order rotated). Wall = elapsed time; CPU = user+sys of the "
          "process and its waited-for children (`os.wait4`); peak RSS = the largest single process of the run. "
          "Regenerate with the command above; see bench/README.md.", "",
          "## Machine", "",
          f"- CPU: {mc['cpu']}, {mc['cores']} logical cores ({mc['usable_cores']} usable)",
          f"- RAM: {mc['ram_gib']} GiB",
          f"- OS: {mc['os']}",
          f"- Python: {mc['python']}",
          f"- Load average at start / end: {ctx['load']}",
          f"- ddblint: {ctx['versions']['ddblint']} ({ctx['ddblint_state']}); command `{' '.join(ctx['ddblint_cmd'])}`",
          f"- Peers (isolated venv {ctx['peers_venv']}): " + "; ".join(ctx["peer_versions"]),
          "", "## Corpus", "",
          f"{stats['files']:,} Python files, {stats['lines']:,} lines; touching DynamoDB "
          f"(`{DDB_PATTERN.pattern.decode()}`, case-sensitive): {stats['ddb_files']:,} files, "
          f"{stats['ddb_lines']:,} lines. Corpus digest `{ctx['digest']}` (sha256 over paths and contents: two runs "
          f"with the same digest linted the same bytes). Only `.py` files, outside the directories Ruff and ddblint "
          f"exclude by default.", "",
          "| Repository | Pin | Obtained from | Files | Lines | DynamoDB files | DynamoDB lines |",
          "|---|---|---|---:|---:|---:|---:|"]
    for r in ctx["repos"]:
        s = stats["per_repo"][r["key"]]
        ob = r["obtained"]
        src = ob["source"]
        if ob.get("filled_from_sdist"):
            src += f"; {len(ob['filled_from_sdist'])} blob(s) missing there taken from the {r['version']} sdist"
        if ob.get("missing"):
            src += f"; MISSING: {', '.join(ob['missing'])}"
        excl = f"; excluded: {', '.join('`' + e + '`' for e in r['exclude'])}" if r["exclude"] else ""
        md.append(f"| {r['repo']} | {r['tag']} = `{r['commit']}`{excl} | {src} | {s['files']:,} | {s['lines']:,} | "
                  f"{s['ddb_files']:,} | {s['ddb_lines']:,} |")
    md += ["", "## Results", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        md.append("| " + " | ".join(r) + " |")
    md += ["", "## Ratios and targets (issue 15; 2 cores)", "",
           "Targets are judged on wall time, as the issue states them; the same ratio on CPU time (user+sys) is "
           "beside it, steadier when the machine is shared. The floor is a bare LibCST parse of the DynamoDB "
           "subset in as many worker processes as ddblint uses on this machine (ddblint's default: the cores it "
           "may use), so that the subset's ratio to it compares like with like. The language server's row is a "
           "latency, not a process's time: the 95th percentile of 20 one-line edits, from `didChange` written "
           "to that version's `publishDiagnostics` read (bench/lsp.py).", "",
           "| Ratio | Wall | Target | Met | CPU | Detail |", "|---|---:|---|:-:|---:|---|"]
    for name, val, target, ok, cpu, extra in ratios:
        md.append(f"| {name} | {val} | {target} | {mark(ok)} | {cpu} | {extra} |")
    md += ["", "## Commands", "", "Run with the corpus directory as working directory (`.` = the corpus).", ""]
    for b in ctx["order"]:
        meta = bench_meta[b]
        if meta.get("argv"):
            md.append(f"- **{LABELS[b]}**: `{meta['display']}`" + (f" — {meta['note']}" if meta.get("note") else ""))
        elif meta.get("skipped"):
            md.append(f"- **{LABELS[b]}**: skipped ({meta['skipped']})")
    if ctx["notes"]:
        md += ["", "## Notes", ""] + [f"- {n}" for n in ctx["notes"]]
    md += ["", "## Every run", "", "| Benchmark | Round | Wall | CPU | Peak RSS | Exit |", "|---|---:|---:|---:|---:|---:|"]
    for b in ctx["order"]:
        for i, r in enumerate(results.get(b, []), 1):
            wall = (f"p95 {r['p95_ms']:.1f} ms (p50 {r['p50_ms']:.1f}, max {r['max_ms']:.1f})" if b == "lsp"
                    else f"{r['wall']:.3f} s")
            md.append(f"| {b} | {i} | {wall} | {r['cpu']:.3f} s | {r['rss_mb']:.0f} MB | {r['rc']}"
                      f"{' (timeout)' if r['timeout'] else ''} |")
    paths = dict(ctx.get("paths") or {})
    if not paths.get("<corpus-dir>"):  # a reused corpus: the directory it was built from
        paths["<corpus-dir>"] = corpus_dir_of(ctx["repos"]) or ""
    return console, scrub("\n".join(md) + "\n", paths)


# --------------------------------------------------------------------------------------------

def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    default_cache = os.environ.get("DDBLINT_BENCH_CACHE") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ddblint-bench")
    ap.add_argument("--reps", type=int, default=5, help="repetitions of every benchmark (default 5)")
    ap.add_argument("--cache-dir", default=default_cache,
                    help="corpus, downloads and the peers' venv (env DDBLINT_BENCH_CACHE; default %(default)s)")
    ap.add_argument("--corpus-dir", default=os.environ.get("DDBLINT_BENCH_CORPUS"),
                    help="local copies of the repositories (env DDBLINT_BENCH_CORPUS): DIR/<name> or "
                         "DIR/<owner>+<name>[/repo], each a git clone/mirror with the pinned commit or a source tree")
    ap.add_argument("--git-url", default=os.environ.get("DDBLINT_BENCH_GIT_URL", "https://github.com/{repo}.git"),
                    help="where to git-fetch the pinned commits: a template with {repo} {owner} {name} {key}, "
                         "a URL or a local path (env DDBLINT_BENCH_GIT_URL; default %(default)s)")
    ap.add_argument("--no-git", action="store_true", help="do not try git; fall back to PyPI sdists directly")
    ap.add_argument("--rebuild-corpus", action="store_true", help="rebuild the corpus even if a cached one exists")
    ap.add_argument("--only", help=f"comma-separated benchmarks to run (of {','.join(BENCHES)})")
    ap.add_argument("--skip", help="comma-separated benchmarks to skip")
    ap.add_argument("--ddb-copies", default="auto",
                    help="copies of the DynamoDB-touching files added for the DynamoDB scaling run; "
                         "'auto' (default) = enough to double the corpus's lines")
    ap.add_argument("--ddblint", help="command that runs ddblint (default: the ddblint beside this Python, "
                                      "else on PATH, else `python -m ddblint`)")
    ap.add_argument("--snapshot", action="store_true",
                    help="copy this checkout's ddblint/ and rules/ under the cache first and time that copy "
                         "(through a small launcher there), so edits during the run do not change the code measured")
    ap.add_argument("--ddblint-args", default="", help="extra arguments for every ddblint run, e.g. '--jobs 2'")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before one run is killed (default 1800)")
    ap.add_argument("--output", default=str(HERE / "results.md"), help="results file (default bench/results.md)")
    ap.add_argument("--prepare-only", action="store_true", help="build the corpus and install the peers, then stop")
    ap.add_argument("--report-only", action="store_true",
                    help="write the results file again from the last run's <cache>/results.json, timing nothing")
    ap.add_argument("--check-semgrep-rules", action="store_true",
                    help="only check bench/semgrep-rules.yml against bench/semgrep-sample.txt")
    args = ap.parse_args(argv)
    if not hasattr(os, "wait4"):
        ap.error("needs os.wait4 (Linux or macOS)")
    started = datetime.datetime.now()
    t_start = time.perf_counter()
    cache = Path(args.cache_dir).expanduser().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    notes: List[str] = []

    selected = [b for b in BENCHES if not args.only or b in args.only.split(",")]
    selected = [b for b in selected if not args.skip or b not in args.skip.split(",")]
    unknown = {x for x in ((args.only or "") + "," + (args.skip or "")).split(",") if x} - set(BENCHES)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    if args.report_only:
        saved = json.loads((cache / "results.json").read_text())
        for meta in saved["bench_meta"].values():
            if "ok" in meta:
                meta["ok"] = set(meta["ok"])
        console, md = render(saved)
        print(console)
        Path(args.output).write_text(md)
        log(f"wrote {args.output} from {cache / 'results.json'}")
        return 0

    if args.check_semgrep_rules:
        peers = install_peers(cache, ["semgrep"])
        if not peers["semgrep"]["exe"]:
            log("semgrep unavailable")
            return 2
        ok, msg = check_semgrep_rules(peers["semgrep"]["exe"])
        print(("OK: " if ok else "FAILED: ") + msg)
        return 0 if ok else 1

    manifest = build_corpus(args, cache)
    stats = corpus_stats(manifest)
    corpus = cache / "corpus"
    log(f"corpus: {stats['files']:,} files, {stats['lines']:,} lines; DynamoDB-touching "
        f"{stats['ddb_files']:,} files, {stats['ddb_lines']:,} lines (digest {manifest['digest']})")
    for r in manifest["repos"]:
        if r["obtained"].get("missing"):
            notes.append(f"{r['repo']}: {len(r['obtained']['missing'])} file(s) of the pinned commit could not be "
                         f"obtained: {', '.join(r['obtained']['missing'][:5])}")
        if r["obtained"]["commit"] is None:
            notes.append(f"{r['repo']}: taken from {r['obtained']['source']}, not from git: the corpus is smaller "
                         "than the pinned commit's tree, so absolute times are not comparable with git-built runs")

    peer_names = [p for p in ("ruff", "semgrep", "fixit") if p in selected]
    peers = install_peers(cache, peer_names) if peer_names else {}
    for name, p in peers.items():
        if p["note"]:
            notes.append(f"{name}: {p['note']}")

    semgrep_ok = None
    if peers.get("semgrep", {}).get("exe"):
        semgrep_ok, msg = check_semgrep_rules(peers["semgrep"]["exe"])
        log(f"semgrep rules self-check: {'OK' if semgrep_ok else 'FAILED'}: {msg}")
        notes.append(f"Semgrep rule self-check: {'passed' if semgrep_ok else 'FAILED'} ({msg}).")
    if args.prepare_only:
        log("prepared; stopping (--prepare-only)")
        return 0

    ddb = ddblint_command(args)
    ddb_extra = shlex.split(args.ddblint_args)
    ddb_cache_dir = cache / "ddblint-cache"
    env = dict(os.environ, DDBLINT_CACHE_DIR=str(ddb_cache_dir))
    env.pop("DDBLINT_OUTPUT_FORMAT", None)
    # As on a user's machine, where pip compiled the installed modules: a PYTHONDONTWRITEBYTECODE
    # inherited from a CI or sandbox shell would recompile every module of every Python tool on
    # every run (~70 ms of ddblint's one-file run).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    snapshot = None
    if args.snapshot:
        snapshot = take_snapshot(cache)
        ddb = [sys.executable, str(snapshot / "run_ddblint.py")]
        probe_file = snapshot / "probe_ddblint.py"
        probe_file.write_text((snapshot / "run_ddblint.py").read_text().split("from ddblint.cli")[0] +
                              "import ddblint.cli, ddblint.rules, ddblint.engine\n"
                              "print(ddblint.rules.__file__, ddblint.engine.__file__)\n")
        r = subprocess.run([sys.executable, str(probe_file)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0 or not all(x.startswith(str(snapshot)) for x in r.stdout.decode().split()):
            log(f"error: the snapshot of ddblint does not import from {snapshot}: {r.stdout.decode()[-500:]}")
            return 2
        log(f"ddblint: measuring a snapshot of {ROOT} in {snapshot}")
    # ddblint must work before anything is timed
    probe = subprocess.run(ddb + ["check", "--no-cache", "--exit-zero", "-q", str(corpus / next(
        r[0] for r in manifest["files"] if r[2]))] + ddb_extra, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    if probe.returncode != 0:
        log(f"error: `{shlex.join(ddb)} check` fails (exit {probe.returncode}):\n"
            f"{probe.stderr.decode(errors='replace')[-1500:]}")
        return 2
    check_help = subprocess.run(ddb + ["check", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env).stdout.decode()
    has_cache_dir_flag = "--cache-dir" in check_help
    has_cache = has_cache_dir_flag or "keeps none yet" not in check_help
    cache_args = ["--cache-dir", str(ddb_cache_dir)] if has_cache_dir_flag else []
    common = ["--exit-zero", "-q", "--output-format", "concise"] + ddb_extra

    rows = manifest["files"]
    ddb_files = [r[0] for r in rows if r[2]]
    one_rel = ONE_FILE if any(r[0] == ONE_FILE for r in rows) else \
        sorted((r for r in rows if r[2]), key=lambda r: (r[1], r[0]))[len(ddb_files) // 2][0]
    one_lines = next(r[1] for r in rows if r[0] == one_rel)

    bench_meta: Dict[str, dict] = {b: {} for b in BENCHES}

    def setb(b, argv, cwd, files, lines, ok=(0,), note="", display=None):
        bench_meta[b].update(argv=argv, cwd=cwd, files=files, lines=lines, ok=set(ok), note=note,
                             display=display or " ".join(shlex.quote(a) for a in argv))

    nd = lambda a: [Path(a[0]).name] + a[1:]  # noqa: E731 - display without the venv path
    setb("cold", ddb + ["check", ".", "--no-cache"] + common, corpus, stats["files"], stats["lines"],
         display=" ".join(nd(ddb + ["check", ".", "--no-cache"] + common)))
    setb("warm", ddb + ["check", "."] + cache_args + common, corpus, stats["files"], stats["lines"],
         note="after one untimed warm-up run that fills the cache" + ("" if has_cache else
                                                                      "; ddblint keeps no cache yet, so this is a cold run"),
         display=" ".join(nd(ddb + ["check", "."] + (["--cache-dir", "CACHE"] if cache_args else []) + common)))
    setb("onefile", ddb + ["check", one_rel, "--no-cache"] + common, corpus, 1, one_lines,
         display=" ".join(nd(ddb + ["check", one_rel, "--no-cache"] + common)))
    setb("subset", ddb + ["check", "--no-cache"] + common + ddb_files, corpus, stats["ddb_files"], stats["ddb_lines"],
         display=" ".join(nd(ddb + ["check", "--no-cache"] + common)) + " <the DynamoDB-touching files>")
    if peers.get("ruff", {}).get("exe"):
        a = [peers["ruff"]["exe"], "check", "--isolated", "--select", "ALL", "--no-cache", "--output-format",
             "concise", "--exit-zero", "."]
        setb("ruff", a, corpus, stats["files"], stats["lines"], display=" ".join(nd(a)),
             note="`--isolated`: no configuration file or user setting can change what is checked")
    if peers.get("semgrep", {}).get("exe"):
        jobs = str(machine()["usable_cores"] or 1)
        a = [peers["semgrep"]["exe"], "scan", "--config", str(SEMGREP_RULES), "--metrics=off",
             "--disable-version-check", "-q", "--jobs", jobs, "--emacs", "."]
        setb("semgrep", a, corpus, stats["files"], stats["lines"],
             display=" ".join(nd(a)).replace(str(SEMGREP_RULES), "bench/semgrep-rules.yml"),
             note=f"`--jobs {jobs}` (Semgrep's default is 0.85 × cores, rounded down); `--emacs` prints one line per "
                  "finding; the corpus root holds an empty `.semgrepignore`, else Semgrep skips `tests/` by default")
    if peers.get("fixit", {}).get("exe"):
        a = [peers["fixit"]["exe"], "lint"] + ddb_files
        setb("fixit", a, corpus, stats["ddb_files"], stats["ddb_lines"], ok=(0, 1),
             display=f"{Path(a[0]).name} lint <the DynamoDB-touching files>",
             note=f"default built-in rules; LibCST {peers['fixit'].get('libcst')}")
    if "floor" in selected:
        # as many processes as ddblint's pool: its --jobs if the extra arguments give one, else
        # its default, the cores this process may use
        jobs = next((ddb_extra[i + 1] for i, a in enumerate(ddb_extra[:-1]) if a in ("-j", "--jobs")),
                    next((a.split("=", 1)[1] for a in ddb_extra if a.startswith("--jobs=")), None))
        jobs = str(jobs if jobs not in (None, "0") else machine()["usable_cores"] or 1)
        py = ddblint_python(ddb)
        why = None
        if py is None:
            why = (f"cannot tell which Python runs `{shlex.join(nd(ddb))}` (name it: --ddblint 'PYTHON -m ddblint')")
        else:
            r = subprocess.run([py, "-c", "import libcst, importlib.metadata as m; print(m.version('libcst'))"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
            if r.returncode != 0:
                why = f"ddblint's Python cannot import LibCST: {r.stdout.decode(errors='replace').strip()[-200:]}"
        if why:
            bench_meta["floor"]["skipped"] = why
        else:
            a = [py, str(PARSE_FLOOR), "--jobs", jobs] + ddb_files
            setb("floor", a, corpus, stats["ddb_files"], stats["ddb_lines"],
                 display=f"{Path(py).name} bench/parse_floor.py --jobs {jobs} <the DynamoDB-touching files>",
                 note=f"`libcst.parse_module` of each file and nothing else, in a fresh interpreter (the Python "
                      f"that runs ddblint, LibCST {r.stdout.decode().strip()}) with {jobs} worker processes, as "
                      "many as ddblint uses here (its default is the cores it may use), each file read and "
                      "parsed by a worker; LibCST's public parse, with its per-node validation")
    lsp_bench = None
    if "lsp" in selected:
        lsp_bench = load_lsp()
        try:
            module = lsp_bench.find_module(corpus)
            root = lsp_bench.repo_root(module, corpus)
            rel = module.resolve().relative_to(corpus.resolve()).as_posix()
            module_lines = len(module.read_text(encoding="utf-8").splitlines())
            why = lsp_bench.probe(ddb, root, env)
        except (lsp_bench.LspError, OSError, ValueError) as error:
            why = str(error)
        if why:
            bench_meta["lsp"]["skipped"] = f"`{shlex.join(nd(ddb))} server` cannot run: {why}"
            log(f"lsp: skipped: {why}")
        else:
            setb("lsp", ddb + ["server"], root, 1, module_lines,
                 display=f"{' '.join(nd(ddb))} server, driven by bench/lsp.py over stdio",
                 note=f"didOpen of `{rel}` ({module_lines:,} lines; the server's working directory and "
                      f"workspace root are `{rel.split('/')[0]}/`, the corpus has no configuration file), then "
                      f"{lsp_bench.EDITS} one-line didChange edits (a string constant in a function body, two "
                      "sites alternating, every version's text new), each sent once the previous version's "
                      "diagnostics arrived; latency = didChange written → publishDiagnostics of that version "
                      "read. A run is one session with a fresh server: its value is the p95 (nearest rank) of "
                      "its edits; CPU and peak RSS are the server process's over the session")
            bench_meta["lsp"].update(module=rel, module_abs=str(module))
    for b in ("ruff", "semgrep", "fixit"):
        if b in selected and not bench_meta[b].get("argv"):
            bench_meta[b]["skipped"] = f"{b} could not be installed"
    if "scale-nonddb" in selected:
        d, nf, nl = build_scaled(cache, manifest, "nonddb", 1)
        setb("scale-nonddb", ddb + ["check", ".", "--no-cache"] + common, d, stats["files"] + nf, stats["lines"] + nl,
             display=" ".join(nd(ddb + ["check", ".", "--no-cache"] + common)),
             note="run in a copy of the corpus with its non-DynamoDB files added again under `_dup_nonddb/`")
        bench_meta["scale-nonddb"].update(added_files=nf, added_lines=nl)
    if "scale-ddb" in selected:
        copies = max(1, round((stats["lines"]) / max(1, stats["ddb_lines"]))) if args.ddb_copies == "auto" \
            else int(args.ddb_copies)
        d, nf, nl = build_scaled(cache, manifest, "ddb", copies)
        setb("scale-ddb", ddb + ["check", ".", "--no-cache"] + common, d, stats["files"] + nf, stats["lines"] + nl,
             display=" ".join(nd(ddb + ["check", ".", "--no-cache"] + common)),
             note=f"run in a copy of the corpus with {copies} copies of its DynamoDB-touching files added under "
                  f"`_dup_ddb_N/`")
        bench_meta["scale-ddb"].update(added_files=nf, added_lines=nl)

    order = [b for b in selected if bench_meta[b].get("argv")]
    outdir = cache / "out"
    outdir.mkdir(exist_ok=True)

    versions = {"ddblint": tool_version_env(ddb + ["--version"], env)}
    peer_versions = []
    for name in ("ruff", "semgrep", "fixit"):
        p = peers.get(name)
        if p and p["exe"]:
            v = f"{name} {p['version']}"
            if name == "fixit":
                v += f" (LibCST {p.get('libcst')})"
            peer_versions.append(v)
        elif name in selected:
            peer_versions.append(f"{name} unavailable")
    try:
        import libcst  # noqa: F401
        from importlib.metadata import version as _v
        versions["ddblint"] += f", LibCST {_v('libcst')}"
    except Exception:  # noqa: BLE001 - ddblint may live in another environment
        pass

    if "warm" in order:
        shutil.rmtree(ddb_cache_dir, ignore_errors=True)
        log("warm-up: one untimed ddblint run to fill its cache")
        run_timed(bench_meta["warm"]["argv"], corpus, env, outdir / "warmup.out", outdir / "warmup.err", args.timeout)

    results: Dict[str, List[dict]] = {b: [] for b in order}
    load_start = machine()["loadavg_start"]
    for rep in range(args.reps if order else 0):
        k = rep % len(order)
        for b in order[k:] + order[:k]:
            meta = bench_meta[b]
            out, err = outdir / f"{b}.out", outdir / f"{b}.err"
            if b == "lsp":
                r = run_lsp(lsp_bench, ddb, meta, env, out, err)
                if r is None:
                    if not meta.get("warned"):
                        meta["warned"] = True
                        notes.append(f"{LABELS[b]}: a session failed: {meta['error']}")
                    log(f"[{rep + 1}/{args.reps}] {b:<13} FAILED: {meta['error']}")
                    continue
                results[b].append(r)
                log(f"[{rep + 1}/{args.reps}] {b:<13} p95 {r['p95_ms']:7.1f} ms  p50 {r['p50_ms']:7.1f} ms  "
                    f"max {r['max_ms']:7.1f} ms  server cpu {r['cpu']:6.3f} s  rss {r['rss_mb']:4.0f} MB")
                continue
            r = run_timed(meta["argv"], meta["cwd"], env, out, err, args.timeout)
            results[b].append(r)
            if b != "floor":  # its one line of output is a summary, not findings
                meta["findings"] = count_lines(out)
            bad = "" if r["rc"] in meta["ok"] and not r["timeout"] else \
                f"  rc={r['rc']}{' TIMEOUT' if r['timeout'] else ''}: {first_error(err)}"
            if bad and not meta.get("warned"):
                meta["warned"] = True
                notes.append(f"{LABELS[b]}: exit code {r['rc']}{' (killed at the timeout)' if r['timeout'] else ''}"
                             f"; first line of its stderr: `{first_error(err)}`")
            log(f"[{rep + 1}/{args.reps}] {b:<13} wall {r['wall']:8.3f} s  cpu {r['cpu']:8.3f} s  "
                f"rss {r['rss_mb']:6.0f} MB{bad}")
    # stderr oddities worth reporting even with an accepted exit code (e.g. internal errors)
    for b in order:
        errp = outdir / f"{b}.err"
        if b not in ("ruff", "semgrep", "fixit", "floor") and errp.is_file():
            n = sum(1 for line in errp.read_text(errors="replace").splitlines() if "internal error" in line)
            if n:
                notes.append(f"{LABELS[b]}: {n} 'internal error' line(s) on stderr in the last run "
                             f"(e.g. `{next(l for l in errp.read_text(errors='replace').splitlines() if 'internal error' in l)[:160]}`)")
    load_end = os.getloadavg() if hasattr(os, "getloadavg") else None
    cores = machine()["usable_cores"] or 1
    if load_start and load_start[0] > cores:
        notes.append(f"The machine was busy with other work when the run started (1-minute load average "
                     f"{load_start[0]:.1f} on {cores} cores): wall times are inflated and noisier than CPU times, so "
                     "read the CPU column of the ratios beside the wall one.")
    slow = []
    for b in (b for b in order if b != "lsp"):
        mw = statistics.median(r["wall"] for r in results[b])
        slow += [f"{b} round {i} ({r['wall']:.1f} s against a median of {mw:.1f} s)"
                 for i, r in enumerate(results[b], 1) if r["wall"] > 1.3 * mw and r["wall"] - mw > 0.1]
    if slow:
        notes.append("Runs more than 30 % slower than their benchmark's median, a sign of other work on the machine "
                     "(the medians absorb a minority of them; more `--reps` absorb more): " + "; ".join(slow) + ".")
    if ddb_extra:
        notes.append(f"Every ddblint run had the extra arguments `{shlex.join(ddb_extra)}` (`--ddblint-args`).")

    ctx = {
        "results": results, "stats": stats, "bench_meta": bench_meta, "order": order + [b for b in selected if b not in order],
        "machine": machine(), "has_cache": has_cache, "argv": list(argv if argv is not None else sys.argv[1:]),
        "started": started.isoformat(timespec="seconds"), "elapsed": time.perf_counter() - t_start,
        "reps": args.reps, "versions": versions, "ddblint_state": ddblint_source_state(snapshot), "ddblint_cmd": nd(ddb),
        "peers_venv": "<cache>/peers-venv", "peer_versions": peer_versions, "digest": manifest["digest"],
        "repos": manifest["repos"], "notes": notes,
        "load": (" / ".join(", ".join(f"{x:.2f}" for x in l) for l in (load_start, load_end) if l) or "n/a"),
        "onefile_rel": f"`{one_rel}`, {one_lines} lines",
        # what results.md shows instead of this machine's absolute paths
        "paths": {"<corpus-dir>": str(Path(args.corpus_dir).expanduser().resolve()) if args.corpus_dir else "",
                  "<cache>": str(cache), "<checkout>": str(ROOT), "<python>": sys.executable,
                  "~": str(Path.home())},
    }
    console, md = render(ctx)
    print(console)
    Path(args.output).write_text(md)
    saved = dict(ctx, bench_meta={b: {k: (sorted(v) if isinstance(v, set) else v) for k, v in meta.items()}
                                  for b, meta in bench_meta.items()})
    (cache / "results.json").write_text(json.dumps(saved, indent=1, default=str))
    log(f"\nwrote {args.output} (raw: {cache / 'results.json'}); the run took {ctx['elapsed'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
