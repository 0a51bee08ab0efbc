import multiprocessing
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from ddblint.cache import ResultCache, settings_fingerprint
from ddblint.config import Settings
from ddblint.diagnostics import Diagnostic, Edit, Fix, Location
from ddblint.dynamo import scans

DIAGS = [
    Diagnostic("DDB101", "blind put", "app/é.py", Location(3, 5), Location(3, 20),
               fix=Fix("add a condition", "unsafe",
                       (Edit("x\n\"y\"", Location(3, 5), Location(3, 9)),
                        Edit("", Location(4, 1), Location(5, 1)))),
               name="blind-put", url="https://example/DDB101", noqa_row=3),
    Diagnostic("DDB201", "plain", "app/é.py", Location(7, 1), Location(7, 2)),
]


def _key(cache, data=b"code", codes=("DDB101",), fp="fp", path=Path("a.py"), deps=()):
    return cache.key(data, path, fp, codes, deps)


def test_round_trip_and_layout(tmp_path):
    cache = ResultCache(tmp_path / "c")
    key = _key(cache)
    assert cache.get(key) is None
    cache.put(key, DIAGS)
    assert cache.get(key) == DIAGS
    assert ResultCache(tmp_path / "c").get(key) == DIAGS
    root = tmp_path / "c" / cache.version
    assert (root / key[:2] / f"{key}.json").is_file()
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (root / ".gitignore").read_text().strip() == "*"
    cache.put(_key(cache, b"other"), [])
    assert cache.get(_key(cache, b"other")) == []


def test_key_changes(tmp_path):
    cache = ResultCache(tmp_path)
    base = _key(cache)
    assert base == _key(cache, codes=("DDB101",))
    others = {_key(cache, data=b"code2"), _key(cache, fp="fp2"), _key(cache, codes=("DDB101", "DDB102")),
              _key(cache, path=Path("b.py")), _key(cache, deps=[("m.py", 1.0, 3)]),
              _key(ResultCache(tmp_path, version="9.9.9"))}
    assert base not in others and len(others) == 6
    cache.put(base, DIAGS)
    assert ResultCache(tmp_path, version="9.9.9").get(base) is None


def test_location(tmp_path, monkeypatch):
    monkeypatch.delenv("DDBLINT_CACHE_DIR", raising=False)
    assert ResultCache.location(tmp_path, None) == tmp_path / ".ddblint_cache"
    monkeypatch.setenv("DDBLINT_CACHE_DIR", str(tmp_path / "env"))
    assert ResultCache.location(tmp_path, None) == tmp_path / "env"
    assert ResultCache.location(tmp_path, str(tmp_path / "x")) == tmp_path / "x"


def test_settings_fingerprint(tmp_path):
    a = Settings(config_path=None, root=tmp_path)
    assert settings_fingerprint(a) == settings_fingerprint(Settings(config_path=None, root=tmp_path))
    assert settings_fingerprint(a) != settings_fingerprint(Settings(config_path=None, root=tmp_path, ignore=("DDB1",)))


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"version": "0.1.0"}', b"\xff\xfe",
                                     b'{"diagnostics": [{"code": 1}]}'])
def test_corrupt_entry_is_a_miss(tmp_path, garbage):
    cache = ResultCache(tmp_path)
    key = _key(cache)
    cache.put(key, DIAGS)
    (tmp_path / cache.version / key[:2] / f"{key}.json").write_bytes(garbage)
    assert cache.get(key) is None


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_read_only_directory(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        cache = ResultCache(ro / "cache")
        key = _key(cache)
        cache.put(key, DIAGS)  # must not raise
        assert cache.get(key) is None
    finally:
        ro.chmod(stat.S_IRWXU)


def test_unwritable_location(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = ResultCache(blocker / "cache")
    key = _key(cache)
    cache.put(key, DIAGS)  # must not raise; caching is just off
    assert cache.get(key) is None


def _writer(directory, key, rounds):
    cache = ResultCache(Path(directory))
    for _ in range(rounds):
        cache.put(key, DIAGS)


def test_concurrent_writers(tmp_path):
    cache = ResultCache(tmp_path)
    key = _key(cache)
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), key, 200)) for _ in range(2)]
    for p in procs:
        p.start()
    while any(p.is_alive() for p in procs):
        got = cache.get(key)
        assert got is None or got == DIAGS  # never a torn entry
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert cache.get(key) == DIAGS
    leftovers = [p for p in (tmp_path / cache.version).rglob("*.tmp")]
    assert leftovers == []


def test_a_recorded_project_scan_is_re_checked_with_one_walk_per_run(tmp_path, monkeypatch):
    """A result that depended on a scan of the project (who writes this PynamoDB model) holds
    while no file matches the scan that did not, and every file it matched is unchanged; the
    check walks the project once per run (one ResultCache), however many entries ask."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "writer.py").write_text("from models import Widget\nWidget('a').save()\n")
    (project / "other.py").write_text("VALUE = 1\n")
    query = scans.Query((b".save(",), ((b"Widget",), (b"models",)))
    started = time.time_ns()
    files = scans.listing(project)
    matched = [path for path, source in scans.sources(project, query.keep, files).items() if query.matches(source)]
    assert matched == [project / "writer.py"]
    key = _key(ResultCache(tmp_path / "c"))
    ResultCache(tmp_path / "c").put(key, DIAGS, scanned=[scans.record(project, query, started, files, matched)])
    walks = []
    monkeypatch.setattr(scans, "listing", lambda root, walk=scans.listing: walks.append(root) or walk(root))

    def run():
        return ResultCache(tmp_path / "c").get(key)

    cache = ResultCache(tmp_path / "c")
    assert cache.get(key) == DIAGS and cache.get(key) == DIAGS and len(walks) == 1
    (project / "other.py").write_text("thing.save(1)  # no Widget here\n")
    assert run() == DIAGS
    (project / "new.py").write_text("from models import Widget\nWidget('b').save()\n")
    assert run() is None
    (project / "new.py").unlink()
    assert run() == DIAGS
    (project / "writer.py").write_text("from models import Widget\nWidget.get('a')\n")
    assert run() is None
    (project / "writer.py").unlink()
    assert run() is None
