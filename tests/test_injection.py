"""Injection (issue 8): no value is ever formatted into Cypher. An AST scan of graph/ (not grep):

A. whatever reaches the driver (`execute_query`, `run`, and Neo4jStore's `_run` / `_graph`) as a
   statement is a graph/cypher.py constant, an UPPER_SNAKE class constant of its own class
   (`self.READ`, as graph/progress.py's Neo4jProgress keeps its statements), or comes from
   `neo4j_rows.write_plan` or a sink's own parameter, through plain names, loops and
   comprehensions; never a literal, an f-string, `+`, `%` or `.format`.
B. graph/cypher.py's UPPER_SNAKE constants (and every name they use), and the UPPER_SNAKE class
   constants of any class in graph/, are built only from string literals and Label / RelationType
   values: f-strings and `+` over those, `"|".join` over enum members, calls of local helpers
   whose parameters are typed with those enums; no `%`, no `.format`.
C. anywhere else in graph/, a string holding a Cypher clause is never built by formatting unless
   every value goes through export's escapers (cypher_literal / cypher_string / cypher_name). A
   SQLite module (graph/sidecar.py: imports sqlite3, neither neo4j nor graph/cypher.py, and no
   string in it holds a Cypher-only word) holds SQL, not Cypher: rule C does not apply to it.

The scanner is shown to fail on planted bad code. At run time, every label and relationship type
in the statements is an enum value, and write_plan (graph/neo4j_rows.py) only hands out
graph/cypher.py's constants.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from zhitu.graph import cypher, neo4j_rows
from zhitu.graph.model import CONCEPT_RELATIONS, Label, RelationType
from zhitu.graph.progress import Neo4jProgress

GRAPH = Path(__file__).resolve().parent.parent / "graph"
SINKS = {"execute_query": "first", "run": "first", "_run": "first", "_graph": "tuples"}
ENUMS = {"Label", "RelationType"}
ENUM_COLLECTIONS = {"CONCEPT_RELATIONS"}  # checked below to hold enum members only
STATEMENT_FUNCTIONS = {("neo4j_rows", "write_plan")}  # (module, function) handing out statements
PASS_THROUGH = {"enumerate", "zip", "sorted", "list", "tuple", "reversed", "iter"}
ESCAPERS = {"cypher_literal", "cypher_string", "cypher_name"}
CLAUSE = re.compile(r"\b(MATCH|MERGE|CREATE|UNWIND|RETURN|DELETE|DETACH|SET|CALL|WHERE)\b")
UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _module_attr(node: ast.AST) -> tuple[str, str] | None:
    """(module, name) of `module.name`, else None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    return None


def _is_cypher_attr(node: ast.AST) -> bool:
    found = _module_attr(node)
    return found is not None and found[0] == "cypher"


def _called(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


class _Sinks:
    """Rule A over one module."""

    def __init__(self, tree: ast.Module, name: str) -> None:
        self.tree, self.name, self.findings = tree, name, []
        self.parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
        self.classes = {c.name: _class_constants(c) for c in ast.walk(tree)
                        if isinstance(c, ast.ClassDef)}

    def _own_constant(self, node: ast.AST) -> bool:
        """`self.NAME` or `Class.NAME` for an UPPER_SNAKE constant of the enclosing class (rule B
        checks how it is built)."""
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            return False
        owner = node
        while owner in self.parents and not isinstance(owner, ast.ClassDef):
            owner = self.parents[owner]
        if not isinstance(owner, ast.ClassDef) or node.value.id not in ("self", "cls", owner.name):
            return False
        return node.attr in self.classes[owner.name]

    def run(self) -> list[str]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and _called(node) in SINKS:
                for query in self._queries(node):
                    self._check(query, self._scope(node), set())
        return self.findings

    def _queries(self, call: ast.Call) -> list[ast.expr]:
        if SINKS[_called(call)] == "first":
            return call.args[:1]
        tuples = [a for a in call.args if isinstance(a, ast.Tuple) and a.elts]
        return [t.elts[0] for t in tuples] + [a for a in call.args if a not in tuples]

    def _scope(self, node: ast.AST) -> ast.AST:
        while node in self.parents and not isinstance(node, (ast.FunctionDef, ast.Lambda)):
            node = self.parents[node]
        return node

    def _bad(self, node: ast.AST, why: str) -> None:
        self.findings.append(f"{self.name}:{getattr(node, 'lineno', 0)}: {why}")

    def _check(self, node: ast.expr, scope: ast.AST, seen: set[tuple[int, str]]) -> None:
        if _is_cypher_attr(node) or self._own_constant(node):
            return
        if isinstance(node, ast.Subscript):
            return self._check(node.value, scope, seen)
        if isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                self._check(elt, scope, seen)
            return
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return self._check(node.elt, scope, seen)
        if isinstance(node, ast.Call):
            if _module_attr(node.func) in STATEMENT_FUNCTIONS:
                return
            if isinstance(node.func, ast.Name) and node.func.id in PASS_THROUGH:
                for arg in node.args:
                    self._check(arg, scope, seen)
                return
            return self._bad(node, f"statement from a call of {_called(node) or '?'}()")
        if isinstance(node, ast.Name):
            return self._resolve(node, scope, seen)
        if isinstance(node, ast.Constant):
            return self._bad(node, "Cypher text outside graph/cypher.py")
        self._bad(node, f"statement built by {type(node).__name__} (formatting or concatenation)")

    def _resolve(self, name: ast.Name, scope: ast.AST, seen: set[tuple[int, str]]) -> None:
        key = (id(scope), name.id)
        if key in seen:
            return
        seen.add(key)
        sources: list[ast.expr] = []
        params = {a.arg for a in ast.walk(scope) if isinstance(a, ast.arg)}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(name.id in _names(t) for t in node.targets):
                sources.append(node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
                if name.id in _names(node.target) and node.value is not None:
                    sources.append(node.value if not isinstance(node, ast.AugAssign) else node)
            elif isinstance(node, (ast.For, ast.comprehension)) and name.id in _names(node.target):
                sources.append(node.iter)
        if name.id in params and not sources:
            if isinstance(scope, ast.FunctionDef) and scope.name in SINKS:
                return  # a sink's own parameter: its callers are checked
            return self._bad(name, f"statement from parameter '{name.id}' of a non-sink function")
        if not sources:
            return self._bad(name, f"statement from '{name.id}' of unknown origin")
        for source in sources:
            self._check(source, scope, seen)


class _Constants:
    """Rule B over graph/cypher.py (or a planted stand-in)."""

    def __init__(self, tree: ast.Module, name: str) -> None:
        self.name, self.findings = name, []
        self.assigned: dict[str, ast.expr] = {}
        self.functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.assigned[target.id] = node.value
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        for t, v in zip(target.elts, node.value.elts, strict=True):
                            self.assigned[_names(t).pop()] = v
        self.done: set[str] = set()

    def run(self) -> list[str]:
        for constant in [n for n in self.assigned if UPPER.match(n)]:
            self._name(constant)
        return self.findings

    def _bad(self, node: ast.AST, why: str) -> None:
        self.findings.append(f"{self.name}:{getattr(node, 'lineno', 0)}: {why}")

    def _name(self, name: str) -> None:
        if name in self.done:
            return
        self.done.add(name)
        if name in self.assigned:
            self._safe(self.assigned[name], {})

    def _safe(self, node: ast.expr, enum_params: dict[str, str]) -> None:
        """Flag anything in `node` that is no literal, enum value or safe name."""
        if isinstance(node, ast.Constant):
            return
        if isinstance(node, ast.Name):
            if node.id in ENUMS or node.id in enum_params:
                return
            if node.id in self.assigned:
                return self._name(node.id)
            return self._bad(node, f"'{node.id}' is no literal or enum value")
        if isinstance(node, ast.Attribute):
            root = node
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and (root.id in ENUMS or root.id in enum_params):
                return  # Label.QUESTION.value, rel.value
            return self._bad(node, f"'{ast.unparse(node)}' is no enum value")
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    self._safe(part.value, enum_params)
            return
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            self._safe(node.left, enum_params)
            return self._safe(node.right, enum_params)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            for elt in node.elts:
                self._safe(elt, enum_params)
            return
        if isinstance(node, ast.Dict):
            for part in [*node.keys, *node.values]:
                if part is not None:
                    self._safe(part, enum_params)
            return
        if isinstance(node, ast.Call):
            return self._call(node, enum_params)
        self._bad(node, f"built by {type(node).__name__} (% formatting or another expression)")

    def _call(self, node: ast.Call, enum_params: dict[str, str]) -> None:
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "join" and isinstance(f.value, ast.Constant):
            (gen,) = node.args
            ok = (
                isinstance(gen, ast.GeneratorExp)
                and len(gen.generators) == 1
                and isinstance(gen.generators[0].iter, ast.Name)
                and gen.generators[0].iter.id in ENUM_COLLECTIONS | ENUMS
                and ast.unparse(gen.elt) == f"{ast.unparse(gen.generators[0].target)}.value"
            )
            return None if ok else self._bad(node, "join over something but enum members")
        if isinstance(f, ast.Name) and f.id in self.functions:
            helper = self.functions[f.id]
            typed = {a.arg: ast.unparse(a.annotation) for a in helper.args.args if a.annotation}
            params = {n: t for n, t in typed.items() if t in ENUMS}
            for arg in node.args:
                self._safe(arg, enum_params)  # the arguments themselves: enum members
            for ret in [r for r in ast.walk(helper) if isinstance(r, ast.Return) and r.value]:
                self._safe(ret.value, params)
            return
        self._bad(node, f"built by calling {ast.unparse(f)}()")


def _class_constants(cls: ast.ClassDef) -> set[str]:
    """The UPPER_SNAKE names a class body assigns."""
    return {t.id for node in cls.body if isinstance(node, (ast.Assign, ast.AnnAssign))
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(t, ast.Name) and UPPER.match(t.id)}


CYPHER_ONLY = re.compile(r"\b(MATCH|MERGE|UNWIND|DETACH)\b|-\[")


def _sql_module(tree: ast.Module) -> bool:
    """A module that talks to SQLite and cannot send Cypher (see rule C)."""
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names}
    imported |= {f"{n.module}.{a.name}" for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and n.module for a in n.names}
    strings = [n.value for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return ("sqlite3" in imported and "neo4j" not in imported
            and not any(i.startswith("neo4j") or i.endswith(".cypher") for i in imported)
            and not any(CYPHER_ONLY.search(s) for s in strings))


def _clauses(tree: ast.Module, name: str) -> list[str]:
    """Rule C: Cypher clause text built by formatting, outside the escapers."""
    found = []
    for node in ast.walk(tree):
        literal, values = "", []
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            values = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            literal = " ".join(
                s.value
                for s in (node.left, node.right)
                if isinstance(s, ast.Constant) and isinstance(s.value, str)
            )
            values = [s for s in (node.left, node.right) if not isinstance(s, ast.Constant)]
        elif isinstance(node, ast.Call) and _called(node) == "format":
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant):
                literal, values = str(node.func.value.value), [*node.args]
        escaped = all(isinstance(v, ast.Call) and _called(v) in ESCAPERS for v in values)
        if values and CLAUSE.search(literal) and not escaped:
            found.append(f"{name}:{node.lineno}: Cypher clause built by formatting")
    return found


def scan(source: str, name: str) -> list[str]:
    """Every rule's findings for one module (rule B when it is graph/cypher.py)."""
    tree = ast.parse(source)
    findings = _Sinks(tree, name).run()
    if Path(name).name == "cypher.py":
        findings += _Constants(tree, name).run()
    elif not _sql_module(tree):
        findings += _clauses(tree, name)
    for cls in [c for c in ast.walk(tree) if isinstance(c, ast.ClassDef)]:
        findings += _Constants(cls, name).run()  # rule B over class constants: `self.READ`
    return findings


def test_graph_formats_no_value_into_cypher() -> None:
    findings = [f for path in sorted(GRAPH.glob("*.py"))
                for f in scan(path.read_text(encoding="utf-8"), str(path))]  # fmt: skip
    assert findings == []


def test_the_scan_reaches_every_statement_the_store_sends() -> None:
    # the sinks really are where queries go: a scan that saw none would pass vacuously
    source = (GRAPH / "neo4j_store.py").read_text(encoding="utf-8")
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    assert sum(_called(c) == "_run" for c in calls) >= 10
    assert sum(_called(c) == "_graph" for c in calls) >= 8
    assert sum(_called(c) == "execute_query" for c in calls) >= 1


PLANTED_STORE = [
    pytest.param("def f(d, ref):\n    d.execute_query(f\"MATCH (q {{id: '{ref}'}}) RETURN q\")",
                 id="f-string"),
    pytest.param("def f(self, label):\n    q = 'MATCH (n:' + label + ') RETURN n'\n"
                 "    return self._run(q)", id="concatenation-via-a-name"),
    pytest.param("def f(self, ref):\n    return self._run(\"MATCH (q) WHERE q.id = '%s'\" % ref)",
                 id="percent"),
    pytest.param("def f(self, label):\n    return self._run('MATCH (n:{}) RETURN n'.format(label))",
                 id="format"),
    pytest.param("def f(self):\n    return self._run('MATCH (n) RETURN n')",
                 id="literal-outside-cypher-py"),
    pytest.param("def f(self, ref):\n    return self._graph((f'MATCH (q) WHERE q.id = {ref}', {}))",
                 id="graph-tuple"),
    pytest.param("def f(self, name):\n    q = cypher.by_name(name)\n    return self._run(q)",
                 id="unknown-cypher-function"),
    pytest.param("def f(self, text):\n    q = neo4j_rows.fulltext_query(text)\n"
                 "    return self._run(q)", id="other-rows-function"),
    pytest.param("def f(self, x):\n    for s, k, rows in cypher.write_plan(x):\n"
                 "        self._run(s)", id="write-plan-from-the-wrong-module"),
    pytest.param("def f(self, labels):\n    for x in labels:\n"
                 "        self._run('MATCH (n:' + x + ') DELETE n')", id="in-a-loop"),
    pytest.param("def f(self, query):\n    return self._run(query)", id="parameter-of-non-sink"),
    pytest.param("def f(self, ref):\n    q = cypher.Q\n    q += ref\n    return self._run(q)",
                 id="augmented"),
    pytest.param("def f(self, ref):\n    self.q = f'MATCH (n) WHERE n.id = \"{ref}\" RETURN n'",
                 id="clause-built-anywhere"),
    pytest.param("import os\nclass P:\n    READ = 'MATCH (n:' + os.environ['L'] + ') RETURN n'\n"
                 "    def get(self, tx):\n        return tx.run(self.READ)",
                 id="class-constant-from-a-value"),
    pytest.param("class P:\n    def __init__(self, q):\n        self.READ = q\n"
                 "    def get(self, tx):\n        return tx.run(self.READ)",
                 id="instance-attribute-not-a-class-constant"),
    pytest.param("class P:\n    READ = 'MATCH (n) RETURN n'\nclass Q:\n"
                 "    def get(self, tx):\n        return tx.run(self.READ)",
                 id="another-class-constant"),
    pytest.param("import sqlite3\ndef f(label):\n    return f'MATCH (n:{label}) RETURN n'",
                 id="cypher-in-a-sqlite-module"),
    pytest.param("import sqlite3\nfrom zhitu.graph import cypher\n"
                 "def f(label):\n    return f'CREATE (n:{label})'", id="sqlite-module-with-cypher"),
    pytest.param("class P:\n    def get(self, tx, name):\n"
                 "        return tx.run('MATCH (n {name: $name}) SET n.x = 1', name=name)",
                 id="literal-in-a-method"),
]  # fmt: skip
PLANTED_CYPHER = [
    pytest.param("import os\n_LABEL = os.environ['LABEL']\nQ = f'MATCH (n:{_LABEL}) RETURN n'",
                 id="constant-from-a-value"),
    pytest.param("def _match(label: str) -> str:\n    return f'MATCH (n:{label}) RETURN n'\n"
                 "Q = _match('Question')", id="helper-typed-str"),
    pytest.param("Q = 'MATCH (n:%s) RETURN n' % 'Question'", id="percent"),
    pytest.param("Q = 'MATCH (n:{}) RETURN n'.format(Label.QUESTION.value)", id="format"),
    pytest.param("_T = '|'.join(t for t in NAMES)\nQ = f'MATCH ()-[r:{_T}]-() RETURN r'",
                 id="join-over-values"),
    pytest.param("Q = f'MATCH (n) WHERE n.id = {user.id} RETURN n'", id="attribute-of-a-value"),
]  # fmt: skip


@pytest.mark.parametrize("source", PLANTED_STORE)
def test_the_scan_flags_planted_store_code(source: str) -> None:
    assert scan(source, "graph/planted_store.py"), source


@pytest.mark.parametrize("source", PLANTED_CYPHER)
def test_the_scan_flags_planted_cypher_constants(source: str) -> None:
    assert scan(source, "graph/cypher.py"), source


def test_the_scan_passes_the_forms_cypher_py_uses() -> None:
    good = (
        "_Q = Label.QUESTION.value\n_L = '|'.join(t.value for t in CONCEPT_RELATIONS)\n"
        "def _edge(src: Label, rel: RelationType) -> str:\n"
        "    return f'MATCH (a:{src.value})-[r:{rel.value}|{_L}]->() RETURN r'\n"
        "Q = f'MATCH (q:{_Q} {{id: $id}}) RETURN q'\nE = _edge(Label.CONCEPT, RelationType.IS_A)\n"
        "def g(self):\n    for s in cypher.schema_statements:\n        self._run(s)\n"
        "    for s, k, rows in neo4j_rows.write_plan(x):\n"
        "        self._driver.execute_query(s, {})\n"
    )
    assert scan(good, "graph/cypher.py") == []


def test_the_scan_leaves_sql_to_sqlite_modules() -> None:
    good = ("import sqlite3\ndef f(db, name):\n    db.execute(f'CREATE TABLE {name} (n INTEGER)')\n"
            "    return f'WHERE n IN (SELECT value FROM json_each(?))'\n")
    assert scan(good, "graph/sidecar.py") == []
    assert scan(good.replace("import sqlite3", "import neo4j"), "graph/sidecar.py")


def test_the_scan_passes_class_constants_as_progress_py_uses_them() -> None:
    good = (
        "class P:\n    READ = ('MATCH (l:ZhituLearner {name: $name}) '\n"
        "            'RETURN l')\n"
        "    SCHEMA = 'CREATE INDEX x IF NOT EXISTS FOR (l:ZhituLearner) ON (l.name)'\n"
        "    def get(self, tx, name):\n        tx.run(self.SCHEMA)\n"
        "        return tx.run(P.READ, name=name)\n"
    )
    assert scan(good, "graph/progress.py") == []


# --- at run time ---


def test_enum_collections_hold_only_enum_members() -> None:
    assert CONCEPT_RELATIONS and all(isinstance(m, RelationType) for m in CONCEPT_RELATIONS)


_LABELISH = re.compile(r"(?<=[\w(\[]):([A-Za-z_][A-Za-z0-9_]*(?:\|[A-Za-z_][A-Za-z0-9_]*)*)")
_QUOTED = re.compile(r"'[^']*'|`[^`]*`|\"[^\"]*\"")


def _statements() -> dict[str, str]:
    return {n: v for n, v in vars(cypher).items() if UPPER.match(n) and isinstance(v, str)}


def _labels(statements: dict[str, str], allowed: set[str]) -> set[str]:
    """Every label and relationship type the statements use, each asserted to be allowed."""
    used: set[str] = set()
    for name, statement in statements.items():
        for found in _LABELISH.findall(_QUOTED.sub("''", statement)):
            names = set(found.split("|"))
            assert names <= allowed, (name, names - allowed)
            used |= names
    return used


def test_labels_and_relationship_types_come_only_from_the_enums() -> None:
    allowed = {m.value for m in Label} | {m.value for m in RelationType}
    # the pattern sees every label and type the statements use
    assert _labels(_statements(), allowed) == allowed


def test_progress_statements_use_the_graph_labels_and_their_own() -> None:
    statements = {n: v for n, v in vars(Neo4jProgress).items()
                  if UPPER.match(n) and isinstance(v, str)}
    assert {"READ", "WRITE", "LEARNERS", "SCHEMA"} <= set(statements)
    assert all("$" in s for n, s in statements.items() if n in ("READ", "WRITE"))  # parameters
    own = {"ZhituLearner", "KNOWS", "REVIEWED"}  # the learner's nodes and edges
    used = _labels(statements, {Label.QUESTION.value, Label.CONCEPT.value} | own)
    assert used == {Label.QUESTION.value, Label.CONCEPT.value} | own


def test_write_plan_hands_out_only_module_statements(toy) -> None:
    constants = set(_statements().values())
    plan = neo4j_rows.write_plan(toy, ["gone"], ["gone"], [(True, "MENTIONS", "q-x", "c-x")])
    assert plan and all(statement in constants for statement, _, _ in plan)


# --- live (tests/neo4j_server.py): hostile text is stored and searched as text, nothing more ---

HOSTILE = [
    "它's \"引号\" \\ 反斜杠\n'; MATCH (n) DETACH DELETE n; //",
    "'}) DETACH DELETE q //", "$rows", "`Question`", "{id: 'x'}) RETURN 1 //", "C++ AND title:RNN",
    "\u0000\u202e😀", "\\'; CALL db.labels() //",
]


@pytest.mark.neo4j
def test_hostile_text_round_trips_through_the_live_server() -> None:
    from tests import neo4j_server
    from zhitu.graph.model import Concept, GraphData, Mention, Question

    data = GraphData()
    for i, text in enumerate(HOSTILE):
        data.questions[f"q{i}"] = Question(f"q{i}", text, f"答案 {text}", text, [f"{text}:1"])
        data.concepts[f"c{i}"] = Concept(f"c{i}", text, text, [text, "a'b"], "nn", summary=text)
        data.mentions.append(Mention(f"q{i}", f"c{i}", 1, True, 1.0))
    store = neo4j_server.open_store()
    try:
        store.replace(data, meta={"built_from": HOSTILE})
        held = store.load()
        assert held.questions == data.questions and held.concepts == data.concepts
        assert store.meta == {"built_from": HOSTILE}
        labels = store._run("MATCH (n) UNWIND labels(n) AS l RETURN DISTINCT l AS label")
        assert {r["label"] for r in labels} == {label.value for label in Label}
        for text in HOSTILE:
            store.search(text, 5)  # the server takes it as literal terms
            assert store.question(text).title == text
    finally:
        store.close()
