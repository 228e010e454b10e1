"""Learner progress: what each learner knows, has done or skips, and their self-test reviews.

A learner is a name (any text; it is data, never markup or a file name). Progress lives in the
store: beside an embedded graph file, one JSON file per learner in `<graph>.learners/` (named
by a hash of the name, written atomically under a lock so two tabs never lose an update); in
Neo4j, as a (:ZhituLearner) node with KNOWS and REVIEWED relationships.

Reviews are scheduled with FSRS (the `fsrs` package): a grade 不会/模糊/会/很熟 maps to
Again/Hard/Good/Easy. A question graded 不会 brings its prerequisite questions forward: they
become due now, so the review queue shows them first.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from zhitu.graph.atomic import write_atomic
from zhitu.graph.errors import StoreError, ZhituError

STATES = ("known", "done", "skipped")
GRADES = {"不会": 1, "模糊": 2, "会": 3, "很熟": 4}  # fsrs Rating values
MAX_NAME = 200
REVIEW_LOG = 50  # grades kept per question


class BadLearner(ZhituError):
    """A learner name that cannot be used (empty, too long)."""


def check_name(name: str) -> str:
    """The learner name, stripped; any text is allowed but it must not be empty or huge.

    >>> check_name("  张三 ")
    '张三'
    >>> try:
    ...     check_name("  ")
    ... except BadLearner as e:
    ...     print(e)
    学习者名字不能为空
    """
    name = " ".join(str(name).split())
    if not name:
        raise BadLearner("学习者名字不能为空")
    if len(name) > MAX_NAME:
        raise BadLearner(f"学习者名字太长 (最多 {MAX_NAME} 个字符)")
    return name


@dataclass
class Progress:
    """One learner's progress: concept states and per-question review cards."""

    learner: str
    concepts: dict[str, str] = field(default_factory=dict)  # concept id -> known|done|skipped
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> card, grades

    def known(self) -> list[str]:
        """Concept ids a study path can skip: known or done."""
        return sorted(c for c, s in self.concepts.items() if s in ("known", "done"))

    def to_json(self) -> dict[str, Any]:
        return {"learner": self.learner, "concepts": dict(sorted(self.concepts.items())),
                "questions": {q: summary(r) for q, r in sorted(self.questions.items())}}


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """What a question's review record says to a reader: due time, last grade, reviews."""
    grades = record.get("grades", [])
    return {"due": record.get("card", {}).get("due"), "grade": grades[-1]["grade"] if grades
            else None, "reviews": len(grades), "because": record.get("because")}


def now() -> datetime:
    return datetime.now(timezone.utc)


def _scheduler() -> Any:
    from fsrs import Scheduler  # imported on use: most commands never schedule

    return Scheduler(enable_fuzzing=False)


def graded(record: dict[str, Any] | None, grade: str, when: datetime) -> dict[str, Any]:
    """The review record after one self-test grade."""
    from fsrs import Card, Rating

    if grade not in GRADES:
        raise ZhituError(f"评分只能是 {' / '.join(GRADES)}: '{grade}'")
    record = dict(record or {})
    card = Card.from_dict(record["card"]) if record.get("card") else Card(due=when)
    card, _ = _scheduler().review_card(card, Rating(GRADES[grade]), review_datetime=when)
    grades = [*record.get("grades", []), {"when": when.isoformat(), "grade": grade}]
    return {"card": card.to_dict(), "grades": grades[-REVIEW_LOG:]}


def brought_forward(record: dict[str, Any] | None, because: str, rank: int,
                    when: datetime) -> dict[str, Any]:
    """A prerequisite question's record after a question that needs it was graded 不会: due
    now (a new card when it was never reviewed), remembering why and its place in the chain."""
    from fsrs import Card

    record = dict(record or {})
    card = Card.from_dict(record["card"]) if record.get("card") else Card(due=when)
    if card.due > when:
        card.due = when
    return {**record, "card": card.to_dict(), "because": because, "rank": rank}


def due(progress: Progress, when: datetime) -> list[str]:
    """Question ids due at `when`: brought-forward prerequisites first, fundamentals first (their
    place in the chain), then the rest by due time."""
    rows = []
    for qid, record in progress.questions.items():
        due_at = datetime.fromisoformat(record["card"]["due"])
        if due_at <= when:
            forward = record.get("because") is not None
            rows.append((not forward, record.get("rank", 0) if forward else 0, due_at, qid))
    return [qid for *_, qid in sorted(rows)]


class ProgressStore:
    """Where progress lives; `update` is an atomic read-modify-write of one learner."""

    def get(self, learner: str) -> Progress:
        raise NotImplementedError

    def update(self, learner: str, change: Callable[[Progress], None]) -> Progress:
        raise NotImplementedError

    def learners(self) -> list[str]:
        raise NotImplementedError


class FileProgress(ProgressStore):
    """Progress beside an embedded graph file: `<graph>.learners/<hash>.json`."""

    def __init__(self, graph_file: str | Path) -> None:
        graph_file = Path(graph_file)
        self.folder = graph_file.with_name(graph_file.name + ".learners")

    def _file(self, learner: str) -> Path:
        digest = hashlib.blake2b(learner.encode("utf-8"), digest_size=12).hexdigest()
        return self.folder / f"{digest}.json"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = open(self.folder / ".lock", "a")  # noqa: SIM115  (held for the block)
        except OSError as e:
            raise StoreError(f"{self.folder}: 无法写入学习进度 ({e.strerror or e})") from e
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _read(self, learner: str) -> Progress:
        path = self._file(learner)
        if not path.exists():
            return Progress(learner)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise StoreError(f"{path}: 学习进度文件已损坏 ({e})") from e
        return Progress(learner, dict(doc.get("concepts", {})), dict(doc.get("questions", {})))

    def get(self, learner: str) -> Progress:
        return self._read(check_name(learner))

    def update(self, learner: str, change: Callable[[Progress], None]) -> Progress:
        learner = check_name(learner)
        with self._locked():
            progress = self._read(learner)
            change(progress)
            doc = {"learner": learner, "concepts": progress.concepts,
                   "questions": progress.questions}
            write_atomic(self._file(learner), json.dumps(doc, ensure_ascii=False, indent=1,
                                                          sort_keys=True) + "\n")
        return progress

    def learners(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        names = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                names.append(json.loads(path.read_text(encoding="utf-8"))["learner"])
            except (OSError, ValueError, KeyError):
                continue
        return sorted(names)


class Neo4jProgress(ProgressStore):
    """Progress in Neo4j: (:ZhituLearner {name})-[:KNOWS {state}]->(:Concept) and
    -[:REVIEWED {record}]->(:Question), each learner's update in one write transaction."""

    READ = (
        "MATCH (l:ZhituLearner {name: $name}) "
        "OPTIONAL MATCH (l)-[k:KNOWS]->(c:Concept) "
        "WITH l, collect([c.id, k.state]) AS known "
        "OPTIONAL MATCH (l)-[r:REVIEWED]->(q:Question) "
        "RETURN known, collect([q.id, r.record]) AS reviewed"
    )
    WRITE = (
        "MERGE (l:ZhituLearner {name: $name}) "
        "WITH l "
        "CALL (l) { OPTIONAL MATCH (l)-[k:KNOWS]->(:Concept) DELETE k } "
        "CALL (l) { UNWIND $concepts AS row MATCH (c:Concept {id: row[0]}) "
        "  MERGE (l)-[k:KNOWS]->(c) SET k.state = row[1] } "
        "CALL (l) { UNWIND $questions AS row MATCH (q:Question {id: row[0]}) "
        "  MERGE (l)-[r:REVIEWED]->(q) SET r.record = row[1] } "
        "RETURN l.name AS name"
    )
    LEARNERS = "MATCH (l:ZhituLearner) RETURN l.name AS name ORDER BY name"
    LOCK = "MERGE (l:ZhituLearner {name: $name}) SET l.lock = true"
    SCHEMA = ("CREATE CONSTRAINT zhitu_learner_name IF NOT EXISTS "
              "FOR (l:ZhituLearner) REQUIRE l.name IS UNIQUE")

    def __init__(self, store: Any) -> None:  # a Neo4jStore: its driver, database, errors
        self._store = store
        self._driver = store._driver
        self._database = store.database
        self._schema_ready = False

    @contextmanager
    def _errors(self) -> Iterator[None]:
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            yield
        except (Neo4jError, DriverError) as e:
            raise self._store._error(e) from e

    def _session(self) -> Any:
        if not self._schema_ready:  # one learner node per name, even under concurrent MERGEs
            with self._driver.session(database=self._database,
                                      notifications_min_severity="OFF") as session:
                session.run(self.SCHEMA).consume()
            self._schema_ready = True
        return self._driver.session(database=self._database, notifications_min_severity="OFF")

    def _read(self, tx: Any, learner: str) -> Progress:
        record = tx.run(self.READ, name=learner).single()
        progress = Progress(learner)
        if record is None:
            return progress
        progress.concepts = {c: s for c, s in record["known"] if c is not None}
        progress.questions = {q: json.loads(r) for q, r in record["reviewed"] if q is not None}
        return progress

    def get(self, learner: str) -> Progress:
        learner = check_name(learner)
        with self._errors(), self._session() as session:
            return session.execute_read(self._read, learner)

    def update(self, learner: str, change: Callable[[Progress], None]) -> Progress:
        learner = check_name(learner)

        def work(tx: Any) -> Progress:
            tx.run(self.LOCK, name=learner)
            progress = self._read(tx, learner)  # read under the learner node's write lock
            change(progress)
            tx.run(self.WRITE, name=learner,
                   concepts=[[c, s] for c, s in sorted(progress.concepts.items())],
                   questions=[[q, json.dumps(r, ensure_ascii=False, sort_keys=True)]
                              for q, r in sorted(progress.questions.items())])
            return progress

        with self._errors(), self._session() as session:
            return session.execute_write(work)

    def learners(self) -> list[str]:
        with self._errors(), self._session() as session:
            return [r["name"] for r in session.run(self.LEARNERS)]


def progress_store(store: Any) -> ProgressStore:
    """The progress store that goes with a graph store."""
    from zhitu.graph.memory import MemoryStore

    if isinstance(store, MemoryStore):
        return FileProgress(store.file)
    return Neo4jProgress(store)


def set_concepts(progress: Progress, state: str | None, concepts: Iterable[str]) -> None:
    """Mark concept ids with a state (None unsets them)."""
    for c in concepts:
        if state is None:
            progress.concepts.pop(c, None)
        elif state in STATES:
            progress.concepts[c] = state
        else:
            raise ZhituError(f"未知状态 '{state}'")


def grade(progress: Progress, question_id: str, grade_: str, prerequisites: Iterable[str],
          when: datetime) -> None:
    """Record a self-test grade; 不会 brings the question's prerequisite questions forward."""
    progress.questions[question_id] = graded(progress.questions.get(question_id), grade_, when)
    if grade_ == "不会":
        for rank, p in enumerate(prerequisites):
            if p != question_id:
                progress.questions[p] = brought_forward(progress.questions.get(p), question_id,
                                                        rank, when)
