"""One error hierarchy, rooted in ZhituError. Messages name the thing at fault."""

from __future__ import annotations


class ZhituError(Exception):
    """Base of every error zhitu raises on purpose; the message is one line for the user."""


class InputError(ZhituError):
    """A bank or lexicon file that cannot be used (message names file and line)."""


class LexiconError(InputError):
    """A bad entry in the concept lexicon (message names the concept and field)."""


class NotFoundError(ZhituError):
    """A question or concept that is not in the graph."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class QuestionNotFound(NotFoundError):
    """No question matches the reference."""


class AmbiguousQuestion(QuestionNotFound):
    """Several different questions have that exact title; the suggestions name each by id."""


class ConceptNotFound(NotFoundError):
    """No concept matches the reference."""


class StoreError(ZhituError):
    """The graph store cannot be opened, read or written."""


class StoreUnavailable(StoreError):
    """The store's server cannot be reached or refuses the credentials."""
