"""Deterministic synthetic question banks composed from the lexicon's concepts and templates.

Answers are 150-400 Chinese characters with mixed English terms, 1,000 questions a file (so
ingest can use a process pool), mostly in the user's sample format, some Markdown and JSONL.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from graph.model import Concept, RelationType
from ingest.lexicon import Lexicon

PER_FILE = 1000
SCENARIOS = (
    "图像分类", "目标检测", "语义分割", "机器翻译", "文本分类", "语音识别", "推荐系统", "问答系统",
    "时间序列预测", "人脸识别", "情感分析", "命名实体识别", "图像生成", "异常检测", "医学影像",
    "自动驾驶", "搜索排序", "视频理解", "对话系统", "OCR",
)
TITLES = {
    0: ("什么是{c}？", "{c}是什么？", "在{s}任务中，什么是{c}？", "简述{c}的定义（{s}场景）"),
    1: ("{c}的原理是什么？", "{c}在{s}中的作用是什么？", "为什么{s}模型要使用{c}？", "{c}是如何工作的？"),
    2: ("{c}和{d}的区别是什么？", "在{s}中，{c}相比{d}有哪些优缺点？", "{c}与{d}如何选择？"),
    3: ("写出{c}的计算公式", "如何实现{c}？请结合{s}说明", "推导{c}的梯度（{s}）"),
}
SENTENCES = (
    "{c}（{e}）是{cat}中的常见概念，{summary}。",
    "理解{c}之前需要先掌握{p}，否则很难看懂它的推导。",
    "在{s}任务里，{c}通常和{d}一起使用，工程上要注意数值稳定性。",
    "{c}可以缓解{a}，这也是面试中经常被追问的地方。",
    "从实现上看，{e}一般只需要几行代码，但超参数的选择会明显影响收敛速度和最终精度。",
    "和{d}相比，{c}的计算量不同，适用的数据规模也不同，需要结合显存和延迟预算来权衡。",
    "实践中如果训练不稳定，可以先检查学习率、初始化和数据预处理，再考虑调整{c}。",
    "很多候选人会把{c}和{d}混为一谈，回答时最好先给出定义，再说明两者在目标和计算方式上的差别。",
)


def _name(c: Concept) -> str:
    return c.zh or c.name


def _english(c: Concept) -> str:
    latin = [a for a in [c.name, *c.aliases] if a.isascii()]
    return latin[0] if latin else c.name


class _Composer:
    def __init__(self, lexicon: Lexicon, seed: int) -> None:
        self.rng = random.Random(seed)
        self.concepts = sorted(lexicon.concepts.values(), key=lambda c: c.id)
        self.by_id = lexicon.concepts
        self.prereq: dict[str, list[str]] = defaultdict(list)
        self.addresses: dict[str, list[str]] = defaultdict(list)
        for r in lexicon.relations:
            if r.type is RelationType.PREREQUISITE_OF:
                self.prereq[r.dst].append(r.src)
            elif r.type is RelationType.ADDRESSES:
                self.addresses[r.src].append(r.dst)

    def _pick(self, ids: list[str]) -> Concept:
        return self.by_id[self.rng.choice(ids)] if ids else self.rng.choice(self.concepts)

    def question(self) -> tuple[str, str, str]:
        rng = self.rng
        c, d = rng.sample(self.concepts, 2)
        s = rng.choice(SCENARIOS)
        level = rng.randrange(4)
        title = rng.choice(TITLES[level]).format(c=_name(c) if rng.random() < 0.6 else c.name,
                                                 d=d.name, s=s)
        parts: list[str] = []
        target = rng.randint(150, 400)
        while sum(map(len, parts)) < target:
            p, a = self._pick(self.prereq[c.id]), self._pick(self.addresses[c.id])
            parts.append(rng.choice(SENTENCES).format(
                c=_name(c), e=_english(c), d=_name(d), p=_name(p), a=_name(a), s=s,
                cat=c.category, summary=(c.summary or f"它和{_name(d)}关系密切").rstrip("。"),
            ))
        answer = "".join(parts)
        analysis = f"考察对{c.name}的掌握程度，可以延伸到{d.name}。" if rng.random() < 0.3 else ""
        return title, answer, analysis


def generate(lexicon: Lexicon, n: int, seed: int = 7) -> Iterator[tuple[str, str, str]]:
    """Yield n (title, answer, analysis) with unique titles, the same for the same seed."""
    composer, seen = _Composer(lexicon, seed), set()
    while len(seen) < n:
        title, answer, analysis = composer.question()
        if title not in seen:
            seen.add(title)
            yield title, answer, analysis


def _sample_format(rows: list[tuple[str, str, str]]) -> str:
    out = []
    for title, answer, analysis in rows:
        out.append(f"● {title}\n参考回答:\n{answer}\n")
        if analysis:
            out.append(f"解析:{analysis}\n")
    return "".join(out)


def _markdown(rows: list[tuple[str, str, str]]) -> str:
    out = ["# 合成题库\n\n## 综合\n"]
    for title, answer, analysis in rows:
        out.append(f"\n### {title}\n\n{answer}\n")
        if analysis:
            out.append(f"\n**解析：** {analysis}\n")
    return "".join(out)


def _jsonl(rows: list[tuple[str, str, str]]) -> str:
    return "".join(
        json.dumps({"question": t, "answer": a, "analysis": x}, ensure_ascii=False) + "\n"
        for t, a, x in rows
    )


# every tenth file is JSONL and every tenth Markdown, as mixed real banks are
_FORMATS = {8: (".md", _markdown), 9: (".jsonl", _jsonl)}


def write_bank(lexicon: Lexicon, n: int, folder: Path, seed: int = 7) -> list[Path]:
    """Write n questions in files of PER_FILE questions (mostly sample format); return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, batch = [], []
    for row in generate(lexicon, n, seed):
        batch.append(row)
        if len(batch) == PER_FILE:
            paths.append(_flush(folder, len(paths), batch))
            batch = []
    if batch:
        paths.append(_flush(folder, len(paths), batch))
    return paths


def _flush(folder: Path, index: int, rows: list[tuple[str, str, str]]) -> Path:
    suffix, render = _FORMATS.get(index % 10, (".txt", _sample_format))
    path = folder / f"bank-{index:04d}{suffix}"
    path.write_text(render(rows), encoding="utf-8")
    return path
