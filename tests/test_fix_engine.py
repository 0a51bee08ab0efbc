"""The fix-application layer (ddblint/fix.py), driven by a fake linter whose fixes are built by hand."""
import os
import re
import stat

import pytest

from ddblint import fix
from ddblint.diagnostics import Diagnostic, Edit, Fix, Location
from ddblint.parsing import decode
from ddblint.fix import FileChangedError, apply_edits, applicable, fix_source, unified_diff, write_atomically


def at(text, offset):
    """The 1-based row and code-point column of `offset`, counting \\r\\n, \\r and \\n."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text[:offset])]
    return Location(len(starts), offset - starts[-1] + 1)


def diag(text, code, edits, applicability="safe"):
    """A finding at its first edit whose fix makes `edits`: (start offset, end offset, content)."""
    edits = tuple(Edit(content, at(text, s), at(text, e)) for s, e, content in edits)
    where = edits[0].location
    return Diagnostic(code, "msg", "x.py", where, where, Fix("fix it", applicability, edits))


def linter(*rules):
    """A lint callable: per rule (code, pattern, replacement, applicability), one finding per match."""
    def lint(text):
        found = []
        for code, pattern, replacement, applicability in rules:
            for m in re.finditer(pattern, text):
                content = replacement(m) if callable(replacement) else m.expand(replacement)
                found.append(diag(text, code, [(m.start(), m.end(), content)], applicability))
        return found
    return lint


DROP = ("DDB301", r"ConsistentRead=True, ", "", "safe")


def test_edits_applied_in_source_order_whatever_the_order_given():
    text = "a(1)\nb(2)\nc(3)\n"
    diagnostics = [diag(text, "X", [(12, 13, "three")]), diag(text, "X", [(2, 3, "one")]),
                   diag(text, "X", [(7, 8, "two")])]
    new, applied = apply_edits(text, diagnostics, unsafe=False)
    assert new == "a(one)\nb(two)\nc(three)\n"
    assert [d.fix.edits[0].content for d in applied] == ["one", "two", "three"]
    # one fix's edits given out of order are applied at their places too
    new, _ = apply_edits(text, [diag(text, "X", [(12, 13, "C"), (2, 3, "A")])], unsafe=False)
    assert new == "a(A)\nb(2)\nc(C)\n"


def test_insertion_and_deletion():
    text = "t.get_item(Key=k)\n"
    insert = diag(text, "X", [(11, 11, "ConsistentRead=False, ")])
    assert apply_edits(text, [insert], False)[0] == "t.get_item(ConsistentRead=False, Key=k)\n"
    text = "t.get_item(ConsistentRead=True, Key=k)\n"
    result = fix_source(text, linter(DROP), unsafe=False)
    assert result.source == "t.get_item(Key=k)\n" and result.error is None
    assert [d.code for d in result.applied] == ["DDB301"] and result.remaining == []


def test_overlapping_fix_waits_for_the_next_round():
    text = "table.get_item(Key=k)\n"
    lint = linter(("R1", r"\btable\.get_item", "tbl.get_item", "safe"),
                  ("R2", r"get_item\((?!Flag)", "get_item(Flag=1, ", "safe"))
    new, applied = apply_edits(text, lint(text), unsafe=False)
    assert new == "tbl.get_item(Key=k)\n" and [d.code for d in applied] == ["R1"]
    result = fix_source(text, lint, unsafe=False)
    assert result.source == "tbl.get_item(Flag=1, Key=k)\n"
    assert [d.code for d in result.applied] == ["R1", "R2"] and result.converged


def test_two_insertions_at_one_place_overlap_but_adjacent_replacements_do_not():
    text = "ab\n"
    new, applied = apply_edits(text, [diag(text, "X", [(1, 1, "1")]), diag(text, "Y", [(1, 1, "2")])], False)
    assert new == "a1b\n" and [d.code for d in applied] == ["X"]
    new, applied = apply_edits(text, [diag(text, "X", [(0, 1, "A")]), diag(text, "Y", [(1, 2, "B")])], False)
    assert new == "AB\n" and len(applied) == 2


def test_a_fix_is_applied_whole_or_not_at_all():
    text = "a = 1\nb = 2\nc = 3\n"
    first = diag(text, "A", [(0, 5, "a = one")])
    # its first edit overlaps the first fix: its second edit must not be applied either
    both = diag(text, "B", [(10, 11, "TWO"), (4, 5, "uno")])
    new, applied = apply_edits(text, [both, first], False)
    assert new == "a = one\nb = 2\nc = 3\n" and applied == [first]
    first = diag(text, "A", [(10, 11, "two")])
    # a fix with an edit outside the file (a rule's bug) is left out, the others go ahead
    broken = Diagnostic("Z", "m", "x.py", Location(1, 1), Location(1, 1),
                        Fix("f", "safe", (Edit("x", Location(1, 1), Location(1, 2)),
                                          Edit("y", Location(9, 1), Location(9, 2)))))
    backwards = Diagnostic("W", "m", "x.py", Location(1, 1), Location(1, 1),
                           Fix("f", "safe", (Edit("x", Location(1, 3), Location(1, 1)),)))
    new, applied = apply_edits(text, [broken, backwards, first], False)
    assert new == "a = 1\nb = two\nc = 3\n" and applied == [first]


def test_safe_unsafe_and_display_only():
    text = "x(1, 2, 3)\n"
    safe = diag(text, "S", [(2, 3, "one")], "safe")
    unsafe = diag(text, "U", [(5, 6, "two")], "unsafe")
    display = diag(text, "D", [(8, 9, "three")], "display-only")
    assert [applicable(d, False) for d in (safe, unsafe, display)] == [True, False, False]
    assert [applicable(d, True) for d in (safe, unsafe, display)] == [True, True, False]
    assert apply_edits(text, [safe, unsafe, display], False)[0] == "x(one, 2, 3)\n"
    assert apply_edits(text, [safe, unsafe, display], True)[0] == "x(one, two, 3)\n"
    no_fix = Diagnostic("N", "m", "x.py", Location(1, 1), Location(1, 2))
    assert not applicable(no_fix, True)


def test_a_fix_that_breaks_the_syntax_is_refused_and_the_original_kept():
    text = "t.get_item(ConsistentRead=True, Key=k)\n"
    result = fix_source(text, linter(("BAD", r"ConsistentRead=True, ", ",,", "safe")), unsafe=False)
    assert result.source == text and result.applied == []
    assert result.error.startswith("the fixed code does not parse (BAD): ")
    assert [d.code for d in result.remaining] == ["BAD"]


def test_a_later_round_that_breaks_the_syntax_keeps_the_last_good_text():
    text = "t.get_item(ConsistentRead=True, Key=k)\n"
    lint = linter(DROP, ("BAD", r"Key=k\)", "Key=k))", "safe"))
    # round 1: DROP and BAD do not overlap, both go in and break the parse: nothing is kept
    assert fix_source(text, lint, unsafe=False).source == text
    lint = linter(DROP, ("BAD", r"get_item\(Key", "get_item(((Key", "safe"))
    result = fix_source(text, lint, unsafe=False)
    assert result.source == "t.get_item(Key=k)\n" and [d.code for d in result.applied] == ["DDB301"]
    assert "does not parse (BAD)" in result.error


def test_a_duplicated_keyword_that_libcst_accepts_is_refused_too():
    text = "t.put_item(Item=i, ConditionExpression=c)\n"
    lint = linter(("DDB102", r"Item=i\)?", "Item=i, ConditionExpression=d", "unsafe"))
    result = fix_source(text, lint, unsafe=True)
    assert result.source == text and "keyword argument repeated" in result.error


def test_fixing_twice_changes_nothing():
    text = "t.get_item(ConsistentRead=True, Key=k)\nt.query(ConsistentRead=True, K=1)\n"
    first = fix_source(text, linter(DROP), unsafe=False)
    second = fix_source(first.source, linter(DROP), unsafe=False)
    assert second.source == first.source and second.applied == [] and second.error is None


def test_max_rounds_stops_a_fix_that_never_converges():
    lint = linter(("LOOP", r"n = (\d+)", lambda m: f"n = {int(m.group(1)) + 1}", "safe"))
    result = fix_source("n = 0\n", lint, unsafe=False, max_rounds=3)
    assert result.source == "n = 3\n" and len(result.applied) == 3
    assert not result.converged and result.error is None and [d.code for d in result.remaining] == ["LOOP"]


def test_crlf_and_mixed_line_endings_are_kept():
    text = "a = 1\r\nt.get_item(ConsistentRead=True, Key=k)\rb = 2\nt.query(ConsistentRead=True, K=1)\r\n"
    result = fix_source(text, linter(DROP), unsafe=False)
    assert result.source == "a = 1\r\nt.get_item(Key=k)\rb = 2\nt.query(K=1)\r\n"


def test_columns_count_code_points():
    text = "é = '😀ü'; t.get_item(ConsistentRead=True, Key=k)\n# ü\nt.query(ConsistentRead=True, K=1)\n"
    lint = linter(DROP)
    assert lint(text)[0].fix.edits[0].location == Location(1, text.index("Consistent") + 1) == Location(1, 22)
    assert fix_source(text, lint, unsafe=False).source == "é = '😀ü'; t.get_item(Key=k)\n# ü\nt.query(K=1)\n"


def test_an_edit_at_the_end_of_a_file_without_a_final_newline():
    text = "x = 1"  # positions.py ends the module at 2:1, after a virtual newline
    d = Diagnostic("X", "m", "x.py", Location(1, 1), Location(1, 1),
                   Fix("f", "safe", (Edit("\ny = 2", Location(1, 6), Location(2, 1)),)))
    assert apply_edits(text, [d], False)[0] == "x = 1\ny = 2"


def fix_file(path, *rules, unsafe=False):
    data = path.read_bytes()
    result = fix_source(decode(data), linter(*rules), unsafe)
    write_atomically(path, data, result.source)
    return result


def test_latin1_file_with_a_coding_cookie_stays_latin1(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nt.get_item(ConsistentRead=True, Key=k)\n")
    fix_file(path, DROP)
    assert path.read_bytes() == b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nt.get_item(Key=k)\n"


def test_a_character_the_encoding_cannot_hold_leaves_the_file_alone(tmp_path):
    path = tmp_path / "m.py"
    original = b"# coding: latin-1\nt.get_item(ConsistentRead=True, Key=k)  # caf\xe9\n"
    path.write_bytes(original)
    with pytest.raises(UnicodeEncodeError):
        fix_file(path, ("EURO", r"ConsistentRead=True, ", "X='€', ", "safe"))
    assert path.read_bytes() == original and os.listdir(tmp_path) == ["m.py"]


def test_utf8_bom_is_kept(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"\xef\xbb\xbft.get_item(ConsistentRead=True, Key='\xc3\xa9')\r\n")
    fix_file(path, DROP)
    assert path.read_bytes() == b"\xef\xbb\xbft.get_item(Key='\xc3\xa9')\r\n"


def test_permissions_are_kept(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("t.get_item(ConsistentRead=True, Key=k)\n")
    os.chmod(path, 0o640)
    fix_file(path, DROP)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640 and path.read_text() == "t.get_item(Key=k)\n"


def test_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.py"
    real.write_text("t.get_item(ConsistentRead=True, Key=k)\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    fix_file(link, DROP)
    assert link.is_symlink() and real.read_text() == "t.get_item(Key=k)\n"


def test_a_file_changed_on_disk_is_not_overwritten(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("t.get_item(ConsistentRead=True, Key=k)\n")
    data = path.read_bytes()
    result = fix_source(decode(data), linter(DROP), False)
    path.write_text("someone_else = 1\n")  # between our read and our write
    with pytest.raises(FileChangedError):
        write_atomically(path, data, result.source)
    assert path.read_text() == "someone_else = 1\n" and os.listdir(tmp_path) == ["m.py"]
    path.unlink()
    with pytest.raises(FileChangedError):
        write_atomically(path, data, result.source)
    assert not path.exists()


def test_a_failure_before_the_rename_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_text("t.get_item(ConsistentRead=True, Key=k)\n")
    data = path.read_bytes()

    def fail(*args):
        raise OSError("disk on fire")
    monkeypatch.setattr(fix.os, "replace", fail)
    with pytest.raises(OSError, match="disk on fire"):
        write_atomically(path, data, "t.get_item(Key=k)\n")
    assert path.read_bytes() == data and os.listdir(tmp_path) == ["m.py"]


def test_a_read_only_file_is_refused(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("t.get_item(ConsistentRead=True, Key=k)\n")
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match="read-only"):
        write_atomically(path, path.read_bytes(), "t.get_item(Key=k)\n")
    assert path.read_text() == "t.get_item(ConsistentRead=True, Key=k)\n"


def test_a_read_only_directory_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_text("t.get_item(ConsistentRead=True, Key=k)\n")
    os.chmod(tmp_path, 0o555)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root may write there anyway: act as if not

        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(fix.tempfile, "mkstemp", refuse)
    try:
        with pytest.raises(PermissionError, match="read-only directory"):
            write_atomically(path, path.read_bytes(), "t.get_item(Key=k)\n")
    finally:
        os.chmod(tmp_path, 0o755)
    assert os.listdir(tmp_path) == ["m.py"]


def test_unified_diff():
    old = "a = 1\nt.get_item(ConsistentRead=True, Key=k)\nb = 2\n"
    new = "a = 1\nt.get_item(Key=k)\nb = 2\n"
    assert unified_diff(old, new, "src/app.py") == (
        "--- a/src/app.py\n+++ b/src/app.py\n@@ -1,3 +1,3 @@\n a = 1\n"
        "-t.get_item(ConsistentRead=True, Key=k)\n+t.get_item(Key=k)\n b = 2\n")
    assert unified_diff(old, old, "src/app.py") == ""


def test_unified_diff_marks_a_missing_final_newline_and_keeps_form_feeds_in_lines():
    diff = unified_diff("x = 1\n\fy = 2", "x = 1\n\fy = 3", "m.py")
    assert diff == ("--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n x = 1\n"
                    "-\fy = 2\n\\ No newline at end of file\n+\fy = 3\n\\ No newline at end of file\n")


@pytest.mark.parametrize("code, pattern, replacement, problem", [
    ("BAD", r"ConsistentRead=True, ", ",,", "ParserSyntaxError: Syntax Error @ 1:1."),
    ("DEEP", r"Key=k", "Key=" + "(" * 250 + "k" + ")" * 250,
     "RecursionError: syntax error: too many nested parentheses at 1:236"),
    ("DEEPER", r"Key=k", "Key=" + "-" * 5000 + "k", "RecursionError: cannot parse the file: it is nested too deeply at 1:1"),
    ("DUP", r"Key=k", "Key=k, Key=j", "SyntaxError: keyword argument repeated: Key (<fixed>, line 1)"),
])
def test_why_the_fixed_code_does_not_parse(code, pattern, replacement, problem):
    """The reason names what failed underneath the guarded parse (or CPython's compile)."""
    text = "t.get_item(ConsistentRead=True, Key=k)\n"
    result = fix_source(text, linter((code, pattern, replacement, "safe")), unsafe=False)
    assert result.error == f"the fixed code does not parse ({code}): {problem}"
