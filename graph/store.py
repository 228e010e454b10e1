"""The GraphStore protocol every store implements, and open_store(target).

A file path opens the embedded networkx store; a neo4j://, neo4j+s://, bolt:// URI opens Neo4j
(NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE from the environment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from zhitu.graph.errors import StoreError
from zhitu.graph.model import (
    ChainStep,
    Concept,
    GraphData,
    Mention,
    Neighborhood,
    Question,
    RelatedQuestion,
    Relation,
    RelationType,
    SearchHit,
    StudyPlan,
)

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


class GraphStore(Protocol):
    """What ingest writes to and the CLI and UI read from. Same answers for every store."""

    # --- writes ---
    @property
    def meta(self) -> dict[str, object]:
        """What the graph was built from ({"built_from": [paths], ...}); {} when unknown."""

    def replace(
        self,
        data: GraphData,
        meta: dict[str, object] | None = None,
        *,
        search_documents: Mapping[str, str] | None = None,
    ) -> None:
        """Make the store hold exactly `data` and `meta` (ingest merges first, then replaces).

        search_documents (question id -> search document, as ingest makes them) spare the
        embedded store tokenizing again. Atomic for the embedded store (temp file + rename);
        batched for Neo4j.
        """

    # --- whole-graph reads ---
    def load(self) -> GraphData:
        """Everything in the store (ingest merges new files into it)."""

    def stats(self) -> dict[str, object]:
        """{"questions": N, "concepts": N, "relations": {TYPE: N}}"""

    def questions(self) -> list[Question]: ...

    def concepts(self) -> list[Concept]:
        """Concepts that at least one question mentions or a relation touches."""

    def concept_question_counts(self) -> dict[str, int]: ...

    # --- lookups (raise QuestionNotFound / ConceptNotFound with suggestions) ---
    def question(self, ref: str) -> Question:
        """By id, else title or part of one (width and case folded), else best fuzzy match."""

    def concept(self, ref: str) -> Concept:
        """By id, name or alias."""

    def question_concepts(self, question_id: str) -> list[Concept]: ...

    def concept_questions(self, concept_id: str) -> list[Question]: ...

    def mentions(self, question_id: str) -> list[Mention]: ...

    def relations(self, concept_id: str) -> list[Relation]:
        """Every concept relation touching the concept, both directions."""

    # --- study queries ---
    def chain(self, question_id: str, full: bool = False) -> list[ChainStep]:
        """The prerequisite questions, fundamentals first, itself excluded: the direct ones
        (at most study.MAX_CHAIN), or with `full` every one, transitively."""

    def related(self, question_id: str, top: int = 10) -> list[RelatedQuestion]: ...

    def path(self, targets: Iterable[str], known: Iterable[str] = ()) -> StudyPlan:
        """targets: question or concept refs; known: concept refs."""

    def neighborhood(
        self, concept_id: str, depth: int = 1, types: Iterable[RelationType] | None = None
    ) -> Neighborhood: ...

    def search(self, text: str, top: int = 10) -> list[SearchHit]: ...

    def warm(self) -> None:
        """Prepare for many queries (a server): the embedded store loads the whole graph."""

    def close(self) -> None: ...


def is_neo4j_target(target: str) -> bool:
    """True when the target names a Neo4j server rather than a graph file.

    >>> is_neo4j_target("bolt://localhost:7687"), is_neo4j_target("my.json")
    (True, False)
    """
    return target.startswith(NEO4J_SCHEMES)


def check_target(target: str) -> None:
    """StoreError for a URI that is no Neo4j address (a typo'd scheme must not become a file)."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", target) and not is_neo4j_target(target):
        schemes = ", ".join(NEO4J_SCHEMES)
        raise StoreError(f"不支持的图地址 '{target}': 请给出文件路径或 {schemes} 地址")


def open_store(target: str) -> GraphStore:
    """Open the store named by `target` (a file path or a Neo4j URI)."""
    check_target(target)
    if is_neo4j_target(target):
        from zhitu.graph.neo4j_store import Neo4jStore

        return Neo4jStore.from_env(target)
    from zhitu.graph.memory import MemoryStore

    return MemoryStore.open(target)
