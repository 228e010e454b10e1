"""Deterministic synthetic question banks composed from the lexicon's concepts and templates.

Each question asks about one concept (the four levels: definition, principle, comparison,
derivation); its answer is 150-400 characters of Chinese with the English names mixed in, and
cites what the lexicon says about the concept (its prerequisites, what it addresses, what it is
contrasted with, its category and summary). Titles are unique; the same seed gives the same bank.
Files hold PER_FILE questions (so ingest can work on files or chunks); most are in the user's
sample format, every tenth file Markdown and every tenth JSONL, as mixed real banks are.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from zhitu.graph.model import Concept, RelationType
from zhitu.ingest.lexicon import CATEGORIES, Lexicon

PER_FILE = 1000
_LATIN = re.compile("[A-Za-z]{2}")
MIN_ANSWER, MAX_ANSWER = 150, 400
SCENARIOS = (
    "图像分类", "目标检测", "语义分割", "机器翻译", "文本分类", "语音识别", "推荐系统", "问答系统",
    "时间序列预测", "人脸识别", "情感分析", "命名实体识别", "图像生成", "异常检测", "医学影像",
    "自动驾驶", "搜索排序", "视频理解", "对话系统", "OCR",
)
TITLES = {
    0: ("什么是{c}？请举例说明", "{c}是什么？有什么特点", "在{s}任务中，什么是{c}？",
        "简述{c}的定义（{s}场景）"),
    1: ("{c}的原理是什么？", "{c}在{s}中的作用是什么？", "为什么{s}模型要使用{c}？",
        "{c}是如何工作的？"),
    2: ("{c}和{d}的区别是什么？", "在{s}中，{c}相比{d}有哪些优缺点？", "{c}与{d}如何选择？"),
    3: ("写出{c}的计算公式", "如何实现{c}？请结合{s}说明", "推导{c}的梯度（{s}）"),
}
# answer sentences: {p} needs a prerequisite, {a} something the concept addresses
SENTENCES = (
    "{c}（{e}）是{cat}中的常见概念，{summary}。",
    "理解{c}之前需要先掌握{p}，否则很难看懂它的推导。",
    "{c}建立在{p}的基础上，面试时最好先讲清楚{p}再展开。",
    "{c}可以缓解{a}，这也是面试中经常被追问的地方。",
    "引入{e}主要是为了解决{a}带来的训练困难。",
    "在{s}任务里，{c}通常和{d}一起讨论，工程上要注意数值稳定性。",
    "和{d}相比，{c}的计算量不同，适用的数据规模也不同，需要结合显存和延迟预算来权衡。",
    "很多候选人会把{c}和{d}混为一谈，回答时最好先给出定义，再说明两者在目标和计算方式上的差别。",
    "从实现上看，{e}一般只需要几行代码，但超参数的选择会明显影响收敛速度和最终精度。",
    "在PyTorch或TensorFlow里，{e}都有现成的实现，调参时重点关注batch size和learning rate。",
    "实践中如果训练不稳定，可以先检查学习率、初始化和数据预处理，再考虑调整{c}。",
    "{s}的论文里经常能看到{e}，复现时要留意作者给出的默认配置。",
    "面试官追问{c}的细节时，可以从直觉、公式和代码三个层面依次回答。",
    "如果只记住一句话，那就是{c}改变了模型看待数据的方式，而不是简单地增加参数。",
    "{c}的效果依赖数据分布，在{s}这类场景下需要做消融实验来确认收益。",
    "总结一下，{c}属于{cat}，常与{d}对比，掌握它有助于理解后续更复杂的模型。",
)


def _name(c: Concept) -> str:
    return c.zh or c.name


def _english(c: Concept) -> str:
    latin = [a for a in [c.name, *c.aliases] if a.isascii()]
    return latin[0] if latin else c.name


class _Composer:
    """Draws questions from one random generator, so a seed fixes the whole bank."""

    def __init__(self, lexicon: Lexicon, seed: int) -> None:
        self.rng = random.Random(seed)
        self.concepts = sorted(lexicon.concepts.values(), key=lambda c: c.id)
        self.by_id = lexicon.concepts
        self.prereq: dict[str, list[str]] = defaultdict(list)
        self.addresses: dict[str, list[str]] = defaultdict(list)
        self.contrasts: dict[str, list[str]] = defaultdict(list)
        self.category: dict[str, list[str]] = defaultdict(list)
        for c in self.concepts:
            self.category[c.category].append(c.id)
        for r in sorted(lexicon.relations, key=lambda r: r.key):
            if r.type is RelationType.PREREQUISITE_OF:
                self.prereq[r.dst].append(r.src)
            elif r.type is RelationType.ADDRESSES:
                self.addresses[r.src].append(r.dst)
            elif r.type is RelationType.CONTRASTS_WITH:
                self.contrasts[r.src].append(r.dst)
                self.contrasts[r.dst].append(r.src)

    def title(self) -> tuple[str, Concept, Concept, str]:
        """A title, its concept, the concept it is compared with, and its scenario."""
        rng = self.rng
        c = rng.choice(self.concepts)
        peers = self.contrasts[c.id] or [p for p in self.category[c.category] if p != c.id]
        d = self.by_id[rng.choice(peers)] if peers else rng.choice(self.concepts)
        s = rng.choice(SCENARIOS)
        template = rng.choice(TITLES[rng.randrange(4)])
        return template.format(c=_name(c) if rng.random() < 0.6 else c.name, d=d.name, s=s), c, d, s

    def answer(self, c: Concept, d: Concept, s: str) -> str:
        rng = self.rng
        p = self.by_id[rng.choice(self.prereq[c.id])] if self.prereq[c.id] else None
        a = self.by_id[rng.choice(self.addresses[c.id])] if self.addresses[c.id] else None
        fields = {"c": _name(c), "e": _english(c), "d": _name(d), "s": s,
                  "p": _name(p) if p else "", "a": _name(a) if a else "",
                  "cat": CATEGORIES.get(c.category, c.category),
                  "summary": (c.summary or f"它和{_name(d)}关系密切").rstrip("。")}
        usable = [t for t in SENTENCES
                  if (p or "{p}" not in t) and (a or "{a}" not in t)]
        rng.shuffle(usable)
        sentences = [t.format(**fields) for t in usable]
        first = next(i for i, t in enumerate(sentences) if _LATIN.search(t))
        sentences.insert(0, sentences.pop(first))  # so every answer has English in it
        target = rng.randint(MIN_ANSWER, MAX_ANSWER)
        answer = ""
        for sentence in sentences:
            if len(answer) + len(sentence) > MAX_ANSWER:
                continue
            answer += sentence
            if len(answer) >= target:
                break
        return answer


def generate(lexicon: Lexicon, n: int, seed: int = 7) -> Iterator[tuple[str, str, str]]:
    """Yield n (title, answer, analysis) with unique titles, the same for the same seed."""
    composer, seen = _Composer(lexicon, seed), set()
    while len(seen) < n:
        title, c, d, s = composer.title()
        if title in seen:
            continue
        seen.add(title)
        analysis = f"考察对{c.name}的掌握程度，可以延伸到{d.name}。"
        yield title, composer.answer(c, d, s), analysis if composer.rng.random() < 0.3 else ""


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


Render = Callable[[list[tuple[str, str, str]]], str]
# every tenth file is Markdown and every tenth JSONL
_FORMATS: dict[int, tuple[str, Render]] = {8: (".md", _markdown), 9: (".jsonl", _jsonl)}


def write_bank(lexicon: Lexicon, n: int, folder: Path, seed: int = 7) -> list[Path]:
    """Write n questions in files of PER_FILE questions; return the paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    batch: list[tuple[str, str, str]] = []
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


# --- a bank shaped like the public ones: chapters of nested Markdown, long answers ---
STRUCTURED_BYTES = 1_000_000
_SUBSECTIONS = ("模型结构", "优缺点", "常见追问")  # same titles under every concept, as real banks


def _structured_answer(composer: _Composer, c: Concept, d: Concept, s: str) -> str:
    """About 600 characters: paragraphs, a numbered list, a formula, sometimes a table."""
    rng = composer.rng
    parts = [composer.answer(c, d, s), composer.answer(c, d, s)]
    steps = [f"{i}. {t}" for i, t in enumerate(
        ("先说明定义和动机", f"再对比{_name(d)}", "最后结合代码或实验结果"), 1)]
    parts.append("回答思路：\n\n" + "\n".join(steps))
    parts.append(f"$$ y = f_{{\\theta}}(x) + \\lambda \\lVert \\theta \\rVert^2 $$ 其中 "
                 f"$\\lambda$ 控制{_name(c)}的强度。")
    if rng.random() < 0.2:
        parts.append(f"| 方法 | 特点 |\n|---|---|\n| {c.name} | {_name(c)} |\n"
                     f"| {d.name} | {_name(d)} |")
    return "\n\n".join(parts)


def write_structured_bank(lexicon: Lexicon, folder: Path, size: int = STRUCTURED_BYTES,
                          seed: int = 5) -> list[Path]:
    """About `size` bytes of Markdown chapters (one per lexicon category, one file each):
    # chapter, ## concept, ### question or a same-titled subsection (模型结构 under every
    concept) with #### questions, bold question lines, long answers, a reference section."""
    folder.mkdir(parents=True, exist_ok=True)
    composer = _Composer(lexicon, seed)
    chapters = sorted(composer.category)
    texts: dict[str, list[str]] = {k: [f"# {CATEGORIES.get(k, k)}\n"] for k in chapters}
    written, seen = 0, set()
    while written < size:
        title, c, d, s = composer.title()
        if title in seen:
            continue
        seen.add(title)
        out = texts[c.category]
        block = f"\n## {c.name}\n\n### {title}\n\n{_structured_answer(composer, c, d, s)}\n"
        sub = composer.rng.choice(_SUBSECTIONS)
        block += (f"\n### {sub}\n\n#### {_name(c)}的{sub}是什么？\n\n"
                  f"{composer.answer(c, d, s)}\n\n**{_name(c)}和{_name(d)}的区别？**\n\n"
                  f"{composer.answer(d, c, s)}\n")
        out.append(block)
        written += len(block.encode("utf-8"))
    paths = []
    for i, k in enumerate(k for k in chapters if len(texts[k]) > 1):
        body = "".join(texts[k]) + "\n## 参考文献\n\n- [教材](https://example.org/book)\n"
        path = folder / f"{i:02d}-{k}.md"
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    return paths
