"""Bundled data: the question bank and the concept lexicon."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
LEXICON_PATH = DATA_DIR / "concepts.yaml"
QUESTIONS_DIR = DATA_DIR / "questions"
