"""What a rule is: a small class with its code, name, documentation, examples and check.

Like Fixit's LintRule, the examples that must and must not fire live on the rule and become
tests automatically (tests/test_rule_examples.py); the documentation `ddblint rule CODE`
prints is built from the same class, so docs, tests and behaviour cannot drift apart.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import ClassVar, FrozenSet, Iterable, List, Optional, Sequence, Tuple

import libcst as cst

from ddblint import PROJECT_URL, dynamo as model_package, noqa
from ddblint.diagnostics import Edit, Fix, Location
from ddblint.positions import Positions
from ddblint.syntax import dotted_name

# What a rule module may import of ddblint: this module and `ddblint.dynamo` (the package's
# public names); tests/test_rule_imports.py holds every rule to it.
__all__ = ["Context", "Edit", "Example", "Finding", "Fix", "LineFinding", "Location", "Rule", "TableFinding",
           "dotted_name"]

# A rule's documentation: its section of docs/rules.md in the project's repository (PROJECT_URL).
DOCS_URL = PROJECT_URL + "/blob/main/docs/rules.md#{code}"
_EXPECT = re.compile(r"\s*# expect: (DDB\d{3}(?:, DDB\d{3})*)\s*$")


@dataclass(frozen=True)
class Example:
    """A snippet; lines of a must-fire example that end in `# expect: DDB101` must get that finding."""

    code: str
    config: str = ""  # TOML as it would stand in pyproject.toml ([tool.ddblint] ...)
    filename: str = "app.py"
    # For a must-fire example whose findings carry a fix: the source after applying all of this
    # rule's fixes (unsafe ones included), in rounds until none is left. Empty: not checked.
    fixed: str = ""

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def fixed_source(self) -> str:
        return textwrap.dedent(self.fixed).lstrip("\n")

    def expected(self) -> Tuple[Tuple[int, str], ...]:
        """(row, code) pairs marked in the source."""
        marks = []
        for row, line in enumerate(self.source.splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                marks.extend((row, code) for code in match.group(1).split(", "))
        return tuple(marks)

    @property
    def language(self) -> str:
        return {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".tf": "hcl"}.get(Path(self.filename).suffix, "python")

    def shown(self) -> str:
        """The source as documentation shows it: without the test markers."""
        return "\n".join(_EXPECT.sub("", line) for line in self.source.splitlines())


@dataclass(frozen=True)
class TableFinding:
    """A finding in an infrastructure file: `source` is "path/relative/to/root:LINE"."""

    source: str
    message: str


@dataclass(frozen=True)
class Finding:
    node: cst.CSTNode
    message: str
    fix: Optional[Fix] = None
    # (start, end) offsets into the node's own source text, to point inside it (a word in a
    # string literal); used only when the node is on one line
    span: Optional[Tuple[int, int]] = None
    # The fix's changes as LibCST edits: (node of this module, its replacement node or code).
    # The engine turns each into a text edit over the node's range, so every other byte of the
    # file is kept; `fix` carries the title and applicability.
    edits: Tuple[Tuple[cst.CSTNode, object], ...] = ()


@dataclass(frozen=True)
class LineFinding:
    """A finding about a comment, placed by row and 1-based columns (end exclusive); its fix
    carries text edits."""

    row: int
    column: int
    end_column: int
    message: str
    fix: Optional[Fix] = None


class Context:
    """One module being checked; rules read from it and never parse anything themselves.

    `known_codes`: the code of every rule there is (the registry's; the engine passes them), for
    rules that judge the codes written in suppression comments."""

    def __init__(self, path: Path, source: str, module: cst.Module, settings,
                 known_codes: Iterable[str] = (), standard_tree=None) -> None:
        self.path = path
        self.source = source
        self.module = module
        self.settings = settings
        self.known_codes: FrozenSet[str] = frozenset(known_codes)
        self._standard_tree = standard_tree  # the standard library's, when the prefilter made it

    @cached_property
    def dynamo(self) -> model_package.DynamoModel:
        return model_package.DynamoModel(self.module, self.path, self.settings)

    @cached_property
    def positions(self) -> Positions:
        """The rows and columns of the module's nodes (one code generation, made on first use: the
        engine locates findings with it, and `ddblint map` its calls)."""
        return Positions(self.module, self.source, self._standard_tree)

    def close(self) -> None:
        """Done with the module (see `DynamoModel.close`)."""
        model = self.__dict__.get("dynamo")
        if model is not None:
            model.close()

    def noqa_directives(self) -> List[noqa.Directive]:
        """The module's `# noqa` comments, in source order."""
        return noqa.directives(self.source)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    default: ClassVar[bool] = True
    summary: ClassVar[str]  # one line
    what: ClassVar[str]  # "What it does"
    why: ClassVar[str]  # "Why is this bad?"
    fix_availability: ClassVar[str] = "None"  # None | Sometimes | Always
    # For a rule that offers a fix: whether it is safe or unsafe, and why (what the fixed code may
    # do that the original did not). `ddblint rule CODE` and docs/rules.md show it.
    fix_safety: ClassVar[str] = ""
    # Substrings one of which a file must contain for the rule to possibly fire (the prefilter);
    # `import:WORD` also counts WORD in a project module the file imports. Build them with
    # `ddblint.dynamo.triggers(...)` from the operations the rule checks.
    triggers: ClassVar[Tuple[str, ...]] = ()
    # Whether every finding of `check` is about something `ctx.dynamo` found (a call, a write
    # through a helper, a builder comparison, a PynamoDB model). The engine does not parse a
    # module in which the model would find nothing (dynamo.glance); a rule that reports on
    # anything else (comments, the text) sets this to False. tests/test_glance.py checks it.
    from_model: ClassVar[bool] = True
    # For a rule that is not `from_model`: a regular expression (bytes) that a file must match for
    # the rule to fire there, finer than its triggers. A file the model has nothing in is parsed
    # only when it matches (DDB001: a `noqa` comment naming a DDB code, in any case, where its
    # triggers only say "DDB" somewhere). It must match wherever the rule can fire:
    # tests/test_glance.py checks it on the rule's examples.
    text_pattern: ClassVar[Optional[bytes]] = None
    # Codes that report the same problem more precisely: when one of them fires at the same
    # place, this rule's finding is dropped (DDB101 gives way to DDB104, DDB204, ...).
    superseded_by: ClassVar[Tuple[str, ...]] = ()
    fires: ClassVar[Sequence[Example]] = ()  # fires[0] is the documentation's example
    passes: ClassVar[Sequence[Example]] = ()  # passes[0] is its "use instead"

    def check(self, ctx: Context) -> Iterable[Finding]:
        """Findings in one Python module."""
        return ()

    def check_suppressions(self, ctx: Context, raised: FrozenSet[Tuple[str, Optional[int]]],
                           enabled: FrozenSet[str]) -> Iterable[LineFinding]:
        """Findings about the module's suppression comments, given the (code, row) of every
        finding the other rules raised before suppression and the codes enabled for the file.
        Called only when every rule ran to the end on the file."""
        return ()

    def check_tables(self, registry) -> Iterable["TableFinding"]:
        """Findings about the table registry itself (declarations in infrastructure files)."""
        return ()

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code.lower())

    @classmethod
    def documentation(cls) -> str:
        parts = [f"# {cls.name} ({cls.code})", "",
                 f"Default: {'on' if cls.default else 'off'}. Fix: {cls.fix_availability.lower()}.", "",
                 cls.summary, "", "## What it does", _para(cls.what), "", "## Why is this bad?", _para(cls.why)]
        if cls.fires:
            parts += ["", "## Example", f"```{cls.fires[0].language}", cls.fires[0].shown(), "```"]
        if cls.passes:
            parts += ["", "## Use instead", f"```{cls.passes[0].language}", cls.passes[0].shown(), "```"]
        if cls.fix_safety:
            parts += ["", "## Fix safety", _para(cls.fix_safety)]
        return "\n".join(parts) + "\n"

    @classmethod
    def as_json(cls) -> dict:
        return {"code": cls.code, "name": cls.name, "linter": "ddblint", "summary": cls.summary,
                "default": cls.default, "fix_availability": cls.fix_availability,
                "explanation": cls.documentation(), "url": cls.url()}


def _para(text: str) -> str:
    return textwrap.dedent(text).strip()
