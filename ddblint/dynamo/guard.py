"""The version-guard decision of SPEC §5.

A write is guarded when its condition, in disjunctive normal form, has in *every* disjunct one of:
(a) an equality of a version attribute with a value; (b) `attribute_not_exists(...)` (a create);
(c) a compare-and-set: a comparison of an attribute the same write sets. For a DeleteItem, (a),
(b) or an equality on any attribute. What we cannot read counts as guarded: silence beats a
false alarm.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import List, Optional, Tuple

import libcst as cst

from ddblint.dynamo import conditions, expressions as ex
from ddblint.dynamo.calls import Operation
from ddblint.dynamo.values import UNKNOWN, OnPath

_NEGATED = {"=": "<>", "<>": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_MAX_DISJUNCTS = 256


@dataclass(frozen=True)
class Guard:
    status: str  # guarded | unguarded | unknown
    has_condition: bool
    checks_version: bool  # some term compares a version attribute (DDB103/DDB104 ask this)
    when: Optional[OnPath] = None  # unguarded only where this `if` leaves the condition out

    @property
    def unguarded(self) -> bool:
        return self.status == "unguarded"

    @property
    def selector(self) -> Optional[str]:
        """What selects the unguarded path, for a message: "`overwrite` is true"."""
        if self.when is None:
            return None
        return describe_test(self.when.test, not self.when.truth)


def describe_test(test, truth: bool) -> str:
    """`test` having the truth value `truth`, in words: "`overwrite` is true", "`condition` is None"."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return describe_test(test.expression, not truth)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot)) \
            and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None":
        is_none = isinstance(test.comparisons[0].operator, cst.Is) == truth
        return f"`{_code(test.left)}` is {'None' if is_none else 'not None'}"
    return f"`{_code(test)}` is {'true' if truth else 'false'}"


def _code(node) -> str:
    return cst.Module(body=[]).code_for_node(node)


def dnf(node) -> Optional[List[List[Tuple[object, bool]]]]:
    """Disjuncts of (atom, negated) literals, or None when the form would be too large."""
    return _dnf(node, False)


def _dnf(node, negated: bool):
    if isinstance(node, ex.Not):
        return _dnf(node.operand, not negated)
    if isinstance(node, (ex.And, ex.Or)):
        left, right = _dnf(node.left, negated), _dnf(node.right, negated)
        if left is None or right is None:
            return None
        conjunction = isinstance(node, ex.And) != negated  # De Morgan
        if not conjunction:
            result = left + right
        else:
            result = [a + b for a in left for b in right]
        return result if len(result) <= _MAX_DISJUNCTS else None
    if negated and isinstance(node, ex.Comparison):
        return [[(ex.Comparison(_NEGATED[node.op], node.left, node.right), False)]]
    if isinstance(node, ex.Function) and node.name in ("attribute_exists", "attribute_not_exists") and negated:
        flipped = "attribute_not_exists" if node.name == "attribute_exists" else "attribute_exists"
        return [[(ex.Function(flipped, node.args), False)]]
    return [[(node, negated)]]


def compared_paths(atom) -> List[object]:
    """The attribute paths a comparison or BETWEEN compares (through size())."""
    if isinstance(atom, ex.Comparison):
        sides = [atom.left, atom.right]
    elif isinstance(atom, ex.Between):
        sides = [atom.operand]
    else:
        return []
    paths = []
    for side in sides:
        if isinstance(side, ex.Function) and side.name == "size" and side.args:
            side = side.args[0]
        if isinstance(side, ex.Path):
            paths.append(side)
    return paths


def checked_version(op: Operation, version_attributes) -> Optional[str]:
    """The version attribute the operation's condition compares, if any."""
    tree = conditions.condition(op, version_attributes)
    if tree is None or tree is UNKNOWN:
        return None
    names = conditions.attribute_names(op)
    for node in ex.walk(tree):
        for path in compared_paths(node):
            name = conditions.attribute_name(path, names)
            if name in version_attributes:
                return name
    return None


def always_compared(op: Operation, version: str) -> bool:
    """Every alternative of the condition requires `version = value`: the item has the attribute."""
    tree = conditions.condition(op, (version,))
    if tree is None or tree is UNKNOWN:
        return False
    disjuncts = dnf(tree)
    if not disjuncts:
        return False
    names = conditions.attribute_names(op)
    for literals in disjuncts:
        if not any(not negated and isinstance(atom, ex.Comparison) and atom.op == "="
                   and any(conditions.attribute_name(p, names) == version for p in (atom.left, atom.right))
                   for atom, negated in literals):
            return False
    return True


def _equality_with_value(atom) -> List[object]:
    """For `path = value` (either order), the path; values are placeholders or builder literals."""
    if not isinstance(atom, ex.Comparison) or atom.op != "=":
        return []
    values = (ex.ValueRef, ex.Literal)
    if isinstance(atom.left, ex.Path) and isinstance(atom.right, values):
        return [atom.left]
    if isinstance(atom.right, ex.Path) and isinstance(atom.left, values):
        return [atom.right]
    return []


def _is_version(name, version_attributes) -> bool:
    return name is UNKNOWN or name in version_attributes


def checks_version(tree, names, version_attributes) -> bool:
    """Some comparison in the condition is on a version attribute (not counting unknown names)."""
    for node in ex.walk(tree):
        for path in compared_paths(node):
            if conditions.attribute_name(path, names) in version_attributes:
                return True
    return False


def _disjunct_guarded(literals, op_name, names, version_attributes, written) -> bool:
    for atom, negated in literals:
        if negated:
            if isinstance(atom, ex.Between) and _written(atom, names, written):
                return True  # NOT BETWEEN is still a compare-and-set
            continue
        if isinstance(atom, ex.Function) and atom.name == "attribute_not_exists":
            return True  # (b) a create
        for path in _equality_with_value(atom):
            name = conditions.attribute_name(path, names)
            if _is_version(name, version_attributes) or op_name == "DeleteItem":
                return True  # (a), or an equality pinning the item a delete removes
        if op_name != "DeleteItem" and _written(atom, names, written):
            return True  # (c) compare-and-set
    return False


def _written(atom, names, written) -> bool:
    for path in compared_paths(atom):
        name = conditions.attribute_name(path, names)
        if written is UNKNOWN or name is UNKNOWN or name in written:
            return True
    return False


def key_attributes(facts) -> Optional[Tuple[str, ...]]:
    """The registry's partition and sort key of a table, None when its key schema is not declared."""
    partition = getattr(facts.config, "partition_key", None)
    if not partition:
        return None
    sort = getattr(facts.config, "sort_key", None)
    return (partition, sort) if sort else (partition,)


def version_guard(op: Operation, version_attributes, keys: Optional[Tuple[str, ...]] = None) -> Guard:
    """`keys`: the table's key attributes when known (a PartiQL WHERE names the item with them).
    A condition the code adds on one path only (`if not overwrite: ...`) leaves the other path
    unguarded: that is the answer, with the `if` that selects it (SPEC §3 Paths)."""
    guard = _version_guard(op, version_attributes, keys)
    alternative = op.without_path_condition() if guard.status == "unknown" else None
    if alternative is not None:
        without, path = alternative
        other = _version_guard(without, version_attributes, keys)
        if other.unguarded:
            return replace(other, when=path)
    return guard


def _version_guard(op: Operation, version_attributes, keys: Optional[Tuple[str, ...]]) -> Guard:
    tree = conditions.condition(op, version_attributes, keys)
    if tree is None:
        if not op.complete and op.partiql is None:  # a statement's WHERE is all there is
            return Guard("unknown", False, False)  # a splat we cannot see may carry the condition
        return Guard("unguarded", False, False)
    if tree is UNKNOWN:
        return Guard("unknown", True, False)
    names = conditions.attribute_names(op)
    disjuncts = dnf(tree)
    checks = checks_version(tree, names, version_attributes)
    if disjuncts is None:
        return Guard("unknown", True, checks)
    written = conditions.written_attributes(op)
    guarded = all(_disjunct_guarded(d, op.name, names, version_attributes, written) for d in disjuncts)
    return Guard("guarded" if guarded else "unguarded", True, checks)
