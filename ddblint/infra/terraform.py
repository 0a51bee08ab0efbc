"""DynamoDB tables in Terraform: ``aws_dynamodb_table`` (with ``replica`` blocks or separate
``aws_dynamodb_table_replica`` resources) and the legacy ``aws_dynamodb_global_table``.

The values come from python-hcl2, a real HCL2 parser, imported only when there are ``.tf`` files.
Its line metadata differ between versions (``with_meta=True`` gives ``__start_line__`` on blocks
in 4.x-7.x; 8.x accepts the option but records nothing, and attributes never get lines), so
lines come from :func:`outline`, a small scanner that knows HCL's strings, heredocs and comments
well enough to find where each block and attribute starts.

A table's own region is its provider's, which the resource does not list. It is known only
when a ``provider "aws"`` block in the same directory (the Terraform module) sets a literal
``region``; then it is put first among the replicas and the note says where it came from.
"""
from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from ddblint.infra.declarations import DiscoveredTable, Fact, name_pattern, relative, replace_placeholders, source

TABLE = "aws_dynamodb_table"
REPLICA = "aws_dynamodb_table_replica"
LEGACY_GLOBAL = "aws_dynamodb_global_table"


def tables(files: Sequence[Path], root: Path) -> Tuple[List[DiscoveredTable], List[str]]:
    try:
        import hcl2  # noqa: F401 - only projects with Terraform pay for the parser
    except ImportError:
        return [], [f"python-hcl2 is not installed: {len(files)} Terraform file(s) not read"]
    found: List[DiscoveredTable] = []
    warnings: List[str] = []
    by_dir: Dict[Path, List[Path]] = defaultdict(list)
    for path in files:
        by_dir[path.parent].append(path)
    for directory, wanted in sorted(by_dir.items()):
        try:
            found.extend(_directory(directory, wanted, root, warnings))
        except Exception as exc:  # a bug here must cost one module, not every Terraform table
            warnings.append(f"{relative(directory, root)}: internal error while reading Terraform: {exc!r}")
    return found, warnings


def _directory(directory: Path, wanted: List[Path], root: Path, warnings: List[str]) -> List[DiscoveredTable]:
    module = _Module(root)
    for path in sorted(wanted):
        problem = module.read(path)
        if problem:
            warnings.append(problem)
    # every .tf of the directory is one module: its provider block may sit in providers.tf
    for path in sorted(set(directory.glob("*.tf")) - set(wanted)):
        module.read(path, resources=False)
    return module.tables()


# --- parsing ------------------------------------------------------------------------------

def _load(text: str) -> dict:
    import hcl2
    try:
        from hcl2.utils import SerializationOptions  # python-hcl2 >= 8
    except ImportError:
        return hcl2.loads(text, with_meta=True)
    wanted = {"with_meta": True, "with_comments": False, "explicit_blocks": False,
              "strip_string_quotes": True, "preserve_heredocs": False}
    names = {f.name for f in dataclasses.fields(SerializationOptions)}
    options = SerializationOptions(**{k: v for k, v in wanted.items() if k in names})
    return hcl2.loads(text, serialization_options=options)


class Node(NamedTuple):
    """A block (children is a list) or an attribute (children is None) and its first line."""

    name: str
    labels: Tuple[str, ...]
    line: int
    children: Optional[list]

    def find(self, name: str, blocks: bool = True) -> List["Node"]:
        return [n for n in self.children or () if n.name == name and (n.children is not None) == blocks]

    def attr_line(self, name: str) -> int:
        found = self.find(name, blocks=False)
        return found[0].line if found else self.line


_TOKEN = re.compile(r'''
    (?P<nl>\n) | (?P<space>[ \t\r]+) | (?P<comment>(?:\#|//)[^\n]*) | (?P<block_comment>/\*.*?\*/)
  | (?P<heredoc><<-?[ \t]*"?(?P<tag>[A-Za-z_][\w-]*)"?[ \t]*\r?\n) | (?P<string>")
  | (?P<ident>[A-Za-z_][\w-]*) | (?P<eq>=(?![=>])) | (?P<op>==|=>|[<>!]=)
  | (?P<open>[{\[(]) | (?P<close>[}\])]) | (?P<other>.)
''', re.X | re.S)


def _tokens(text: str):
    """(kind, value, line) of the tokens that matter for the outline."""
    pos, line = 0, 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        kind = m.lastgroup if m.lastgroup != "tag" else "heredoc"
        if kind == "string":
            end = _string_end(text, m.end())
            yield "string", text[m.end():end - 1], line
            line += text.count("\n", pos, end)
            pos = end
            continue
        if kind == "heredoc":  # skip to the closing marker: a heredoc may hold braces (JSON)
            closing = re.compile(r"^[ \t]*" + re.escape(m.group("tag")) + r"[ \t]*$", re.M)
            found = closing.search(text, m.end())
            end = found.end() if found else len(text)
            yield "other", "", line
            line += text.count("\n", pos, end)
            pos = end
            continue
        if kind not in ("space", "comment"):
            yield kind, m.group(), line
        line += m.group().count("\n")
        pos = m.end()


def _string_end(text: str, i: int) -> int:
    """The offset after the closing quote of a string whose body starts at ``i``; template
    sequences (``${...}``, ``%{...}``) may hold strings of their own."""
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c in "$%" and text.startswith("{", i + 1):
            depth, i = 1, i + 2
            while i < len(text) and depth:
                if text[i] == '"':
                    i = _string_end(text, i + 1)
                    continue
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            continue
        if c == "\n":  # an unclosed string: stop at the end of its line
            return i
        i += 1
    return i


def outline(text: str) -> Node:
    """The blocks and attributes of an HCL file, with the line each starts on."""
    toks = list(_tokens(text))
    root = Node("", (), 1, [])
    stack = [root]
    i = 0
    while i < len(toks):
        kind, value, line = toks[i]
        if kind == "ident":
            labels, j = [], i + 1
            while j < len(toks) and toks[j][0] in ("string", "ident"):
                labels.append(toks[j][1])
                j += 1
            if j < len(toks) and toks[j][:2] == ("open", "{"):
                node = Node(value, tuple(labels), line, [])
                stack[-1].children.append(node)
                stack.append(node)
                i = j + 1
                continue
            if j < len(toks) and toks[j][0] == "eq" and not labels:
                stack[-1].children.append(Node(value, (), line, None))
                i = _skip_expression(toks, j + 1)
                continue
        elif kind == "close" and len(stack) > 1:
            stack.pop()
        i += 1
    return root


def _skip_expression(toks, i: int) -> int:
    depth = 0
    while i < len(toks):
        kind = toks[i][0]
        if kind == "open":
            depth += 1
        elif kind == "close":
            if depth == 0:
                return i  # the enclosing block's `}`
            depth -= 1
        elif kind == "nl" and depth == 0:
            return i + 1
        i += 1
    return i


# --- values -------------------------------------------------------------------------------

def _literal(value) -> Optional[str]:
    """A string written literally (python-hcl2 gives expressions as "${...}")."""
    if isinstance(value, str) and "${" not in value and "%{" not in value:
        return value
    return None


def _pattern(value) -> Optional[str]:
    if not isinstance(value, str):
        return None
    parts: List[Optional[str]] = []
    for part in replace_placeholders(value):
        parts.extend([None] if part is None else replace_placeholders(part, "%{"))
    return name_pattern(parts)


def _bool(value) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return None


def _blocks(body: dict, name: str) -> List[dict]:
    value = body.get(name)
    if isinstance(value, dict):
        value = [value]
    return [b for b in value or () if isinstance(b, dict)]


def _paired(body: dict, node: Node, name: str) -> List[Tuple[dict, Node]]:
    """The ``name`` blocks of a parsed body, each with its outline node (same order in both)."""
    nodes = node.find(name)
    pairs = []
    for i, block in enumerate(_blocks(body, name)):
        line = block.get("__start_line__")
        block_node = nodes[i] if i < len(nodes) else Node(name, (), line or node.line, [])
        if line and line != block_node.line:  # trust the parser's own line when it has one
            block_node = block_node._replace(line=line)
        pairs.append((block, block_node))
    return pairs


def _dynamic(body: dict, node: Node, name: str) -> List[Tuple[dict, Node]]:
    """``dynamic "name" { content { ... } }`` blocks: their content and their outline node."""
    result = []
    outline_nodes = [n for n in node.find("dynamic") if n.labels[:1] == (name,)]
    k = 0
    for block in _blocks(body, "dynamic"):
        if name in block and isinstance(block[name], dict):
            contents = _blocks(block[name], "content")
            where = outline_nodes[k] if k < len(outline_nodes) else node
            k += 1
            result.append((contents[0] if contents else {}, where))
    return result


# --- the module ---------------------------------------------------------------------------

@dataclasses.dataclass
class _Draft:
    """A table being assembled: replicas may be added by other resources of the module."""

    kind: str
    logical_id: str
    rel: str
    node: Node
    body: dict
    provider: Optional[str]  # provider alias, None for the default one
    regions: List[str] = dataclasses.field(default_factory=list)
    unknown_regions: int = 0
    entries: int = 0  # replica blocks and aws_dynamodb_table_replica resources
    consistency: List[object] = dataclasses.field(default_factory=list)
    replicas_line: Optional[int] = None
    dynamic_replicas: bool = False


class _Module:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.providers: Dict[Optional[str], Tuple[object, str]] = {}  # alias -> (region, source)
        self.drafts: List[_Draft] = []
        self.replica_resources: List[Tuple[dict, Node, str]] = []

    def read(self, path: Path, resources: bool = True) -> Optional[str]:
        rel = relative(path, self.root)
        try:
            text = path.read_text(encoding="utf-8-sig")
            data = _load(text)
        except (OSError, UnicodeDecodeError) as exc:
            return f"{rel}: cannot read the file: {exc}"
        except Exception as exc:  # lark's parse errors have no common base we can import lazily
            line = getattr(exc, "line", None)
            message = " ".join(str(exc).split()).split(" Expected one of")[0][:200]
            where = f"{rel}:{line}" if isinstance(line, int) and line > 0 else rel
            return f"{where}: cannot parse HCL: {message}"
        tree = outline(text)
        providers = [n for n in tree.find("provider")]
        for i, block in enumerate(_blocks(data, "provider")):
            for name, body in block.items():
                if name == "aws" and isinstance(body, dict):
                    node = providers[i] if i < len(providers) else tree
                    alias = _literal(body.get("alias"))
                    self.providers.setdefault(alias, (_literal(body.get("region")),
                                                      source(rel, node.attr_line("region"))))
        if not resources:
            return None
        nodes = {(n.labels[:2]): n for n in tree.find("resource") if len(n.labels) >= 2}
        for block in _blocks(data, "resource"):
            for kind, named in block.items():
                if kind not in (TABLE, REPLICA, LEGACY_GLOBAL) or not isinstance(named, dict):
                    continue
                for logical_id, body in named.items():
                    if not isinstance(body, dict):
                        continue
                    node = nodes.get((kind, logical_id)) or _find_by_text(text, kind, logical_id, body)
                    if body.get("__start_line__") and body["__start_line__"] != node.line:
                        node = node._replace(line=body["__start_line__"])  # the parser's own line wins
                    if kind == REPLICA:
                        self.replica_resources.append((body, node, rel))
                        continue
                    draft = _Draft(kind, logical_id, rel, node, body, _alias(body))
                    for replica, where in _paired(body, node, "replica"):
                        self._add_region(draft, replica.get("region_name"), where.line)
                        draft.consistency.append(replica.get("consistency_mode", "EVENTUAL"))
                    for content, where in _dynamic(body, node, "replica"):
                        draft.dynamic_replicas = True
                        draft.replicas_line = draft.replicas_line or where.line
                        draft.consistency.append(content.get("consistency_mode", "EVENTUAL"))
                    self.drafts.append(draft)
        return None

    @staticmethod
    def _add_region(draft: _Draft, region, line: int) -> None:
        draft.replicas_line = draft.replicas_line or line
        draft.entries += 1
        literal = _literal(region)
        if literal is None:
            draft.unknown_regions += 1
        elif literal not in draft.regions:
            draft.regions.append(literal)

    def tables(self) -> List[DiscoveredTable]:
        by_id = {d.logical_id: d for d in self.drafts if d.kind == TABLE}
        for body, node, rel in self.replica_resources:
            # global_table_arn = aws_dynamodb_table.orders.arn
            arn = str(body.get("global_table_arn", ""))
            m = re.fullmatch(r"\$\{aws_dynamodb_table\.([\w-]+)\.arn\}", arn)
            draft = by_id.get(m.group(1)) if m else None
            if draft is None:
                continue
            region = self.providers.get(_alias(body), (None, ""))[0]
            self._add_region(draft, region, node.line)
            draft.consistency.append("EVENTUAL")  # this resource has no consistency mode
        return [self._table(d) for d in self.drafts]

    def _table(self, d: _Draft) -> DiscoveredTable:
        body, node, rel = d.body, d.node, d.rel
        at = lambda name: source(rel, node.attr_line(name))  # noqa: E731

        name = None
        pattern = _pattern(body.get("name"))
        if pattern:
            name = Fact(pattern, at("name"))
        mode, replicas = self._replication(d)
        witnesses = _paired(body, node, "global_table_witness")
        region_count = None
        if (d.regions or d.unknown_regions) and not d.dynamic_replicas:  # replicated, statically
            region_count = d.entries + len(witnesses) + (1 if d.kind == TABLE else 0)  # + the provider's
        partition_key = sort_key = None
        if _literal(body.get("hash_key")):
            partition_key = Fact(body["hash_key"], at("hash_key"))
        if _literal(body.get("range_key")):
            sort_key = Fact(body["range_key"], at("range_key"))
        indexes, index_sources = _indexes(body, node, rel)
        return DiscoveredTable(
            logical_id=d.logical_id, name=name, mode=mode, replicas=replicas, witness=_witness(witnesses, rel),
            partition_key=partition_key, sort_key=sort_key, indexes=indexes, ttl=_ttl(body, node, rel),
            kind=d.kind, source=source(rel, node.line), index_sources=index_sources,
            region_count=region_count,
        )

    def _replication(self, d: _Draft) -> Tuple[Optional[Fact], Optional[Fact]]:
        """(mode, replicas) of a table; (None, None) with no replica anywhere: unknown, as for
        CloudFormation's AWS::DynamoDB::Table."""
        replicated = bool(d.regions or d.unknown_regions or d.dynamic_replicas)
        if not (replicated or d.kind == LEGACY_GLOBAL):
            return None, None
        where = source(d.rel, d.replicas_line or d.node.line)
        notes = []
        regions = list(d.regions)
        if d.kind == TABLE:  # the provider's region is the table's own, never listed
            region, provider_at = self.providers.get(d.provider, (None, None))
            if region:
                regions = [region] + [r for r in regions if r != region]
                notes.append(f"{region} is the region of provider \"aws\" at {provider_at}")
            else:
                notes.append("plus the provider's region, not written literally in this directory")
        if d.unknown_regions:
            notes.append(f"plus {d.unknown_regions} replica region(s) not written literally")
        if d.dynamic_replicas:
            notes.append("plus the replicas of a dynamic block")
        replicas = Fact(tuple(regions), where, "; ".join(notes) or None)
        modes = {_literal(c) for c in d.consistency}
        if "STRONG" in modes:
            return Fact("mrsc", _consistency_source(d, d.rel) or where), replicas
        if modes <= {"EVENTUAL"}:
            return Fact("global", where), replicas
        return None, replicas  # a consistency_mode from a variable: replicated, but which way is unknown


def _witness(witnesses, rel: str) -> Optional[Fact]:
    for block, where in witnesses:
        region = _literal(block.get("region_name"))
        if region:
            return Fact(region, source(rel, where.attr_line("region_name")))
    return None


def _indexes(body: dict, node, rel: str) -> Tuple[Optional[Fact], Dict[str, str]]:
    """({index name: "global" | "local"} as a fact, where each named index is declared)."""
    kinds: Dict[str, str] = {}
    index_sources: Dict[str, str] = {}
    first_line = None
    unnamed = 0
    for block_name, kind in (("global_secondary_index", "global"), ("local_secondary_index", "local")):
        for block, where in _paired(body, node, block_name):
            first_line = where.line if first_line is None else min(first_line, where.line)
            index = _literal(block.get("name"))
            if index is None:
                unnamed += 1
                continue
            kinds[index] = kind
            index_sources[index] = source(rel, where.attr_line("name"))
        for _, where in _dynamic(body, node, block_name):  # names decided at plan time
            first_line = where.line if first_line is None else min(first_line, where.line)
            unnamed += 1
    if first_line is None:
        return None, index_sources
    return Fact(kinds, source(rel, first_line), "some indexes are not named literally" if unnamed else None), \
        index_sources


def _ttl(body: dict, node, rel: str) -> Optional[Fact]:
    ttl = None
    for block, where in _paired(body, node, "ttl"):
        # the provider's default for `enabled` is false
        enabled = _bool(block.get("enabled", False))
        if enabled is not None:
            ttl = Fact(enabled, source(rel, where.attr_line("enabled")))
    return ttl


def _alias(body: dict) -> Optional[str]:
    """The provider alias of a resource: ``provider = aws.west`` -> "west"; None for the default."""
    m = re.fullmatch(r"\$\{aws\.([\w-]+)\}", str(body.get("provider") or ""))
    return m.group(1) if m else None


def _consistency_source(d: _Draft, rel: str) -> Optional[str]:
    for block in d.node.find("replica"):
        for attr in block.find("consistency_mode", blocks=False):
            return source(rel, attr.line)
    return None


def _find_by_text(text: str, kind: str, logical_id: str, body: dict) -> Node:
    """The resource's node when the outline missed it: its header found by a text search."""
    header = r'^[ \t]*resource[ \t]+"?{}"?[ \t]+"?{}"?'.format(re.escape(kind), re.escape(logical_id))
    m = re.search(header, text, re.M)
    line = body.get("__start_line__") or (text.count("\n", 0, m.start()) + 1 if m else 1)
    return Node("resource", (kind, logical_id), line, [])
