"""What a heading's title says about its section: not a question at all, generic, or a question.

- non_question(title): the reason a heading holds no question (参考文献/References/Papers,
  also misspelt by a letter, TODO, 目录/RoadMap, 致谢, 附录, 小结/总结, 前言, 符号说明, 项目说明,
  推广, a dated news or log entry), or "".
- is_aspect(title): a generic title that does not ask (动机, 代码实现): decided by its parent.
- is_collection(raw_title): a chapter or a collection (第五章 …, …面试题汇总): a file's title
  that introduces the file.
- is_generic(title): the title says nothing without its parent: made only of generic words
  (模型结构, 网络架构, 实验结果, 优缺点, 定义, 区别 …), or a question without a subject
  ("有什么优点？"). A generic section is titled with its parent: "AlexNet · 模型结构".
- asks(title): a question by its form (？, 什么, 如何 …) that has a subject of its own.

The rules are written down for users in docs/READING.md.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from zhitu.ingest.read_common import clean_title, looks_like_question

REFERENCES = "参考文献"
TODO = "TODO 占位"
TOC = "目录"
SUMMARY = "小结"
INTRO = "前言"  # an introduction: joins the section it opens, or is the file's introduction
NOTATION = "符号说明"  # notation: joins the section it explains
PROJECT = "项目说明"  # about the bank itself: authors, how to use it, why it exists
ADVERT = "推广"  # groups to join, QR codes, paid offers, star badges
FILE_INTRO = "文件简介"  # the text under a file's title that introduces the file
QUESTION_LIST = "题目列表（没有答案）"  # a list of questions without answers under a title
LINKS = "链接列表"  # a section, or the end of one, made of links and citations
SOURCE = "原文链接"  # a heading naming where the article came from: the article is its body
SEPARATOR = " · "  # between a generic title and its parent's

_NON_QUESTION = {
    REFERENCES: (
        "参考文献", "参考资料", "参考", "参考链接", "参考文章", "参考博客", "参考论文", "相关文献",
        "相关链接", "相关阅读", "延伸阅读", "扩展阅读", "推荐阅读", "引用", "文献", "资料",
        "references", "reference", "furtherreading", "links", "书籍视频", "推荐书籍", "学习资料",
        "学习资源", "资源", "资源汇总", "引用文献", "参考引用", "参考来源", "参考博文",
        "参考网址", "参考网站", "参考教程", "参考书籍", "参考书目", "参考内容", "参考代码",
        "相关文章", "相关论文", "相关专题", "相关资源", "相关资料", "相关内容", "相关推荐",
        "相关项目", "更多", "更多资料", "更多内容", "更多阅读", "更多资源", "推荐文章",
        "推荐资源", "推荐资料", "推荐博客", "论文链接", "论文地址", "论文列表",
        "代码地址", "代码链接", "项目地址", "源码地址", "官方文档", "传送门",
        "友情链接", "外部链接", "其他资源", "其它资源", "其他资料", "其它资料", "其它干货",
        "其他干货", "papers", "paper", "seealso", "resources", "resource", "readings",
        "bibliography", "citations", "citation", "relatedwork", "relatedlinks", "morereading",
        "literature", "relatedliterature",
    ),
    SOURCE: ("原文链接", "原文", "原文地址", "文章来源", "来源", "转载自", "阅读原文"),
    TOC: ("目录", "目录预览", "toc", "contents", "tableofcontents", "index", "索引", "roadmap",
          "问题列表", "题目列表", "题目目录", "文章列表", "文章目录", "内容列表", "导航",
          "快速导航", "大纲", "内容大纲", "sidebar", "catalog", "outline"),
    "致谢": ("致谢", "鸣谢", "感谢", "acknowledgements", "acknowledgments", "acknowledgement",
           "贡献者", "贡献人员", "版权声明", "声明", "license", "更新日志", "修改记录",
           "特别感谢", "贡献", "贡献名单", "贡献者名单", "contributors", "contributor",
           "changelog", "免责声明", "版权", "copyright"),
    "附录": ("附录", "appendix"),
    SUMMARY: ("小结", "总结", "本章小结", "本节小结", "本章总结", "本节总结", "章节小结",
              "总结一下", "本文小结", "本文总结", "全文总结", "文章总结", "结束语",
              "summary", "结语", "conclusion", "conclusions", "最后", "写在最后", "写在后面",
              "最后的话", "后记", "尾声"),
    INTRO: ("前言", "引言", "写在前面", "写在最前面", "写在开头", "导读", "导言", "序",
            "序言", "开篇", "看前必读", "阅读说明", "阅读须知", "说明", "preface",
            "foreword", "前情提要"),
    NOTATION: ("符号说明", "符号", "符号表", "符号约定", "记号", "记号说明", "记号约定",
               "notation", "notations", "symbols"),
    PROJECT: ("内容简介", "作者简介", "关于作者", "作者介绍", "作者", "关于", "关于我",
              "关于我们", "关于本项目", "项目介绍", "项目简介", "项目说明", "仓库简介",
              "本书简介", "全书简介", "简介与目录", "使用说明", "使用方法", "如何使用",
              "食用方法", "食用指南", "如何贡献", "贡献指南", "参与贡献", "contributing",
              "contribution", "howtocontribute", "about", "aboutme", "author", "authors",
              "负责人", "联系方式", "联系我们", "联系作者", "联系我", "交流", "交流群",
              "加入我们", "更新", "更新记录", "最近更新", "计划", "todolist", "待办"),
    ADVERT: ("star", "starhistory", "stargazers", "赞助", "打赏", "赞赏", "捐赠", "donate",
             "sponsor", "sponsors", "公众号", "广告", "招聘", "内推", "二维码", "知识星球"),
}
_ASKING = ("什么", "为什么", "如何", "怎么", "怎样", "哪些", "哪个", "是否", "吗")
_BY_WORD = {w: reason for reason, words in _NON_QUESTION.items() for w in words}
# English section names long enough that a one-letter slip ("Refernence") still names them
_SPELLED = sorted(w for w in _BY_WORD if w.isascii() and len(w) >= 7)
DATED = "带日期的条目"  # a news digest or a log entry ("【2018.11】…", "2018-9-27")
_DATED = re.compile(r"^\s*[【\[(（]?\s*(?:19|20)\d\d\s*[.\-/年]\s*\d{1,2}(?!\d)")
# "VQA 的评价方法 TODO": a section the author marked unfinished (read_markdown drops the mark)
TODO_TAIL = re.compile(r"[\s\-—:：(（【\[]+(?:todo|tbd|待补充|待完善|待更新|待续|未完待续)"
                        r"\s*[)）】\]]?\s*$", re.I)
TODO_CHARS = 120  # longer lines are never placeholders
_TODO = re.compile(
    r"(?:todo|tbd|wip|待补充|待更新|待完善|待续|未完待续|施工中|coming soon|to be continued"
    r"|敬请期待|暂无|暂缺|待写|待补|待添加|未完成|占位|placeholder|略)+",
    re.I,
)
_LATER = re.compile(r"(?:有时间|有空|以后|之后|后续|回头|日后)再?(?:整理|补充|更新|补|写)")
_CLAUSE = re.compile(r"[，,。；;！!～~…]+")
_LINK_TAIL = re.compile(r"[(（【\[].*$|https?://\S*$")
# a title about the bank itself or an offer, whatever else it says
_ADVERT = re.compile(r"交流群|求职群|微信群|qq群|加群|入群|进群|公众号|知识星球|二维码|扫码"
                     r"|打赏|赞赏|赞助|捐赠|star history|售卖|购买链接|优惠", re.I)
_PROJECT = re.compile(r"^(?:注|注意|备注|ps|p\.s\.)\s*[:：]|此仓库|本仓库|该仓库|这个仓库"
                      r"|本项目|此项目|该项目|本书|此书|本文档|本教程|本资料|^写在.{0,4}前面"
                      r"|this (?:repo|resource|project|book|guide)"
                      r"|^《[^》]{1,40}》\s*(?:第.版)?\s*(?:简介|介绍|说明|目录)$", re.I)
_THANKS = re.compile(r"(?:特别|最后)?(?:感谢|鸣谢|致谢)")
# a title that names a chapter or a whole collection of questions, not one subject
_CHAPTER = re.compile(r"^\s*(?:#+\s*)?(?:第\s*[\d一二三四五六七八九十百]{1,4}\s*[章节篇部讲]"
                      r"|chapter\s*\d|ch\d)", re.I)
_COLLECTION = re.compile(r"面试题|面经|面试宝典|宝典|题库|题集|汇总|合集|大全|笔记|手册|指南|专题"
                         r"|(?:\d+|[一二三四五六七八九十百千]{2,})\s*[问题]"
                         r"|interview|questions|cheat ?sheet|notes", re.I)

# words that name a kind of section, not a subject (longest first when stripped)
_GENERIC_WORDS = sorted(
    """方法 方案 介绍 简介 概述 概念 概览 综述 定义 结构 架构 特性 特点 性质 设计 思想 思路
    实验 结果 效果 性能 表现 评估 分析 对比 比较 区别 联系 异同 差异 关系 优点 缺点 优缺点
    优势 劣势 不足 局限 局限性 缺陷 改进 创新 创新点 贡献 动机 意义 背景 目的 作用 用途 应用
    场景 原理 机制 核心 基本 主要 关键 总体 整体 具体 详细 细节 详解 解读 讲解 说明 示例
    例子 举例 实例 案例 实现 代码 源码 伪代码 实践 demo 流程 步骤 过程 推导 计算 使用 用法
    技巧 注意 注意事项 事项 要点 问题 疑问 补充 其他 其它 其余 总结 小结 回顾 引言 前言 导言
    常用 常见
    论文 文章 原文 知识点 组成 模块 部分 组件 主干 类型 种类 方式 形式 策略 改进点 创新之处
    主要贡献 核心思想 基本思想 设计思想 模型介绍 模型结构 模型特性 模型特点 模型架构
    网络结构 网络架构 网络设计 网络模型结构 整体结构 整体网络结构 网络整体结构 算法流程 算法原理
    算法过程 算法步骤 算法思想 实验结果 实验评估 训练结果 训练结果对比 原因 结论 完整 演示 思考 讨论
    拓展 扩展 进阶 答案 解答 回答 题目 重点 模板 net io code overview
    introduction intro summary conclusion abstract experiment experiments result results
    architecture structure motivation method methods details detail implementation
    background advantages disadvantages pros cons usage example examples model features
    feature principle principles the of to and 什么 为什么 如何
    怎么 怎样 怎么样 哪些 哪个 哪里 多少 是否 吗 呢 吧 请 简述 简单 简要 说说 谈谈 讲讲 一下
    下 有 是 能 会 要 需要 可以 的 和 与 及 以及 或 或者 之 其 它 它们 这 这个 那 该 些 个
    一 二 三 四 五 六 七 八 九 十 几 种 点 大 小 新 旧 上 中 下 前 后 为 在 对 了 着 过 所
    中的 之间""".split(),
    key=len,
    reverse=True,
)
# alternatives are tried in order: a match is the first word (longest first) rest starts with
_GENERIC_WORD = re.compile("|".join(map(re.escape, _GENERIC_WORDS)))


# a framework or language before a generic word: "Keras 实现" is the implementation part
_TOOL = re.compile(r"keras|pytorch|torch|tensorflow2?|tf2?|python3?|numpy|cpp|c|java|matlab"
                   r"|paddlepaddle|paddle|mxnet|caffe2?|sklearn|scikitlearn|opencv|jax|cuda")


def _compact(title: str) -> str:
    """A title as compared here: cleaned, normalized, without spaces, punctuation or symbols.

    >>> _compact("### 4.1.2 模型结构：")
    '模型结构'
    """
    text = unicodedata.normalize("NFKC", clean_title(title)).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] not in "PZCS")


@functools.lru_cache(maxsize=1 << 14)  # a title is tested when read, for chains and related
def non_question(title: str) -> str:
    """The reason a heading holds no question, or "".

    >>> non_question("## 9. 参考文献"), non_question("References"), non_question("- [ ] TODO")
    ('参考文献', '参考文献', 'TODO 占位')
    >>> non_question("原文链接（https://example.com/p/1）"), non_question("什么是参考文献管理")
    ('原文链接', '')
    >>> non_question("Papers"), non_question("**RoadMap**"), non_question("符号说明")
    ('参考文献', '目录', '符号说明')
    >>> non_question("加入算法求职群的方式"), non_question("为什么本仓库会一直更新？")
    ('推广', '项目说明')
    """
    if is_todo(title):
        return TODO
    cleaned = clean_title(title)
    key = _compact(_LINK_TAIL.sub("", cleaned))
    if key in _BY_WORD or key.rstrip("0123456789") in _BY_WORD:  # "目录 2": a page number
        return _BY_WORD.get(key) or _BY_WORD[key.rstrip("0123456789")]
    if misspelt := _misspelt(key):
        return _BY_WORD[misspelt]
    if _DATED.match(title):
        return DATED
    if _ADVERT.search(cleaned):
        return ADVERT
    if _THANKS.match(cleaned):
        return "致谢"
    return PROJECT if _PROJECT.search(cleaned) else ""


def _misspelt(key: str) -> str:
    """The English section name a key misspells by one letter, or "" (same first letter).

    >>> _misspelt("refernence"), _misspelt("acknowlegements"), _misspelt("preference")
    ('reference', 'acknowledgements', '')
    """
    if not key.isascii() or len(key) < 7 or key in _BY_WORD:
        return ""
    for word in _SPELLED:
        if word[0] == key[0] and abs(len(word) - len(key)) <= 1:
            if Levenshtein.distance(word, key, score_cutoff=1) <= 1:
                return word
    return ""


def is_collection(raw_title: str) -> bool:
    """The title (as written, numbering kept) names a chapter or a collection of questions.

    >>> is_collection("# 第五章 卷积神经网络"), is_collection("深度学习面试宝典")
    (True, True)
    >>> is_collection("Transformer 灵魂 21 问"), is_collection("卷积神经网络（CNN）")
    (True, False)
    """
    return bool(_CHAPTER.match(raw_title) or _COLLECTION.search(raw_title))


def is_todo(text: str) -> bool:
    """A placeholder line instead of an answer (a short line: a long one is text), also one
    that ends in a placeholder after a short excuse ("今晚没空了，待补充").

    >>> is_todo("- [ ] TODO"), is_todo("待补充"), is_todo("TODO: 补上推导过程")
    (True, True, False)
    >>> is_todo("介绍不多，有时间再整理"), is_todo("先看结论，再整理成表格后比较各自的优缺点")
    (True, False)
    """
    if len(text) > TODO_CHARS:
        return False
    text = re.sub(r"^\s*(?:[-*+]\s+)?(?:\[[ xX]\]\s*)?", "", text)
    # clauses compacted from the end: the last one that is not empty decides most lines
    clauses: list[str] = []
    for c in reversed(_CLAUSE.split(text)):
        if c := _compact(c):
            if not clauses and not (_TODO.fullmatch(c) is not None or (
                    len(c) <= 12 and _LATER.search(c) is not None)):
                return False
            clauses.append(c)
            if len(clauses) > 2:  # the rest need not be compacted
                return False
    return bool(clauses) and all(len(c) <= 12 for c in clauses[1:])


@functools.lru_cache(maxsize=1 << 14)  # a title is asked about again for every question under it
def is_generic(title: str) -> bool:
    """The title names a kind of section, not a subject, so it needs its parent's title.

    >>> [is_generic(t) for t in ("模型结构", "4.2.3 实验结果", "区别", "简洁：", "有什么优缺点？")]
    [True, True, True, False, True]
    >>> [is_generic(t) for t in ("AlexNet", "什么是RNN", "卷积层", "Net", "为什么要归一化？")]
    [False, False, False, True, False]
    >>> [is_generic(t) for t in ("Keras 实现", "PyTorch 代码", "PyTorch", "原因", "Caffe是什么？")]
    [True, True, False, True, False]
    """
    rest = _compact(title)
    tool = _TOOL.match(rest)
    tail = rest[tool.end() :] if tool is not None else ""
    if tail and _generic_words(tail) and not any(w in tail for w in _ASKING):
        return True
    return _generic_words(rest)


def _generic_words(rest: str) -> bool:
    for _ in range(20):
        if not rest:
            return True
        word = _GENERIC_WORD.match(rest)  # the first of _GENERIC_WORDS that rest starts with
        if word is None:
            return rest.isdigit()
        rest = rest[word.end() :]
    return False


_ENGLISH = frozenset("what why how when where which who whom is are was were does do did can could "
                     "should would will the a an of to in on for with and or not than this that "
                     "these those".split())


def in_english(title: str) -> bool:
    """A title written as English text (in a Chinese bank, a translation), not a name: no
    Chinese, and an English function word.

    >>> in_english("What is LSTM?"), in_english("Internal Covariate Shift (ICS)")
    (True, False)
    >>> in_english("Word2Vec"), in_english("Layer normalization")
    (False, False)
    """
    if re.search(r"[\u4e00-\u9fff]", title):
        return False
    return any(w in _ENGLISH for w in re.findall(r"[a-z]+", title.lower()))


def asks(title: str) -> bool:
    """A question by its form, with a subject of its own.

    >>> asks("为什么需要激活函数？"), asks("区别"), asks("AlexNet")
    (True, False, False)
    """
    return looks_like_question(title) and not is_generic(title)


def is_aspect(title: str) -> bool:
    """A generic title that does not ask (动机, 基本原理, 代码实现): a part of its parent's answer
    when the parent holds a question.

    >>> is_aspect("基本原理"), is_aspect("Keras 实现"), is_aspect("有什么优点？"), is_aspect("区别")
    (True, True, False, True)
    """
    rest = clean_title(title).rstrip("：: ")
    if not is_generic(rest) or rest.endswith(("?", "？")):
        return False
    return not any(w in rest for w in _ASKING)


def context_name(file: str) -> str:
    """What a file is about, from its name (README/index: its folder), numbering dropped.

    >>> context_name("ML-NLP/Deep Learning/11. CNN/README.md"), context_name("bank/RNN基础.md")
    ('CNN', 'RNN基础')
    >>> context_name("docs/_sidebar.md"), context_name("参考文献.md")
    ('', '')
    >>> context_name("SVM/demo/README.md")
    'SVM'
    """
    path = Path(file)
    names = [path.stem]
    if path.stem.lower() in ("readme", "index", "main"):  # its folder, or the folder's (demo/)
        names = [p.name for p in path.parents[:3] if p.name]
    for stem in names:
        name = clean_title(stem)
        if name and not is_generic(name) and not non_question(name):
            return name
    return ""
