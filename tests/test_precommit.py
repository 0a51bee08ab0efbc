"""The pre-commit hooks in `.pre-commit-hooks.yaml` (conventions.md §2).

`pre-commit try-repo <checkout> HOOK --all-files` is run from a scratch consumer repository,
the way a user would try the hooks. try-repo builds the hook environment (`pip install` of
the checkout) in a temporary store of its own on every call; pip's cache keeps that to a few
seconds after the first run.

try-repo clones the hook repository at HEAD and adds staged and *tracked* uncommitted
changes: a file that is not yet known to git (say, a new rule module) is not in the hook
environment until it is at least `git add`ed.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import BLIND_UPDATE, cache_directory

pytestmark = pytest.mark.slow  # pre-commit try-repo installs the hooks in environments of their own
ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

pytest.importorskip("pre_commit")

GUARDED_UPDATE = textwrap.dedent('''\
    import boto3

    table = boto3.resource("dynamodb").Table("t")


    def change_address(pk, address, expected_version):
        table.update_item(
            Key={"pk": pk},
            UpdateExpression="SET address = :a, #v = #v + :one",
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":a": address, ":one": 1, ":expected": expected_version},
        )
''')


@pytest.fixture
def env(request):
    """A hook-friendly environment: no git or pre-commit state inherited from the caller."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith("GIT_") and k not in ("SKIP", "PRE_COMMIT", "VIRTUAL_ENV", "PYTHONPATH")
    }
    env["PRE_COMMIT_HOME"] = str(cache_directory(request.config, "pre-commit"))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(cmd, cwd, env):
    return subprocess.run(
        [str(c) for c in cmd], cwd=str(cwd), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, universal_newlines=True, timeout=600,
    )


def _git(args, cwd, env):
    proc = _run(["git"] + list(args), cwd, env)
    assert proc.returncode == 0, "git {} failed:\n{}".format(" ".join(args), proc.stdout)


def _pre_commit(args, cwd, env):
    return _run([sys.executable, "-m", "pre_commit"] + list(args), cwd, env)


@pytest.fixture
def consumer(tmp_path, env):
    """A scratch git repository that commits app.py on each `commit(source)` call."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("the checkout is not a git repository (try-repo needs one)")
    repo = tmp_path / "consumer"
    repo.mkdir()
    _git(["init", "-q"], repo, env)
    for key, value in (("user.name", "ddblint tests"), ("user.email", "tests@ddblint.invalid"),
                       ("commit.gpgsign", "false")):
        _git(["config", key, value], repo, env)

    def commit(source):
        (repo / "app.py").write_text(source)
        _git(["add", "app.py"], repo, env)
        _git(["commit", "-q", "--allow-empty", "-m", "app.py"], repo, env)
        return repo

    return commit


def test_manifest_is_valid(env):
    proc = _pre_commit(["validate-manifest", MANIFEST], ROOT, env)
    assert proc.returncode == 0, proc.stdout


def test_manifest_declares_both_hooks():
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}
    assert sorted(hooks) == ["ddblint", "ddblint-fix"]
    assert hooks["ddblint"]["entry"] == "ddblint check --force-exclude"
    assert hooks["ddblint-fix"]["entry"] == "ddblint check --fix --force-exclude"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "pyi"]
        assert hook["require_serial"] is True
        assert hook["args"] == []
        assert hook["minimum_pre_commit_version"] == "2.9.2"
        assert hook["description"]


@pytest.mark.parametrize("hook", ["ddblint", "ddblint-fix"])
def test_try_repo(hook, consumer, env):
    # (a) a blind update: the hook fails and shows the finding.
    repo = consumer(BLIND_UPDATE)
    proc = _pre_commit(["try-repo", ROOT, hook, "--all-files", "--color=never"], repo, env)
    assert proc.returncode != 0, proc.stdout
    assert "DDB101" in proc.stdout, proc.stdout
    assert "app.py" in proc.stdout, proc.stdout

    # (b) the same repository with the update guarded by a version condition: it passes.
    repo = consumer(GUARDED_UPDATE)
    proc = _pre_commit(["try-repo", ROOT, hook, "--all-files", "--color=never"], repo, env)
    assert proc.returncode == 0, proc.stdout
    assert "DDB101" not in proc.stdout, proc.stdout
