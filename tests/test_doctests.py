"""Every module's doctests, found by walking the installed package (no hand-kept list)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import zhitu

MODULES = sorted(m.name for m in pkgutil.walk_packages(zhitu.__path__, "zhitu."))


def test_every_layer_is_walked() -> None:
    layers = {name.split(".")[1] for name in MODULES}
    assert {"text", "graph", "ingest", "ui", "data"} <= layers


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0


def test_most_modules_have_examples() -> None:
    tried = sum(doctest.testmod(importlib.import_module(n)).attempted > 0 for n in MODULES)
    assert tried >= 20, tried
