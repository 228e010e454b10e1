"""ingest/scan.py: what each question gives on its own, serially or in a pool (issue 19)."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import run_alone
from zhitu import data
from zhitu.ingest import scan
from zhitu.ingest.discover import discover, to_concepts, with_discovered
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.pipeline import _to_question
from zhitu.ingest.read import group_questions, read_paths


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def questions() -> list:
    return [_to_question(g) for g in group_questions(read_paths([data.QUESTIONS_DIR]).questions)]


def test_a_rescan_after_a_scan_gives_what_a_full_rescan_gives(questions: list,
                                                              lexicon: Lexicon) -> None:
    first = scan.Scanner(lexicon)
    scans = scan.scan(questions, first)
    terms = discover(questions, [a.found for a in scans], [a.sentences for a in scans],
                     [a.terms for a in scans], lexicon)
    extended = with_discovered(lexicon, to_concepts(terms, lexicon))
    touched, every = copy.deepcopy(scans), copy.deepcopy(scans)
    scan.rescan(questions, touched, extended, first)  # compared with the scan's own
    scan.rescan(questions, every, extended)
    assert touched == every and touched != scans


def test_a_small_bank_in_a_pool_gives_what_the_serial_loop_gives() -> None:
    out = run_alone("""
        from zhitu import data
        from zhitu.ingest import scan
        from zhitu.ingest.lexicon import load_lexicon
        from zhitu.ingest.pipeline import _to_question
        from zhitu.ingest.read import group_questions, read_paths

        read = read_paths([data.QUESTIONS_DIR]).questions
        questions = [_to_question(g) for g in group_questions(read)]
        scanner = scan.Scanner(load_lexicon())
        assert scan.workers_for(len(questions), 2) == 2  # the pool is used here
        calls = []
        pooled = scan.scan(questions, scanner, 2, lambda i, n: calls.append((i, n)))
        assert pooled == scan.scan(questions, scanner, 1)
        assert calls == sorted(calls) and calls[-1] == (2 * len(questions),) * 2
        print(len(questions))
    """)
    assert int(out) > 250  # the bundled bank, more than one chunk a worker
