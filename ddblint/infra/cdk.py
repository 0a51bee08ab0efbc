"""DynamoDB tables in AWS CDK apps written in Python: ``aws_dynamodb.TableV2`` and the legacy
``aws_dynamodb.Table``, plus ``add_global_secondary_index`` / ``add_local_secondary_index`` /
``add_replica`` calls on the variable (or ``self`` attribute) holding one.

Only what the code says literally counts: string literals, module constants, and f-strings or
``+`` of those (unknown parts of a table name become ``*``, as for CloudFormation's ``!Sub``).
The stack's region, the primary replica of every table, is set elsewhere (``env=`` of the
stack, the CLI profile), so it is never among the replicas; the note says so.
"""
from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ddblint import parsing
from ddblint.infra.declarations import DiscoveredTable, Fact, name_pattern, source
from ddblint.positions import Positions
from ddblint.syntax import dotted_name

_DYNAMODB = "aws_cdk.aws_dynamodb."
TABLE_V2 = _DYNAMODB + "TableV2"
TABLE = _DYNAMODB + "Table"
_METHODS = ("add_global_secondary_index", "add_local_secondary_index", "add_replica")
_STACK_NOTE = "plus the stack's region (the primary replica), set outside the construct"
Parts = List[Optional[str]]


def tables(text: str, rel: str) -> Tuple[List[DiscoveredTable], List[str]]:
    try:
        module = parsing.parse(text)
    except parsing.ParseProblem as problem:
        exc = problem.__cause__
        if not isinstance(exc, cst.ParserSyntaxError):
            # nesting too deep, the parser failing: raised as before, for discover() to report
            raise exc from None
        line, message = exc.raw_line, exc.message
        try:  # Python's own parser places the error better ("'(' was never closed" at 3:9)
            ast.parse(text)
        except SyntaxError as error:
            line, message = error.lineno or line, error.msg
        except Exception:
            pass
        return [], [f"{rel}:{line}: cannot parse Python: {message}"]
    collector = _Collector()
    module.visit(collector)
    if not collector.constructs:
        return [], []
    positions = Positions(module, text)
    reader = _Reader(collector, positions, rel, module)
    return [reader.table(call, kind, key) for call, kind, key in collector.constructs], []


class _Collector(cst.CSTVisitor):
    """Imports, module constants, table constructs and the method calls that extend them."""

    def __init__(self) -> None:
        self.aliases: Dict[str, str] = {}  # local name -> dotted name it was imported as
        self.constants: Dict[str, Optional[cst.BaseExpression]] = {}  # None: assigned more than once
        self.scopes: List[cst.CSTNode] = []  # enclosing classes and functions
        self.targets: Dict[int, Tuple] = {}  # id(call) -> key of the variable it is assigned to
        self.constructs: List[Tuple[cst.Call, str, Optional[Tuple]]] = []
        self.calls: Dict[Tuple, List[Tuple[str, cst.Call]]] = {}  # variable key -> (method, call)

    # imports are honoured wherever they are: CDK apps often import inside a stack's __init__
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = dotted_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.aliases[alias.asname.name.value] = dotted
            else:
                self.aliases[dotted.split(".")[0]] = dotted.split(".")[0]

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module)
        for alias in node.names:
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) \
                else dotted_name(alias.name)
            self.aliases[local] = f"{module}.{dotted_name(alias.name)}"

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.append(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if not self.scopes and isinstance(node.target, cst.Name):
            self.constants[node.target.value] = None

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not self.scopes and isinstance(target, cst.Name):
            name = target.value
            self.constants[name] = None if name in self.constants else value
        key = self._key(target)
        if key is not None and isinstance(value, cst.Call):
            self.targets[id(value)] = key

    def _key(self, target: cst.BaseExpression) -> Optional[Tuple]:
        """Which variable ``target`` is: a name in this function, or ``self.x`` of this class."""
        if isinstance(target, cst.Name):
            scope = next((s for s in reversed(self.scopes) if isinstance(s, cst.FunctionDef)), None)
            return ("name", id(scope), target.value)
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) \
                and target.value.value == "self":
            cls = next((s for s in reversed(self.scopes) if isinstance(s, cst.ClassDef)), None)
            return ("self", id(cls), target.attr.value)
        return None

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if qualified in (TABLE_V2, TABLE):
            self.constructs.append((node, qualified.rsplit(".", 1)[1], None))
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in _METHODS:
            key = self._key(node.func.value)
            if key is not None:
                self.calls.setdefault(key, []).append((node.func.attr.value, node))

    def leave_Module(self, node: cst.Module) -> None:
        self.constructs = [(call, kind, self.targets.get(id(call))) for call, kind, _ in self.constructs]

    def qualify(self, expr: cst.BaseExpression) -> Optional[str]:
        if isinstance(expr, cst.Name):
            return self.aliases.get(expr.value)
        if isinstance(expr, cst.Attribute):
            head = self.qualify(expr.value)
            return f"{head}.{expr.attr.value}" if head else None
        return None


class _Reader:
    """Turns one construct call into a DiscoveredTable."""

    def __init__(self, collector: _Collector, positions: Positions, rel: str, module: cst.Module) -> None:
        self.c = collector
        self.positions = positions
        self.rel = rel
        self.module = module

    def at(self, node: cst.CSTNode) -> str:
        return source(self.rel, self.positions[node][0][0])

    # -- values --
    def resolve(self, expr: Optional[cst.BaseExpression]) -> Optional[cst.BaseExpression]:
        """A module constant's value in place of its name (a few hops at most)."""
        for _ in range(5):
            if isinstance(expr, cst.Name) and self.c.constants.get(expr.value) is not None:
                expr = self.c.constants[expr.value]
            else:
                break
        return expr

    def parts(self, expr: Optional[cst.BaseExpression]) -> Parts:
        expr = self.resolve(expr)
        if isinstance(expr, cst.SimpleString):
            value = expr.evaluated_value
            return [value] if isinstance(value, str) else [None]
        if isinstance(expr, cst.ConcatenatedString):
            return self.parts(expr.left) + self.parts(expr.right)
        if isinstance(expr, cst.FormattedString):
            out: Parts = []
            for part in expr.parts:
                if isinstance(part, cst.FormattedStringText):
                    out.append(part.value)
                else:  # {expr}: a constant, or an unknown piece of the name
                    plain = part.format_spec is None and part.conversion is None
                    out.extend(self.parts(part.expression) if plain else [None])
            return out
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            return self.parts(expr.left) + self.parts(expr.right)
        return [None]

    def string(self, expr: Optional[cst.BaseExpression]) -> Optional[str]:
        parts = self.parts(expr) if expr is not None else [None]
        return None if None in parts else "".join(parts)  # type: ignore[arg-type]

    def items(self, expr: Optional[cst.BaseExpression]) -> Optional[List[cst.BaseExpression]]:
        """A literal list's elements; None when not a list or some element is a splat."""
        expr = self.resolve(expr)
        if isinstance(expr, (cst.List, cst.Tuple)) and \
                all(isinstance(e, cst.Element) for e in expr.elements):
            return [e.value for e in expr.elements]
        return None

    def struct(self, expr: Optional[cst.BaseExpression]) -> Dict[str, cst.BaseExpression]:
        """The fields of ``SomeProps(a=..., b=...)`` or ``{"a": ..., "b": ...}``."""
        expr = self.resolve(expr)
        if isinstance(expr, cst.Call):
            return _keywords(expr)
        if isinstance(expr, cst.Dict):
            fields = {}
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    key = self.string(element.key)
                    if key is not None:
                        fields[key] = element.value
            return fields
        return {}

    def enum(self, expr: Optional[cst.BaseExpression]) -> Optional[str]:
        qualified = self.c.qualify(self.resolve(expr)) if expr is not None else None
        return qualified.rsplit(".", 1)[1] if qualified and qualified.startswith(_DYNAMODB) else None

    # -- the table --
    def table(self, call: cst.Call, kind: str, key: Optional[Tuple]) -> DiscoveredTable:
        kw = _keywords(call)
        args = [a for a in call.args if a.keyword is None and not a.star]
        id_expr = kw.get("id", args[1].value if len(args) > 1 else None)
        logical_id = (self.string(id_expr) if id_expr is not None else None) or \
            (self.module.code_for_node(id_expr) if id_expr is not None else "?")
        later = self.c.calls.get(key, []) if key is not None else []
        arg_of = {k: a for a in call.args if a.keyword is not None for k in [a.keyword.value]}

        def fact(value, name: str, note: Optional[str] = None) -> Fact:
            return Fact(value, self.at(arg_of[name]) if name in arg_of else self.at(call), note)

        name = None
        if "table_name" in kw:
            pattern = name_pattern(self.parts(kw["table_name"]))
            name = fact(pattern, "table_name") if pattern else None

        partition_key = sort_key = None
        pk = self.string(self.struct(kw.get("partition_key")).get("name"))
        sk = self.string(self.struct(kw.get("sort_key")).get("name"))
        if pk:
            partition_key = fact(pk, "partition_key")
        if sk:
            sort_key = fact(sk, "sort_key")

        indexes, index_sources = self._indexes(call, kw, later, fact)
        ttl = None
        if "time_to_live_attribute" in kw and not _is_none(kw["time_to_live_attribute"]):
            ttl = fact(True, "time_to_live_attribute")

        mode = replicas = witness = region_count = None
        if kind == "TableV2":
            mode, replicas = self._v2_replication(call, kw, later, fact)
            has_witness = "witness_region" in kw and not _is_none(kw["witness_region"])
            region = self.string(kw["witness_region"]) if has_witness else None
            if region:
                witness = fact(region, "witness_region")
            listed = self.items(kw["replicas"]) if "replicas" in kw else []
            if listed is not None:  # the stack's region, the replicas, the witness
                region_count = 1 + len(listed) + sum(m == "add_replica" for m, _ in later) + has_witness
        elif "replication_regions" in kw:  # the legacy Table
            regions = self.items(kw["replication_regions"])
            if regions is not None and regions:
                literal = [r for r in (self.string(e) for e in regions) if r]
                notes = [_STACK_NOTE]
                if len(literal) < len(regions):
                    notes.append(f"plus {len(regions) - len(literal)} region(s) not written literally")
                replicas = fact(tuple(dict.fromkeys(literal)), "replication_regions", "; ".join(notes))
                mode = fact("global", "replication_regions")
                region_count = 1 + len(regions)
        # a legacy Table without replication_regions: unknown, it may be replicated elsewhere

        return DiscoveredTable(
            logical_id=logical_id, name=name, mode=mode, replicas=replicas, witness=witness,
            partition_key=partition_key, sort_key=sort_key, indexes=indexes, ttl=ttl,
            kind=kind, source=self.at(call), index_sources=index_sources, region_count=region_count,
        )

    def _indexes(self, call, kw, later, fact) -> Tuple[Optional[Fact], Dict[str, str]]:
        kinds: Dict[str, str] = {}
        sources: Dict[str, str] = {}
        unnamed = 0
        first: Optional[str] = None
        for arg, index_kind in (("global_secondary_indexes", "global"), ("local_secondary_indexes", "local")):
            if arg not in kw:
                continue
            first = first or fact(None, arg).source
            elements = self.items(kw[arg])
            if elements is None:
                unnamed += 1
                continue
            for element in elements:
                index = self.string(self.struct(element).get("index_name"))
                if index is None:
                    unnamed += 1
                else:
                    kinds[index], sources[index] = index_kind, self.at(element)
        for method, method_call in later:
            if method == "add_replica":
                continue
            fields = _keywords(method_call)
            positional = [a.value for a in method_call.args if a.keyword is None and not a.star]
            if positional:  # a props object passed whole
                fields = {**self.struct(positional[0]), **fields}
            index = self.string(fields.get("index_name"))
            first = first or self.at(method_call)
            if index is None:
                unnamed += 1
            else:
                kinds[index] = "global" if method == "add_global_secondary_index" else "local"
                sources[index] = self.at(method_call)
        if first is None:
            return None, sources
        return Fact(kinds, first, "some indexes are not named literally" if unnamed else None), sources

    def _v2_replication(self, call, kw, later, fact) -> Tuple[Optional[Fact], Optional[Fact]]:
        consistency = self.enum(kw["multi_region_consistency"]) if "multi_region_consistency" in kw \
            else "EVENTUAL"
        added = [c for m, c in later if m == "add_replica"]
        listed = self.items(kw["replicas"]) if "replicas" in kw else []
        replicas = None
        if "replicas" in kw or added:
            entries = list(listed or []) + [None] * len(added)
            regions, unknown = [], 0
            for i, entry in enumerate(entries):
                fields = self.struct(entry) if entry is not None else _keywords(added[i - len(listed or [])])
                region = self.string(fields.get("region"))
                if region is None:
                    unknown += 1
                elif region not in regions:
                    regions.append(region)
            notes = [_STACK_NOTE]
            if listed is None:
                notes.append("plus replicas not written literally")
            elif unknown:
                notes.append(f"plus {unknown} replica region(s) not written literally")
            where = fact(None, "replicas").source if "replicas" in kw else self.at(added[0])
            replicas = Fact(tuple(regions), where, "; ".join(notes))
            replicated = bool(listed) or bool(added)  # an empty literal list replicates nowhere
        else:
            replicated = False

        if consistency == "STRONG":
            return fact("mrsc", "multi_region_consistency"), replicas
        if not replicated and listed is not None:
            # TableV2 with no replica is one table in the stack's region
            return fact("single-region", "replicas", "TableV2 without replicas"), replicas
        if replicated and consistency == "EVENTUAL":
            return Fact("global", replicas.source if replicas else self.at(call)), replicas
        return None, replicas


def _keywords(call: cst.Call) -> Dict[str, cst.BaseExpression]:
    return {a.keyword.value: a.value for a in call.args if a.keyword is not None}


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"
