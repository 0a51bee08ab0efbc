"""SARIF 2.1.0, shaped for GitHub code scanning (`github/codeql-action/upload-sarif`).

- Files are named relative to the repository root (`uriBaseId: "%SRCROOT%"`, resolved by
  `run.originalUriBaseIds`), so alerts keep their identity between runs and checkouts. The root
  is the nearest directory above the current one holding `.git`, else the current directory; a
  file outside it keeps an absolute `file://` URI.
- `tool.driver.rules` lists the rules of the results (the registry's descriptor; DDB000 has a
  descriptor of its own) plus, when the caller passes `rules=` (the codes that were enabled), those
  too; `ruleIndex` points into that list.
- Levels: `error` for DDB000 (the file was not checked: it does not parse or decode), `warning`
  for every rule's finding (GitHub's default; the exit code is what gates CI).
- Columns count code points (`run.columnKind: "unicodeCodePoints"`), as the diagnostics do;
  `endColumn` is one past the last character.
- `partialFingerprints.primaryLocationLineHash` is, in the shape upload-sarif computes, `HASH:N`:
  a hash of the rule id and the stripped text of the finding's first line, and which of the
  file's findings with that hash this is (1, 2, ...). No line number enters it, so inserting
  unrelated lines above keeps an alert the same alert.
- `fixes` carry every fix the diagnostic has, its applicability under `properties`.
"""
from __future__ import annotations

import json
import textwrap
from typing import Dict, Iterable, List, Optional

import ddblint
from ddblint import registry
from ddblint.report import _common
from ddblint.rule import DOCS_URL

ORDER = 4
NEEDS_SOURCES = True  # the line hashes of partialFingerprints
NEEDS_EDITS = True  # `fixes`

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = ddblint.PROJECT_URL
SRCROOT = "%SRCROOT%"

_PARSE_ERROR_DOC = """\
# syntax-error (DDB000)

Default: on. Fix: none.

The file could not be decoded or parsed, so no rule checked it.

## What it does
Reports a file that is not valid Python (a syntax error, with Python's own message and
position), that cannot be decoded (a wrong coding cookie, invalid UTF-8), or that cannot be
read. The other files are still checked.

## Why is this bad?
ddblint checks nothing in such a file: any problem in it goes unreported until it parses.
"""


def _reflow(text: str) -> str:
    paragraphs = textwrap.dedent(text).strip().split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _descriptor(code: str, known, sample) -> dict:
    rule = known.get(code)
    if rule is not None:
        doc = rule.documentation()
        descriptor = {"id": code, "name": rule.name,
                      "shortDescription": {"text": rule.summary},
                      "fullDescription": {"text": _reflow(rule.what)},
                      "help": {"text": doc, "markdown": doc},
                      "helpUri": rule.url()}
    elif code == _common.PARSE_ERROR:
        descriptor = {"id": code, "name": "syntax-error",
                      "shortDescription": {"text": "The file could not be decoded or parsed"},
                      "fullDescription": {"text": "The file is not valid Python or cannot be decoded or read, "
                                                  "so no rule checked it."},
                      "help": {"text": _PARSE_ERROR_DOC, "markdown": _PARSE_ERROR_DOC},
                      "helpUri": DOCS_URL.format(code=code.lower())}
    else:  # a code the registry does not know (a plugin's, a newer engine's): what the finding says
        name = getattr(sample, "name", "") or code
        descriptor = {"id": code, "name": name, "shortDescription": {"text": name},
                      "fullDescription": {"text": name}, "help": {"text": name}}
        if getattr(sample, "url", None):
            descriptor["helpUri"] = sample.url
    level = "error" if code == _common.PARSE_ERROR else "warning"
    descriptor["defaultConfiguration"] = {"level": level}
    descriptor["properties"] = {"tags": list(_common.category(code))}
    return descriptor


class _Locator:
    def __init__(self) -> None:
        self.root = _common.repository_root()

    def artifact(self, filename: str) -> dict:
        relative = _common.relative_path(filename, self.root)
        if relative is None:
            return {"uri": _common.file_uri(_common.absolute(filename))}
        return {"uri": _common.uri_path(relative), "uriBaseId": SRCROOT}


def render(diagnostics, sources, rules: Optional[Iterable] = None) -> str:
    """`rules`: the codes (or rule classes) that ran, to list in `tool.driver.rules` even when
    they found nothing; without it only the rules with results are listed."""
    known = registry.all_rules()
    diagnostics = _common.ordered(diagnostics)
    lines = _common.Sources(sources)
    locator = _Locator()

    samples: Dict[str, object] = {}
    for d in diagnostics:
        samples.setdefault(d.code, d)
    codes = set(samples)
    for rule in rules or ():
        codes.add(getattr(rule, "code", rule))
    descriptors = [_descriptor(code, known, samples.get(code)) for code in sorted(codes)]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}

    keys = _common.line_keys(diagnostics, lines)
    results: List[dict] = []
    for d, (line_hash, occurrence) in zip(diagnostics, keys):
        artifact = locator.artifact(d.filename)
        result = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if _common.is_error(d) else "warning",
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact,
                                                "region": _common.region(d.location, d.end_location)}}],
            # the shape upload-sarif computes: a hash of the line, ":", which such line in the file
            "partialFingerprints": {"primaryLocationLineHash": f"{line_hash[:16]}:{occurrence + 1}"},
        }
        if d.fix is not None and d.fix.edits:
            result["fixes"] = [{
                "description": {"text": d.fix.message},
                "artifactChanges": [{
                    "artifactLocation": dict(artifact),
                    "replacements": [{"deletedRegion": _common.region(e.location, e.end_location),
                                      "insertedContent": {"text": e.content}} for e in d.fix.edits],
                }],
                "properties": {"applicability": d.fix.applicability},
            }]
        results.append(result)

    run = {
        "tool": {"driver": {"name": "ddblint", "semanticVersion": ddblint.__version__,
                            "version": ddblint.__version__, "informationUri": INFORMATION_URI,
                            "rules": descriptors}},
        "originalUriBaseIds": {SRCROOT: {"uri": _common.directory_uri(locator.root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
