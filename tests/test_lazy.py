"""LibCST is imported on a file's first parse, not at start-up (ddblint/lazy.py): a run that the
prefilter or the cache settles never imports it, and the modules that use it get it as before.
So are the DynamoDB model's modules, on the first file modelled (ddblint/dynamo/__init__.py)."""
import subprocess
import sys
import textwrap

import pytest

from conftest import BLIND_UPDATE, REPO, make_tree

QUIET = "def count(items):\n    return len(items)\n"


def _run_then_ask(tmp_path, *args: str) -> str:
    """`ddblint check ARGS` in a fresh interpreter, then whether it imported LibCST and the model."""
    script = textwrap.dedent(f"""
        import sys
        from ddblint import cli, lazy
        try:
            cli.main({list(args)!r})
        except SystemExit:
            pass
        print("LibCST imported:", lazy.loaded("libcst"))
        print("model imported:", any("ddblint.dynamo." + m in sys.modules for m in
                                     ("model", "values", "scope", "calls", "expressions", "pynamodb", "edits")))
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_a_run_that_parses_nothing_does_not_import_libcst_or_the_model(tmp_path):
    make_tree(tmp_path, {"a.py": QUIET, "b.py": "import os\nprint(os.sep)\n"})
    assert _run_then_ask(tmp_path, "check", "--no-cache", ".").endswith(
        "LibCST imported: False\nmodel imported: False\n")


def test_a_warm_run_does_not_import_libcst_or_the_model_and_a_cold_one_does(tmp_path):
    make_tree(tmp_path, {"app.py": BLIND_UPDATE})
    cache = ["--cache-dir", str(tmp_path / "cache"), "--output-format", "concise", "app.py"]
    cold = _run_then_ask(tmp_path, "check", *cache)
    assert "app.py:7:5: DDB101" in cold and cold.endswith("LibCST imported: True\nmodel imported: True\n")
    warm = _run_then_ask(tmp_path, "check", *cache)
    assert warm == cold.replace("imported: True", "imported: False")


def test_the_stand_in_imports_the_module_on_first_use(tmp_path, monkeypatch):
    from ddblint import lazy

    package = tmp_path / "probe_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("LOADS = []\nLOADS.append(1)\nVALUE = 42\n")
    (package / "sub.py").write_text("THING = 'sub'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        lazy.defer("probe_pkg")
        import probe_pkg

        assert not lazy.loaded("probe_pkg")
        import probe_pkg as again  # a second import does not load it either

        assert again is probe_pkg and not lazy.loaded("probe_pkg")
        assert probe_pkg.VALUE == 42 and probe_pkg.LOADS == [1] and lazy.loaded("probe_pkg")
        import probe_pkg.sub

        assert probe_pkg.sub.THING == "sub" and sys.modules["probe_pkg"].LOADS == [1]
        with pytest.raises(AttributeError):
            probe_pkg.missing
        lazy.defer("probe_pkg")  # imported already: nothing to defer
        assert lazy.loaded("probe_pkg")
    finally:
        sys.modules.pop("probe_pkg", None)
        sys.modules.pop("probe_pkg.sub", None)


def test_a_stand_in_that_cannot_import_stays():
    from ddblint import lazy

    try:
        lazy.defer("no_such_module_here")
        import no_such_module_here

        with pytest.raises(ModuleNotFoundError):
            no_such_module_here.anything
        assert not lazy.loaded("no_such_module_here")
    finally:
        sys.modules.pop("no_such_module_here", None)


def test_every_name_the_model_package_exports_is_its_submodule_s():
    import importlib

    from ddblint import dynamo

    for name, (module, attribute) in dynamo._EXPORTS.items():
        assert getattr(dynamo, name) is getattr(importlib.import_module(f"ddblint.dynamo.{module}"), attribute), name
    assert set(dynamo.__all__) <= set(dir(dynamo))
    with pytest.raises(AttributeError):
        dynamo.no_such_name
