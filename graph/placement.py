"""Placement: find what a learner already knows in a few yes/no questions (knowledge space theory).

A learner's state over a target's prerequisite closure is a down-set: knowing a concept implies
knowing its prerequisites, not knowing it implies not knowing what needs it. Each question asks
about one concept, chosen so the answer splits the probability of the remaining states as evenly
as possible; answers update the probabilities with a small chance of a careless answer, so one
slip does not decide a state on its own (a surprising answer gets a confirming question). The
walk stops when one state is likely enough.

Stateless: the answers so far go in, the next concept to ask (or None) and the inferred known and
unknown concepts come out; the UI and `zhitu place` keep the answers.

The prior over states is that of a learner who knows each concept "on its own" with chance p and
therefore everything it needs (the down-closure of a random set), averaged over a few p, so
beginners and experts are both likely. States are enumerated when there are at most MAX_STATES;
otherwise a fixed-seed sample of SAMPLE_STATES states drawn from the prior stands in for them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from typing import Any

import numpy as np

CARELESS = 0.05  # chance that one answer is a slip
CONFIDENT = 0.85  # stop when one state has this probability
CONFIRMATIONS = 2  # questions at most after the answers settle on one state
MAX_STATES = 50_000  # enumerated up to this many states, else a sample of SAMPLE_STATES
MAX_ENUMERATED = 48  # concepts: a larger closure is sampled without trying to enumerate
SAMPLE_STATES = 20_000
PRIOR_P = (0.05, 0.3, 0.6, 0.9)  # chance of knowing a concept on its own, averaged over
SAMPLE_SEED = 17


@dataclass(frozen=True)
class Placement:
    ask: str | None  # concept id to ask next, None when done
    known: list[str]  # concept ids inferred known (closure order)
    unknown: list[str]  # concept ids inferred unknown
    asked: int  # answers used
    certainty: float  # probability of the most likely state


def _topological(ancestors: Mapping[str, Set[str]]) -> list[str]:
    return sorted(ancestors, key=lambda c: (len(ancestors[c]), c))


def _states(order: list[str], need: list[int]) -> np.ndarray:
    """Every down-set as a bit mask (ints), or None when there are more than MAX_STATES."""
    states = {0}
    for i, mask in enumerate(need):
        bit = 1 << i
        states |= {s | bit for s in states if s & mask == mask}
        if len(states) > MAX_STATES:
            return None
    return np.array(sorted(states), dtype=object)


def _sampled(anc: np.ndarray) -> np.ndarray:
    """SAMPLE_STATES down-sets drawn from the prior (fixed seed) as a boolean matrix: the
    closure of a random set is every concept some chosen concept needs (or is)."""
    n = len(anc)
    rng = np.random.default_rng(SAMPLE_SEED)
    draws = SAMPLE_STATES * 3
    p = rng.choice(np.array(PRIOR_P), size=(draws, 1))
    chosen = rng.random((draws, n)) < p
    bits = (chosen.astype(np.int32) @ anc.astype(np.int32)) > 0
    bits = np.unique(np.vstack([bits, np.zeros((1, n), bool), np.ones((1, n), bool)]), axis=0)
    if len(bits) > SAMPLE_STATES:
        keep = rng.choice(len(bits), SAMPLE_STATES, replace=False)
        bits = bits[np.sort(keep)]
    return bits


def _bits(states: np.ndarray, n: int) -> np.ndarray:
    """A (states × concepts) boolean matrix."""
    width = max(1, (n + 7) // 8)
    raw = b"".join(int(s).to_bytes(width, "little") for s in states)
    packed = np.frombuffer(raw, dtype=np.uint8).reshape(len(states), width)
    return np.unpackbits(packed, axis=1, bitorder="little")[:, :n].astype(bool)


def _prior(bits: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Probability of each down-set under the averaged closure-of-a-random-set prior: its
    maximal concepts were picked (p each), nothing outside it was (1 - p each)."""
    n = bits.shape[1]
    # a concept is maximal in a state when it is in it and nothing in the state needs it
    needed_by = np.zeros((len(bits), n), dtype=bool)
    for i in range(n):
        deps = need[i, :]  # concepts j that need i
        if deps.any():
            needed_by[:, i] = (bits[:, deps]).any(axis=1)
    maximal = (bits & ~needed_by).sum(axis=1)
    size = bits.sum(axis=1)
    total = np.zeros(len(bits))
    for p in PRIOR_P:
        total += p**maximal * (1 - p) ** (n - size)
    return total / total.sum()


@functools.lru_cache(maxsize=8)
def _space(key: tuple[tuple[str, tuple[str, ...]], ...]
           ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, bool]:
    """The concepts in order, every state as a row of booleans, the prior of each state, the
    closure matrix (anc[j, i]: concept j is or needs concept i) and whether states are a sample."""
    ancestors = {c: set(a) for c, a in key}
    order = _topological(ancestors)
    index = {c: i for i, c in enumerate(order)}
    n = len(order)
    anc = np.eye(n, dtype=bool)  # anc[j, i]: concept j is or needs concept i
    for j, c in enumerate(order):
        for a in ancestors[c]:
            if a in index:
                anc[j, index[a]] = True
    need_masks = [sum(1 << index[a] for a in ancestors[c] if a in index) for c in order]
    states = _states(order, need_masks) if n <= MAX_ENUMERATED else None
    bits = _bits(states, n) if states is not None else _sampled(anc)
    need = anc.T & ~np.eye(n, dtype=bool)  # need[i, j]: concept j needs concept i
    return order, bits, _prior(bits, need), anc, states is None


def place(
    ancestors: Mapping[str, Set[str]],
    answers: Mapping[str, bool],
    *,
    careless: float = CARELESS,
    confident: float = CONFIDENT,
) -> Placement:
    """The next question and what is inferred so far.

    `ancestors` maps every concept of the closure to its prerequisites within it (transitively);
    `answers` maps concept ids to "knows it" (answers about other concepts are ignored).

    >>> chain = {"a": set(), "b": {"a"}, "c": {"a", "b"}}
    >>> place(chain, {}).ask
    'c'
    >>> r = place(chain, {"b": True, "c": False, "a": True})
    >>> r.ask, r.known, r.unknown
    (None, ['a', 'b'], ['c'])
    """
    key = tuple(sorted((c, tuple(sorted(a))) for c, a in ancestors.items()))
    if not key:
        return Placement(None, [], [], 0, 1.0)
    order, bits, prior, anc, sampled = _space(key)
    index = {c: i for i, c in enumerate(order)}
    weight = prior
    used = {c: v for c, v in answers.items() if c in index}
    consistent = np.ones(len(bits), dtype=bool)
    settled_after = None  # answers after which only one state agreed with all of them
    for k, (c, knows) in enumerate(used.items(), 1):
        agree = bits[:, index[c]] == knows
        weight = weight * np.where(agree, 1 - careless, careless)
        consistent &= agree
        if settled_after is None and consistent.sum() == 1:
            settled_after = k
    weight = weight / weight.sum()
    best = int(np.argmax(weight))
    certainty = float(weight[best])
    if consistent.sum() > 1:  # no slip seen yet: halve what agrees with every answer
        done, split = False, prior * consistent
    elif consistent.sum() == 1:  # settled: confirm a little while the slip model doubts it
        done = certainty >= confident or len(used) - settled_after >= CONFIRMATIONS
        split = weight
    else:  # answers contradict each other: trust the slip model
        done, split = certainty >= confident, weight
    state = bits[best]
    if sampled:  # the true state may be missing from a sample: let the answers decide
        found = _by_logic(anc, [index[c] for c, v in used.items() if v],
                          [index[c] for c, v in used.items() if not v])
        if found is not None:
            state, open_ = found
            if not open_.any():
                done, certainty = True, 1.0
            else:
                done = False
    ask = None
    if not done:
        ask = _next(order, bits, split, used, anc, open_ if sampled and found else None)

    return Placement(
        ask=ask,
        known=[c for i, c in enumerate(order) if state[i]],
        unknown=[c for i, c in enumerate(order) if not state[i]],
        asked=len(used),
        certainty=certainty,
    )


def _by_logic(anc: np.ndarray, yes: list[int], no: list[int]
              ) -> tuple[np.ndarray, np.ndarray] | None:
    """What the answers imply if none was a slip: (known, still open), or None when they
    contradict each other. Yes to a concept means its prerequisites are known; no means what
    needs it is unknown."""
    n = len(anc)
    known = anc[yes].any(axis=0) if yes else np.zeros(n, dtype=bool)
    unknown = anc[:, no].any(axis=1) if no else np.zeros(n, dtype=bool)
    if (known & unknown).any():
        return None
    return known, ~(known | unknown)


def _next(order: list[str], bits: np.ndarray, split: np.ndarray | None, used: Mapping[str, bool],
          anc: np.ndarray, open_: np.ndarray | None) -> str | None:
    """The concept whose answer splits the likely states most evenly (among the still open
    ones when given); without likely states, the open one that decides most either way."""
    allowed = np.ones(len(order), dtype=bool) if open_ is None else open_
    if split is not None:
        p_known = (split / split.sum()) @ bits  # chance the learner knows each concept
        for i in np.argsort(np.abs(p_known - 0.5), kind="stable"):
            if allowed[i] and order[i] not in used and 0 < p_known[i] < 1:
                return order[int(i)]
    if open_ is None:
        return None
    inside = open_[None, :] & open_[:, None]
    decides = np.minimum((anc & inside).sum(axis=1), (anc & inside).sum(axis=0))
    candidates = [i for i in np.argsort(-decides, kind="stable") if open_[i]]
    return order[int(candidates[0])] if candidates else None


def closure(store: Any, targets: Iterable[str]) -> dict[str, set[str]]:
    """Every concept a study path towards `targets` needs, each with its prerequisites within
    that closure (from the store's own study path, so both stores agree)."""
    import networkx as nx

    plan = store.path(list(targets))
    d = nx.DiGraph(plan.edges)
    d.add_nodes_from(s.concept.id for s in plan.steps)
    return {c: nx.ancestors(d, c) for c in d}
