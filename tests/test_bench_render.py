"""bench/run.py's report (`render`) from a synthetic run: no absolute path of the machine it ran
on reaches results.md (issue 15), and the report has the issue's rows and targets. Nothing is
timed and no tool runs."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

HOME = "/home/alice"
CHECKOUT = f"{HOME}/src/ddblint"
CACHE = f"{HOME}/.cache/ddblint-bench"
CORPUS_DIR = "/srv/mirror"
PYTHON = f"{CHECKOUT}/.venv/bin/python"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run_under_test", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(wall: float, cpu: float, rss: float = 150.0) -> dict:
    return {"wall": wall, "cpu": cpu, "rss_mb": rss, "rc": 0, "timeout": False}


def lsp_run(p50: float, p95: float, top: float) -> dict:
    return {"kind": "lsp", "wall": p95 / 1000, "cpu": 6.5, "rss_mb": 90.0, "rc": 0, "timeout": False,
            "p50_ms": p50, "p95_ms": p95, "max_ms": top, "open_ms": 600.0, "latencies_ms": [p50] * 19 + [top]}


def synthetic_context(run) -> dict:
    snapshot = f"{CACHE}/ddblint-snapshot/run_ddblint.py"
    ddb = ["python", snapshot]  # what main() displays: the interpreter's name, the launcher's full path
    common = ["--exit-zero", "-q", "--output-format", "concise"]
    files = [f"moto/tests/test_dynamodb/test_{i}.py" for i in range(3)]
    meta = {b: {} for b in run.BENCHES}

    def setb(b, argv, display, files_n, lines, note="", **extra):
        meta[b].update(argv=argv, cwd=f"{CACHE}/corpus", files=files_n, lines=lines, ok={0}, note=note,
                       display=display, findings=12, **extra)

    setb("cold", ddb + ["check", ".", "--no-cache"] + common, " ".join(ddb + ["check", ".", "--no-cache"] + common),
         3617, 750881)
    setb("warm", ddb + ["check", ".", "--cache-dir", f"{CACHE}/ddblint-cache"] + common,
         " ".join(ddb + ["check", ".", "--cache-dir", f"{CACHE}/ddblint-cache"] + common), 3617, 750881)
    setb("onefile", ddb + ["check", "x.py"], " ".join(ddb + ["check", "x.py"]), 1, 326)
    setb("subset", ddb + ["check"] + files, " ".join(ddb + ["check"]) + " <the DynamoDB-touching files>", 168, 68908)
    setb("floor", [PYTHON, f"{CHECKOUT}/bench/parse_floor.py", "--jobs", "2"] + files,
         "python bench/parse_floor.py --jobs 2 <the DynamoDB-touching files>", 168, 68908,
         note=f"LibCST from {PYTHON}")
    setb("lsp", ddb + ["server"], " ".join(ddb + ["server"]) + ", driven by bench/lsp.py", 1, 1051,
         note="didOpen of `moto/tests/test_dynamodb/test_dynamodb_query.py`",
         module="moto/tests/test_dynamodb/test_dynamodb_query.py",
         module_abs=f"{CACHE}/corpus/moto/tests/test_dynamodb/test_dynamodb_query.py", sync="incremental",
         matched_by="version")
    ruff = f"{CACHE}/peers-venv/bin/ruff"
    setb("ruff", [ruff, "check", "."], "ruff check --select ALL .", 3617, 750881)
    setb("semgrep", [f"{CACHE}/peers-venv/bin/semgrep", "scan", "--config", f"{CHECKOUT}/bench/semgrep-rules.yml"],
         f"semgrep scan --config {CHECKOUT}/bench/semgrep-rules.yml", 3617, 750881)
    setb("fixit", [f"{CACHE}/peers-venv/bin/fixit", "lint"] + files, "fixit lint <the DynamoDB-touching files>",
         168, 68908)
    setb("scale-nonddb", ddb + ["check", "."], " ".join(ddb + ["check", "."]), 7066, 1432854,
         note=f"run in {CACHE}/scaled-nonddb", added_files=3449, added_lines=681973)
    setb("scale-ddb", ddb + ["check", "."], " ".join(ddb + ["check", "."]), 5465, 1508869,
         added_files=1848, added_lines=757988)
    results = {
        "cold": [timed(4.5, 8.4), timed(4.6, 8.5)], "warm": [timed(0.4, 0.5)], "onefile": [timed(0.19, 0.18)],
        "subset": [timed(3.8, 7.2)], "floor": [timed(3.1, 6.0, 110)], "lsp": [lsp_run(200, 280, 300)],
        "ruff": [timed(1.1, 2.0)], "semgrep": [timed(5.4, 6.6)], "fixit": [timed(29.3, 57.6)],
        "scale-nonddb": [timed(5.5, 9.6)], "scale-ddb": [timed(38.6, 75.8)],
    }
    stats = {"files": 3617, "lines": 750881, "ddb_files": 168, "ddb_lines": 68908,
             "per_repo": {"moto": {"files": 3000, "lines": 600000, "ddb_files": 150, "ddb_lines": 60000},
                          "boto3": {"files": 617, "lines": 150881, "ddb_files": 18, "ddb_lines": 8908}}}
    repos = [
        {"key": "moto", "repo": "getmoto/moto", "tag": "5.2.3", "commit": "3acd662d" * 5, "version": "5.2.3",
         "exclude": ["moto/iam/aws_managed_policies.py"],
         "obtained": {"source": f"local git copy ({CORPUS_DIR}/getmoto+moto/repo)", "commit": "3acd662d" * 5,
                      "missing": []}},
        {"key": "boto3", "repo": "boto/boto3", "tag": "1.43.78", "commit": "bf8d3436" * 5, "version": "1.43.78",
         "exclude": [],
         "obtained": {"source": "git fetch https://github.com/boto/boto3.git", "commit": "bf8d3436" * 5,
                      "missing": []}},
    ]
    return {
        "results": results, "stats": stats, "bench_meta": meta, "order": list(run.BENCHES),
        "machine": {"cpu": "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz", "cores": 2, "usable_cores": 2,
                    "ram_gib": 7.7, "os": "Debian GNU/Linux 12 (bookworm) (Linux 6.1.0)",
                    "python": f"CPython 3.11.7 ({PYTHON})", "loadavg_start": (0.5, 0.4, 0.3)},
        "has_cache": True,
        "argv": ["--reps", "3", "--snapshot", "--corpus-dir", CORPUS_DIR, "--output", "/tmp/elsewhere/results.md"],
        "started": "2026-12-03T16:00:00", "elapsed": 300.0, "reps": 3,
        "versions": {"ddblint": "ddblint 0.1.0, LibCST 1.9.0"},
        "ddblint_state": "sources sha256 0123456789ab, checkout HEAD abc1234",
        "ddblint_cmd": ddb, "peers_venv": "<cache>/peers-venv",
        "peer_versions": ["ruff 0.17.6", "semgrep 1.182.0", "fixit 2.1.0 (LibCST 1.9.0)"],
        "digest": "4a517b7cd834ea2d", "repos": repos,
        "notes": [f"ddblint cold: first line of its stderr: `{CACHE}/corpus/moto/x.py: internal error`",
                  "a message naming /opt/tools/bin/helper, a path nobody listed"],
        "load": "0.50, 0.40, 0.30 / 0.60, 0.50, 0.40",
        "onefile_rel": "`powertools-lambda-python/aws_lambda_powertools/x.py`, 326 lines",
        "paths": {"<corpus-dir>": CORPUS_DIR, "<cache>": CACHE, "<checkout>": CHECKOUT, "<python>": PYTHON,
                  "~": HOME},
    }


def test_results_md_has_no_absolute_path(run):
    _, md = run.render(synthetic_context(run))
    for path in (HOME, CORPUS_DIR, "/tmp/", "/opt/"):
        assert path not in md, [line for line in md.splitlines() if path in line]
    assert run.ABSOLUTE_PATH.search(md) is None, run.ABSOLUTE_PATH.search(md).group(0)
    assert not re.search(r"(?<![\w:/])/(home|root|srv|tmp|opt|work|usr|Users)/", md)
    # the places as placeholders, relative to them
    assert "`python <cache>/ddblint-snapshot/run_ddblint.py check . --no-cache" in md
    assert "local git copy (<corpus-dir>/getmoto+moto/repo)" in md
    assert "--corpus-dir <corpus-dir>" in md
    assert "semgrep scan --config <checkout>/bench/semgrep-rules.yml" in md
    assert "`<cache>/corpus/moto/x.py: internal error`" in md
    assert "<path>/helper" in md  # an unknown absolute path keeps only its last component
    assert "git fetch https://github.com/boto/boto3.git" in md  # URLs are not paths


def test_results_md_keeps_the_machine_line(run):
    _, md = run.render(synthetic_context(run))
    assert "- CPU: Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz, 2 logical cores (2 usable)" in md
    assert "- RAM: 7.7 GiB" in md
    assert "- OS: Debian GNU/Linux 12 (bookworm) (Linux 6.1.0)" in md
    assert "- Python: CPython 3.11.7 (<checkout>/.venv/bin/python)" in md


def test_results_md_has_issue_15s_targets(run):
    _, md = run.render(synthetic_context(run))
    assert "## Ratios and targets (issue 15; 2 cores)" in md
    ratios = {line.split(" | ")[0].lstrip("| "): line.split(" | ")
              for line in md.split("## Ratios and targets")[1].split("## Commands")[0].splitlines()
              if line.startswith("| ") and not line.startswith("| Ratio")}
    targets = {name: cells[2] for name, cells in ratios.items()}
    assert targets["ddblint cold / Ruff"] == "≤ 2.0 ×"
    assert targets["ddblint cold / Semgrep"] == "≤ 0.4 ×"
    assert targets["ddblint DynamoDB subset / bare parse"] == "≤ 1.3 ×"
    assert targets["ddblint warm / ddblint cold"] == "≤ 0.10 ×"
    assert targets["ddblint one file (interpreter start included)"] == "≤ 200 ms"
    assert targets["cold run, corpus + non-DynamoDB copy"] == "≤ +10 %"
    assert targets["ddblint server: one-line edit → diagnostics published, p95"] == "≤ 150 ms"
    assert targets["ddblint peak memory (largest process, any run)"] == "≤ 250 MB"
    assert targets["ddblint cold's speed-up over Fixit, per DynamoDB-touching line"] == "(none)"
    assert ratios["ddblint DynamoDB subset / bare parse"][1] == "1.23 ×"  # 3.8 s / 3.1 s
    lsp = ratios["ddblint server: one-line edit → diagnostics published, p95"]
    assert lsp[1] == "280 ms" and lsp[3] == "✗"
    assert "p50 200 ms" in lsp[5] and "max 300 ms" in lsp[5]
    # the results table: the floor's line, and the server's latencies rather than a wall time
    assert "| bare LibCST parse, DynamoDB subset (floor) | 1 | 3.10 s |" in md
    assert "| ddblint server: one-line edit → diagnostics | 1 | p95 280 ms (p50 200 ms, max 300 ms) |" in md


def test_scrub_prefers_the_most_specific_place(run):
    paths = {"<cache>": CACHE, "<checkout>": CHECKOUT, "<python>": PYTHON, "~": HOME, "<corpus-dir>": ""}
    assert run.scrub(f"{CACHE}/corpus and {HOME}/notes and {HOME}2/x", paths) == \
        "<cache>/corpus and ~/notes and <path>/x"
    assert run.scrub(f"({PYTHON})", paths) == "(<checkout>/.venv/bin/python)"
    assert run.scrub("/usr/bin/python3 at https://example.com/a/b", {"<python>": "/usr/bin/python3"}) == \
        "<python> at https://example.com/a/b"


def test_a_reused_corpus_names_the_directory_it_was_built_from(run):
    # a run without --corpus-dir that reuses a corpus built from one: the manifest's sources hold
    # that directory, which results.md shows as <corpus-dir>
    repos = synthetic_context(run)["repos"]
    assert run.corpus_dir_of(repos) == CORPUS_DIR
    assert run.corpus_dir_of([dict(repos[0], obtained={"source": f"local source tree ({CORPUS_DIR}/moto), unpinned: "
                                                                  "trusted to be 5.2.3"})]) == CORPUS_DIR
    assert run.corpus_dir_of(repos[1:]) is None  # fetched from GitHub
    ctx = synthetic_context(run)
    ctx["paths"]["<corpus-dir>"] = ""
    assert "local git copy (<corpus-dir>/getmoto+moto/repo)" in run.render(ctx)[1]
