"""Load and validate the concept lexicon (data/concepts.yaml).

The lexicon lists concepts (id, names, aliases, category, summary, minutes) and the curated
relations between them (prerequisites, is_a, part_of, addresses, contrasts). A concept's
context_aliases are surfaces that are ordinary words in most uses (平滑, 序列): they count as a
mention only next to a curated neighbour of the concept (ingest.mentions). Every problem is a
one-line LexiconError naming the file, the line, the concept and the field, e.g.
``concepts.yaml:12: concept 'lstm': field 'aliases' must be a list of strings``.

Without a path, load_lexicon() reads $ZHITU_LEXICON when it is set, else the bundled
data/concepts.yaml. YAML is parsed by libyaml (yaml.CSafeLoader) when PyYAML has it: its nodes
keep their lines, so every error still names one; the pure-Python loader is the fallback.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zhitu.graph.errors import LexiconError
from zhitu.graph.gcpause import gc_paused
from zhitu.graph.model import Concept, Origin, Relation, RelationType
from zhitu.text.normalize import normalize
from zhitu.text.segment import Vocabulary

CATEGORIES: dict[str, str] = {
    "math": "数学基础", "ml": "机器学习基础", "nn": "神经网络基础", "activation": "激活函数",
    "loss": "损失函数", "optimization": "优化算法", "regularization": "正则化",
    "normalization": "归一化", "cnn": "卷积神经网络", "architecture": "经典网络",
    "rnn": "循环神经网络", "attention": "注意力与Transformer", "training": "训练与调参",
    "cv": "计算机视觉与图像处理", "nlp": "自然语言处理", "generative": "生成模型",
    "compression": "模型压缩与部署",
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = ("id", "name", "zh", "category")
_TEXT_FIELDS = ("name", "zh", "summary")
# field -> (relation type, True when the edge points from the listed id to this concept)
_LINK_FIELDS: dict[str, tuple[RelationType, bool]] = {
    "prerequisites": (RelationType.PREREQUISITE_OF, True),
    "is_a": (RelationType.IS_A, False),
    "part_of": (RelationType.PART_OF, False),
    "addresses": (RelationType.ADDRESSES, False),
    "contrasts": (RelationType.CONTRASTS_WITH, False),
}
_LIST_FIELDS = ("aliases", "context_aliases", "not_near", *_LINK_FIELDS)
_FIELDS = (*_REQUIRED, "summary", "minutes", *_LIST_FIELDS)
# generic: concept ids never a question's focus unless its title is about them (神经网络, 矩阵);
# not_mentions: phrases in which no surface is a mention (点击流, 量化评估);
# rejected: terms discovery must never propose (the user's overlay writes them)
_TOP_KEYS = ("ambiguous_aliases", "concepts", "generic", "not_mentions", "rejected")
LEXICON_ENV = "ZHITU_LEXICON"  # a lexicon file to use instead of the bundled one
# libyaml's parser (195 -> 31 ms for the bundled lexicon here); its nodes keep their lines
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Lexicon:
    """The validated lexicon: concepts by id, curated relations and the surface index."""

    concepts: dict[str, Concept]
    relations: list[Relation]
    surfaces: dict[str, list[str]]
    ambiguous: set[str]
    path: str
    context_surfaces: dict[str, str] = field(default_factory=dict)  # context alias -> concept
    generic: set[str] = field(default_factory=set)  # ids never a focus unless in the title
    not_mentions: list[str] = field(default_factory=list)  # phrases that hide any surface
    not_near: dict[str, list[str]] = field(default_factory=dict)  # id -> words refuting it nearby
    rejected: set[str] = field(default_factory=set)  # normalized terms never discovered
    overlay: str = ""  # the user overlay applied, if any (ingest.curate)

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        """The concepts' surfaces as the tokenizer's user words."""
        return Vocabulary.of(self.concepts.values())


@dataclass
class _Entry:
    """A concept as read, with the line of the entry and of each field and link."""

    concept: Concept
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)
    alias_lines: dict[str, int] = field(default_factory=dict)
    links: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    context: list[tuple[str, int]] = field(default_factory=list)  # context aliases, lines
    not_near: list[str] = field(default_factory=list)


class _Reader:
    """Walks the composed YAML tree so every error can name its line."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self._loader = _LOADER(text)

    def fail(self, line: int, message: str) -> LexiconError:
        return LexiconError(f"{self.name}:{line}: {message}")

    def root(self) -> yaml.Node | None:
        try:
            return self._loader.get_single_node()
        except yaml.YAMLError as e:
            raise self._yaml_error(e) from e

    def value(self, node: yaml.Node) -> Any:
        try:
            return self._loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            raise self._yaml_error(e) from e

    def close(self) -> None:
        self._loader.dispose()

    def _yaml_error(self, e: yaml.YAMLError) -> LexiconError:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and context_mark is not None:
            problem = f"{problem} ({context} from line {context_mark.line + 1})"
        return self.fail(line, f"invalid YAML: {problem}")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(reader: _Reader, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, int]]:
    """(key, value node, key line) of a mapping node; duplicate or non-string keys fail."""
    if not isinstance(node, yaml.MappingNode):
        raise reader.fail(_line(node), f"{what} must be a mapping")
    items: list[tuple[str, yaml.Node, int]] = []
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = reader.value(key_node)
        if not isinstance(key, str):
            raise reader.fail(_line(key_node), f"{what}: key {key!r} must be a string")
        if key in seen:
            raise reader.fail(_line(key_node), f"{what}: field '{key}' is given twice")
        seen.add(key)
        items.append((key, value_node, _line(key_node)))
    return items


def _string_list(reader: _Reader, node: yaml.Node, where: str) -> list[tuple[str, int]]:
    """A YAML sequence of non-empty strings, each with its line."""
    items = node.value if isinstance(node, yaml.SequenceNode) else None
    values = [(reader.value(n), _line(n)) for n in items] if items is not None else None
    if values is None or not all(isinstance(v, str) and v.strip() for v, _ in values):
        raise reader.fail(_line(node), f"{where} must be a list of strings")
    return [(v.strip(), line) for v, line in values]


def _read_entry(reader: _Reader, node: yaml.Node, index: int) -> _Entry:
    """One concept mapping -> _Entry, checking every field's type."""
    items = _mapping(reader, node, f"concept #{index}")
    raw = {key: value for key, value, _ in items}
    id_value = reader.value(raw["id"]) if "id" in raw else None
    label = f"concept '{id_value}'" if isinstance(id_value, str) else f"concept #{index}"
    for name in _REQUIRED:
        if name not in raw:
            raise reader.fail(_line(node), f"{label}: field '{name}' is missing")
    values: dict[str, Any] = {}
    entry = _Entry(Concept(id="", name="", zh=""), _line(node))
    for key, value_node, key_line in items:
        where = f"{label}: field '{key}'"
        entry.field_lines[key] = key_line
        if key not in _FIELDS:
            raise reader.fail(key_line, f"{label}: unknown field '{key}'")
        if key in _LIST_FIELDS:
            values[key] = _string_list(reader, value_node, where)
            continue
        value = reader.value(value_node)
        if key == "minutes":
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise reader.fail(key_line, f"{where} must be a positive whole number")
        elif not isinstance(value, str) or (key != "summary" and not value.strip()):
            raise reader.fail(key_line, f"{where} must be a non-empty string")
        values[key] = value.strip() if isinstance(value, str) else value
    if not _SLUG.match(values["id"]):
        raise reader.fail(entry.field_lines["id"],
                          f"{label}: field 'id' must be a slug like 'batch-norm'")
    if values["category"] not in CATEGORIES:
        raise reader.fail(entry.field_lines["category"], f"{label}: field 'category' has "
                                                         f"unknown category '{values['category']}'")
    aliases = list(dict.fromkeys(a for a, _ in values.get("aliases", [])))
    entry.concept = Concept(id=values["id"], name=values["name"], zh=values["zh"], aliases=aliases,
                            category=values["category"], summary=values.get("summary", ""),
                            minutes=values.get("minutes"))
    entry.alias_lines = {a: line for a, line in reversed(values.get("aliases", []))}
    entry.links = {k: values[k] for k in _LINK_FIELDS if k in values}
    entry.context = values.get("context_aliases", [])
    entry.not_near = [w for w, _ in values.get("not_near", [])]
    return entry


def _read_document(reader: _Reader) -> tuple[list[_Entry], dict[str, int],
                                             dict[str, list[tuple[str, int]]]]:
    """The whole file -> entries, the declared ambiguous surfaces with their lines, and the
    other top-level lists (generic, not_mentions, rejected)."""
    root = reader.root()
    if root is None:
        raise reader.fail(1, "the lexicon is empty (expected a 'concepts' list)")
    top = _mapping(reader, root, "the lexicon")
    keys = {key: (value, line) for key, value, line in top}
    for key, (_, line) in keys.items():
        if key not in _TOP_KEYS:
            raise reader.fail(line, f"unknown top-level key '{key}' (expected {list(_TOP_KEYS)})")
    if "concepts" not in keys:
        raise reader.fail(_line(root), "top-level key 'concepts' is missing")
    ambiguous: dict[str, int] = {}
    if "ambiguous_aliases" in keys:
        value, _ = keys["ambiguous_aliases"]
        for alias, line in _string_list(reader, value, "top-level key 'ambiguous_aliases'"):
            ambiguous[normalize(alias)] = line
    lists = {key: _string_list(reader, keys[key][0], f"top-level key '{key}'")
             for key in ("generic", "not_mentions", "rejected") if key in keys}
    concepts_node, line = keys["concepts"]
    if not isinstance(concepts_node, yaml.SequenceNode):
        raise reader.fail(line, "top-level key 'concepts' must be a list of concepts")
    entries = [_read_entry(reader, n, i + 1) for i, n in enumerate(concepts_node.value)]
    seen: dict[str, int] = {}
    for entry in entries:
        cid = entry.concept.id
        if cid in seen:
            where = f"concept '{cid}': field 'id'"
            raise reader.fail(entry.field_lines["id"], f"{where} duplicates the concept on line "
                                                       f"{seen[cid]}")
        seen[cid] = entry.line
    for cid, line in lists.get("generic", []):
        if cid not in seen:
            raise reader.fail(line, f"generic: unknown concept '{cid}'")
    return entries, ambiguous, lists


def _index_surfaces(reader: _Reader, entries: list[_Entry],
                    ambiguous: dict[str, int]) -> dict[str, list[str]]:
    """normalize(name|zh|alias) -> concept ids; a shared surface must be declared ambiguous."""
    surfaces: dict[str, list[str]] = {}
    for entry in entries:
        c = entry.concept
        named = [("name", c.name), ("zh", c.zh)] + [("aliases", a) for a in c.aliases]
        for surface_field, text in named:
            surface = normalize(text)
            owners = surfaces.setdefault(surface, [])
            if c.id in owners:
                continue
            if owners and surface not in ambiguous:
                raise reader.fail(
                    entry.alias_lines.get(text, entry.field_lines[surface_field]),
                    f"concept '{c.id}': field '{surface_field}': '{text}' is already a name of "
                    f"concept '{owners[0]}' (declare it in ambiguous_aliases if both are meant)",
                )
            owners.append(c.id)
    for surface, line in ambiguous.items():
        if surface not in surfaces:
            raise reader.fail(line, f"ambiguous_aliases: '{surface}' is not a name or alias "
                                    "of any concept")
    return surfaces


def _index_context(reader: _Reader, entries: list[_Entry], surfaces: dict[str, list[str]],
                   relations: list[Relation]) -> dict[str, str]:
    """normalize(context alias) -> its one concept: no other surface, a curated neighbour."""
    linked = {r.src for r in relations} | {r.dst for r in relations}
    context: dict[str, str] = {}
    for entry in entries:
        cid = entry.concept.id
        for text, line in entry.context:
            where, surface = f"concept '{cid}': field 'context_aliases'", normalize(text)
            if surface in surfaces:
                raise reader.fail(line, f"{where}: '{text}' is already a name or alias of "
                                        f"concept '{surfaces[surface][0]}'")
            if context.setdefault(surface, cid) != cid:
                raise reader.fail(line, f"{where}: '{text}' is already a context alias of "
                                        f"concept '{context[surface]}'")
            if cid not in linked:
                raise reader.fail(line, f"{where}: '{text}' could never count: the concept has "
                                        "no curated relation to a neighbour that decides it")
    return context


def _build_relations(reader: _Reader, entries: list[_Entry]) -> list[Relation]:
    """Curated relations from the link fields; every target must exist and differ from itself."""
    ids = {e.concept.id for e in entries}
    relations: dict[tuple[str, str, str], Relation] = {}
    for entry in entries:
        cid = entry.concept.id
        for key, targets in entry.links.items():
            rel_type, inbound = _LINK_FIELDS[key]
            for target, line in targets:
                where = f"concept '{cid}': field '{key}'"
                if target == cid:
                    raise reader.fail(line, f"{where} refers to the concept itself")
                if target not in ids:
                    raise reader.fail(line, f"{where} refers to unknown concept '{target}'")
                src, dst = (target, cid) if inbound else (cid, target)
                if rel_type.undirected:
                    src, dst = min(src, dst), max(src, dst)
                rel = Relation(rel_type, src, dst, confidence=1.0, source=Origin.LEXICON)
                relations.setdefault(rel.key, rel)
    return list(relations.values())


def lexicon_path(path: str | Path | None = None) -> Path:
    """The file load_lexicon(path) reads: path, else $ZHITU_LEXICON, else the bundled one."""
    if path is None:
        from zhitu.data import LEXICON_PATH

        path = os.environ.get(LEXICON_ENV) or LEXICON_PATH
    return Path(path)


@gc_paused()  # thousands of YAML nodes and records, all kept until the parse ends
def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and validate a lexicon file (default: lexicon_path(), the bundled one unless
    $ZHITU_LEXICON names another).

    Raises LexiconError naming file, line, concept and field for any bad entry. Without a
    path the user's overlay of curation decisions (ingest.curate.overlay_path) is applied.
    """
    source = lexicon_path(path)
    name = str(source)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        via = f" (from ${LEXICON_ENV})" if path is None and os.environ.get(LEXICON_ENV) else ""
        raise LexiconError(
            f"{name}: cannot read the lexicon{via} ({e.__class__.__name__}: {e})"
        ) from e
    reader = _Reader(text, name)
    try:
        entries, ambiguous, lists = _read_document(reader)
        surfaces = _index_surfaces(reader, entries, ambiguous)
        relations = _build_relations(reader, entries)
        context = _index_context(reader, entries, surfaces, relations)
    finally:
        reader.close()
    concepts = {e.concept.id: e.concept for e in entries}
    lexicon = Lexicon(concepts, relations, surfaces, set(ambiguous), name, context,
                      generic={c for c, _ in lists.get("generic", [])},
                      not_mentions=[w for w, _ in lists.get("not_mentions", [])],
                      not_near={e.concept.id: e.not_near for e in entries if e.not_near},
                      rejected={normalize(w) for w, _ in lists.get("rejected", [])})
    if path is None:
        from zhitu.ingest.curate import apply_overlay, overlay_path

        overlay = overlay_path()
        if overlay is not None and overlay.is_file():
            lexicon = apply_overlay(lexicon, overlay)
    return lexicon
