"""Write tests/data/minilm_reference.npz: sentence-transformers' vectors for real texts.

python bench/make_minilm_reference.py

Run once with the bench extra (torch, sentence-transformers); tests/test_insights_minilm.py then
checks the NumPy forward pass against these vectors without torch. The texts are every fifth of
the demo's BANKING77 feedback (CC BY 4.0) and a few edge cases: empty, blank-padded, emoji,
German, a text far past the model's 256 word pieces. Vectors are stored as float16 (a cosine
error below 1e-6, far inside the test's 0.9999).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from bench_embed import demo_texts, load_sentence_transformers

TARGET = Path(__file__).resolve().parent.parent / "tests" / "data" / "minilm_reference.npz"
EDGE_CASES = [
    "",
    "   My card was declined at the shop   ",
    "😀😀😀 great app",
    "Ich möchte meine Karte sperren",
    " ".join(f"word{i} payment declined" for i in range(400)),
]


def main() -> int:
    texts = demo_texts(10_000)[::5][:280] + EDGE_CASES
    vectors = load_sentence_transformers()(texts)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(TARGET, texts=np.array(texts), vectors=vectors.astype(np.float16))
    print(f"{len(texts)} reference vectors -> {TARGET} ({TARGET.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
