from __future__ import annotations

import os
import pickle
import textwrap
from pathlib import Path

import pytest

from ddblint.config import (
    ConfigError,
    Settings,
    TableConfig,
    clear_cache,
    find_config,
    load_settings,
    settings_for,
)

RULES = {"DDB101": True, "DDB102": True, "DDB105": False, "DDB201": True, "DDB301": True}
CODES = tuple(RULES)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def pyproject(tmp_path: Path, body: str) -> Path:
    return write(tmp_path / "pyproject.toml", "[tool.ddblint]\n" + textwrap.dedent(body))


def load(tmp_path: Path, body: str, **kw) -> Settings:
    return load_settings(pyproject(tmp_path, body), CODES, **kw)


def error(tmp_path: Path, body: str, **kw) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, body, **kw)
    return info.value


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


# --- loading -------------------------------------------------------------------------


def test_defaults_without_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(None, CODES)
    assert s.config_path is None
    assert s.root == Path(os.path.abspath(tmp_path))
    assert s.select is None and s.version_attributes == ("version",)
    assert s.default_table_mode == "global" and s.region is None and s.respect_gitignore
    assert s.enabled_codes(RULES) == {"DDB101", "DDB102", "DDB201", "DDB301"}


def test_full_example_from_spec(tmp_path):
    s = load(tmp_path, """
        select = ["DDB1", "DDB3"]
        ignore = []
        extend-select = ["DDB2"]
        per-file-ignores = { "tests/**" = ["DDB1"] }
        exclude = ["generated"]
        extend-exclude = ["legacy/*.py"]
        version-attribute = ["version", "rev"]
        default-table-mode = "mrsc"
        region = "us-east-1"
        infrastructure = ["template.yaml", "infra/**/*.tf"]
        respect-gitignore = false

        [tool.ddblint.deployments]
        "services/portal/**" = "eu-west-1"
        "jobs/retention/**" = "us-east-1"

        [tool.ddblint.tables.subscribers]
        name = "*-subscribers"
        env = ["SUBSCRIBERS_TABLE"]
        mode = "global"
        home-region = "eu-west-1"
        replicas = ["eu-west-1", "us-east-1", "ap-southeast-2"]
        shape = "profile"
        partition-key = "subscriber_id"
        sort-key = "sk"
        version-attribute = "ver"
        indexes = { by_email = "global", by_created = "local" }

        [tool.ddblint.tables.audit]
        shape = "append-only"
    """)
    assert s.config_path == tmp_path / "pyproject.toml" and s.root == tmp_path
    assert s.select == ("DDB1", "DDB3") and s.extend_select == ("DDB2",)
    assert s.per_file_ignores == (("tests/**", ("DDB1",)),)
    assert s.exclude == ("generated",) and s.extend_exclude == ("legacy/*.py",)
    assert s.version_attributes == ("version", "rev")
    assert s.default_table_mode == "mrsc" and s.region == "us-east-1"
    assert s.infrastructure == ("template.yaml", "infra/**/*.tf")
    assert s.respect_gitignore is False
    assert s.deployments == (("services/portal/**", "eu-west-1"), ("jobs/retention/**", "us-east-1"))
    subscribers, audit = s.tables
    assert subscribers == TableConfig(
        key="subscribers", name="*-subscribers", env=("SUBSCRIBERS_TABLE",), mode="global",
        home_region="eu-west-1", replicas=("eu-west-1", "us-east-1", "ap-southeast-2"), shape="profile",
        partition_key="subscriber_id", sort_key="sk", version_attributes=("ver",),
        indexes={"by_email": "global", "by_created": "local"}, source=str(tmp_path / "pyproject.toml"),
    )
    assert audit.name == "audit" and audit.mode is None and audit.shape == "append-only"
    assert s.table_version_attributes(subscribers) == ("ver",)
    assert s.table_version_attributes(audit) == ("version", "rev")
    # settings travel to worker processes and into cache keys
    assert pickle.loads(pickle.dumps(s)) == s
    hash(s)


@pytest.mark.parametrize("name", ["ddblint.toml", ".ddblint.toml"])
def test_ddblint_toml_has_no_prefix(tmp_path, name):
    path = write(tmp_path / name, 'region = "eu-west-1"\n[tables.x]\nmode = "mrsc"\n')
    s = load_settings(path, CODES)
    assert s.region == "eu-west-1" and s.tables[0].mode == "mrsc"


def test_ddblint_toml_errors_have_no_prefix(tmp_path):
    path = write(tmp_path / "ddblint.toml", '[tables.x]\nmode = "mrec"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, CODES)
    assert str(info.value).startswith(f"{path}: tables.x.mode: invalid value `mrec`.")
    assert "`global`" in str(info.value)


def test_tool_prefix_in_ddblint_toml_is_explained(tmp_path):
    path = write(tmp_path / "ddblint.toml", '[tool.ddblint]\nregion = "eu-west-1"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, CODES)
    assert info.value.key == "tool" and "without the `tool.ddblint` prefix" in str(info.value)


def test_pyproject_without_table_gives_defaults(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    s = load_settings(path, CODES)
    assert s.config_path == path and s.root == tmp_path and s.region is None


# --- finding config files --------------------------------------------------------------


def test_precedence_in_one_directory(tmp_path):
    pyproject(tmp_path, 'region = "us-east-1"\n')
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path / "ddblint.toml", 'region = "eu-west-1"\n')
    assert find_config(tmp_path) == tmp_path / "ddblint.toml"
    write(tmp_path / ".ddblint.toml", 'region = "ap-southeast-2"\n')
    assert find_config(tmp_path) == tmp_path / ".ddblint.toml"
    assert settings_for(tmp_path / "a.py", CODES).region == "ap-southeast-2"


def test_find_config_walks_up_and_skips_foreign_pyproject(tmp_path):
    pyproject(tmp_path, 'region = "us-east-1"\n')
    sub = tmp_path / "pkg" / "sub"
    sub.mkdir(parents=True)
    write(tmp_path / "pkg" / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    assert find_config(sub) == tmp_path / "pyproject.toml"
    assert find_config(sub / "mod.py") == tmp_path / "pyproject.toml"  # a file: its directory
    write(sub / "ddblint.toml", "")
    assert find_config(sub / "mod.py") == sub / "ddblint.toml"


def test_find_config_ignores_broken_unrelated_pyproject(tmp_path):
    write(tmp_path / "pyproject.toml", "[project\n")  # not ours, and not even TOML
    assert find_config(tmp_path) is None or find_config(tmp_path) != tmp_path / "pyproject.toml"


def test_find_config_none(tmp_path):
    found = find_config(tmp_path)
    assert found is None or tmp_path not in found.parents


def test_settings_for_nearest_explicit_and_cache(tmp_path):
    pyproject(tmp_path, 'region = "us-east-1"\n')
    write(tmp_path / "jobs" / "ddblint.toml", 'region = "eu-west-1"\n')
    other = write(tmp_path / "elsewhere.toml", 'region = "ap-southeast-2"\n')
    assert settings_for(tmp_path / "a.py", CODES).region == "us-east-1"
    jobs = settings_for(tmp_path / "jobs" / "x.py", CODES)
    assert jobs.region == "eu-west-1" and jobs.root == tmp_path / "jobs"
    assert settings_for(tmp_path / "jobs" / "y.py", CODES) is jobs  # cached per directory
    assert settings_for(tmp_path / "jobs" / "x.py", CODES, explicit=other).region == "ap-southeast-2"
    over = settings_for(tmp_path / "a.py", CODES, overrides=['region = "eu-central-1"'])
    assert over.region == "eu-central-1"


def test_settings_for_without_config_uses_cwd(tmp_path, monkeypatch):
    project = tmp_path / "p"
    project.mkdir()
    monkeypatch.chdir(project)
    s = settings_for(project / "a.py", CODES)
    if s.config_path is None:  # unless some directory above tmp_path has a config
        assert s.root == project


# --- overrides -------------------------------------------------------------------------


def test_overrides_replace_values_and_merge_tables(tmp_path):
    s = load(tmp_path, """
        region = "us-east-1"
        select = ["DDB1"]
        [tool.ddblint.deployments]
        "jobs/**" = "us-east-1"
        [tool.ddblint.tables.x]
        mode = "global"
        shape = "contested"
    """, overrides=[
        'region = "eu-west-1"',
        'select = ["DDB3"]',
        'tables.x.mode = "mrsc"',
        'tables.y = { shape = "append-only" }',
        'deployments."jobs/nightly/**" = "eu-west-1"',
    ])
    assert s.region == "eu-west-1" and s.select == ("DDB3",)
    x, y = s.tables
    assert (x.mode, x.shape, x.source) == ("mrsc", "contested", str(tmp_path / "pyproject.toml"))
    assert (y.shape, y.source) == ("append-only", "--config")
    # the override's deployment comes first, so it wins over the broader file entry
    assert s.region_for(tmp_path / "jobs" / "nightly" / "a.py") == "eu-west-1"
    assert s.region_for(tmp_path / "jobs" / "a.py") == "us-east-1"


def test_overrides_without_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(None, CODES, overrides=['tables.orders.home-region = "eu-west-1"'])
    assert s.tables[0].home_region == "eu-west-1" and s.tables[0].source == "--config"


def test_override_errors_blame_config_flag(tmp_path):
    e = error(tmp_path, 'region = "us-east-1"\n', overrides=['regoin = "eu-west-1"'])
    assert e.path == "--config" and e.key == "regoin" and "did you mean `region`" in str(e).lower()
    e = error(tmp_path, "", overrides=["region = eu-west-1"])
    assert e.path == "--config" and "KEY = VALUE" in str(e) and "region = eu-west-1" in str(e)


def test_override_cross_field_check_after_merge(tmp_path):
    e = error(tmp_path, '[tool.ddblint.tables.x]\nreplicas = ["eu-west-1", "us-east-1"]\n',
              overrides=['tables.x.home-region = "ap-southeast-2"'])
    assert e.key == "tool.ddblint.tables.x.home-region" and "replicas" in str(e)


# --- validation errors -----------------------------------------------------------------


def assert_error(e: ConfigError, tmp_path: Path, key: str, *needles: str) -> None:
    text = str(e)
    assert e.path == str(tmp_path / "pyproject.toml") and e.key == key, text
    assert text.startswith(f"{e.path}: {key}: "), text
    assert e.hint and text.endswith(e.hint), text
    assert "\n" not in text
    for needle in needles:
        assert needle in text, text


def test_invalid_toml_has_line_and_column(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.ddblint]\nregion = "us-east-1"\nselect = [DDB1]\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, CODES)
    text = str(info.value)
    assert text.startswith(f"{path}:3:") and "invalid TOML" in text and "line 3" in text


def test_invalid_toml_in_ddblint_pyproject_found_by_find_config(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.ddblint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(tmp_path)


def test_not_utf8(tmp_path):
    (tmp_path / "ddblint.toml").write_bytes(b'region = "\xff"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(tmp_path / "ddblint.toml", CODES)


@pytest.mark.parametrize("body, key, suggestion", [
    ('regoin = "us-east-1"', "tool.ddblint.regoin", "region"),
    ('extend_select = ["DDB1"]', "tool.ddblint.extend_select", "extend-select"),
    ('[tool.ddblint.table.x]\nmode = "global"', "tool.ddblint.table", "tables"),
    ('[tool.ddblint.tables.x]\nhome_region = "eu-west-1"', "tool.ddblint.tables.x.home_region", "home-region"),
    ('[tool.ddblint.tables.x]\npartition_key = "pk"', "tool.ddblint.tables.x.partition_key", "partition-key"),
])
def test_unknown_keys(tmp_path, body, key, suggestion):
    e = error(tmp_path, body)
    assert_error(e, tmp_path, key, f"unknown key `{key.rsplit('.', 1)[1]}`", f"Did you mean `{suggestion}`?")


def test_unknown_key_without_close_match_lists_valid_keys(tmp_path):
    e = error(tmp_path, "[tool.ddblint.tables.x]\nzzz = 1")
    assert_error(e, tmp_path, "tool.ddblint.tables.x.zzz", "`home-region`")


def test_lint_section_is_explained(tmp_path):
    e = error(tmp_path, '[tool.ddblint.lint]\nselect = ["DDB1"]')
    assert_error(e, tmp_path, "tool.ddblint.lint", "no `lint` section")


@pytest.mark.parametrize("body, key, needle", [
    ('select = "DDB1"', "tool.ddblint.select", 'expected a list of strings, got a string'),
    ('ignore = [101]', "tool.ddblint.ignore", "an integer"),
    ('exclude = "build"', "tool.ddblint.exclude", '["build"]'),
    ('region = 1', "tool.ddblint.region", "expected a string, got an integer"),
    ('region = ""', "tool.ddblint.region", "must not be empty"),
    ('respect-gitignore = "yes"', "tool.ddblint.respect-gitignore", "expected true or false"),
    ('deployments = ["a"]', "tool.ddblint.deployments", "expected a table, got a list"),
    ('per-file-ignores = { "tests/**" = "DDB1" }', 'tool.ddblint.per-file-ignores."tests/**"', "expected a list"),
    ('tables = 3', "tool.ddblint.tables", "expected a table"),
    ('[tool.ddblint.tables]\nx = "global"', "tool.ddblint.tables.x", "expected a table, got a string"),
    ('[tool.ddblint.tables.x]\nenv = "X_TABLE"', "tool.ddblint.tables.x.env", '["X_TABLE"]'),
    ('[tool.ddblint.tables.x]\nindexes = ["by_email"]', "tool.ddblint.tables.x.indexes", "expected a table"),
    ('version-attribute = []', "tool.ddblint.version-attribute", "the list is empty"),
    ('version-attribute = 3', "tool.ddblint.version-attribute", "a string or a list of strings"),
    ('version-attribute = ["v", 2]', "tool.ddblint.version-attribute", "an integer"),
    ('[tool.ddblint.tables.x]\nversion-attribute = [""]', "tool.ddblint.tables.x.version-attribute", "empty string"),
])
def test_wrong_types(tmp_path, body, key, needle):
    assert_error(error(tmp_path, body), tmp_path, key, needle)


def test_ddblint_not_a_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool]\nddblint = "on"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, CODES)
    assert info.value.key == "tool.ddblint" and "expected a table" in str(info.value)


@pytest.mark.parametrize("body, key, value", [
    ('default-table-mode = "MRSC"', "tool.ddblint.default-table-mode", "MRSC"),
    ('[tool.ddblint.tables.x]\nmode = "regional"', "tool.ddblint.tables.x.mode", "regional"),
    ('[tool.ddblint.tables.x]\nshape = "appendonly"', "tool.ddblint.tables.x.shape", "appendonly"),
    ('[tool.ddblint.tables.x]\nindexes = { by_email = "gsi" }', "tool.ddblint.tables.x.indexes.by_email", "gsi"),
])
def test_enums(tmp_path, body, key, value):
    e = error(tmp_path, body)
    assert_error(e, tmp_path, key, f"invalid value `{value}`", "Expected one of")


def test_enum_suggestions(tmp_path):
    assert "did you mean `mrsc`" in str(error(tmp_path, 'default-table-mode = "MRSC"'))
    assert "did you mean `append-only`" in str(error(tmp_path, '[tool.ddblint.tables.x]\nshape = "append_only"'))
    assert "is `global`" in str(error(tmp_path, 'default-table-mode = "mrec"'))


@pytest.mark.parametrize("body, key, value", [
    ('region = "eu-west"', "tool.ddblint.region", "eu-west"),
    ('region = "EU-WEST-1"', "tool.ddblint.region", "EU-WEST-1"),
    ('deployments = { "jobs/**" = "us-east1" }', 'tool.ddblint.deployments."jobs/**"', "us-east1"),
    ('[tool.ddblint.tables.x]\nhome-region = "europe"', "tool.ddblint.tables.x.home-region", "europe"),
    ('[tool.ddblint.tables.x]\nreplicas = ["eu-west-1", "mars-1"]', "tool.ddblint.tables.x.replicas", "mars-1"),
])
def test_regions(tmp_path, body, key, value):
    assert_error(error(tmp_path, body), tmp_path, key, f"`{value}` is not an AWS region name", "`eu-west-1`")


@pytest.mark.parametrize("region", ["eu-west-1", "us-gov-west-1", "us-isob-east-1", "ap-southeast-12", "cn-north-1"])
def test_valid_regions(tmp_path, region):
    assert load(tmp_path, f'region = "{region}"').region == region


def test_home_region_must_be_a_replica(tmp_path):
    e = error(tmp_path, """
        [tool.ddblint.tables.x]
        home-region = "ap-southeast-2"
        replicas = ["eu-west-1", "us-east-1"]
    """)
    assert_error(e, tmp_path, "tool.ddblint.tables.x.home-region", "`ap-southeast-2` is not one of", "Add `ap-southeast-2`")


@pytest.mark.parametrize("body, key", [
    ('exclude = ["gen[erated"]', "tool.ddblint.exclude"),
    ('extend-exclude = ["a/[!b"]', "tool.ddblint.extend-exclude"),
    ('infrastructure = ["infra/[*.tf"]', "tool.ddblint.infrastructure"),
    ('per-file-ignores = { "tests/[" = ["DDB1"] }', 'tool.ddblint.per-file-ignores."tests/["'),
    ('deployments = { "jobs/[x" = "eu-west-1" }', 'tool.ddblint.deployments."jobs/[x"'),
    ('[tool.ddblint.tables.x]\nname = "orders-[prod"', "tool.ddblint.tables.x.name"),
])
def test_bad_globs(tmp_path, body, key):
    assert_error(error(tmp_path, body), tmp_path, key, "unbalanced `[`")


def test_good_globs(tmp_path):
    s = load(tmp_path, 'exclude = ["gen[0-9]", "[]]x", "a/[!b]c", "**/*.py"]')
    assert len(s.exclude) == 4


def test_escaped_bracket_glob(tmp_path):
    s = load(tmp_path, r"exclude = ['lit\[x']")
    assert s.exclude == (r"lit\[x",)


def test_trailing_backslash_glob_is_an_error(tmp_path):
    e = error(tmp_path, "exclude = ['build\\']")
    assert_error(e, tmp_path, "tool.ddblint.exclude", "invalid glob")


@pytest.mark.parametrize("body, key, selector", [
    ('select = ["DDB999"]', "tool.ddblint.select", "DDB999"),
    ('ignore = ["E501"]', "tool.ddblint.ignore", "E501"),
    ('extend-select = ["D"]', "tool.ddblint.extend-select", "D"),
    ('per-file-ignores = { "tests/**" = ["DDB7"] }', 'tool.ddblint.per-file-ignores."tests/**"', "DDB7"),
    ('select = ["all"]', "tool.ddblint.select", "all"),
])
def test_unknown_selectors(tmp_path, body, key, selector):
    assert_error(error(tmp_path, body), tmp_path, key, f"unknown rule selector `{selector}`")


def test_selector_suggestions(tmp_path):
    assert "Did you mean `DDB101`?" in str(error(tmp_path, 'select = ["ddb101"]'))
    assert "Did you mean `DDB101`?" in str(error(tmp_path, 'select = ["DDB1O1"]'))
    assert "`ALL`" in str(error(tmp_path, 'select = ["DDB999"]'))
    assert "Did you mean" not in str(error(tmp_path, 'select = ["DDB7"]'))


@pytest.mark.parametrize("selector", ["ALL", "DDB", "DDB1", "DDB10", "DDB101", "DDB3"])
def test_valid_selectors(tmp_path, selector):
    assert load(tmp_path, f'select = ["{selector}"]').select == (selector,)


# --- selection -------------------------------------------------------------------------


def sel(select=None, ignore=(), extend_select=()):
    return Settings(config_path=None, root=Path("/"), select=select, ignore=tuple(ignore),
                    extend_select=tuple(extend_select)).enabled_codes(RULES)


def test_selection_precedence():
    assert sel() == {"DDB101", "DDB102", "DDB201", "DDB301"}
    assert sel(select=("DDB1",), ignore=["DDB101"]) == {"DDB102", "DDB105"}
    assert sel(select=("DDB101",), ignore=["DDB1"]) == {"DDB101"}  # the more specific wins
    assert sel(select=("DDB101",), ignore=["DDB101"]) == set()  # a tie goes to ignore
    assert sel(select=("ALL",)) == set(RULES)
    assert sel(select=("ALL",), ignore=["DDB1"]) == {"DDB201", "DDB301"}
    assert sel(select=("DDB1",), ignore=["ALL"]) == {"DDB101", "DDB102", "DDB105"}
    assert sel(select=("ALL",), ignore=["ALL"]) == set()
    assert sel(select=()) == set()


def test_extend_select_and_default_off_rules():
    assert sel(extend_select=["DDB105"]) == {"DDB101", "DDB102", "DDB105", "DDB201", "DDB301"}
    assert sel(ignore=["DDB1"], extend_select=["DDB105"]) == {"DDB105", "DDB201", "DDB301"}
    assert sel(ignore=["DDB105"], extend_select=["DDB1"]) == {"DDB101", "DDB102", "DDB201", "DDB301"}
    assert sel(select=("DDB3",), extend_select=["DDB2"]) == {"DDB201", "DDB301"}
    # a prefix selects default-off rules too; only the implicit default set looks at the flag
    assert "DDB105" in sel(select=("DDB1",))
    assert "DDB105" not in sel(ignore=["DDB2"])


def test_selection_from_file(tmp_path):
    s = load(tmp_path, 'select = ["DDB1"]\nignore = ["DDB102"]\nextend-select = ["DDB301"]')
    assert s.enabled_codes(RULES) == {"DDB101", "DDB105", "DDB301"}


# --- per-file-ignores and regions ------------------------------------------------------


def test_per_file_ignores(tmp_path):
    s = load(tmp_path, """
        [tool.ddblint.per-file-ignores]
        "tests/**" = ["DDB1"]
        "conftest.py" = ["DDB301"]
        "scripts/*.py" = ["ALL"]
        "!src/**" = ["DDB201"]
    """)
    assert s.ignored_for(tmp_path / "tests" / "unit" / "t.py", RULES) == {"DDB101", "DDB102", "DDB105", "DDB201"}
    assert s.ignored_for(tmp_path / "src" / "pkg" / "conftest.py", RULES) == {"DDB301"}
    assert s.ignored_for(tmp_path / "scripts" / "x.py", RULES) == set(RULES)
    assert s.ignored_for(tmp_path / "src" / "app.py", RULES) == set()
    assert s.ignored_for(tmp_path / "other" / "tests" / "t.py", RULES) == {"DDB201"}  # "tests/**" is anchored


def test_per_file_ignores_relative_paths(tmp_path, monkeypatch):
    s = load(tmp_path, 'per-file-ignores = { "tests/**" = ["DDB1"] }')
    monkeypatch.chdir(tmp_path / ".")
    assert s.ignored_for(Path("tests/t.py"), RULES) == {"DDB101", "DDB102", "DDB105"}


def test_region_for(tmp_path):
    s = load(tmp_path, """
        region = "us-east-1"
        [tool.ddblint.deployments]
        "services/portal/**" = "eu-west-1"
        "jobs/retention/**" = "us-east-1"
        "jobs/**" = "ap-southeast-2"
        "lambda_*.py" = "eu-central-1"
    """)
    assert s.region_for(tmp_path / "services" / "portal" / "app" / "views.py") == "eu-west-1"
    assert s.region_for(tmp_path / "jobs" / "retention" / "run.py") == "us-east-1"  # first match wins
    assert s.region_for(tmp_path / "jobs" / "billing" / "run.py") == "ap-southeast-2"
    assert s.region_for(tmp_path / "deep" / "lambda_orders.py") == "eu-central-1"  # bare name: any depth
    assert s.region_for(tmp_path / "tools" / "x.py") == "us-east-1"
    assert s.region_for(tmp_path.parent / "elsewhere" / "services" / "portal" / "x.py") == "us-east-1"
    assert load(tmp_path, 'deployments = { "a/**" = "eu-west-1" }').region_for(tmp_path / "b.py") is None


def test_validate_selector_for_the_command_line():
    from ddblint.config import validate_selector

    assert validate_selector("DDB1", RULES, origin="command line") == "DDB1"
    with pytest.raises(ConfigError) as info:
        validate_selector("DDB9", RULES, origin="command line")
    assert str(info.value).startswith("command line: unknown rule selector `DDB9`.")
