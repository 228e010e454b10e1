"""The Neo4j store: the GraphStore protocol over the official `neo4j` driver.

Statements: graph/cypher.py; rows: graph/neo4j_rows.py. Writes are `UNWIND $rows` batches, each
a managed write transaction (`driver.execute_query`, retried by the driver on transient errors);
reads are routed READ. The database finds closures (variable-length PREREQUISITE_OF) and aggregates
(related, stats); graph/study.py orders the closures exactly as for the embedded store. Driver
errors become one-line StoreError / StoreUnavailable naming the URI and database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

import neo4j
import networkx as nx
from neo4j import RoutingControl
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from zhitu.graph import cypher, derived, neo4j_rows, study
from zhitu.graph.errors import StoreError, StoreUnavailable
from zhitu.graph.gcpause import gc_paused
from zhitu.graph.lookup import ConceptIndex, TitleIndex
from zhitu.graph.memory import source_key
from zhitu.graph.model import (
    CONCEPT_RELATIONS,
    ChainStep,
    Concept,
    GraphData,
    Mention,
    Neighborhood,
    Question,
    QuestionRef,
    RelatedQuestion,
    Relation,
    RelationType,
    SearchHit,
    StudyPlan,
)
from zhitu.text.normalize import sendable

ENV_USER, ENV_PASSWORD, ENV_DATABASE = "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"
ENV_NAMES = (ENV_USER, ENV_PASSWORD, ENV_DATABASE)
DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"
DEFAULT_BATCH_SIZE = 5000
INDEX_WAIT_SECONDS = 300
_DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
_PRE = RelationType.PREREQUISITE_OF.value


def _one_line(text: object, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Neo4jStore:
    """GraphStore over a Neo4j database. The driver is closed by close()."""

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str = DEFAULT_DATABASE,
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        uri: str = "neo4j",
        user: str = DEFAULT_USER,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self._driver = driver
        self.database = database
        self.batch_size = batch_size
        self.uri = uri
        self.user = user
        self._schema_ready = False
        self._connected = False

    @classmethod
    def from_env(cls, uri: str, batch_size: int = DEFAULT_BATCH_SIZE) -> Neo4jStore:
        """Open a driver for `uri` with NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE."""
        user = os.environ.get(ENV_USER) or DEFAULT_USER
        password = os.environ.get(ENV_PASSWORD)
        database = os.environ.get(ENV_DATABASE) or DEFAULT_DATABASE
        if not password:
            raise StoreUnavailable(f"Neo4j {uri}: 未设置环境变量 {ENV_PASSWORD} (用户 '{user}')")
        try:
            driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
        except (ValueError, DriverError) as e:
            raise StoreError(f"Neo4j 地址 '{uri}' 无效: {_one_line(e)}") from e
        return cls(driver, database, batch_size, uri=uri, user=user)

    # --- plumbing ---
    def _error(self, e: Exception) -> StoreError:
        """A one-line StoreError for a driver error, naming the URI and database."""
        where = f"Neo4j {self.uri} (数据库 '{self.database}')"
        if isinstance(e, AuthError):
            return StoreUnavailable(
                f"{where}: 用户 '{self.user}' 认证失败, 请检查 {ENV_USER} / {ENV_PASSWORD}"
            )
        if isinstance(e, Neo4jError) and e.code == _DATABASE_NOT_FOUND:
            return StoreError(
                f"Neo4j {self.uri}: 没有数据库 '{self.database}', 请检查 {ENV_DATABASE}"
            )
        if isinstance(e, (ServiceUnavailable, SessionExpired)):
            return StoreUnavailable(f"{where}: 无法连接 ({_one_line(e)})")
        if isinstance(e, Neo4jError):
            return StoreError(f"{where}: {e.code}: {_one_line(e.message or e)}")
        return StoreUnavailable(f"{where}: {_one_line(e)}")

    def _connect(self) -> None:
        """Check the server and the credentials once, without the retries of transactions.

        A managed transaction retries an unreachable server for half a minute; a mistyped URI or
        password should fail at once.
        """
        if self._connected:
            return
        try:
            self._driver.verify_connectivity()
        except (Neo4jError, DriverError) as e:
            raise self._error(e) from e
        self._connected = True

    def _run(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[neo4j.Record]:
        self._connect()
        try:
            result = self._driver.execute_query(
                query,
                params or {},
                routing_=RoutingControl.WRITE if write else RoutingControl.READ,
                database_=self.database,
            )
        except (Neo4jError, DriverError) as e:
            raise self._error(e) from e
        return list(result.records)

    def _ensure_schema(self) -> None:
        """Constraints and full-text indexes, IF NOT EXISTS, once per store."""
        if self._schema_ready:
            return
        for statement in cypher.schema_statements:
            self._run(statement, write=True)
        self._run(cypher.AWAIT_INDEXES, {"seconds": INDEX_WAIT_SECONDS}, write=True)
        self._schema_ready = True

    # --- writes ---
    @property
    def meta(self) -> dict[str, object]:
        """What the graph was built from (kept in one :ZhituMeta node), {} when unknown."""
        rows = self._run(cypher.READ_META)
        try:
            found = json.loads(rows[0]["json"]) if rows else {}
        except (TypeError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    @gc_paused()  # the rows hold no cycles (100k questions: write_plan 28.8 -> 11.3 s)
    def replace(
        self,
        data: GraphData,
        meta: dict[str, object] | None = None,
        *,
        search_documents: Mapping[str, str] | None = None,
    ) -> None:
        """Hold exactly `data` (and `meta`): upsert everything in batches, then delete what
        `data` lacks. search_documents are not needed: the full-text index follows the nodes.

        Not atomic: a failure leaves the batches already written (the message says how many);
        running it again completes the replacement.
        """
        self._ensure_schema()
        plan = neo4j_rows.write_plan(
            data,
            old_questions=[r["id"] for r in self._run(cypher.QUESTION_IDS)],
            old_concepts=[r["id"] for r in self._run(cypher.CONCEPT_IDS)],
            old_edges=[
                (r["from_question"], r["type"], r["src"], r["dst"])
                for r in self._run(cypher.EDGE_KEYS)
            ],
        )
        batches = [
            (statement, key, items[start : start + self.batch_size])
            for statement, key, items in plan
            for start in range(0, len(items), self.batch_size)
        ]
        # what reads rely on beyond the model (cypher.layout) holds once every batch is written
        self._run(cypher.DROP_LAYOUT, write=True)
        rows = 0
        for done, (statement, key, chunk) in enumerate(batches):
            try:
                self._driver.execute_query(
                    statement, {key: chunk}, routing_=RoutingControl.WRITE, database_=self.database
                )
            except (Neo4jError, DriverError) as e:
                error = self._error(e)
                raise type(error)(
                    f"{error}; 写入中断: 已完成 {done}/{len(batches)} 批 ({rows} 行)"
                ) from e
            rows += len(chunk)
        self._run(cypher.WRITE_META, {"json": json.dumps(meta or {}, ensure_ascii=False,
                                                        sort_keys=True, default=str)}, write=True)

    def clear(self) -> None:
        """Delete every node zhitu wrote (questions, concepts, meta), in batches."""
        while self._run(cypher.CLEAR_EDGES_BATCH, {"limit": self.batch_size}, write=True)[0]["n"]:
            pass
        while self._run(cypher.CLEAR_BATCH, {"limit": self.batch_size}, write=True)[0]["n"]:
            pass

    # --- whole-graph reads ---
    def _graph(self, *queries: tuple[str, dict[str, Any]]) -> GraphData:
        return neo4j_rows.subgraph(row for q, params in queries for row in self._run(q, params))

    def load(self) -> GraphData:
        return self._graph(
            (cypher.LOAD_QUESTIONS, {}),
            (cypher.LOAD_CONCEPTS, {}),
            (cypher.LOAD_RELATIONS, {}),
            (cypher.LOAD_MENTIONS, {}),
        )

    def stats(self) -> dict[str, object]:
        nodes = self._run(cypher.STATS_NODES)[0]
        relations = {r["type"]: r["n"] for r in self._run(cypher.STATS_RELATIONS)}
        return {
            "questions": nodes["questions"],
            "concepts": nodes["concepts"],
            "relations": dict(sorted(relations.items())),
        }

    def questions(self) -> list[Question]:
        questions = self._graph((cypher.LOAD_QUESTIONS, {})).questions.values()
        return sorted(questions, key=source_key)

    def concepts(self) -> list[Concept]:
        concepts = self._graph((cypher.LINKED_CONCEPTS, {})).concepts
        return [concepts[c] for c in sorted(concepts)]

    def concept_question_counts(self) -> dict[str, int]:
        rows = self._run(cypher.CONCEPT_QUESTION_COUNTS)
        return {r["id"]: r["n"] for r in sorted(rows, key=lambda r: r["id"])}

    # --- lookups ---
    def _titles(self) -> TitleIndex:
        return TitleIndex({r["id"]: r["title"] for r in self._run(cypher.QUESTION_TITLES)})

    def question(self, ref: str) -> Question:
        found = self._graph((cypher.QUESTION_BY_ID, {"id": sendable(ref.strip())})).questions
        if not found:
            qid = self._titles().resolve(ref)
            found = self._graph((cypher.QUESTION_BY_ID, {"id": qid})).questions
        return next(iter(found.values()))

    def concept(self, ref: str) -> Concept:
        found = self._graph((cypher.CONCEPT_BY_ID, {"id": sendable(ref.strip())})).concepts
        if found:
            return next(iter(found.values()))
        cid = self._concept_index().resolve(ref)
        return next(iter(self._graph((cypher.CONCEPT_BY_ID, {"id": cid})).concepts.values()))

    def _question_graph(self, ref: str) -> tuple[str, nx.MultiDiGraph]:
        """A question's id and the study graph of it, its mentions and their concepts."""
        qid = self.question(ref).id
        return qid, study.build_graph(self._graph((cypher.QUESTION_GRAPH, {"id": qid})))

    def question_concepts(self, question_id: str) -> list[Concept]:
        qid, g = self._question_graph(question_id)
        return study.question_concepts(g, qid)

    def concept_questions(self, concept_id: str) -> list[Question]:
        params = {"id": self.concept(concept_id).id}
        questions = self._graph((cypher.CONCEPT_QUESTIONS, params)).questions.values()
        return sorted(questions, key=lambda q: (int(q.level), q.title, q.id))

    def mentions(self, question_id: str) -> list[Mention]:
        qid, g = self._question_graph(question_id)
        found = study.mentions(g, qid)
        return [found[c] for c in sorted(found)]

    def relations(self, concept_id: str) -> list[Relation]:
        params = {"id": self.concept(concept_id).id}
        found = {r.key: r for r in self._graph((cypher.CONCEPT_EDGES, params)).relations}
        return [found[k] for k in sorted(found)]

    # --- study queries ---
    def chain(self, question_id: str, full: bool = False) -> list[ChainStep]:
        qid = self.question(question_id).id
        if not full and study.CHAIN_DEPTH == 1:  # the questions right before it only
            data = self._graph((cypher.CHAIN_NEAR, {"id": qid}))
        else:
            data = self._graph((cypher.CHAIN, {"id": qid}))
        # the chain orders and explains steps by their focus concepts' places in the concept
        # prerequisites: those concepts and everything before them
        g = study.build_graph(data)
        focus = sorted({c for q in data.questions for c in derived.focus(g, q)})
        spine = self._graph((cypher.CONCEPT_PREREQUISITES, {"ids": focus}))
        data.concepts.update(spine.concepts)
        data.relations += spine.relations
        return study.chain(study.build_graph(data), qid, full)

    def related(self, question_id: str, top: int = 10) -> list[RelatedQuestion]:
        qid = self.question(question_id).id
        data = self._graph((cypher.RELATED, {"id": qid}))
        return study.related(study.build_graph(data), qid, top)

    def _concept_index(self) -> ConceptIndex:
        return ConceptIndex(self._graph((cypher.CONCEPT_NAMES, {})).concepts.values())

    def _exact(self, ref: str) -> tuple[str, str] | None:
        """("concept", id) or ("question", id) when `ref` is exactly an id, else None."""
        sent = {"id": sendable(ref.strip())}
        if self._graph((cypher.CONCEPT_BY_ID, sent)).concepts:
            return ("concept", sent["id"])
        if self._graph((cypher.QUESTION_BY_ID, sent)).questions:
            return ("question", sent["id"])
        return None

    def path(self, targets: Iterable[str], known: Iterable[str] = ()) -> StudyPlan:
        targets, known = list(targets), list(known)

        def topics(qid: str) -> list[str]:
            return study.topic_concepts(self._question_graph(qid)[1], qid)

        exact = [self._exact(ref) for ref in [*targets, *known]]
        if all(exact) and all(e[0] == "concept" for e in exact[len(targets):]):  # type: ignore[index]
            goals: list[str] = []  # ids only (what the UI and scripts send): no index needed
            for kind, item in exact[: len(targets)]:  # type: ignore[misc]
                found = [item] if kind == "concept" else topics(item)
                goals += [c for c in found if c not in goals]
            known_ids = [item for _, item in exact[len(targets):]]  # type: ignore[misc]
        else:
            index = self._concept_index()
            goals = study.goals(targets, index, self._titles(), topics)
            known_ids = [index.resolve(ref) for ref in known]
        params = {"ids": goals + known_ids, "floor": study.PREREQ_FLOOR}
        rows = self._run(cypher.PATH_CLOSURE, params)
        readers = {r["concepts"][0]["id"]: r["readers"] for r in rows}
        closure = neo4j_rows.subgraph(rows)
        # the step questions of the plan's concepts: each step's candidates only
        order = study.plan_order(study.build_graph(closure), goals, known_ids, readers=readers)
        params = {"order": {c: i for i, c in enumerate(order)}, "per": study.QUESTIONS_PER_STEP}
        candidates = self._graph((cypher.PATH_STEP_QUESTIONS, params))
        closure.questions.update(candidates.questions)
        closure.mentions += candidates.mentions
        return study.path(study.build_graph(closure), goals, known_ids, readers=readers)

    def neighborhood(
        self, concept_id: str, depth: int = 1, types: Iterable[RelationType] | None = None
    ) -> Neighborhood:
        center = self.concept(concept_id).id
        chosen = list(types) if types is not None else list(CONCEPT_RELATIONS)
        allowed = sorted({t.value for t in chosen} - {RelationType.MENTIONS.value})

        def neighbours(ring: set[str]) -> list[str]:
            rows = self._run(cypher.NEIGHBOR_STEP, {"ids": sorted(ring), "types": allowed})
            return [r["id"] for r in rows]

        seen = study.within(center, depth, neighbours)
        data = self._graph((cypher.NEIGHBORHOOD, {"ids": sorted(seen), "types": allowed}))
        return study.neighborhood(study.build_graph(data), center, depth, chosen)

    def search(self, text: str, top: int = 10) -> list[SearchHit]:
        """Questions through the full-text index (`cjk` analyzer); titles count twice."""
        query = neo4j_rows.fulltext_query(sendable(text))
        if top <= 0 or not query:
            return []
        self._ensure_schema()
        params = {"index": cypher.question_index, "query": query, "top": top}
        return [
            SearchHit(QuestionRef(r["id"], r["title"]), round(r["score"], 6))
            for r in self._run(cypher.SEARCH, params)
        ]

    def warm(self) -> None:
        """Nothing to preload: the database answers every query."""

    def close(self) -> None:
        """Close the driver (opened by from_env or handed in by the caller)."""
        self._driver.close()
