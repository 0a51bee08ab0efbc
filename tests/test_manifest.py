"""The manifest (ddblint/manifest.py): a warm run settles a file unchanged since the last run by
the verdict recorded for it, without reading it, and only while what that verdict rests on holds.

Files are written here with a modification time in the past (`_write`): the manifest does not
record a file, nor keep project records of a directory or module, modified in the last two
seconds (a second edit within the same tick of the clock would not change its stat), and a test
writes and checks within milliseconds. Each scenario's output is compared with a cold run's.
"""
import json
import os
import time
from pathlib import Path

import pytest

from ddblint import __version__, manifest, runner
from conftest import BLIND_UPDATE as BLIND, ddblint_process

TOML = '[tool.ddblint.tables.subscribers]\nmode = "global"\n'
QUIET = "def count(items):\n    return len(items)\n"
MODEL = '''from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model


class Subscriber(Model):
    class Meta:
        table_name = "subscribers"

    pk = UnicodeAttribute(hash_key=True)
'''
PLAIN = '''class Subscriber:
    def __init__(self, pk):
        self.pk = pk

    def save(self):
        return self
'''
SERVICE = "from app.models import Subscriber\n\ndef subscribe(pk):\n    Subscriber(pk=pk).save()\n"


def _write(root: Path, name: str, text: str) -> None:
    """Write a file and age it, and the directories above it that changed just now, to ten
    seconds ago (a distinct time on each call: the clock goes on)."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    past = time.time_ns() - 10_000_000_000
    for changed in [path, *path.parents]:
        if changed == root.parent:
            break
        if changed == path or os.stat(changed).st_mtime_ns > time.time_ns() - 3_000_000_000:
            os.utime(changed, ns=(past, past))


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    for name, text in {"pyproject.toml": TOML, "app/__init__.py": "", "app/blind.py": BLIND,
                       "app/quiet.py": QUIET}.items():
        _write(root, name, text)
    return root


@pytest.fixture
def reads(monkeypatch):
    """The display paths of the files the runner reads."""
    seen = []
    original = runner.read

    def spy(job):
        if job.unread:
            seen.append(job.display)
        return original(job)

    monkeypatch.setattr(runner, "read", spy)
    return seen


def _check(ddblint_main, root: Path, *extra: str):
    run = ddblint_main("check", "--output-format", "concise", "--jobs", "1", *extra, str(root), cwd=root)
    assert run.returncode in (0, 1), run.stderr
    return run.stdout


def _warm(ddblint_main, root: Path, reads, *paths: str):
    """(a warm run's output, the files it read), checked against a cold run's output."""
    reads.clear()
    cache = ("--cache-dir", str(root.parent / "cache"))
    output = _check(ddblint_main, root, *cache, *paths)
    read = sorted(reads)
    assert output == _check(ddblint_main, root, "--no-cache", *paths)
    return output, read


def test_a_warm_run_reads_no_file_that_did_not_change(project, ddblint_main, reads):
    first, read = _warm(ddblint_main, project, reads)
    assert "app/blind.py:7:5: DDB101" in first
    assert read == ["app/__init__.py", "app/blind.py", "app/quiet.py"]
    table = project.parent / "cache" / __version__ / "files.json"
    written = table.stat().st_mtime_ns
    assert _warm(ddblint_main, project, reads) == (first, [])
    assert table.stat().st_mtime_ns == written  # nothing new: not written again
    entries = json.loads(table.read_text())["files"]
    assert sorted(Path(p).name for p in entries) == ["__init__.py", "blind.py", "quiet.py"]


def test_an_edited_file_is_read_and_decided_again(project, ddblint_main, reads):
    _warm(ddblint_main, project, reads)
    _write(project, "app/blind.py", QUIET)
    _write(project, "app/quiet.py", BLIND)
    output, read = _warm(ddblint_main, project, reads)
    assert "app/quiet.py:7:5: DDB101" in output and "blind.py" not in output
    assert read == ["app/blind.py", "app/quiet.py"]


def test_a_file_changed_just_now_is_not_recorded(project, ddblint_main, reads):
    _write(project, "app/fresh.py", BLIND)
    os.utime(project / "app" / "fresh.py")  # modified now: its stat may not change with its next edit
    _warm(ddblint_main, project, reads)
    assert _warm(ddblint_main, project, reads)[1] == ["app/fresh.py"]


def test_a_file_read_for_its_findings_snippet(project, ddblint_main, reads):
    """The default output shows the source around a finding: a cached finding's file is read."""
    cache = ("--cache-dir", str(project.parent / "cache"))
    ddblint_main("check", *cache, str(project), cwd=project)
    reads.clear()
    run = ddblint_main("check", *cache, str(project), cwd=project)
    assert "table.update_item(" in run.stdout and reads == ["app/blind.py"]


def test_a_module_that_starts_naming_pynamodb_changes_its_importers_verdict(project, ddblint_main, reads):
    """service.py's verdict (nothing can fire) rests on what app/models.py mentions: a model
    there makes its write a finding; an edit that leaves the mentions alone does not."""
    _write(project, "app/models.py", PLAIN)
    _write(project, "app/service.py", SERVICE)
    assert "service.py" not in _warm(ddblint_main, project, reads)[0]
    _write(project, "app/models.py", PLAIN + "\n# a comment\n")
    output, read = _warm(ddblint_main, project, reads)
    assert read == ["app/models.py"] and "service.py" not in output
    _write(project, "app/models.py", MODEL)
    output, read = _warm(ddblint_main, project, reads)
    assert "app/service.py:4:5: DDB102" in output
    assert "app/service.py" in read and "app/quiet.py" in read  # the record failed: every file again


def test_a_module_that_appears_changes_its_importers_verdict(project):
    """An import that led nowhere rests on the directory's entries: a new module there is seen.
    (Separate processes: one process remembers where an import led for its lifetime.)"""
    def check():
        run = ddblint_process("check", "--output-format", "concise", "--cache-dir", str(project.parent / "cache"),
                              ".", cwd=project)
        assert run.returncode in (0, 1), run.stderr
        return run.stdout

    _write(project, "app/service.py", SERVICE)
    assert "service.py" not in check()
    assert "service.py" not in check()  # settled by the manifest
    _write(project, "app/models.py", MODEL)
    assert "app/service.py:4:5: DDB102" in check()


def test_a_run_of_some_files_keeps_the_others_verdicts(project, ddblint_main, reads):
    _warm(ddblint_main, project, reads)
    _write(project, "app/quiet.py", QUIET + "\n")
    assert _warm(ddblint_main, project, reads, str(project / "app" / "quiet.py"))[1] == ["app/quiet.py"]
    assert _warm(ddblint_main, project, reads)[1] == []


def test_other_settings_decide_again(project, ddblint_main, reads):
    _warm(ddblint_main, project, reads)
    output, read = _warm(ddblint_main, project, reads, "--select", "DDB3")
    assert "DDB101" not in output and len(read) == 3


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"format": 1}', b"\xff\xfe", b"[]",
                                     b'{"format": 1, "version": "0.1.0", "follow": true, "projects": {}, '
                                     b'"files": {"x": [1]}}'])
def test_a_corrupt_manifest_is_an_empty_one(project, ddblint_main, reads, garbage):
    first = _warm(ddblint_main, project, reads)[0]
    (project.parent / "cache" / __version__ / "files.json").write_bytes(garbage)
    assert _warm(ddblint_main, project, reads) == (first, ["app/__init__.py", "app/blind.py", "app/quiet.py"])
    assert _warm(ddblint_main, project, reads) == (first, [])  # written again


def test_record_and_entry(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    past = time.time_ns() - 10_000_000_000
    os.utime(path, ns=(past, past))
    table = manifest.Manifest(tmp_path)
    stat = manifest.stat_of(path)
    table.record(str(path), stat, "ctx", "", False)
    table.entries = table.recorded
    assert table.entry(str(path), stat, "ctx").verdict == ""
    assert table.entry(str(path), stat, "other") is None
    assert table.entry(str(path), [stat[0] + 1, *stat[1:]], "ctx") is None
    assert manifest.stat_of(tmp_path / "missing.py") is None
