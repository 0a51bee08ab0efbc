"""DynamoDB tables in CloudFormation/SAM templates (YAML or JSON) and Serverless' ``resources``.

YAML is read with a ``yaml.SafeLoader`` subclass (nothing is ever instantiated from a tag) that
turns CloudFormation's short-form tags into their long form (``!Ref X`` -> ``{"Ref": "X"}``,
``!Sub s`` -> ``{"Fn::Sub": s}``) and remembers the line of every mapping key. JSON goes through
the same loader: JSON is YAML once its tabs (legal JSON whitespace, never inside a valid JSON
string) become spaces, and that keeps line numbers, which the json module cannot give.
"""
from __future__ import annotations

import json
from typing import Dict, List, Optional, Tuple

import yaml

from ddblint.infra.declarations import DiscoveredTable, Fact, name_pattern, replace_placeholders, source

GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"
TABLE = "AWS::DynamoDB::Table"
SIMPLE_TABLE = "AWS::Serverless::SimpleTable"
STACK_REGION = {"Ref": "AWS::Region"}


class Mapping(dict):
    """A YAML mapping that knows its line and the line of each key (1-based)."""

    line = 0

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.lines: Dict[object, int] = {}


class Sequence(list):
    line = 0

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.lines: List[int] = []


# PyYAML's pure-Python parser, not libyaml's: libyaml's recursive composer overflows the C stack
# (the process dies) on deeply nested input, where Python's raises RecursionError, which costs
# one file. Slower on large cdk.out templates, but a linter must not crash.
class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)  # YAML merge keys (`<<: *defaults`)
    result = Mapping()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            result[key] = loader.construct_object(value_node, deep=True)
        except TypeError:  # an unhashable key (a YAML mapping used as a key): never a CFN name
            continue
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _intrinsic(loader, suffix: str, node: yaml.Node) -> Mapping:
    """``!Name value`` -> ``{"Fn::Name": value}`` (``Ref`` and ``Condition`` keep their name)."""
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)  # `!GetAtt Table.Arn` is the list form's shorthand
    elif isinstance(node, yaml.SequenceNode):
        value = _sequence(loader, node)
    else:
        value = _mapping(loader, node)
    key = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    result = Mapping({key: value})
    result.line = node.start_mark.line + 1
    result.lines[key] = result.line
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)
_Loader.add_multi_constructor("!", _intrinsic)


def load(text: str, is_json: bool = False) -> List[object]:
    """The documents of a YAML (or JSON) file; raises yaml.YAMLError / ValueError."""
    if is_json:
        text = text.replace("\t", " ")
    return list(yaml.load_all(text, Loader=_Loader))  # noqa: S506 - _Loader is a SafeLoader


def tables(text: str, rel: str, is_json: bool = False) -> Tuple[List[DiscoveredTable], List[str]]:
    try:
        docs = load(text, is_json)
    except yaml.YAMLError as exc:
        if is_json:
            try:  # some valid JSON is not YAML 1.1 (e.g. a surrogate escape): lines lost, facts kept
                docs = [json.loads(text)]
            except ValueError:
                docs = None
        else:
            docs = None
        if docs is None:
            mark = getattr(exc, "problem_mark", None)
            where = f"{rel}:{mark.line + 1}" if mark else rel
            return [], [f"{where}: cannot parse {'JSON' if is_json else 'YAML'}: {_one_line(exc)}"]
    found: List[DiscoveredTable] = []
    for doc in docs:
        for logical_id, resource, line in _resources(doc):
            table = _table(logical_id, resource, rel, line)
            if table is not None:
                found.append(table)
    return found, []


def _resources(doc):
    """(logical id, resource, line) of a template's ``Resources``, or of a serverless.yml's
    ``resources.Resources`` (raw CloudFormation merged into the stack)."""
    if not isinstance(doc, dict):
        return
    resources = doc.get("Resources")
    if not isinstance(resources, dict):
        inner = doc.get("resources")
        resources = inner.get("Resources") if isinstance(inner, dict) else None
    if not isinstance(resources, dict):
        return
    for logical_id, resource in resources.items():
        if isinstance(resource, dict):
            yield str(logical_id), resource, _line(resources, logical_id)


def _line(mapping, key, default: int = 0) -> int:
    return getattr(mapping, "lines", {}).get(key) or default


def _table(logical_id: str, resource: dict, rel: str, line: int) -> Optional[DiscoveredTable]:
    kind = resource.get("Type")
    if kind not in (GLOBAL_TABLE, TABLE, SIMPLE_TABLE):
        return None
    props = resource.get("Properties")
    props = props if isinstance(props, dict) else {}

    def at(mapping, key) -> str:  # the fact's line, else the resource's
        return source(rel, _line(mapping, key, line))

    name = None
    if "TableName" in props:
        pattern = name_pattern(_parts(props["TableName"]))
        name = Fact(pattern, at(props, "TableName")) if pattern else None

    partition_key = sort_key = None
    if kind == SIMPLE_TABLE:
        primary = props.get("PrimaryKey")
        if isinstance(primary, dict) and isinstance(primary.get("Name"), str):
            partition_key = Fact(primary["Name"], at(primary, "Name"))
        elif primary is None:  # SAM's documented default
            partition_key = Fact("id", source(rel, line), "SAM's default primary key")
    else:
        partition_key, sort_key = _key_schema(props.get("KeySchema"), rel, at(props, "KeySchema"))

    indexes, index_sources = _indexes(props, rel)
    ttl = None
    spec = props.get("TimeToLiveSpecification")
    if isinstance(spec, dict):
        enabled = _bool(spec.get("Enabled"))
        if enabled is not None:
            ttl = Fact(enabled, at(spec, "Enabled"))

    mode = replicas = witness = region_count = None
    if kind == GLOBAL_TABLE:
        replicas, count = _replicas(props.get("Replicas"), rel, at(props, "Replicas"))
        consistency = props.get("MultiRegionConsistency", "EVENTUAL")
        mode_at = at(props, "MultiRegionConsistency")
        if consistency == "STRONG":
            mode = Fact("mrsc", mode_at)
        elif count == 1:  # one replica: nothing replicates, so writes cannot conflict
            mode = Fact("single-region", at(props, "Replicas"), "a GlobalTable with one replica")
        elif consistency == "EVENTUAL":
            mode = Fact("global", mode_at)
        witnesses = props.get("GlobalTableWitnesses", [])
        witness = _witness(witnesses, rel, at(props, "GlobalTableWitnesses"))
        if count is not None and isinstance(witnesses, list):
            region_count = count + len(witnesses)  # the stack's own region must be a replica
    # AWS::DynamoDB::Table and SimpleTable: mode stays unknown, since the table may have been
    # made global outside CloudFormation (UpdateTable ReplicaUpdates, the console).

    return DiscoveredTable(
        logical_id=logical_id, name=name, mode=mode, replicas=replicas, witness=witness,
        partition_key=partition_key, sort_key=sort_key, indexes=indexes, ttl=ttl,
        kind=kind, source=source(rel, line), index_sources=index_sources, region_count=region_count,
    )


def _parts(value) -> List[Optional[str]]:
    """A name as literal parts and None for each unknown one."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        # a CFN name cannot contain `$`: `${...}` here is a Serverless variable
        return replace_placeholders(str(value))
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Fn::Sub":
            variables = {}
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
                arg, variables = arg
            if isinstance(arg, str):
                def resolve(inner: str) -> Optional[str]:
                    if inner.startswith("!"):  # `${!Literal}` is the text `${Literal}`
                        return "${" + inner[1:] + "}"
                    known = variables.get(inner.strip())
                    return known if isinstance(known, str) else None
                return replace_placeholders(arg, resolve=resolve)
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 \
                and isinstance(arg[0], str) and isinstance(arg[1], list):
            parts: List[Optional[str]] = []
            for i, item in enumerate(arg[1]):
                if i:
                    parts.append(arg[0])
                parts.extend(_parts(item))
            return parts
    return [None]  # !Ref, !If, !FindInMap, !ImportValue, ...: decided at deploy time


def _key_schema(schema, rel: str, default: str) -> Tuple[Optional[Fact], Optional[Fact]]:
    keys: Dict[str, Fact] = {}
    if isinstance(schema, list):
        for i, element in enumerate(schema):
            if isinstance(element, dict) and isinstance(element.get("AttributeName"), str):
                line = _line(element, "AttributeName") or (schema.lines[i] if hasattr(schema, "lines") else 0)
                keys.setdefault(str(element.get("KeyType")), Fact(element["AttributeName"],
                                                                    source(rel, line) if line else default))
    return keys.get("HASH"), keys.get("RANGE")


def _indexes(props: dict, rel: str) -> Tuple[Optional[Fact], Dict[str, str]]:
    kinds: Dict[str, str] = {}
    sources: Dict[str, str] = {}
    first = None
    unnamed = 0
    for prop, kind in (("GlobalSecondaryIndexes", "global"), ("LocalSecondaryIndexes", "local")):
        entries = props.get(prop)
        if prop not in props:
            continue
        line = _line(props, prop)
        first = line if first is None else min(first, line)
        if not isinstance(entries, list):
            unnamed += 1
            continue
        for i, entry in enumerate(entries):
            index = entry.get("IndexName") if isinstance(entry, dict) else None
            if not isinstance(index, str):
                unnamed += 1
                continue
            kinds[index] = kind
            at = _line(entry, "IndexName") or (entries.lines[i] if hasattr(entries, "lines") else line)
            sources[index] = source(rel, at)
    if first is None:
        return None, sources
    note = "some indexes are not named literally" if unnamed else None
    return Fact(kinds, source(rel, first), note), sources


def _replicas(entries, rel: str, at: str) -> Tuple[Optional[Fact], Optional[int]]:
    """The literal replica regions and how many replicas are declared (None: not a list)."""
    if not isinstance(entries, list):
        return None, None
    regions: List[str] = []
    stack = other = 0
    for entry in entries:
        region = entry.get("Region") if isinstance(entry, dict) else None
        if isinstance(region, str):
            if region not in regions:
                regions.append(region)
        elif region == STACK_REGION:
            stack += 1
        else:
            other += 1
    notes = []
    if stack:  # the usual way to name the deploying region, which the template cannot know
        notes.append("plus the stack's region (!Ref AWS::Region)")
    if other:
        notes.append(f"plus {other} replica region(s) not written literally")
    return Fact(tuple(regions), at, "; ".join(notes) or None), len(entries)


def _witness(entries, rel: str, at: str) -> Optional[Fact]:
    if isinstance(entries, list):
        for entry in entries:  # CloudFormation allows at most one
            if isinstance(entry, dict) and isinstance(entry.get("Region"), str):
                line = _line(entry, "Region")
                return Fact(entry["Region"], source(rel, line) if line else at)
    return None


def _bool(value) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):  # CFN accepts strings
        return value.lower() == "true"
    return None


def _one_line(exc: Exception) -> str:
    return " ".join(str(getattr(exc, "problem", None) or exc).split())
