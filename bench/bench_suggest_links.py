"""Precision and recall of ``roadmap suggest-links`` on the labelled set, per threshold.

    python bench/bench_suggest_links.py [--embedder minilm|hashing]

Each theme's centroid is the normalised mean of its members' vectors (as the insight engine
makes it); each initiative's text is "title. description" (as suggest-links embeds it). For
each threshold it prints precision and recall with and without the shared-word rule, and the
lowest threshold whose precision (shared-word rule on) is at least 0.8: the value
``insights/link_suggest.THRESHOLDS`` holds for that embedder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from suggest_links_data import LINKS, PRODUCTS

from productpath.insights import embed
from productpath.insights.link_suggest import (
    ThemeSide,
    precision_recall,
    propose,
    theme_side,
)

TARGET = 0.8


Prepared = list[tuple[str, list[str], list[str], object, list[ThemeSide]]]


def prepare(embedder: object) -> Prepared:
    """Per product: initiative keys and texts, theme labels, initiative vectors, theme sides."""
    out: Prepared = []
    for product, data in PRODUCTS.items():
        initiatives: dict[str, tuple[str, str]] = data["initiatives"]  # type: ignore[assignment]
        themes: dict[str, list[str]] = data["themes"]  # type: ignore[assignment]
        sides: list[ThemeSide] = []
        for label, members in themes.items():
            centroid = embedder.embed(members).mean(axis=0)  # type: ignore[attr-defined]
            centroid /= np.linalg.norm(centroid) or 1.0
            sides.append(theme_side(centroid.astype(np.float32), [label, *members]))
        texts = [f"{t}. {d}" for t, d in initiatives.values()]
        vectors = embedder.embed(texts)  # type: ignore[attr-defined]
        out.append((product, list(initiatives), texts, vectors, sides))
    return out


def measure(
    prepared: Prepared, threshold: float, *, shared_words: bool
) -> tuple[float | None, float | None, int]:
    proposed: set[tuple[str, str]] = set()
    truth: set[tuple[str, str]] = set()
    for product, keys, texts, vectors, sides in prepared:
        labels = list(PRODUCTS[product]["themes"])  # type: ignore[call-overload]
        found = propose(texts, vectors, sides, threshold, require_shared_word=shared_words)  # type: ignore[arg-type]
        proposed |= {(f"{product}/{keys[p.initiative]}", labels[p.theme]) for p in found}
        truth |= {(f"{product}/{i}", t) for i, t in LINKS[product]}
    precision, recall = precision_recall(proposed, truth)
    return precision, recall, len(proposed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", choices=["minilm", "hashing"], default="minilm")
    args = parser.parse_args()
    embedder = embed.MiniLMEmbedder() if args.embedder == "minilm" else embed.HashingEmbedder()
    print(f"embedder {embedder.name}")
    prepared = prepare(embedder)
    print("threshold  precision recall proposed | without the shared-word rule")
    chosen = None
    for step in range(0, 19):
        threshold = round(0.05 * step, 2)
        p, r, n = measure(prepared, threshold, shared_words=True)
        p0, r0, n0 = measure(prepared, threshold, shared_words=False)
        fmt = lambda v: "   -" if v is None else f"{v:4.2f}"  # noqa: E731
        print(f"{threshold:9.2f}  {fmt(p):>9} {fmt(r):>6} {n:8} | {fmt(p0)} {fmt(r0)} {n0}")
        if chosen is None and p is not None and p >= TARGET:
            chosen = threshold
    print(f"lowest threshold with precision >= {TARGET}: {chosen}")


if __name__ == "__main__":
    main()
