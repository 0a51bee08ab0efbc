"""Parallel workers (`--jobs`): the same findings, fixes and order whatever the number of
processes, with and without the cache; one process for small inputs; a worker that dies costs
one file, not the run; the progress bar only where a person watches a terminal."""
from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ddblint_process as ddblint

from ddblint import cli, engine, runner

pytestmark = pytest.mark.slow  # process pools over the corpora and the examples
ROOT = Path(__file__).resolve().parent.parent
# The labelled corpora and the examples: 60+ files, most of them DynamoDB code.
TREES = ("tests/corpus", "tests/holdout", "examples")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    for name in TREES:
        shutil.copytree(ROOT / name, root / name)
    (root / "pyproject.toml").write_text("[tool.ddblint]\n", encoding="utf-8")
    return root


def test_one_process_and_a_pool_give_the_same_report_with_and_without_the_cache(tree, tmp_path):
    reports = {}
    for jobs in ("1", "2"):
        for cache in ("--no-cache", "cold", "warm"):
            flags = ["--no-cache"] if cache == "--no-cache" else ["--cache-dir", str(tmp_path / f"cache{jobs}")]
            run = ddblint("check", "-v", "--jobs", jobs, "--output-format", "json", *flags, *TREES, cwd=tree)
            assert run.returncode == 1, run.stderr
            assert "Traceback" not in run.stderr
            reports[jobs, cache] = run.stdout
            if cache != "warm":  # a warm run analyses nothing: every file is a cache hit
                assert f"{'1 process' if jobs == '1' else '2 processes'}\n" in run.stderr, run.stderr
            else:
                assert ", 0 to analyse, 1 process" in run.stderr, run.stderr
    first = reports["1", "--no-cache"]
    assert first.count('"code": "DDB1') > 50  # the corpora's findings, not an empty report
    assert all(report == first for report in reports.values())


def test_fixes_in_a_pool_write_the_same_files_as_in_one_process(tree, tmp_path):
    results = []
    for jobs in ("1", "2"):
        copy = tmp_path / f"j{jobs}"
        shutil.copytree(tree, copy)
        run = ddblint("check", "--fix", "--unsafe-fixes", "--no-cache", "--jobs", jobs, "--show-fixes", *TREES, cwd=copy)
        assert "Traceback" not in run.stderr
        results.append((run.stdout, run.stderr,
                        {p.relative_to(copy): p.read_bytes() for p in sorted(copy.rglob("*.py"))}))
    assert results[0] == results[1]
    assert "Fixed " in results[0][1]
    original = {p.relative_to(tree): p.read_bytes() for p in sorted(tree.rglob("*.py"))}
    assert results[0][2] != original  # fixes were written


def test_small_inputs_use_one_process(tree):
    run = ddblint("check", "-v", "--no-cache", "--jobs", "2", "examples/quickstart", cwd=tree)
    assert ", 1 process\n" in run.stderr, run.stderr


def test_jobs_must_be_a_number(tree):
    run = ddblint("check", "--jobs", "many", "examples", cwd=tree)
    assert run.returncode == 2
    assert "expected a number of processes" in run.stderr


def test_a_worker_that_dies_costs_one_file(tree, monkeypatch, capsys):
    """A crash in native code (LibCST's parser, say) kills the worker; the file it was on is an
    internal error, and every other file is still checked and reported."""
    from ddblint import cli

    check = engine.check_source

    def crash_on_one(data, path, display, *args, **kwargs):
        if path.name == "bad.py":
            os._exit(139)  # as a segmentation fault would
        return check(data, path, display, *args, **kwargs)

    crashing = tree.parent / "crashing"
    shutil.copytree(tree, crashing)
    (crashing / "tests" / "corpus" / "bad.py").write_text(
        (crashing / "examples" / "quickstart" / "subscribers" / "repository.py").read_text())
    monkeypatch.setattr(engine, "check_source", crash_on_one)  # workers are forked with it
    monkeypatch.chdir(crashing)
    expected = ddblint("check", "--no-cache", "--jobs", "1", "--output-format", "concise", *TREES, cwd=tree)
    code = cli.main(["check", "--no-cache", "--jobs", "2", "--output-format", "concise", *TREES])
    out, err = capsys.readouterr()
    assert code == 2
    assert "tests/corpus/bad.py: internal error: the process checking it died" in err
    assert out == expected.stdout  # everything else, exactly as a one-process run reports it


# -- progress ------------------------------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def args(**changes):
    return SimpleNamespace(**{"quiet": False, **changes})


def test_progress_is_shown_only_on_a_terminal_outside_pre_commit_and_quiet_mode(monkeypatch):
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert runner.Progress.wanted(args(), Terminal())
    assert not runner.Progress.wanted(args(), io.StringIO())  # a pipe or a file: CI logs
    assert not runner.Progress.wanted(args(quiet=True), Terminal())
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert not runner.Progress.wanted(args(), Terminal())
    monkeypatch.delenv("PRE_COMMIT")
    monkeypatch.setenv("TERM", "dumb")
    assert not runner.Progress.wanted(args(), Terminal())


def test_progress_bar_appears_after_a_delay_and_is_erased(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: clock[0])
    stream = Terminal()
    bar = runner.Progress(stream)
    bar.start(10, 4)
    bar.advance()
    assert stream.getvalue() == ""  # a short run never shows it
    clock[0] += 1
    bar.advance()
    assert stream.getvalue().endswith("6/10 files")
    for _ in range(4):
        clock[0] += 0.2
        bar.advance()
    assert stream.getvalue().endswith("[" + "#" * 30 + "] 10/10 files")
    bar.finish()
    assert stream.getvalue().endswith("\r\033[2K")


def test_the_progress_bar_never_reaches_a_pipe(tree):
    run = ddblint("check", "--no-cache", *TREES, cwd=tree, env={"TERM": "xterm"})
    assert "files\r" not in run.stderr and "\033[2K" not in run.stderr


def test_large_inputs_filter_in_the_workers_with_the_same_report(tree, monkeypatch, capsys):
    """From PARALLEL_FILTER_FILES files on, the workers read, prefilter and analyse every file
    themselves; the report is still byte for byte the one-process report, and a worker that
    dies still costs one file."""
    from ddblint import cli

    monkeypatch.chdir(tree)
    expected = ddblint("check", "--no-cache", "--jobs", "1", "--output-format", "json", *TREES, cwd=tree)
    monkeypatch.setattr(runner, "PARALLEL_FILTER_FILES", 10)  # the workers are forked with it
    assert cli.main(["check", "--no-cache", "-v", "--jobs", "2", "--output-format", "json", *TREES]) == 1
    out, err = capsys.readouterr()
    assert out == expected.stdout
    assert "to analyse, 2 processes" in err

    check = engine.check_source

    def crash_on_one(data, path, display, *args, **kwargs):
        if path.name == "repository.py" and "quickstart" in str(path):
            os._exit(139)
        return check(data, path, display, *args, **kwargs)

    monkeypatch.setattr(engine, "check_source", crash_on_one)
    assert cli.main(["check", "--no-cache", "--jobs", "2", "--output-format", "concise", *TREES]) == 2
    out, err = capsys.readouterr()
    assert "repository.py: internal error: the process checking it died" in err
    assert "examples/quickstart/jobs/retention.py:13:9: DDB101" in out  # the rest is still checked


def test_a_run_pauses_the_collector_and_gives_it_back(tmp_path, monkeypatch):
    """A run keeps the cyclic collector off (its passes over LibCST's trees were a third of the
    time) and collects by itself; the caller gets its collector back, enabled, afterwards."""
    import gc

    from ddblint import runner

    seen = []
    real = runner.Linter.lint

    def lint(self, job, *args):
        seen.append(gc.isenabled())
        return real(self, job, *args)

    monkeypatch.setattr(runner.Linter, "lint", lint)
    monkeypatch.setattr(runner, "COLLECT_AFTER_OBJECTS", -10**9)  # due after every file (the count is net of frees)
    collections = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or 0)
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text('import boto3\nboto3.client("dynamodb").put_item(TableName="t", Item={})\n')
    monkeypatch.chdir(tmp_path)
    command = cli.build_parser().parse_args(["check", ".", "--no-cache"])
    jobs = [runner.Job((tmp_path / n).read_bytes(), tmp_path / n, n) for n in ("a.py", "b.py")]
    assert gc.isenabled()
    outcomes = list(runner.run(runner.Linter(command), jobs, workers=1))
    assert [o.display for o in outcomes] == ["a.py", "b.py"]
    assert seen == [False, False] and len(collections) == 2
    assert gc.isenabled()
