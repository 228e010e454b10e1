"""The embedded store's load format: a SQLite sidecar of a graph file, read lazily.

The JSON graph file stays the format users keep and share; the sidecar is derived from it and
lives in the user's cache ($XDG_CACHE_HOME/zhitu/graphs/, one per graph file, the most recently
written kept). A command reads from it only the records it needs (a chain: the question's
prerequisite closure and the prerequisite edges among it and between concepts; a study path:
the concepts, the title mentions of its closure and counts of the rest), so a cold query does
not parse the whole graph.

Every GraphData field is one table, one row per record, in the file's order: the record as the
graph file writes it (JSON, decoded by graph.graphfile) and the columns a query selects by
(id, src, dst, type, label, ends: which ends are known "q"uestions or "c"oncepts, "" when one is
unknown). Nothing is special-cased: a new edge type or field travels in the record.

Written once to a temp file then renamed (atomic); no timestamps, so the same graph gives the
same bytes. A stamp file beside it (size, mtime, inode of the graph file and the file's digest)
tells a fresh sidecar from a stale one: on a changed stamp the file is hashed, and the sidecar
is rebuilt only when the digest differs too. VERSION changes whenever the layout does; a
sidecar of another version, or one SQLite cannot read, is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import fields
from pathlib import Path

from zhitu.graph import graphfile
from zhitu.graph.model import GraphData, Question
from zhitu.text.normalize import sendable

VERSION = 1
KEEP = 8  # sidecars kept in the cache (the most recently written)
SECTIONS = tuple(f.name for f in fields(GraphData))
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=vars).encode
_COLUMNS = "n INTEGER PRIMARY KEY, id TEXT, src TEXT, dst TEXT, type TEXT, label TEXT, " \
           "ends TEXT, record TEXT NOT NULL"


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/zhitu/graphs (default ~/.cache/zhitu/graphs)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "zhitu" / "graphs"


def location(graph_file: Path) -> Path:
    """Where the sidecar of a graph file is kept."""
    name = hashlib.blake2b(str(graph_file.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir() / f"{name}.sqlite"


def _stamp(graph_file: Path) -> list[int]:
    st = graph_file.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev]


def file_digest(graph_file: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with graph_file.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _value(record: object, name: str) -> str | None:
    v = getattr(record, name, None)
    if v is None or type(v) is str:  # most values: a plain string, nothing to look up
        return v
    return str(getattr(v, "value", v))


def _ends(r: object) -> tuple[str | None, str | None]:
    """An edge's two ends (relations: src, dst; mentions: question, concept)."""
    return (_value(r, "src") or _value(r, "question_id"),
            _value(r, "dst") or _value(r, "concept_id"))


def _rows(data: GraphData, name: str, kinds: dict[str, str],
          written: list[str] | None = None) -> Iterator[tuple]:
    """(n, id, src, dst, type, label, ends, record) of one section, in the graph file's order
    (by id; edges by type, src, dst); `written`: the section's records as the graph file
    wrote them, in that order (else they are encoded here, to the same text)."""
    section = getattr(data, name)
    if isinstance(section, dict):
        items = [(section[k], None, None, None) for k in sorted(section)]
    else:
        items = sorted(((r, _value(r, "type"), *_ends(r)) for r in section),
                       key=lambda t: (t[1] or "", t[2] or "", t[3] or ""))
    if written is not None and len(written) != len(items):
        written = None
    for n, (r, kind, src, dst) in enumerate(items):
        ends = kinds.get(src, "") + kinds.get(dst, "") if src and dst else ""
        yield (n, _value(r, "id"), src, dst, kind, _value(r, "title") or _value(r, "name"),
               ends if len(ends) == 2 else "", _ENCODE(r) if written is None else written[n])


def write(path: Path, data: GraphData, meta: dict[str, object], extra: dict[str, object],
          records: dict[str, list[str]] | None = None) -> None:
    """Write the sidecar of `data` atomically (OSError or sqlite3.Error when it cannot be).

    records: each section's records as graph.graphfile.chunks wrote them for this data (they
    are not encoded again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("BEGIN")
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            info = {"format": "zhitu-sidecar", "version": VERSION, "meta": meta, **extra}
            db.executemany("INSERT INTO meta VALUES (?, ?)",
                           ((k, _ENCODE(v)) for k, v in sorted(info.items())))
            kinds = {**dict.fromkeys(data.concepts, "c"), **dict.fromkeys(data.questions, "q")}
            for name in SECTIONS:
                db.execute(f"CREATE TABLE {name} ({_COLUMNS})")
                db.executemany(f"INSERT INTO {name} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               _rows(data, name, kinds, (records or {}).get(name)))
                for column in ("id", "src", "dst", "ends"):
                    db.execute(f"CREATE INDEX {name}_{column} ON {name} ({column})")
            db.execute("COMMIT")
        finally:
            db.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    _prune(path.parent)


def _prune(root: Path) -> None:
    saved = sorted(root.glob("*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in saved[KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".stamp").unlink(missing_ok=True)


def write_stamp(path: Path, graph_file: Path, digest: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.stamp")
    tmp.write_text(json.dumps({"file": _stamp(graph_file), "digest": digest}))
    os.replace(tmp, path.with_suffix(".stamp"))


class Sidecar:
    """An open sidecar: the records a query needs, decoded as graph.graphfile decodes them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.info = {k: json.loads(v) for k, v in self.db.execute("SELECT name, value FROM meta")}
        if self.info.get("format") != "zhitu-sidecar" or self.info.get("version") != VERSION:
            raise sqlite3.DatabaseError("not a sidecar of this version")
        self.db.execute(f"SELECT count(*) FROM {SECTIONS[0]}").fetchone()  # readable at all

    def close(self) -> None:
        self.db.close()

    def column(self, section: str, columns: str, where: str = "", params: Iterable = ()) -> list:
        sql = f"SELECT {columns} FROM {section} {where} ORDER BY n"
        clean = tuple(sendable(p) if isinstance(p, str) else p for p in params)
        return self.db.execute(sql, clean).fetchall()

    def data(self, **where: tuple[str, Iterable]) -> GraphData:
        """GraphData of the records each section's (SQL condition, parameters) selects; a
        section not named is empty. ids in a condition: `ids(...)`."""
        parts = [f'{{"format": {_ENCODE(graphfile.FORMAT)}, "version": {graphfile.VERSION}']
        for name in SECTIONS:
            rows = self.column(name, "record", *where[name]) if name in where else []
            parts.append(f', "{name}": [' + ",".join(r for (r,) in rows) + "]")
        return graphfile.loads("".join(parts) + "}", str(self.path))[0]


def ids(column: str, values: Iterable[str]) -> tuple[str, list[str]]:
    """A condition selecting rows whose column is one of values (a JSON list: no limit on
    how many)."""
    return (f"WHERE {column} IN (SELECT value FROM json_each(?))", [json.dumps(list(values))])


def open_fresh(graph_file: Path) -> tuple[Sidecar | None, str | None]:
    """(the sidecar when it is that of the graph file as it is now, else None; the file's
    digest when it had to be computed)."""
    path = location(graph_file)
    try:
        saved = json.loads(path.with_suffix(".stamp").read_text())
        digest = saved["digest"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, None
    computed = None
    if saved.get("file") != _stamp(graph_file):
        computed = file_digest(graph_file)
        if computed != digest:
            return None, computed
    try:
        side = Sidecar(path)
    except sqlite3.Error:
        return None, computed
    if side.info.get("digest") != digest:
        side.close()
        return None, computed
    if computed is not None:
        try:
            write_stamp(path, graph_file, digest)
        except OSError:
            pass
    return side, computed


# --- what each query reads (graph/memory.py builds its graph from it) ---
_ALL = ("", ())
_CONCEPT_EDGES = "ends = 'cc'"
# Edges between questions, and mentions of known questions and concepts, are most rows: a
# condition on them never takes the ends index ("+"), which SQLite would otherwise prefer to
# that of an id (a chain read every question edge, 0.4 s at 100k). A study plan is the
# exception: it reads the mentions of most concepts, in table order by the ends index.
_QQ = "+ends = 'qq'"
_QC = "+ends = 'qc'"
_ALL_QC = "ends = 'qc'"
_ANCESTORS = """WITH RECURSIVE up(id) AS (VALUES (?) UNION
    SELECT r.src FROM relations r JOIN up ON r.dst = up.id WHERE r.type = ? AND +r.ends = 'qq')
SELECT id FROM up"""


def _either(*conditions: tuple[str, list[str]]) -> tuple[str, list[str]]:
    """Rows meeting any of several `ids`-style conditions (each may use its own index)."""
    sql = " UNION ".join(f"SELECT n FROM {{}} {c}" for c, _ in conditions)
    return sql, [p for _, ps in conditions for p in ps]


class Reads:
    """The records behind each query of graph/memory.py, over an open Sidecar."""

    def __init__(self, side: Sidecar) -> None:
        self.side = side

    def _in(self, section: str, *conditions: tuple[str, list[str]]) -> tuple[str, list[str]]:
        sql, params = _either(*conditions)
        return f"WHERE n IN ({sql.format(*[section] * len(conditions))})", params

    def has_question(self, qid: str) -> bool:
        return bool(self.side.column("questions", "1", "WHERE id = ?", [qid]))

    def titles(self) -> dict[str, str]:
        return dict(self.side.column("questions", "id, label"))

    def concepts(self) -> GraphData:
        """Every concept and every relation between two concepts."""
        return self.side.data(concepts=_ALL, relations=(f"WHERE {_CONCEPT_EDGES}", ()))

    def question(self, qid: str) -> GraphData:
        """One question, its mentions and every concept."""
        return self.side.data(questions=ids("id", [qid]), mentions=ids("src", [qid]),
                              concepts=_ALL)

    def chain(self, qid: str, pre: str) -> GraphData:
        """The question's prerequisite closure (`pre` edges between questions), their
        mentions and the `pre` edges among them (a basic question may have thousands out of
        the closure), every concept and the `pre` edges between concepts: all study.chain
        reads."""
        closure = [i for (i,) in self.side.db.execute(_ANCESTORS, (qid, pre))]
        # by the dst index: the edges into the closure are few, those out of it may not be
        among, params = ids("+src", closure)
        within = ids("dst", closure)[0].removeprefix("WHERE ")
        edges = self._in("relations", (f"WHERE {_CONCEPT_EDGES} AND type = ?", [pre]),
                         (f"{among} AND {within} AND {_QQ} AND type = ?",
                          [*params, *params, pre]))
        return self.side.data(questions=ids("id", closure), mentions=ids("src", closure),
                              concepts=_ALL, relations=edges)

    def around(self, qid: str) -> GraphData:
        """The question, the questions an edge joins it to, those edges, its mentions and
        every concept."""
        edges = self._in("relations", (f"WHERE src = ? AND {_QQ}", [qid]),
                         (f"WHERE dst = ? AND {_QQ}", [qid]))
        joined = self.side.column("relations", "src, dst", *edges)
        near = {qid} | {end for row in joined for end in row}
        return self.side.data(questions=ids("id", near), relations=edges,
                              mentions=ids("src", [qid]), concepts=_ALL)

    def plan(self, concepts: Iterable[str]) -> tuple[GraphData, dict[str, int]]:
        """What a study plan over these concepts reads (study.path with `readers`): every
        concept and concept relation, the mentions of these concepts in question titles,
        those questions (id, title and level: a step only names them), and how many
        questions mention each concept."""
        wanted = list(concepts)
        where, params = ids("dst", wanted)
        readers = dict.fromkeys(wanted, 0)
        readers.update(self.side.column("mentions", "dst, count(*)",
                                        f"{where} AND {_ALL_QC} GROUP BY dst", params))
        data = self.side.data(concepts=_ALL, relations=(f"WHERE {_CONCEPT_EDGES}", ()),
                              mentions=(f"{where} AND {_ALL_QC} AND "
                                        "json_extract(record, '$.in_title')", params))
        named = sorted({m.question_id for m in data.mentions})
        for qid, title, level in self.side.column(
                "questions", "id, label, json_extract(record, '$.level')", *ids("id", named)):
            data.questions[qid] = Question(qid, title, "", level=graphfile.level(level))
        return data, readers

    def touching(self, cid: str) -> GraphData:
        """The relations with the concept at either end (both ends known), every concept and
        the questions at their other ends."""
        edges = self._in("relations", ("WHERE src = ? AND ends != ''", [cid]),
                         ("WHERE dst = ? AND ends != ''", [cid]))
        ends = {end for row in self.side.column("relations", "src, dst", *edges) for end in row}
        return self.side.data(relations=edges, concepts=_ALL, questions=ids("id", ends))

    def mentioning(self, cid: str) -> GraphData:
        """The questions mentioning the concept (both ends known)."""
        asked = [q for (q,) in self.side.column("mentions", "src", f"WHERE dst = ? AND {_QC}",
                                                [cid])]
        return self.side.data(questions=ids("id", asked))

    def everything(self, section: str) -> GraphData:
        return self.side.data(**{section: _ALL})
