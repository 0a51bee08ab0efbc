"""Editing a request: the changes a fix makes to one operation's request, as LibCST edits.

This module knows no rule: what a fix changes and why is decided by the rule that offers it
(rules/); these are the edits it is made of.

A fix changes only code it can see whole: the keyword arguments of the call (or the keys of a
TransactItems entry's dict literal), string literals it can edit character for character, and
dict literals. `Patch(module, op)` collects the changes (replace a node, add or remove a request
parameter, merge entries into ExpressionAttributeNames/Values, AND a term onto the condition,
add an action to the UpdateExpression) and `Patch.edits()` turns them into `Finding.edits`:
`(node of the module, the exact text for that node's source range)`. The text is what the
changed node prints as *at its place in the module* (continuation lines keep the indentation of
the enclosing blocks), without the node's own parentheses, which are outside its range and kept.

Whenever something needed is not resolved or not written as a literal the fix can edit, the
builders raise `Unfixable` and the rule reports its finding without a fix. New placeholders never
collide with the keys the maps define, the placeholders the expressions use, or the `#n0`/`:v0`
names boto3's condition builders generate.
"""
from __future__ import annotations

import functools
import re
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ddblint.dynamo import expressions as ex
from ddblint.dynamo.calls import ABSENT, Operation
from ddblint.dynamo.expression_params import NAMES, expressions
from ddblint.dynamo.operations import Unfixable
from ddblint.tree import children
from ddblint.dynamo.values import ConditionValue, DictValue, string_value
from ddblint.positions import code_in_place
from ddblint.syntax import dotted_name

_BUILDER_PLACEHOLDER = re.compile(r"(#n|:v)\d+\Z")
_PLACEHOLDER_CHARS = re.compile(r"[^A-Za-z0-9_]")
Container = "Union[cst.Call, cst.Dict]"  # a request: the call's keywords, or a dict literal


# --- layout-preserving changes of argument lists and dict literals -----------------------------

def _is_multiline(ws) -> bool:
    return isinstance(ws, cst.ParenthesizedWhitespace)


def _line_break(indent: bool, last_line: cst.SimpleWhitespace, first_line=None, empty_lines=()):
    return cst.ParenthesizedWhitespace(first_line=first_line or cst.TrailingWhitespace(),
                                       empty_lines=list(empty_lines), indent=indent, last_line=last_line)


def _element_start(opening, elements) -> Optional[cst.ParenthesizedWhitespace]:
    """The line break (and indentation) before an element of a multi-line list, if there is one."""
    for ws in [opening] + [e.comma.whitespace_after for e in elements if isinstance(e.comma, cst.Comma)]:
        if _is_multiline(ws):
            return ws
    return None


def _append(elements: Sequence, new, opening, closing) -> Tuple[list, object]:
    """(elements + [new], the new closing whitespace).

    `closing` is what stands between the last element (and its trailing comma, if any) and the
    closing bracket. A trailing comment stays on its line; the new element takes a line of its own
    in a multi-line list."""
    if not elements:
        return [new], closing
    last = elements[-1]
    start = _element_start(opening, elements[:-1])
    trailing = isinstance(last.comma, cst.Comma)
    gap = last.comma.whitespace_after if trailing and _is_multiline(last.comma.whitespace_after) else closing
    if _is_multiline(gap):
        indent, last_line = (start.indent, start.last_line) if start is not None else (gap.indent, gap.last_line)
        separator = cst.Comma(whitespace_after=_line_break(indent, last_line, gap.first_line, gap.empty_lines))
        end = _line_break(gap.indent, gap.last_line)
        if trailing and gap is last.comma.whitespace_after:
            return list(elements[:-1]) + [last.with_changes(comma=separator),
                                          new.with_changes(comma=cst.Comma(whitespace_after=end))], closing
        if trailing:  # `a,` then the break in `closing` (a dict literal)
            return list(elements[:-1]) + [last.with_changes(comma=separator),
                                          new.with_changes(comma=cst.Comma())], end
        return list(elements[:-1]) + [last.with_changes(comma=separator), new], end
    if start is not None:  # one element a line, aligned under the first: so is the new one
        separator = cst.Comma(whitespace_after=_line_break(start.indent, start.last_line))
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if trailing:
        return list(elements[:-1]) + [last.with_changes(comma=separator), new.with_changes(comma=last.comma)], \
            closing
    return list(elements[:-1]) + [last.with_changes(comma=separator), new], closing


def _remove(elements: Sequence, index: int, closing) -> Tuple[list, object]:
    """(elements without elements[index], the new closing whitespace)."""
    if len(elements) == 1:
        return [], cst.SimpleWhitespace("")
    if index < len(elements) - 1:
        removed = elements[index]
        kept = list(elements[:index]) + list(elements[index + 1:])
        if index > 0 and isinstance(removed.comma, cst.Comma) and _is_multiline(removed.comma.whitespace_after) \
                and not _is_multiline(elements[index - 1].comma.whitespace_after):
            # `a, removed,  # comment` + line break: the line keeps its break and its comment
            previous = elements[index - 1]
            kept[index - 1] = previous.with_changes(
                comma=previous.comma.with_changes(whitespace_after=removed.comma.whitespace_after))
        return kept, closing
    previous, removed = elements[index - 1], elements[index]
    before = previous.comma.whitespace_after
    if isinstance(removed.comma, cst.Comma):
        after = removed.comma.whitespace_after
        if _is_multiline(before) and _is_multiline(after):
            comma = previous.comma.with_changes(
                whitespace_after=before.with_changes(indent=after.indent, last_line=after.last_line))
        elif _is_multiline(before) and _is_multiline(closing):
            # a dict literal: the line break before the brace is the closing whitespace; the
            # comment that stays is the one on the previous element's line
            comma = previous.comma.with_changes(whitespace_after=cst.SimpleWhitespace(""))
            closing = before.with_changes(indent=closing.indent, last_line=closing.last_line)
        else:
            comma = previous.comma.with_changes(whitespace_after=after)
        return list(elements[:index - 1]) + [previous.with_changes(comma=comma)], closing
    if _is_multiline(before) and before.first_line.comment is not None:
        # keep the comma, so that the comment stays on its line
        if _is_multiline(closing):
            before = before.with_changes(indent=closing.indent, last_line=closing.last_line)
        comma = previous.comma.with_changes(whitespace_after=before)
        return list(elements[:index - 1]) + [previous.with_changes(comma=comma)], cst.SimpleWhitespace("")
    return list(elements[:index - 1]) + [previous.with_changes(comma=cst.MaybeSentinel.DEFAULT)], closing


def with_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    args = list(call.args)
    if not args:
        return call.with_changes(args=[arg])
    last = args[-1]
    closing = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else last.whitespace_after_arg
    if isinstance(last.comma, cst.Comma):
        elements, _ = _append(args, arg, call.whitespace_before_args, closing)
        return call.with_changes(args=elements)
    stripped = args[:-1] + [last.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))]
    elements, end = _append(stripped, arg, call.whitespace_before_args, closing)
    elements[-1] = elements[-1].with_changes(whitespace_after_arg=end)
    return call.with_changes(args=elements)


def without_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    args = list(call.args)
    index = next(i for i, a in enumerate(args) if a is arg)
    last = args[-1]
    if len(args) == 1:
        changes = {"args": []}
        if _is_multiline(call.whitespace_before_args):
            changes["whitespace_before_args"] = cst.SimpleWhitespace("")
        return call.with_changes(**changes)
    if index == len(args) - 1 and not isinstance(last.comma, cst.Comma):
        closing = last.whitespace_after_arg
        elements, end = _remove(args, index, closing)
        elements[-1] = elements[-1].with_changes(whitespace_after_arg=end)
        return call.with_changes(args=elements)
    elements, _ = _remove(args, index, cst.SimpleWhitespace(""))
    return call.with_changes(args=elements)


def with_element(node: cst.Dict, element: cst.DictElement) -> cst.Dict:
    elements = list(node.elements)
    if not elements:
        return node.with_changes(elements=[element])
    closing = node.rbrace.whitespace_before
    new_elements, end = _append(elements, element, node.lbrace.whitespace_after, closing)
    return node.with_changes(elements=new_elements, rbrace=node.rbrace.with_changes(whitespace_before=end))


def without_element(node: cst.Dict, element) -> cst.Dict:
    elements = list(node.elements)
    index = next(i for i, e in enumerate(elements) if e is element)
    if len(elements) == 1:
        return node.with_changes(elements=[], lbrace=node.lbrace.with_changes(whitespace_after=cst.SimpleWhitespace("")),
                                 rbrace=node.rbrace.with_changes(whitespace_before=cst.SimpleWhitespace("")))
    new_elements, closing = _remove(elements, index, node.rbrace.whitespace_before)
    return node.with_changes(elements=new_elements, rbrace=node.rbrace.with_changes(whitespace_before=closing))


# --- literals --------------------------------------------------------------------------------

def string(text: str, quote: str = '"') -> cst.SimpleString:
    """A string literal for `text` (placeholders, attribute names: no quotes or backslashes)."""
    if "\\" in text or quote in text or "\n" in text:
        return cst.SimpleString(repr(text))
    return cst.SimpleString(f"{quote}{text}{quote}")


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace("")))


def dict_element(key: str, value: cst.BaseExpression, quote: str = '"') -> cst.DictElement:
    return cst.DictElement(string(key, quote), value, whitespace_before_colon=cst.SimpleWhitespace(""),
                           whitespace_after_colon=cst.SimpleWhitespace(" "))


def dict_literal(entries: Sequence[Tuple[str, cst.BaseExpression]], quote: str = '"') -> cst.Dict:
    node = cst.Dict([])
    for key, value in entries:
        node = with_element(node, dict_element(key, value, quote))
    return node


def _quote_of(node) -> str:
    if isinstance(node, cst.SimpleString) and node.quote in ('"', "'"):
        return node.quote
    return '"'


string_key = string_value  # a dict key written as a plain string literal, else None


def literal_offsets(node, value: str) -> Optional[int]:
    """Where `value` starts in a plain string literal's source that holds it without escapes."""
    if not isinstance(node, cst.SimpleString) or not isinstance(value, str):
        return None
    start = len(node.prefix) + len(node.quote)
    if "b" in node.prefix.lower() or node.value != node.value[:start] + value + node.quote:
        return None
    return start


def splice(node: cst.SimpleString, value: str, changes: Iterable[Tuple[int, int, str]]) -> cst.SimpleString:
    """The literal with `value[start:end]` replaced by text, for each (start, end, text)."""
    start = literal_offsets(node, value)
    if start is None:
        raise Unfixable("the string has escapes")
    new = value
    for first, last, text in sorted(changes, reverse=True):
        new = new[:first] + text + new[last:]
    if node.quote in new or "\\" in new:
        raise Unfixable("the new text needs escapes")
    return node.with_changes(value=node.value[:start] + new + node.quote)


def wrap_text(node: cst.SimpleString, before: str, after: str) -> cst.SimpleString:
    """The literal with text added before and after its content (escapes in it are kept as written)."""
    start = len(node.prefix) + len(node.quote)
    if "b" in node.prefix.lower() or node.quote in before + after or "\\" in before + after:
        raise Unfixable("cannot extend this literal")
    body = node.value[start:len(node.value) - len(node.quote)]
    return node.with_changes(value=node.value[:start] + before + body + after + node.quote)


def _fully_parenthesized(text: str) -> bool:
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and index < len(text) - 1:
            return False
    return True


# --- the operation's request -----------------------------------------------------------------

def _descendants(root: cst.CSTNode) -> Set[int]:
    found, stack = set(), [root]
    while stack:
        node = stack.pop()
        found.add(id(node))
        stack.extend(children(node))
    return found


def container_of(op: Operation) -> Optional[Container]:
    """Where the operation's parameters are written: the call's arguments, or a TransactItems
    entry's dict literal (`{"Update": {...}}` -> the inner dict)."""
    if op.partiql is not None:
        return None
    if op.orm is not None:  # PynamoDB: the method's own keyword arguments
        return op.call.node if isinstance(op.call.node, cst.Call) else None
    if op.in_transaction:
        entry = op.node
        if isinstance(entry, cst.Dict) and len(entry.elements) == 1 and isinstance(entry.elements[0], cst.DictElement) \
                and isinstance(entry.elements[0].value, cst.Dict):
            return entry.elements[0].value
        return None
    if op.name in ("BatchWriteItem", "BatchGetItem", "TransactWriteItems", "TransactGetItems"):
        return None
    return op.call.node if isinstance(op.call.node, cst.Call) else None


def member(container: Container, name: str):
    """The keyword argument or dict element that passes parameter `name`, or None."""
    if isinstance(container, cst.Call):
        return next((a for a in container.args if a.keyword is not None and a.keyword.value == name), None)
    return next((e for e in container.elements if isinstance(e, cst.DictElement) and string_key(e.key) == name), None)


def _splatted(container: Container) -> bool:
    if isinstance(container, cst.Call):
        return any(a.star for a in container.args)
    return any(isinstance(e, cst.StarredDictElement) for e in container.elements)


def _replacer(mapping: Dict[int, cst.CSTNode]):
    """A transformer that puts `mapping[id(node)]` in place of each node it names. (Its class is
    made here, not at import: LibCST is imported on first use, ddblint/lazy.py.)"""
    class Replacer(cst.CSTTransformer):
        def on_visit(self, node) -> bool:
            return id(node) not in mapping

        def on_leave(self, original, updated):
            return mapping.get(id(original), updated)

    return Replacer()


class Patch:
    """The changes one fix makes to one operation's request."""

    def __init__(self, module: cst.Module, op: Operation) -> None:
        self.module = module
        self.op = op
        if op.through is not None:
            raise Unfixable("a write a helper makes: its request is in the helper, for every caller")
        self.container = container_of(op)
        if self.container is None:
            raise Unfixable("the request is not written where a fix can edit it")
        self._inside = _descendants(self.container)
        self._replaced: Dict[int, Tuple[cst.CSTNode, cst.CSTNode]] = {}
        self._added: Dict[str, cst.BaseExpression] = {}
        self._removed: List[str] = []
        self.expressions = expressions(op)
        self._taken: Set[str] = set()
        self._new_names: Dict[str, str] = {}  # attribute -> the placeholder this patch maps to it

    # -- where things are ------------------------------------------------------------------------
    def value_node(self, name: str) -> Optional[cst.BaseExpression]:
        """The expression passing parameter `name`, when it is written in the request itself."""
        element = member(self.container, name)
        if element is None:
            return None
        if self.op.param_node(name) is not element.value:
            raise Unfixable(f"{name} is not the value the call passes")  # passed twice, or not resolved
        return element.value

    def current(self, node: cst.CSTNode) -> cst.CSTNode:
        return self._replaced.get(id(node), (node, node))[1]

    def is_inside(self, node) -> bool:
        return node is not None and id(node) in self._inside

    def quote(self) -> str:
        for name in ("UpdateExpression", "ConditionExpression", "KeyConditionExpression", "TableName"):
            node = self.op.param_node(name)
            if isinstance(node, cst.SimpleString):
                return _quote_of(node)
        if isinstance(self.container, cst.Dict) and self.container.elements:
            return _quote_of(self.container.elements[0].key)
        return '"'

    # -- changes -----------------------------------------------------------------------------------
    def replace(self, node: cst.CSTNode, new: cst.CSTNode) -> None:
        if not self.is_inside(node):
            raise Unfixable("the node is not part of this request")
        self._replaced[id(node)] = (node, new)

    def add_param(self, name: str, value: cst.BaseExpression) -> None:
        if member(self.container, name) is not None or _splatted(self.container) or self.op.param(name) is not ABSENT:
            raise Unfixable(f"cannot add {name}")
        self._added[name] = value

    def remove_param(self, name: str) -> None:
        if member(self.container, name) is None:
            raise Unfixable(f"{name} is not written in the request")
        self._removed.append(name)

    def merge_map(self, param: str, entries: Sequence[Tuple[str, cst.BaseExpression]]) -> None:
        """Add entries to ExpressionAttributeNames/Values: into its dict literal, around another
        expression as `{**names, ...}`, or as a new parameter."""
        if not entries:
            return
        if param == NAMES:
            for key, value in entries:
                attribute = string_key(value)
                if attribute is not None:
                    self._new_names.setdefault(attribute, key)
        if param in self._added:
            node = self._added[param]
            for key, value in entries:
                node = with_element(node, dict_element(key, value, self.quote()))
            self._added[param] = node
            return
        mapping = self.expressions.names if param == NAMES else self.expressions.values
        if mapping is None:
            raise Unfixable(f"{param} is not fully known")
        node = self.value_node(param)
        if node is None:
            self.add_param(param, dict_literal(entries, self.quote()))
            return
        current = self.current(node)
        if isinstance(current, cst.Dict):
            quote = _quote_of(current.elements[0].key) if current.elements and \
                isinstance(current.elements[0], cst.DictElement) else self.quote()
            for key, value in entries:
                text = string_key(value) if isinstance(value, cst.SimpleString) else None
                if text is not None:
                    value = string(text, quote)  # the dict's quotes, for an attribute name too
                current = with_element(current, dict_element(key, value, quote))
            self.replace(node, current)
            return
        if not isinstance(self.op.param(param), DictValue):
            raise Unfixable(f"{param} is not a dict")
        splat = cst.Dict([cst.StarredDictElement(current.with_changes(lpar=[], rpar=[])
                                                 if isinstance(current, cst.Name) else current)])
        for key, value in entries:
            splat = with_element(splat, dict_element(key, value, self.quote()))
        self.replace(node, splat)

    # -- placeholders -----------------------------------------------------------------------------
    def used_placeholders(self) -> Set[str]:
        found = self.expressions
        if not self.op.complete or found.hidden_changes or \
                any(p.tree is None and not p.is_builder for p in found.params):
            raise Unfixable("an expression of the request is not known")
        names, values = found.used()
        taken = set(names) | set(values) | self._taken
        for mapping in (found.names, found.values):
            if mapping is None:
                raise Unfixable("the placeholder maps are not fully known")
            taken |= mapping.keys()
        return taken

    def fresh(self, candidates: Sequence[str]) -> str:
        taken = {t.lower() for t in self.used_placeholders()}  # DynamoDB compares placeholders exactly;
        # lower() keeps new ones distinct from look-alikes as well
        prefix = candidates[0][0]
        options = list(candidates)
        base = candidates[0]
        options += [f"{base}_{n}" for n in range(2, 100)]
        for option in options:
            clean = prefix + _PLACEHOLDER_CHARS.sub("_", option[1:])
            if clean.lower() not in taken and not _BUILDER_PLACEHOLDER.match(clean):
                self._taken.add(clean)
                return clean
        raise Unfixable("no free placeholder")

    def name_placeholder(self, attribute: str, candidates: Sequence[str]) -> Tuple[str, bool]:
        """(placeholder, whether it must be added): one ExpressionAttributeNames already maps to
        `attribute`, or a new one."""
        mapping = self.expressions.names
        if mapping is None:
            raise Unfixable("ExpressionAttributeNames is not fully known")
        resolved = mapping.resolved()
        if resolved is None:
            raise Unfixable("ExpressionAttributeNames is not fully known")
        if attribute in self._new_names:
            return self._new_names[attribute], False
        for key, value in resolved.items():
            if value == attribute:
                return key, False
        return self.fresh(candidates), True

    def value_placeholder(self, code: str, candidates: Sequence[str]) -> Tuple[str, bool]:
        """(placeholder, whether it must be added) for a value written as `code`."""
        mapping = self.expressions.values
        if mapping is None:
            raise Unfixable("ExpressionAttributeValues is not fully known")
        wanted = _normal(code)
        for key, arg in mapping.entries.items():
            if arg.node is not None and _normal(self.module.code_for_node(arg.node)) == wanted:
                return key, False
        return self.fresh(candidates), True

    # -- expressions ------------------------------------------------------------------------------
    def expression_literal(self, name: str) -> Tuple[cst.SimpleString, str]:
        """The string literal passing expression `name` and its value: written in the request."""
        node = self.value_node(name)
        value = self.op.param(name)
        if not isinstance(node, cst.SimpleString) or not isinstance(value, str):
            raise Unfixable(f"{name} is not a string literal of the request")
        return node, value

    def condition_is_builder(self) -> bool:
        """Whether the ConditionExpression is built by `boto3.dynamodb.conditions` (not a string)."""
        return isinstance(self.op.param("ConditionExpression"), ConditionValue)

    def and_condition(self, text: str, builder: Optional[cst.BaseExpression] = None) -> bool:
        """AND `text` onto the ConditionExpression (or make it the condition). With a condition
        built by `boto3.dynamodb.conditions`, AND `builder` instead (Unfixable when none is given)."""
        if self.op.param("Expected") is not ABSENT:
            raise Unfixable("the request uses the legacy Expected map")
        value = self.op.param("ConditionExpression")
        if value is ABSENT:
            self.add_param("ConditionExpression", string(text, self.quote()))
            return True
        node = self.value_node("ConditionExpression")
        if node is None:
            raise Unfixable("the condition is not written in the request")
        if isinstance(value, str) and isinstance(node, cst.SimpleString):
            try:
                tree = ex.parse_condition(value)
            except ex.ExpressionError:
                raise Unfixable("the condition does not parse") from None
            if isinstance(tree, ex.Or) and not _fully_parenthesized(value):
                self.replace(node, wrap_text(self.current(node), "(", f") AND {text}"))
            else:
                self.replace(node, wrap_text(self.current(node), "", f" AND {text}"))
            return True
        if isinstance(value, ConditionValue):
            if builder is None:
                raise Unfixable("the condition is a builder")
            old = self.current(node)
            keep = isinstance(old, (cst.Call, cst.Name, cst.Attribute, cst.Subscript, cst.UnaryOperation)) or \
                (isinstance(old, cst.BinaryOperation) and isinstance(old.operator, cst.BitAnd))
            if not keep and not old.lpar:
                old = old.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            self.replace(node, cst.BinaryOperation(old, cst.BitAnd(), builder))
            return True
        raise Unfixable("the condition is not a literal")

    def add_update_action(self, clause: str, action: str) -> None:
        """Add `action` (e.g. `#v = #v + :one`) to the UpdateExpression's SET clause (a new clause
        when it has none)."""
        node, value = self.expression_literal("UpdateExpression")
        if id(node) in self._replaced:
            raise Unfixable("the UpdateExpression is already changed")  # offsets are the original's
        try:
            tree = ex.parse_update(value)
        except ex.ExpressionError:
            raise Unfixable("the UpdateExpression does not parse") from None
        same = [a for a in tree.actions if a.clause == clause]
        if same:
            end = max(a.span[1] for a in same)
            self.replace(node, splice(self.current(node), value, [(end, end, f", {action}")]))
        else:
            end = len(value.rstrip())
            self.replace(node, splice(self.current(node), value, [(end, end, f" {clause} {action}")]))

    # -- the result -------------------------------------------------------------------------------
    def edits(self) -> Tuple[Tuple[cst.CSTNode, str], ...]:
        if not self._replaced and not self._added and not self._removed:
            raise Unfixable("nothing to change")
        if self._added or self._removed:
            mapping = {key: new for key, (_, new) in self._replaced.items()}
            container = self.container.visit(_replacer(mapping)) if mapping else self.container
            for name in self._removed:
                element = member(container, name)
                container = without_arg(container, element) if isinstance(container, cst.Call) \
                    else without_element(container, element)
            for name, value in self._added.items():
                container = with_arg(container, keyword(name, value)) if isinstance(container, cst.Call) \
                    else with_element(container, dict_element(name, value, self.quote()))
            changes = [(self.container, container)]
        else:
            changes = list(self._replaced.values())
        # The text is computed only when a fix is wanted (it re-generates the module's code):
        # a plain `check` pays nothing for the fixes it does not apply.
        return tuple((old, functools.partial(node_text, self.module, old, new)) for old, new in changes)


def node_text(module: cst.Module, old: cst.CSTNode, new: cst.CSTNode) -> str:
    """The text `new` prints as in place of `old` in the module, over the range `old` covers
    (continuation lines get the indentation of the blocks around them; parentheses around the
    node are outside its range and not part of the text)."""
    return code_in_place(module, old, new)


def _normal(code: str) -> str:
    return re.sub(r"\s+", "", code).replace("'", '"')


def parse_expression(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


# --- values of the request ---------------------------------------------------------------------

def typed_values(op: Operation) -> bool:
    """Whether the request's values are AttributeValue dicts (`{"N": "1"}`): a low-level client's.
    A resource Table's are plain Python values; a call we cannot place gets no value-adding fix."""
    if op.call.via == "client":
        return True
    if op.call.via == "table":
        return False
    raise Unfixable("cannot tell whether the values are typed")


def number(op: Operation, value: int) -> str:
    """The code of a number as the request writes its values."""
    return f'{{"N": "{value}"}}' if typed_values(op) else str(value)


def literal_entries(node) -> List[Tuple[str, cst.BaseExpression]]:
    """[(key, value node)] of a dict literal whose keys are all distinct string literals."""
    if not isinstance(node, cst.Dict):
        raise Unfixable("not a dict literal")
    entries, seen = [], set()
    for element in node.elements:
        key = string_key(element.key) if isinstance(element, cst.DictElement) else None
        if not key or key in seen:
            raise Unfixable("a key that is not a distinct string literal")
        seen.add(key)
        entries.append((key, element.value))
    return entries


def has_comment(node: cst.CSTNode) -> bool:
    """Whether a comment is written inside the node (a fix that replaces it would drop it)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Comment):
            return True
        stack.extend(current.children)  # every child a visitor visits, whitespace included
    return False


# Calls that do nothing but build a value: moving them changes no evaluation order that matters.
_PURE_CALLS = frozenset({"Decimal", "decimal.Decimal", "set", "frozenset", "str", "int", "float", "bool", "bytes",
                         "Binary", "boto3.dynamodb.types.Binary", "list", "tuple", "dict", "len"})


def may_have_effects(node: cst.CSTNode) -> bool:
    """Whether evaluating the expression may do more than compute a value (a call of something
    not known to be a plain constructor, await, yield, an assignment expression)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Await, cst.Yield, cst.NamedExpr)):
            return True
        if isinstance(current, cst.Call) and dotted_name(current.func) not in _PURE_CALLS:
            return True
        if isinstance(current, cst.Lambda):
            continue  # its body runs later, if ever
        stack.extend(children(current))
    return False
