"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI).

One `<testsuite>` per file with findings and one failing `<testcase name="org.ddblint.CODE"
classname="PATH" line="L" column="C">` per finding, as Ruff does. With no findings, one passing
test case, so a CI system that expects a result sees one. Text goes through ElementTree, which
escapes `<`, `&` and quotes; characters XML 1.0 cannot carry at all (control characters) become
U+FFFD.
"""
from __future__ import annotations

import re
from itertools import groupby

from ddblint.report import _common

ORDER = 7

# Characters outside XML 1.0's Char production cannot appear even as character references.
# A pattern string, compiled (and cached by `re`) on first use: compiling it costs ~4 ms, and
# ddblint.report imports every format module at start-up to read what it declares.
_NOT_XML = "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def _text(value: str) -> str:
    return re.sub(_NOT_XML, "\ufffd", value)


def render(diagnostics, sources) -> str:
    # deferred: ElementTree (~2 ms) is needed only for this format, and ddblint.report imports
    # every format module at start-up to read what it declares
    import xml.etree.ElementTree as ET

    diagnostics = _common.ordered(diagnostics)
    root = ET.Element("testsuites", name="ddblint", tests=str(max(len(diagnostics), 1)),
                      failures=str(len(diagnostics)), errors="0")
    if not diagnostics:
        suite = ET.SubElement(root, "testsuite", name="ddblint", tests="1", failures="0", errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name="No errors found", classname="ddblint")
    for filename, group in groupby(diagnostics, key=lambda d: d.filename):
        found = list(group)
        suite = ET.SubElement(root, "testsuite", name=_text(filename), tests=str(len(found)),
                              failures=str(len(found)), errors="0", skipped="0")
        for d in found:
            case = ET.SubElement(suite, "testcase", name=f"org.ddblint.{d.code}", classname=_text(filename),
                                 line=str(d.location.row), column=str(d.location.column))
            failure = ET.SubElement(case, "failure", message=_text(d.message), type=d.code)
            failure.text = _text(f"line {d.location.row}, col {d.location.column}, {d.code} {d.message}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
