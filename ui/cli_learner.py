"""`zhitu progress`, `zhitu place` and `zhitu review`: a learner's progress, placement and review.

Progress lives in the store (graph/progress.py); placement is stateless (graph/placement.py):
the answers so far go in, the next concept to ask comes out.
"""

from __future__ import annotations

import click

from zhitu.graph import progress as prog
from zhitu.ui import cli_output as out
from zhitu.ui import cli_zh as zh
from zhitu.ui.cli_target import Target

learner_option = click.option("--learner", required=True, metavar="名字", help="学习者名字")
json_option = out.json_option


def _names(store: object, ids: list[str]) -> list[str]:
    return [store.concept(c).name for c in ids]  # type: ignore[attr-defined]


@click.command("progress", cls=zh.Command)
@learner_option
@click.option("--known", multiple=True, metavar="概念", help="标记为已掌握 (可多次)")
@click.option("--done", multiple=True, metavar="概念", help="标记为已学完 (可多次)")
@click.option("--skip", multiple=True, metavar="概念", help="标记为跳过 (可多次)")
@click.option("--unset", multiple=True, metavar="概念", help="清除标记 (可多次)")
@json_option
@click.pass_obj
def progress_cmd(obj: Target, learner: str, known: tuple[str, ...], done: tuple[str, ...],
                 skip: tuple[str, ...], unset: tuple[str, ...], as_json: bool) -> None:
    """学习进度: 查看或标记一个学习者已掌握、已学完、跳过的概念。"""
    store = obj.store()
    changes = [(state, [store.concept(c).id for c in refs])
               for state, refs in (("known", known), ("done", done), ("skipped", skip),
                                   (None, unset))]
    progress_store = prog.progress_store(store)
    if any(ids for _, ids in changes):
        def change(p: prog.Progress) -> None:
            for state, ids in changes:
                prog.set_concepts(p, state, ids)
        found = progress_store.update(learner, change)
    else:
        found = progress_store.get(learner)
    labels = {"known": "已掌握", "done": "已学完", "skipped": "跳过"}
    lines = [f"学习者: {found.learner}"]
    for state, label in labels.items():
        ids = sorted(c for c, s in found.concepts.items() if s == state)
        if ids:
            lines.append(f"{label} ({len(ids)}): {'、'.join(_names(store, ids))}")
    lines.append(f"自测过的题目: {len(found.questions)}")
    out.emit(as_json, found.to_json(), lines)


def _answer(text: str) -> tuple[str, bool]:
    concept, sep, value = text.rpartition("=")
    yes = {"yes": True, "y": True, "会": True, "no": False, "n": False, "不会": False}
    if not sep or not concept or value.strip().lower() not in yes:
        raise click.BadParameter(f"'{text}' 应写成 概念=yes 或 概念=no", param_hint="--answer")
    return concept, yes[value.strip().lower()]


@click.command("place", cls=zh.Command)
@click.option("--target", "targets", multiple=True, required=True, metavar="目标",
              help="目标问题或概念 (可多次)")
@click.option("--answer", "answers", multiple=True, metavar="概念=yes|no",
              help="已回答的问题 (可多次)")
@click.option("--learner", metavar="名字", help="测完后把结果记为这个学习者已掌握的概念")
@json_option
@click.pass_obj
def place_cmd(obj: Target, targets: tuple[str, ...], answers: tuple[str, ...],
              learner: str | None, as_json: bool) -> None:
    """摸底: 每次问一个概念会不会, 推断出你已经会什么 (把之前的回答用 --answer 传入)。"""
    from zhitu.graph import placement  # numpy and networkx load only for `zhitu place`

    store = obj.store()
    order = placement.closure(store, targets)
    given = {store.concept(c).id: v for c, v in map(_answer, answers)}
    result = placement.place(order, given)
    if result.ask is None and learner:
        prog.progress_store(store).update(
            learner, lambda p: prog.set_concepts(p, "known", result.known))
    ask = store.concept(result.ask) if result.ask else None
    doc = {"ask": {"id": ask.id, "name": ask.name} if ask else None, "known": result.known,
           "unknown": result.unknown, "asked": result.asked}
    if ask:
        lines = [f"你会 {ask.name} 吗? (已回答 {result.asked} 题)",
                 f"下一步: zhitu place ... --answer {ask.id}=yes 或 --answer {ask.id}=no"]
    else:
        lines = [f"摸底完成 (回答了 {result.asked} 题)",
                 f"已经会 ({len(result.known)}): {'、'.join(_names(store, result.known))}",
                 f"还要学 ({len(result.unknown)}): {'、'.join(_names(store, result.unknown))}"]
    out.emit(as_json, doc, lines)


def _grade(text: str) -> tuple[str, str]:
    ref, sep, grade = text.rpartition("=")
    if not sep or not ref or grade not in prog.GRADES:
        raise click.BadParameter(f"'{text}' 应写成 题目={'|'.join(prog.GRADES)}",
                                 param_hint="--grade")
    return ref, grade


@click.command("review", cls=zh.Command)
@learner_option
@click.option("--grade", "grades", multiple=True, metavar="问题=评分",
              help="自测评分: 不会 / 模糊 / 会 / 很熟 (可多次)")
@json_option
@click.pass_obj
def review_cmd(obj: Target, learner: str, grades: tuple[str, ...], as_json: bool) -> None:
    """今日复习: 到期要复习的题目 (用 --grade 记录自测结果, 按 FSRS 安排下次复习)。"""
    store = obj.store()
    when = prog.now()
    graded = [(store.question(ref).id, g) for ref, g in map(_grade, grades)]
    needs = {qid: [s.question.id for s in store.chain(qid)] for qid, g in graded if g == "不会"}

    def change(p: prog.Progress) -> None:
        for qid, g in graded:
            prog.grade(p, qid, g, needs.get(qid, []), when)

    progress_store = prog.progress_store(store)
    found = progress_store.update(learner, change) if graded else progress_store.get(learner)
    queue = [store.question(q) for q in prog.due(found, when)]
    because = {q: found.questions[q].get("because") for q in found.questions}
    doc = {"learner": found.learner,
           "due": [{"id": q.id, "title": q.title, "because": because.get(q.id)} for q in queue]}
    lines = [f"{found.learner} 今日复习 {len(queue)} 题"]
    for i, q in enumerate(queue, 1):
        why = (f"  (「{store.question(because[q.id]).title}」答不上来, 先复习它的基础)"
               if because.get(q.id) else "")
        lines.append(f"{i}. {q.title}{why}")
    out.emit(as_json, doc, lines)
