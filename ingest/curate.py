"""The learner's overlay of curation decisions on the lexicon, and the decisions themselves.

The overlay is a YAML file in the format of data/concepts.yaml (data/README.md): `concepts`
entries with a new id add a concept (an accepted discovered term, or the learner's own); an
entry with an existing id changes that concept (its aliases are added, any other field given
replaces the lexicon's); `rejected` lists terms discovery must never propose again. It lives at
$ZHITU_OVERLAY (empty: no overlay), else $XDG_CONFIG_HOME/zhitu/concepts.user.yaml (default
~/.config), and load_lexicon() applies it, so every later ingest keeps every decision.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from zhitu.graph.atomic import write_atomic
from zhitu.graph.errors import LexiconError
from zhitu.graph.model import Concept, Origin, Relation
from zhitu.ingest.lexicon import _LINK_FIELDS, CATEGORIES, Lexicon
from zhitu.text.normalize import normalize

OVERLAY_ENV = "ZHITU_OVERLAY"
_TEXT = ("name", "zh", "category", "summary")
_LISTS = ("aliases", *_LINK_FIELDS)


def overlay_path() -> Path | None:
    """The overlay file: $ZHITU_OVERLAY, else the user's config dir; None when set empty."""
    env = os.environ.get(OVERLAY_ENV)
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "zhitu" / "concepts.user.yaml"


def require_overlay() -> Path:
    """The overlay file decisions go to; an error when $ZHITU_OVERLAY is set empty."""
    path = overlay_path()
    if path is None:
        raise LexiconError(f"没有用户词表: 环境变量 {OVERLAY_ENV} 为空")
    return path


def decide(path: Path, change: Callable[[dict[str, Any]], str]) -> str:
    """Apply one decision (`change` edits the overlay document and says what it did) to the
    overlay file: the one way the CLI and the UI record decisions. Returns the message."""
    doc = read_overlay(path)
    message = change(doc)
    write_overlay(path, doc)
    return message


def slug(name: str) -> str:
    """A concept id for a name: its Latin words, plus a short hash when it has other letters.

    >>> slug("MMDetection"), slug("Faster R-CNN"), slug("EM算法")
    ('mmdetection', 'faster-r-cnn', 'em-f307c3')
    """
    words = re.findall(r"[a-z0-9]+", normalize(name).lower())
    ascii_only = all(ord(ch) < 128 for ch in name)
    parts = words if ascii_only and words else [
        *words, hashlib.sha1(normalize(name).encode()).hexdigest()[:6]]
    return "-".join(parts)


def read_overlay(path: Path) -> dict[str, Any]:
    """The overlay document ({"concepts": [...], "rejected": [...]}), empty when missing."""
    if not path.is_file():
        return {"concepts": [], "rejected": []}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise LexiconError(f"{path}: cannot read the overlay ({e.__class__.__name__}: {e})") from e
    if not isinstance(doc, dict):
        raise LexiconError(f"{path}: the overlay must be a mapping with 'concepts' and 'rejected'")
    doc.setdefault("concepts", [])
    doc.setdefault("rejected", [])
    return doc


def write_overlay(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    head = "# zhitu: the learner's curation decisions (format: data/README.md)\n"
    write_atomic(str(path), head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def apply_overlay(lexicon: Lexicon, path: Path) -> Lexicon:
    """The lexicon with the overlay's concepts, changes and rejections applied."""
    doc = read_overlay(path)
    concepts = dict(lexicon.concepts)
    surfaces = {s: list(o) for s, o in lexicon.surfaces.items()}
    relations = {r.key: r for r in lexicon.relations}
    links: list[tuple[str, str, list[str]]] = []
    for i, raw in enumerate(doc["concepts"] or []):
        cid = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(cid, str) or not cid:
            raise LexiconError(f"{path}: concept #{i + 1}: field 'id' is missing")
        where = f"{path}: concept '{cid}'"
        old = concepts.get(cid)
        if old is None and not all(raw.get(k) for k in ("name", "category")):
            raise LexiconError(f"{where}: a new concept needs 'name' and 'category'")
        if raw.get("category") and raw["category"] not in CATEGORIES:
            raise LexiconError(f"{where}: field 'category' has unknown category "
                               f"'{raw['category']}'")
        base = old or Concept(cid, raw["name"], raw.get("zh") or raw["name"], source="user")
        fields = {k: str(raw[k]) for k in _TEXT if raw.get(k)}
        aliases = list(dict.fromkeys([*base.aliases, *map(str, raw.get("aliases") or [])]))
        concept = replace(base, **fields, aliases=aliases)
        if old is not None and old.source == "lexicon" and raw.get("summary") is None:
            concept.summary = old.summary
        concepts[cid] = concept
        for surface in {concept.name, concept.zh, *concept.aliases}:
            owners = surfaces.setdefault(normalize(surface), [])
            if cid not in owners:
                owners[:] = [cid]  # the learner's word wins over the lexicon's
        links += [(cid, k, [str(t) for t in raw.get(k) or []]) for k in _LINK_FIELDS]
    for cid, key, targets in links:
        rel_type, inbound = _LINK_FIELDS[key]
        for target in targets:
            if target not in concepts or target == cid:
                raise LexiconError(f"{path}: concept '{cid}': field '{key}' refers to unknown "
                                   f"concept '{target}'")
            src, dst = (target, cid) if inbound else (cid, target)
            if rel_type.undirected:
                src, dst = min(src, dst), max(src, dst)
            rel = Relation(rel_type, src, dst, confidence=1.0, source=Origin.USER)
            relations[rel.key] = rel
    rejected = lexicon.rejected | {normalize(str(t)) for t in doc["rejected"] or []}
    return replace(lexicon, concepts=concepts, surfaces=surfaces,
                   relations=list(relations.values()), rejected=rejected, overlay=str(path))


def _entry(doc: dict[str, Any], cid: str) -> dict[str, Any]:
    for raw in doc["concepts"]:
        if isinstance(raw, dict) and raw.get("id") == cid:
            return raw
    raw = {"id": cid}
    doc["concepts"].append(raw)
    return raw


def accept(doc: dict[str, Any], concept: Concept, **changes: Any) -> str:
    """Keep a (discovered) concept, with optional changes (name, category, summary, aliases,
    prerequisites …); it is no longer rejected. Returns its id."""
    doc["rejected"] = [t for t in doc["rejected"]
                       if normalize(str(t)) not in {normalize(concept.name), normalize(concept.zh)}]
    raw = _entry(doc, concept.id)
    raw.update({"name": concept.name, "zh": concept.zh or concept.name,
                "category": concept.category or "ml"})
    if concept.summary:
        raw["summary"] = concept.summary
    if concept.aliases:
        raw["aliases"] = list(concept.aliases)
    raw.update({k: v for k, v in changes.items() if v is not None})
    return concept.id


def reject(doc: dict[str, Any], term: str, concept_id: str | None = None) -> None:
    """Never propose the term again (and drop an accepted concept of that id)."""
    if concept_id is not None:
        doc["concepts"] = [c for c in doc["concepts"]
                           if not (isinstance(c, dict) and c.get("id") == concept_id)]
    if normalize(term) not in {normalize(str(t)) for t in doc["rejected"]}:
        doc["rejected"].append(term)


def alias(doc: dict[str, Any], term: str, target_id: str, dropped_id: str | None = None) -> None:
    """Merge: the term becomes an alias of an existing concept (a discovered one is dropped)."""
    if dropped_id is not None and dropped_id != target_id:
        doc["concepts"] = [c for c in doc["concepts"]
                           if not (isinstance(c, dict) and c.get("id") == dropped_id)]
    raw = _entry(doc, target_id)
    raw["aliases"] = list(dict.fromkeys([*(raw.get("aliases") or []), term]))


def change(doc: dict[str, Any], concept: Concept, **fields: Any) -> None:
    """Rename, recategorize or set prerequisites of a concept (a discovered one is accepted)."""
    if concept.source == "discovered":
        accept(doc, concept, **fields)
        return
    _entry(doc, concept.id).update({k: v for k, v in fields.items() if v is not None})
