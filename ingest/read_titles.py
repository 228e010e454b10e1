"""What a heading's title says about its section: not a question at all, generic, or a question.

- non_question(title): the reason a heading holds no question (参考文献/References, TODO, 目录,
  致谢, 附录, 小结/总结), or "".
- is_generic(title): the title says nothing without its parent: made only of generic words
  (模型结构, 网络架构, 实验结果, 优缺点, 定义, 区别 …), or a question without a subject
  ("有什么优点？"). A generic section is titled with its parent: "AlexNet · 模型结构".
- asks(title): a question by its form (？, 什么, 如何 …) that has a subject of its own.

The rules are written down for users in docs/READING.md.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from zhitu.ingest.read_common import clean_title, looks_like_question

REFERENCES = "参考文献"
TODO = "TODO 占位"
TOC = "目录"
SUMMARY = "小结"
SOURCE = "原文链接"  # a heading naming where the article came from: the article is its body
SEPARATOR = " · "  # between a generic title and its parent's

_NON_QUESTION = {
    REFERENCES: (
        "参考文献", "参考资料", "参考", "参考链接", "参考文章", "参考博客", "参考论文", "相关文献",
        "相关链接", "相关阅读", "延伸阅读", "扩展阅读", "推荐阅读", "引用", "文献", "资料",
        "references", "reference", "furtherreading", "links", "书籍视频", "推荐书籍", "学习资料",
        "学习资源", "资源", "资源汇总",
    ),
    SOURCE: ("原文链接", "原文", "原文地址", "文章来源", "来源", "转载自", "阅读原文"),
    TOC: ("目录", "toc", "contents", "tableofcontents", "index", "索引"),
    "致谢": ("致谢", "鸣谢", "感谢", "acknowledgements", "acknowledgments", "acknowledgement",
           "贡献者", "贡献人员", "版权声明", "声明", "license", "更新日志", "修改记录"),
    "附录": ("附录", "appendix"),
    SUMMARY: ("小结", "总结", "本章小结", "本节小结", "本章总结", "本节总结", "章节小结",
              "总结一下",
            "summary", "结语"),
}
_BY_WORD = {w: reason for reason, words in _NON_QUESTION.items() for w in words}
_TODO = re.compile(r"(?:todo|tbd|待补充|待更新|待完善|未完待续|施工中|coming soon)+", re.I)
_LINK_TAIL = re.compile(r"[(（【\[].*$|https?://\S*$")

# words that name a kind of section, not a subject (longest first when stripped)
_GENERIC_WORDS = sorted(
    """方法 方案 介绍 简介 概述 概念 概览 综述 定义 结构 架构 特性 特点 性质 设计 思想 思路
    实验 结果 效果 性能 表现 评估 分析 对比 比较 区别 联系 异同 差异 关系 优点 缺点 优缺点
    优势 劣势 不足 局限 局限性 缺陷 改进 创新 创新点 贡献 动机 意义 背景 目的 作用 用途 应用
    场景 原理 机制 核心 基本 主要 关键 总体 整体 具体 详细 细节 详解 解读 讲解 说明 示例
    例子 举例 实例 案例 实现 代码 源码 伪代码 实践 demo 流程 步骤 过程 推导 计算 使用 用法
    技巧 注意 注意事项 事项 要点 问题 疑问 补充 其他 其它 其余 总结 小结 回顾 引言 前言 导言
    论文 文章 原文 知识点 组成 模块 部分 组件 主干 类型 种类 方式 形式 策略 改进点 创新之处
    主要贡献 核心思想 基本思想 设计思想 模型介绍 模型结构 模型特性 模型特点 模型架构
    网络结构 网络架构 网络设计 整体结构 整体网络结构 网络整体结构 算法流程 算法原理 算法过程
    算法步骤 算法思想 实验结果 实验评估 训练结果 训练结果对比 net io code overview
    introduction intro summary conclusion abstract experiment experiments result results
    architecture structure motivation method methods details detail implementation
    background advantages disadvantages pros cons usage example examples 什么 为什么 如何
    怎么 怎样 怎么样 哪些 哪个 哪里 多少 是否 吗 呢 吧 请 简述 简单 简要 说说 谈谈 讲讲 一下
    下 有 是 能 会 要 需要 可以 的 和 与 及 以及 或 或者 之 其 它 它们 这 这个 那 该 些 个
    一 二 三 四 五 六 七 八 九 十 几 种 点 大 小 新 旧 上 中 下 前 后 为 在 对 了 着 过 所
    中的 之间""".split(),
    key=len,
    reverse=True,
)


def _compact(title: str) -> str:
    """A title as compared here: cleaned, normalized, without spaces, punctuation or symbols.

    >>> _compact("### 4.1.2 模型结构：")
    '模型结构'
    """
    text = unicodedata.normalize("NFKC", clean_title(title)).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] not in "PZCS")


def non_question(title: str) -> str:
    """The reason a heading holds no question, or "".

    >>> non_question("## 9. 参考文献"), non_question("References"), non_question("- [ ] TODO")
    ('参考文献', '参考文献', 'TODO 占位')
    >>> non_question("原文链接（https://example.com/p/1）"), non_question("什么是参考文献管理")
    ('原文链接', '')
    """
    if is_todo(title):
        return TODO
    key = _compact(_LINK_TAIL.sub("", clean_title(title)))
    return _BY_WORD.get(key, "")


def is_todo(text: str) -> bool:
    """A placeholder line instead of an answer.

    >>> is_todo("- [ ] TODO"), is_todo("待补充"), is_todo("TODO: 补上推导过程")
    (True, True, False)
    """
    key = re.sub(r"^\s*(?:[-*+]\s+)?(?:\[[ xX]\]\s*)?", "", text)
    key = "".join(c for c in key.lower() if unicodedata.category(c)[0] not in "PZCS")
    return bool(key) and _TODO.fullmatch(key) is not None


def is_generic(title: str) -> bool:
    """The title names a kind of section, not a subject, so it needs its parent's title.

    >>> [is_generic(t) for t in ("模型结构", "4.2.3 实验结果", "区别", "简洁：", "有什么优缺点？")]
    [True, True, True, False, True]
    >>> [is_generic(t) for t in ("AlexNet", "什么是RNN", "卷积层", "Net", "为什么要归一化？")]
    [False, False, False, True, False]
    """
    rest = _compact(title)
    if not rest:
        return True
    for _ in range(20):
        if not rest:
            return True
        word = next((w for w in _GENERIC_WORDS if rest.startswith(w)), None)
        if word is None:
            return rest.isdigit()
        rest = rest[len(word) :]
    return False


def asks(title: str) -> bool:
    """A question by its form, with a subject of its own.

    >>> asks("为什么需要激活函数？"), asks("区别"), asks("AlexNet")
    (True, False, False)
    """
    return looks_like_question(title) and not is_generic(title)


def context_name(file: str) -> str:
    """What a file is about, from its name (README/index: its folder), numbering dropped.

    >>> context_name("ML-NLP/Deep Learning/11. CNN/README.md"), context_name("bank/RNN基础.md")
    ('CNN', 'RNN基础')
    """
    path = Path(file)
    stem = path.stem
    if stem.lower() in ("readme", "index", "main") and path.parent.name:
        stem = path.parent.name
    name = clean_title(stem)
    return "" if is_generic(name) else name
