"""Every Cypher statement zhitu runs (UPPER_SNAKE constants); graph/neo4j_rows.py makes their rows.

Values always travel as $parameters. Labels and relationship types come only from the Label and
RelationType enums, interpolated here at import time (never from user input). Every UPPER_SNAKE
str constant of this module is a statement: tests/test_cypher_lint.py checks each one with Neo4j's
own Cypher front end, so helpers and non-statement names stay _private or lower case.
"""

from __future__ import annotations

from zhitu.graph.model import Label, RelationType

_Q = Label.QUESTION.value
_C = Label.CONCEPT.value
_META = Label.META.value
_PRE = RelationType.PREREQUISITE_OF.value
_MENTIONS = RelationType.MENTIONS.value
_RELATED = RelationType.RELATED_TO.value

question_index = "zhitu_question_text"
concept_index = "zhitu_concept_text"
_CJK = "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"

# --- schema (idempotent) ---

CREATE_QUESTION_ID_CONSTRAINT = (
    f"CREATE CONSTRAINT zhitu_question_id IF NOT EXISTS FOR (q:{_Q}) REQUIRE q.id IS UNIQUE"
)
CREATE_CONCEPT_ID_CONSTRAINT = (
    f"CREATE CONSTRAINT zhitu_concept_id IF NOT EXISTS FOR (c:{_C}) REQUIRE c.id IS UNIQUE"
)
CREATE_QUESTION_FULLTEXT = (
    f"CREATE FULLTEXT INDEX {question_index} IF NOT EXISTS FOR (q:{_Q}) "
    f"ON EACH [q.title, q.answer, q.analysis] {_CJK}"
)
CREATE_CONCEPT_FULLTEXT = (
    f"CREATE FULLTEXT INDEX {concept_index} IF NOT EXISTS FOR (c:{_C}) "
    f"ON EACH [c.name, c.zh, c.alias_text] {_CJK}"
)
# A mention whose question's title names the concept also carries the concept's id
# (`title_names`) and the question's place among those the concept's titles name (`title_rank`,
# in graph/derived.py `about` order; neo4j_rows.title_ranks); both absent otherwise. Indexed
# together they give a concept's titled questions in that order without reading its thousands of
# other mentions or sorting (a property filter on an anchored expansion reads every mention).
CREATE_MENTION_TITLE_INDEX = (
    f"CREATE INDEX zhitu_mention_title IF NOT EXISTS FOR ()-[m:{_MENTIONS}]-() "
    "ON (m.title_names, m.title_rank)"
)
AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"

schema_statements = (
    CREATE_QUESTION_ID_CONSTRAINT,
    CREATE_CONCEPT_ID_CONSTRAINT,
    CREATE_QUESTION_FULLTEXT,
    CREATE_CONCEPT_FULLTEXT,
    CREATE_MENTION_TITLE_INDEX,
)
# What the writer keeps beside the model, recorded on the meta node once a whole write is done
# (and taken off when one starts): 2 = mentions carry `title_names` and `title_rank`. A graph
# without it (written by an older zhitu, or a write cut short) is read without them, with the same
# answers, more slowly (PATH_STEP_QUESTIONS), until a write completes.
layout = 2

# --- writes: UNWIND $rows batches; `SET n = row.props` drops properties the row no longer has ---

MERGE_QUESTIONS = f"UNWIND $rows AS row MERGE (q:{_Q} {{id: row.id}}) SET q = row.props"
MERGE_CONCEPTS = f"UNWIND $rows AS row MERGE (c:{_C} {{id: row.id}}) SET c = row.props"
DELETE_QUESTIONS = f"UNWIND $ids AS id MATCH (q:{_Q} {{id: id}}) DETACH DELETE q"
DELETE_CONCEPTS = f"UNWIND $ids AS id MATCH (c:{_C} {{id: id}}) DETACH DELETE c"


def _merge_edges(src: Label, rel: RelationType, dst: Label) -> str:
    return (
        f"UNWIND $rows AS row MATCH (a:{src.value} {{id: row.src}}) "
        f"MATCH (b:{dst.value} {{id: row.dst}}) MERGE (a)-[r:{rel.value}]->(b) SET r = row.props"
    )


def _delete_edges(src: Label, rel: RelationType, dst: Label) -> str:
    return (
        f"UNWIND $rows AS row MATCH (a:{src.value} {{id: row.src}})"
        f"-[r:{rel.value}]->(b:{dst.value} {{id: row.dst}}) DELETE r"
    )


_CONCEPT, _QUESTION = Label.CONCEPT, Label.QUESTION
MERGE_CONCEPT_PREREQUISITE_OF = _merge_edges(_CONCEPT, RelationType.PREREQUISITE_OF, _CONCEPT)
MERGE_IS_A = _merge_edges(_CONCEPT, RelationType.IS_A, _CONCEPT)
MERGE_PART_OF = _merge_edges(_CONCEPT, RelationType.PART_OF, _CONCEPT)
MERGE_ADDRESSES = _merge_edges(_CONCEPT, RelationType.ADDRESSES, _CONCEPT)
MERGE_CONTRASTS_WITH = _merge_edges(_CONCEPT, RelationType.CONTRASTS_WITH, _CONCEPT)
MERGE_RELATED_TO = _merge_edges(_CONCEPT, RelationType.RELATED_TO, _CONCEPT)
MERGE_QUESTION_PREREQUISITE_OF = _merge_edges(_QUESTION, RelationType.PREREQUISITE_OF, _QUESTION)
MERGE_QUESTION_RELATED_TO = _merge_edges(_QUESTION, RelationType.RELATED_TO, _QUESTION)
# as _merge_edges, with `title_names` and `title_rank` exactly when the title names the concept
# (row.rank is null otherwise; `SET r = row.props` drops what a mention no longer has)
MERGE_MENTIONS = (
    f"UNWIND $rows AS row MATCH (a:{_Q} {{id: row.src}}) "
    f"MATCH (b:{_C} {{id: row.dst}}) MERGE (a)-[r:{_MENTIONS}]->(b) SET r = row.props, "
    "r.title_names = CASE WHEN row.props.in_title THEN row.dst END, "
    "r.title_rank = CASE WHEN row.props.in_title THEN row.rank END"
)

DELETE_CONCEPT_PREREQUISITE_OF = _delete_edges(_CONCEPT, RelationType.PREREQUISITE_OF, _CONCEPT)
DELETE_IS_A = _delete_edges(_CONCEPT, RelationType.IS_A, _CONCEPT)
DELETE_PART_OF = _delete_edges(_CONCEPT, RelationType.PART_OF, _CONCEPT)
DELETE_ADDRESSES = _delete_edges(_CONCEPT, RelationType.ADDRESSES, _CONCEPT)
DELETE_CONTRASTS_WITH = _delete_edges(_CONCEPT, RelationType.CONTRASTS_WITH, _CONCEPT)
DELETE_RELATED_TO = _delete_edges(_CONCEPT, RelationType.RELATED_TO, _CONCEPT)
DELETE_QUESTION_PREREQUISITE_OF = _delete_edges(_QUESTION, RelationType.PREREQUISITE_OF, _QUESTION)
DELETE_QUESTION_RELATED_TO = _delete_edges(_QUESTION, RelationType.RELATED_TO, _QUESTION)
DELETE_MENTIONS = _delete_edges(_QUESTION, RelationType.MENTIONS, _CONCEPT)

# (from-label, type) -> statement; the from-label tells question from concept prerequisites.
merge_edges: dict[tuple[Label, RelationType], str] = {
    (_CONCEPT, RelationType.PREREQUISITE_OF): MERGE_CONCEPT_PREREQUISITE_OF,
    (_CONCEPT, RelationType.IS_A): MERGE_IS_A,
    (_CONCEPT, RelationType.PART_OF): MERGE_PART_OF,
    (_CONCEPT, RelationType.ADDRESSES): MERGE_ADDRESSES,
    (_CONCEPT, RelationType.CONTRASTS_WITH): MERGE_CONTRASTS_WITH,
    (_CONCEPT, RelationType.RELATED_TO): MERGE_RELATED_TO,
    (_QUESTION, RelationType.PREREQUISITE_OF): MERGE_QUESTION_PREREQUISITE_OF,
    (_QUESTION, RelationType.RELATED_TO): MERGE_QUESTION_RELATED_TO,
    (_QUESTION, RelationType.MENTIONS): MERGE_MENTIONS,
}
delete_edges: dict[tuple[Label, RelationType], str] = {
    (_CONCEPT, RelationType.PREREQUISITE_OF): DELETE_CONCEPT_PREREQUISITE_OF,
    (_CONCEPT, RelationType.IS_A): DELETE_IS_A,
    (_CONCEPT, RelationType.PART_OF): DELETE_PART_OF,
    (_CONCEPT, RelationType.ADDRESSES): DELETE_ADDRESSES,
    (_CONCEPT, RelationType.CONTRASTS_WITH): DELETE_CONTRASTS_WITH,
    (_CONCEPT, RelationType.RELATED_TO): DELETE_RELATED_TO,
    (_QUESTION, RelationType.PREREQUISITE_OF): DELETE_QUESTION_PREREQUISITE_OF,
    (_QUESTION, RelationType.RELATED_TO): DELETE_QUESTION_RELATED_TO,
    (_QUESTION, RelationType.MENTIONS): DELETE_MENTIONS,
}

# --- reads. Graph reads return any of the columns `questions` and `concepts` (property maps),
# `edges` ({type, src, dst, props}) and `mentions` ({question, concept, props}), each a list;
# `neo4j_rows.subgraph(rows)` turns them into GraphData. ---

_EDGE = "{type: type(r), src: a.id, dst: b.id, props: properties(r)}"
_MENTION = "{question: q.id, concept: c.id, props: properties(m)}"

QUESTION_IDS = f"MATCH (q:{_Q}) RETURN q.id AS id"
CONCEPT_IDS = f"MATCH (c:{_C}) RETURN c.id AS id"
EDGE_KEYS = (
    f"MATCH (a)-[r]->(b) WHERE (a:{_Q} OR a:{_C}) AND (b:{_Q} OR b:{_C}) "
    f"RETURN a:{_Q} AS from_question, type(r) AS type, a.id AS src, b.id AS dst"
)
LOAD_QUESTIONS = f"MATCH (q:{_Q}) RETURN [properties(q)] AS questions"
LOAD_CONCEPTS = f"MATCH (c:{_C}) RETURN [properties(c)] AS concepts"
LOAD_RELATIONS = (
    f"MATCH (a)-[r]->(b) WHERE (a:{_C} AND b:{_C}) "
    f"OR (a:{_Q} AND b:{_Q} AND (r:{_PRE} OR r:{_RELATED})) "
    f"RETURN [{_EDGE}] AS edges"
)
LOAD_MENTIONS = f"MATCH (q:{_Q})-[m:{_MENTIONS}]->(c:{_C}) RETURN [{_MENTION}] AS mentions"
STATS_NODES = (
    f"RETURN COUNT {{ (:{_Q}) }} AS questions, "
    f"COUNT {{ (c:{_C}) WHERE EXISTS {{ (c)--() }} }} AS concepts"
)
STATS_RELATIONS = "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n"
# Everything zhitu wrote, a batch at a time ($limit nodes per transaction): returns how many went.
# relationships first, in batches: a concept's thousands of mentions deleted with it in one
# transaction overrun the server's transaction memory
CLEAR_EDGES_BATCH = (
    f"MATCH (n)-[r]->() WHERE n:{_Q} OR n:{_C} WITH r LIMIT $limit "
    "DELETE r RETURN count(*) AS n"
)
CLEAR_BATCH = (
    f"MATCH (n) WHERE n:{_Q} OR n:{_C} OR n:{_META} WITH n LIMIT $limit "
    "DETACH DELETE n RETURN count(*) AS n"
)
READ_META = f"MATCH (m:{_META} {{id: 'graph'}}) RETURN m.json AS json"
# replace's last statement: the meta, and the layout the whole graph now has
WRITE_META = f"MERGE (m:{_META} {{id: 'graph'}}) SET m.json = $json, m.layout = {layout}"
# before replace's first batch: no layout is claimed for a graph half written
DROP_LAYOUT = f"MATCH (m:{_META} {{id: 'graph'}}) REMOVE m.layout"
READ_LAYOUT = f"MATCH (m:{_META} {{id: 'graph'}}) RETURN m.layout AS layout"

# --- lookups: refs are resolved in Python (graph/lookup.py); these fetch by id ---

QUESTION_BY_ID = f"MATCH (q:{_Q} {{id: $id}}) RETURN [properties(q)] AS questions"
QUESTION_TITLES = f"MATCH (q:{_Q}) RETURN q.id AS id, q.title AS title"
CONCEPT_BY_ID = f"MATCH (c:{_C} {{id: $id}}) RETURN [properties(c)] AS concepts"
LINKED_CONCEPTS = f"MATCH (c:{_C}) WHERE EXISTS {{ (c)--() }} RETURN [properties(c)] AS concepts"
CONCEPT_QUESTION_COUNTS = (
    f"MATCH (c:{_C}) WHERE EXISTS {{ (c)--() }} "
    f"RETURN c.id AS id, COUNT {{ (c)<-[:{_MENTIONS}]-(:{_Q}) }} AS n"
)
# A question with its mentions and the concepts they name.
QUESTION_GRAPH = (
    f"MATCH (q:{_Q} {{id: $id}}) RETURN [properties(q)] AS questions, "
    f"[(q)-[m:{_MENTIONS}]->(c:{_C}) | properties(c)] AS concepts, "
    f"[(q)-[m:{_MENTIONS}]->(c:{_C}) | {_MENTION}] AS mentions"
)
CONCEPT_QUESTIONS = (
    f"MATCH (:{_C} {{id: $id}})<-[:{_MENTIONS}]-(q:{_Q}) RETURN [properties(q)] AS questions"
)
CONCEPT_EDGES = (
    f"MATCH (c:{_C} {{id: $id}})-[r]-(:{_C}) WITH startNode(r) AS a, r, endNode(r) AS b "
    f"RETURN [{_EDGE}] AS edges"
)

# --- study queries: the database finds the closure, graph/study.py orders it ---

# Closures are quantified path patterns `(()-[…]->())+` with DISTINCT end nodes (the planner prunes
# them to a breadth-first walk; `*1..` with a predicate over relationships(p) enumerated every path,
# minutes on a 10k bank's concept graph).

# After the question and the questions before it are matched: each with its prerequisite edges
# among them and its mentions (with the concepts' ids and names).
_CHAIN_ROWS = (
    "WITH DISTINCT q, p "  # distinct end nodes: the planner may prune the path expansion
    "WITH q, collect(p) AS ancestors "
    "UNWIND ancestors + q AS a "
    "WITH a, ancestors + q AS closure "
    "RETURN [a {.id, .title, .level}] AS questions, "
    f"[(a)-[r:{_PRE}]->(b:{_Q}) WHERE b IN closure | {_EDGE}] AS edges, "
    f"[(a)-[m:{_MENTIONS}]->(c:{_C}) | {{question: a.id, concept: c.id, props: properties(m)}}]"
    f" AS mentions, [(a)-[:{_MENTIONS}]->(c:{_C}) | c {{.id, .name}}] AS concepts"
)
# every question before $id
CHAIN = f"MATCH (q:{_Q} {{id: $id}}) OPTIONAL MATCH (p:{_Q}) (()-[:{_PRE}]->())+ (q) " + _CHAIN_ROWS
# the questions right before $id (study.CHAIN_DEPTH 1)
CHAIN_NEAR = f"MATCH (q:{_Q} {{id: $id}}) OPTIONAL MATCH (p:{_Q})-[:{_PRE}]->(q) " + _CHAIN_ROWS
# Concepts $ids and every concept before them (id and name), with the concept prerequisites among
# them (confidence and source): the part of the spine chain() orders and names links by.
CONCEPT_PREREQUISITES = (
    f"UNWIND $ids AS id MATCH (t:{_C} {{id: id}}) "
    f"OPTIONAL MATCH (x:{_C}) (()-[:{_PRE}]->())+ (t) "
    "WITH DISTINCT t, x "
    "WITH collect(DISTINCT t) + collect(DISTINCT x) AS closure "
    "UNWIND closure AS c "
    "WITH DISTINCT c, closure "
    "RETURN [c {.id, .name}] AS concepts, "
    f"[(c)-[r:{_PRE}]->(b:{_C}) WHERE b IN closure "
    "| {type: type(r), src: c.id, dst: b.id, props: r {.confidence, .source}}] AS edges"
)
# What ConceptIndex resolves names and aliases by, for every concept, in one row.
CONCEPT_NAMES = f"MATCH (c:{_C}) RETURN collect(c {{.id, .name, .zh, .aliases}}) AS concepts"
# The prerequisite closure of concepts $ids over edges of confidence >= $floor, in one query:
# each concept with its prerequisite edges inside the closure and the questions mentioning it.
PATH_CLOSURE = (
    f"UNWIND $ids AS id MATCH (t:{_C} {{id: id}}) "
    f"OPTIONAL MATCH (x:{_C}) (()-[r:{_PRE}]->() WHERE r.confidence >= $floor)+ (t) "
    "WITH DISTINCT t, x "  # distinct end nodes: the planner may prune the path expansion
    "WITH collect(DISTINCT t) + collect(DISTINCT x) AS closure "
    "UNWIND closure AS c "
    "WITH DISTINCT c, closure "
    "RETURN [properties(c)] AS concepts, "
    f"[(c)-[r:{_PRE}]->(b:{_C}) WHERE r.confidence >= $floor AND b IN closure "
    "| {type: type(r), src: c.id, dst: b.id, props: properties(r)}] AS edges, "
    # how many questions mention it: a degree (only questions have MENTIONS), not a walk
    f"COUNT {{ (c)<-[:{_MENTIONS}]-() }} AS readers"
)
# A study step's questions, as graph/study.py `_step_questions` picks them: for each concept of
# the plan ($order: concept id -> its place), the questions whose title names it in `about` order
# (graph/derived.py), split until $per name no concept later in the plan ("ready") into ready ones
# and the others ("ahead"); the ready ones and the first $per ahead, with the plan's concepts
# their titles name. study.path then picks from these exactly as from every question.
_STEP_PICK = (
    "WITH reduce(acc = {ready: [], ahead: []}, q IN about | CASE "
    "WHEN size(acc.ready) >= $per THEN acc "  # CASE is lazy: the rest is never looked at
    f"WHEN EXISTS {{ MATCH (q)-[t:{_MENTIONS}]->(o:{_C}) "
    "WHERE t.in_title AND $order[o.id] > $order[id] } "
    "THEN {ready: acc.ready, ahead: acc.ahead + q} "
    "ELSE {ready: acc.ready + q, ahead: acc.ahead} END) AS picked "
    "UNWIND picked.ready + picked.ahead[..$per] AS q "
    "WITH DISTINCT q "
    "RETURN [q {.id, .title, .level}] AS questions, "
    f"[(q)-[t:{_MENTIONS}]->(o:{_C}) WHERE t.in_title AND $order[o.id] IS NOT NULL "
    "| {question: q.id, concept: o.id, props: t {.in_title, .weight, .focus}}] AS mentions"
)
# `about` for each concept: with the graph's layout (2) from the title index, in its order (no
# mention read past the concept's titled ones, nothing sorted: ordering by both indexed properties
# lets the index give the order); without it, every mention of the concept read and the titled
# ones sorted into `about` order. One branch runs per concept; the other yields an empty `about`,
# which picks nothing.
PATH_STEP_QUESTIONS = (
    f"OPTIONAL MATCH (g:{_META} {{id: 'graph'}}) "
    f"WITH coalesce(g.layout = {layout}, false) AS indexed "
    "UNWIND keys($order) AS id CALL (id, indexed) { "
    "WITH id WHERE indexed "
    f"MATCH (q)-[m:{_MENTIONS}]->() WHERE m.title_names = id AND m.title_rank >= 0 "
    "WITH q, m ORDER BY m.title_names, m.title_rank RETURN collect(q) AS about "
    "UNION "
    "WITH id WHERE NOT indexed "
    f"MATCH (:{_C} {{id: id}})<-[m:{_MENTIONS}]-(q:{_Q}) WHERE m.in_title "
    "WITH m, q ORDER BY m.focus DESC, m.weight DESC, q.level, q.title, q.id "
    "RETURN collect(q) AS about } " + _STEP_PICK
)
# The related questions ingest stored for $id (question -> question RELATED_TO, ingest/related.py),
# as graph rows: graph/study.py's `related` reads them exactly as for the embedded store.
RELATED = (
    f"MATCH (q:{_Q} {{id: $id}}) "
    "RETURN [q {.id, .title, .level}] + "
    f"[(q)-[:{_RELATED}]->(o:{_Q}) | o {{.id, .title, .level}}] AS questions, "
    f"[(q)-[r:{_RELATED}]->(o:{_Q}) | "
    "{type: type(r), src: q.id, dst: o.id, props: properties(r)}] AS edges"
)
# One breadth-first step from concepts $ids over relation types $types, either direction.
NEIGHBOR_STEP = (
    f"UNWIND $ids AS id MATCH (:{_C} {{id: id}})-[r]-(o:{_C}) WHERE type(r) IN $types "
    "RETURN DISTINCT o.id AS id"
)
# Concepts $ids with the relations of types $types among them.
NEIGHBORHOOD = (
    f"MATCH (a:{_C}) WHERE a.id IN $ids RETURN [properties(a)] AS concepts, "
    f"[(a)-[r]->(b:{_C}) WHERE b.id IN $ids AND type(r) IN $types | {_EDGE}] AS edges"
)
# Full-text search (the `cjk` analyzer); $query is Lucene syntax with user text escaped.
SEARCH = (
    "CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score "
    "RETURN node.id AS id, node.title AS title, score ORDER BY score DESC, id LIMIT $top"
)
