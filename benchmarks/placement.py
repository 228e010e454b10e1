"""Placement benchmark: simulated learners on the bundled bank.

    python -m benchmarks.placement [--learners N] [--target T]...

For each target, learners are drawn as the down-closure of a random set of the target's
prerequisite closure (each concept picked with chance p, p uniform in [0, 1] per learner), so
every state is closed under the prerequisites. Each learner answers `zhitu place`'s questions
truthfully (consistent) or with a 10% chance of flipping each answer (careless). Printed per
target: closure size, number of states, the information a question-by-question walk needs at
least (entropy of the prior, bits), questions asked (mean, max), exact states and per-concept
accuracy.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import tempfile
from pathlib import Path

import numpy as np

from zhitu import data
from zhitu.graph import placement
from zhitu.graph.memory import MemoryStore
from zhitu.ingest.pipeline import ingest

TARGETS = ("LSTM", "Transformer", "GAN", "Faster R-CNN")


def learner(order: dict[str, set[str]], rng: random.Random) -> set[str]:
    p = rng.random()
    known: set[str] = set()
    for c in order:
        if rng.random() < p:
            known |= order[c] | {c}
    return known


def walk(order: dict[str, set[str]], truth: set[str], slip: float,
         rng: random.Random) -> tuple[int, set[str]]:
    answers: dict[str, bool] = {}
    while (r := placement.place(order, answers)).ask is not None:
        answers[r.ask] = (r.ask in truth) != (rng.random() < slip)
    return len(answers), set(r.known)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--target", action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        graph, _ = ingest([str(data.QUESTIONS_DIR)])
        store = MemoryStore(Path(tmp) / "g.json")
        store.replace(graph, meta={})
        print("| target | concepts | states | prior entropy (bits) | answers | questions mean "
              "| max | exact | concepts right |")
        print("|---|---|---|---|---|---|---|---|---|")
        for target in args.target or TARGETS:
            order = placement.closure(store, [target])
            key = tuple(sorted((c, tuple(sorted(a))) for c, a in order.items()))
            _, bits, prior, _, sampled_space = placement._space(key)
            entropy = -float(np.sum(prior * np.log2(prior)))
            states = len(bits)
            sampled = " (a sample)" if sampled_space else ""
            for slip in (0.0, 0.1):
                rng = random.Random(7)
                asked, exact, right = [], 0, []
                for _ in range(args.learners):
                    truth = learner(order, rng)
                    n, known = walk(order, truth, slip, rng)
                    asked.append(n)
                    exact += known == truth
                    right.append(1 - len(known ^ truth) / len(order))
                kind = "consistent" if slip == 0 else "10% careless"
                print(f"| {target} | {len(order)} | {states}{sampled} | {entropy:.1f} "
                      f"(log2 states {math.log2(states):.1f}) | {kind} | "
                      f"{statistics.mean(asked):.1f} | {max(asked)} | "
                      f"{exact / args.learners:.0%} | {statistics.mean(right):.1%} |")


if __name__ == "__main__":
    main()
