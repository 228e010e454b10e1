"""A learner's state of each concept and question, with one label and colour per state, for the
map, the question list and the roadmap.

Concepts: 待复习 (a due question is mainly about it: its first concept), 已学完 (done), 已掌握
(known), 下一步 (not yet learnt, every prerequisite known or done, and at least one of them).
Questions: 待复习 (due now), 已掌握 (last self-test 会 or 很熟), 已学完 (self-tested otherwise).
Anything else has no state (the map keeps its category colour).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from zhitu.graph import progress as prog
from zhitu.graph.model import RelationType
from zhitu.graph.study import PREREQ_FLOOR
from zhitu.ui.render import esc

# state -> (label, colour); colours told apart with the common colour-blindnesses
STATES: dict[str, tuple[str, str]] = {
    "due": ("待复习", "#E69F00"),  # orange
    "done": ("已学完", "#0072B2"),  # blue
    "known": ("已掌握", "#009E73"),  # bluish green
    "next": ("下一步", "#CC79A7"),  # reddish purple: ready to learn now
    "skipped": ("已跳过", "#BBBBBB"),
    "locked": ("未解锁", "#E9ECEF"),  # roadmap: a prerequisite is still open
}
LEARNT = ("known", "done")


def label(state: str) -> str:
    """The Chinese label of a state.

    >>> label("due")
    '待复习'
    """
    return STATES[state][0]


def color(state: str) -> str:
    return STATES[state][1]


def prerequisites(relations: Iterable[Any], floor: float = PREREQ_FLOOR) -> dict[str, set[str]]:
    """Direct prerequisites of each concept from PREREQUISITE_OF relations at least as
    confident as study paths use."""
    out: dict[str, set[str]] = {}
    for r in relations:
        if r.type is RelationType.PREREQUISITE_OF and r.confidence >= floor and r.src != r.dst:
            out.setdefault(r.dst, set()).add(r.src)
    return out


def question_states(progress: prog.Progress | None, when: datetime) -> dict[str, str]:
    """Question id -> due|known|done for the questions the learner has self-tested."""
    if progress is None:
        return {}
    due = set(prog.due(progress, when))
    out = {}
    for qid, record in progress.questions.items():
        grades = record.get("grades", [])
        if qid in due:
            out[qid] = "due"
        elif grades and grades[-1]["grade"] in ("会", "很熟"):
            out[qid] = "known"
        elif grades:
            out[qid] = "done"
    return out


def concept_states(progress: prog.Progress | None, when: datetime,
                   by_question: Mapping[str, list[str]],
                   needs: Mapping[str, set[str]]) -> dict[str, str]:
    """Concept id -> due|done|known|next.

    `by_question`: question id -> its concept ids, main one first (ConceptMap.by_question);
    `needs`: concept id -> direct prerequisites (`prerequisites(cmap.relations)`).
    """
    if progress is None:
        return {}
    out = {c: s for c, s in progress.concepts.items() if s in LEARNT}
    learnt = set(out)
    if learnt:
        for c, pre in needs.items():
            if c not in out and pre and pre <= learnt:
                out[c] = "next"
    for qid in prog.due(progress, when):
        main = by_question.get(qid, [])[:1]
        for c in main:
            out[c] = "due"
    return out


_BADGE = {"due": "orange", "done": "blue", "known": "green", "next": "violet"}


def badge(state: str) -> str:
    """A Streamlit Markdown badge of a state, for list rows.

    >>> badge("due")
    ':orange-badge[待复习]'
    """
    return f":{_BADGE.get(state, 'gray')}-badge[{label(state)}]"


def decorate(node: dict[str, Any], state: str | None) -> dict[str, Any]:
    """An ECharts graph node with the learner's state: a ring in the state's colour (the fill
    keeps the category colour) and the state's name in its tooltip; no state: unchanged.

    >>> node = decorate({"itemStyle": {"color": "#4E79A7"}, "tooltip": {"formatter": "RNN"}},
    ...                 "due")
    >>> node["itemStyle"], node["tooltip"]["formatter"]
    ({'color': '#4E79A7', 'borderColor': '#E69F00', 'borderWidth': 4}, 'RNN\\n待复习')
    """
    if state is None:
        return node
    tip = node.get("tooltip", {}).get("formatter", "")
    return {**node,
            "itemStyle": {**node.get("itemStyle", {}), "borderColor": color(state),
                          "borderWidth": 4},
            "tooltip": {**node.get("tooltip", {}), "formatter": f"{tip}\n{label(state)}"}}


def colors(states: Mapping[str, str]) -> dict[str, str]:
    """Id -> colour of its state."""
    return {k: color(s) for k, s in states.items()}


def legend_html(states: Iterable[str]) -> str:
    """A one-line legend of the given states (constant text only)."""
    items = [
        f'<span><span style="color:{color(s)};font-size:1.1em">●</span> {esc(label(s))}</span>'
        for s in states
    ]
    return ('<div class="zt-meta zt-legend" style="display:flex;flex-wrap:wrap;gap:.2rem 1rem">'
            + "".join(items) + "</div>")
