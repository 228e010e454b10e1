"""What the `zhitu` commands print: the JSON shapes of the CLI contract and the Chinese text.

Every `*_json` function returns exactly the contract's shape (docs: ../shared/DESIGN.md, "CLI
contract"); every `*_text` function returns the lines a learner reads.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from zhitu.graph.model import (
    ChainStep,
    Concept,
    Question,
    QuestionRef,
    RelatedQuestion,
    SearchHit,
    StudyPlan,
)

if TYPE_CHECKING:
    from zhitu.ingest.pipeline import IngestReport

json_option = click.option("--json", "as_json", is_flag=True, help="输出 JSON (脚本用)")


def emit(as_json: bool, doc: object, lines: list[str]) -> None:
    """A command's answer: its JSON shape with --json, else the lines a learner reads."""
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2) if as_json else "\n".join(lines))


MAX_REASONS = 5  # reasons shown per related question in text (JSON has them all)


def _score(value: float) -> float:
    return round(value, 4)


def concept_brief(c: Concept) -> dict[str, object]:
    return {"id": c.id, "name": c.name, "aliases": list(c.aliases)}


def tag(c: Concept, focus: set[str]) -> dict[str, object]:
    """A question's concept as `questions --json` lists it: with whether it is a focus."""
    return {**concept_brief(c), "focus": c.id in focus}


def ref(q: Question | QuestionRef) -> dict[str, str]:
    return {"id": q.id, "title": q.title}


def related_item(r: RelatedQuestion) -> dict[str, object]:
    return {**ref(r.question), "score": _score(r.score), "shared": list(r.shared)}


def question_json(
    q: Question, concepts: list[Concept], chain: list[ChainStep], related: list[RelatedQuestion]
) -> dict[str, object]:
    return {
        "id": q.id,
        "title": q.title,
        "answer": q.answer,
        "analysis": q.analysis,
        "concepts": [concept_brief(c) for c in concepts],
        "chain": [ref(s.question) for s in chain],
        "related": [related_item(r) for r in related],
    }


def plan_json(plan: StudyPlan) -> dict[str, object]:
    return {
        "steps": [
            {
                "concept": concept_brief(s.concept),
                "questions": [ref(q) for q in s.questions],
                "has_questions": s.has_questions,
            }
            for s in plan.steps
        ],
        "next": [concept_brief(c) for c in plan.next],
        "cycles": [list(c) for c in plan.cycles],
    }


def search_json(hits: list[SearchHit]) -> list[dict[str, object]]:
    return [{**ref(h.question), "score": _score(h.score)} for h in hits]


def ingest_report_json(report: IngestReport) -> dict[str, object]:
    """The ingest report's keys beside the stats: every file's accounting and every merge."""
    return {
        "files": [f.to_json() for f in report.file_reports],
        "merges": [m.to_json() for m in report.merges],
    }


# --- text ---


def ingest_text(report: IngestReport) -> list[str]:
    """What ingest read: the total, then per file its questions and lines kept and skipped."""
    lines = [f"读入 {report.questions_read} 个问题 (合并重复 {report.questions_merged} 个)"]
    for f in report.file_reports:
        lines.append(f"  {f.file}: {f.questions} 个问题, 保留 {f.kept}/{f.lines} 行, "
                     f"跳过 {len(f.skipped)} 行")
    for m in report.merges:
        lines.append(f"  合并「{m.title}」: {', '.join(m.sources)}")
    return lines


def _names(concepts: list[Concept]) -> str:
    return "、".join(c.name for c in concepts) or "无"


def questions_text(rows: list[tuple[Question, list[Concept]]]) -> list[str]:
    if not rows:
        return ["图中还没有问题。先运行: zhitu ingest 文件"]
    return [f"{q.id}  {q.title}  [{_names(cs)}]" for q, cs in rows]


def concepts_text(
    concepts: list[Concept], counts: dict[str, int], labels: dict[str, str]
) -> list[str]:
    if not concepts:
        return ["图中还没有概念。"]
    width = max(len(c.id) for c in concepts)
    lines = []
    for c in sorted(concepts, key=lambda c: (-counts.get(c.id, 0), c.id)):
        category = labels.get(c.category, c.category)
        lines.append(f"{c.id:<{width}}  {c.name}  ({category}, {counts.get(c.id, 0)} 个问题)")
    return lines


def chain_text(q: Question, chain: list[ChainStep]) -> list[str]:
    if not chain:
        return [f"「{q.title}」没有前置问题。"]
    lines = [f"「{q.title}」的前置问题 (从基础开始):"]
    for i, step in enumerate(chain, 1):
        via = f"  [{step.via}]" if step.via else ""
        lines.append(f"{i:>3}. {step.question.title}{via}")
    return lines


def related_text(q: Question, related: list[RelatedQuestion]) -> list[str]:
    if not related:
        return [f"没有与「{q.title}」相关的问题。"]
    lines = [f"与「{q.title}」相关的问题:"]
    for i, r in enumerate(related, 1):
        shared = "、".join(r.shared[:MAX_REASONS]) + ("等" if len(r.shared) > MAX_REASONS else "")
        lines.append(f"{i:>3}. {r.question.title}  ({r.score:.3f}; {shared})")
    return lines


def question_text(
    q: Question, concepts: list[Concept], chain: list[ChainStep], related: list[RelatedQuestion]
) -> list[str]:
    lines = [f"{q.title}  ({q.id})", "", "参考回答:", q.answer]
    if q.analysis:
        lines += ["", "解析:", q.analysis]
    if q.sources:
        lines += ["", "出处: " + ", ".join(q.sources)]
    lines += ["", "概念: " + _names(concepts), ""]
    return lines + chain_text(q, chain) + [""] + related_text(q, related)


def plan_text(plan: StudyPlan) -> list[str]:
    if not plan.steps:
        return ["目标已经掌握, 没有需要学习的内容。"]
    total = f", 约 {plan.total_minutes} 分钟" if plan.total_minutes else ""
    lines = [f"学习路径 (共 {len(plan.steps)} 步{total}):"]
    for i, step in enumerate(plan.steps, 1):
        minutes = f"  {step.minutes} 分钟" if step.minutes else ""
        lines.append(f"{i:>3}. {step.concept.name} ({step.concept.id}){minutes}")
        lines += [f"       - {q.title}" for q in step.questions]
    lines.append("现在可以开始: " + _names(plan.next))
    for cycle in plan.cycles:
        lines.append("循环依赖, 一起学习: " + "、".join(cycle))
    return lines


def search_text(hits: list[SearchHit]) -> list[str]:
    if not hits:
        return ["没有找到匹配的问题。"]
    return [
        f"{i:>3}. {h.question.title}  ({h.score:.3f}, {h.question.id})"
        for i, h in enumerate(hits, 1)
    ]


def stats_text(stats: dict[str, object]) -> list[str]:
    lines = [f"问题: {stats['questions']}", f"概念: {stats['concepts']}", "关系:"]
    relations: dict[str, int] = stats["relations"]  # type: ignore[assignment]
    lines += [f"  {name:<16}{n}" for name, n in relations.items()] or ["  无"]
    return lines
