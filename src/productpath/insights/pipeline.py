"""The insight stages chained over plain arrays: cluster or assign, label, kind, sentiment.

The service (``productpath.services.insights``) reads the store, embeds, calls :func:`analyse`
(which chains the stages, renumbers, relabels and computes trends and emerging themes), and
writes the result back; everything here is pure, so the scale bench and the tests can run it
alone. Themes are identified by their stable *number* here, never by a clustering's index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from productpath.insights.cluster import smallest_theme
from productpath.insights.embed import unit_rows
from productpath.insights.trends import ThemeTrend, theme_trends, trend_end

if TYPE_CHECKING:
    from productpath.insights.kind import KindClassifier

# Items are read (kind, sentiment) this many at a time, so a progress bar can move.
READ_CHUNK = 2000

# An incremental run relabels the themes when they gained at least this share of items.
RELABEL_SHARE = 0.1

Progress = Callable[[int], None]
# (stage, done, total): called as a stage starts (done=0) and as it goes.
StageProgress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Themed:
    """Theme numbers (-1: unassigned) and similarities per item, and each theme's centroid."""

    numbers: NDArray[np.int64]
    similarities: NDArray[np.float32]
    centroids: dict[int, NDArray[np.float32]]
    new_numbers: tuple[int, ...]  # themes that did not exist before this run


def discover(
    embeddings: NDArray[np.float32],
    old_numbers: NDArray[np.int64],
    old_centroids: Mapping[int, NDArray[np.float32]],
    *,
    next_number: int,
    seed: int,
    threshold: float,
    groups: Sequence[str] | None = None,
) -> Themed:
    """Cluster everything afresh, keeping the numbers of themes that match old ones.

    ``old_numbers`` holds each item's previous theme number (-1: none); themes that match no
    old theme are numbered from ``next_number`` on, largest first. ``threshold`` is the
    embedder's ``assign_threshold``. With ``groups`` (a facet value per row), themes are found
    within each value (``insights.facets``).
    """
    from productpath.insights.cluster import discover_themes
    from productpath.insights.facets import discover_within
    from productpath.insights.match import match_themes

    if groups is None:
        clustering = discover_themes(embeddings, seed=seed, threshold=threshold)
    else:
        clustering = discover_within(embeddings, groups, seed=seed, threshold=threshold)
    labels, centroids = clustering.labels, clustering.centroids
    matched = match_themes(labels, old_numbers, centroids, old_centroids)
    number_of = np.empty(centroids.shape[0], dtype=np.int64)
    fresh = []
    for index in range(centroids.shape[0]):
        if index in matched:
            number_of[index] = matched[index]
        else:
            number_of[index] = next_number
            fresh.append(next_number)
            next_number += 1
    numbers = np.full(len(labels), -1, dtype=np.int64)
    kept = labels >= 0
    numbers[kept] = number_of[labels[kept]]  # no theme at all is possible: nothing fitted
    similarities = np.zeros(len(labels), dtype=np.float32)
    similarities[kept] = np.einsum("ij,ij->i", embeddings[kept], centroids[labels[kept]])
    return Themed(
        numbers,
        similarities,
        {int(number_of[i]): centroids[i] for i in range(centroids.shape[0])},
        tuple(fresh),
    )


def assign(
    embeddings: NDArray[np.float32],
    centroids: Mapping[int, NDArray[np.float32]],
    sizes: Mapping[int, int],
    *,
    threshold: float,
    facets: tuple[Sequence[str], Mapping[int, str]] | None = None,
) -> Themed:
    """Put new items into existing themes (unless less similar than ``threshold``, the
    embedder's ``assign_threshold``); centroids move by the items they gain. With ``facets``
    (each row's facet value, each theme's), a row joins only a theme of its own value.

    A centroid is a mean direction: the old one, weighted by the theme's size, plus the new
    members, normalised again (items that left stay counted; a ``--full`` run resets that).
    """
    from productpath.insights.cluster import assign_to_themes
    from productpath.insights.facets import assign_within, facet_map

    order = sorted(centroids)
    if not order:
        n = embeddings.shape[0]
        return Themed(np.full(n, -1, np.int64), np.zeros(n, np.float32), {}, ())
    matrix = np.stack([centroids[number] for number in order]).astype(np.float32)
    if facets is None:
        labels, similarities = assign_to_themes(embeddings, matrix, threshold)
    else:
        rows, owners = facets
        labels, similarities = assign_within(
            embeddings, rows, matrix, facet_map(owners, order), threshold
        )
    numbers = np.where(labels >= 0, np.asarray(order, np.int64)[np.maximum(labels, 0)], -1)
    moved = {}
    for index, number in enumerate(order):
        members = labels == index
        if not members.any():
            moved[number] = matrix[index]
            continue
        total = matrix[index] * max(sizes.get(number, 0), 1) + embeddings[members].sum(axis=0)
        moved[number] = unit_rows(total[None, :])[0]
    return Themed(numbers.astype(np.int64), similarities.astype(np.float32), moved, ())


@dataclass(frozen=True)
class KindExamples:
    """Labelled items to learn kinds from; ``embeddings`` rows align with ``texts`` or are None."""

    texts: Sequence[str]
    kinds: Sequence[str]
    embeddings: NDArray[np.float32] | None = None


def kind_classifier(examples: KindExamples | None, *, with_vectors: bool) -> KindClassifier:
    """The shipped kind classifier, adapted with the workspace's own labelled items if any.

    ``with_vectors``: the texts to read will come with MiniLM vectors, so the examples' vectors
    are learnt too; otherwise they are left out, and the adapted classifier reads text only.
    """
    from productpath.insights.kind import KindClassifier

    classifier = KindClassifier.default()
    if examples is None or not examples.texts:
        return classifier
    return classifier.with_examples(
        examples.texts, examples.kinds, examples.embeddings if with_vectors else None
    )


def read_kinds(
    texts: Sequence[str],
    embeddings: NDArray[np.float32] | None,
    progress: Progress | None = None,
    classifier: KindClassifier | None = None,
) -> tuple[list[str], list[float]]:
    """Kind and its confidence per text; ``embeddings`` only when they are MiniLM vectors;
    ``classifier`` defaults to the shipped one (see ``kind_classifier``)."""
    if classifier is None:
        classifier = kind_classifier(None, with_vectors=False)
    kinds: list[str] = []
    confidences: list[float] = []
    for start in range(0, len(texts), READ_CHUNK):
        block = None if embeddings is None else embeddings[start : start + READ_CHUNK]
        for prediction in classifier.predict(texts[start : start + READ_CHUNK], block):
            kinds.append(prediction.kind)
            confidences.append(prediction.confidence)
        if progress is not None:
            progress(len(kinds))
    return kinds, confidences


def read_sentiments(texts: Sequence[str], progress: Progress | None = None) -> list[float]:
    from productpath.insights.sentiment import score_sentiment

    scores: list[float] = []
    for start in range(0, len(texts), READ_CHUNK):
        scores.extend(score_sentiment(texts[start : start + READ_CHUNK]))
        if progress is not None:
            progress(len(scores))
    return scores


def label(
    texts: Sequence[str], numbers: NDArray[np.int64]
) -> dict[int, tuple[str, tuple[str, ...]]]:
    """(label, keywords) per theme number, from the texts of its members."""
    from productpath.insights.label import label_themes

    return {
        number: (found.label, found.keywords)
        for number, found in label_themes(texts, numbers).items()
    }


@dataclass(frozen=True)
class Prior:
    """What the stored themes say before a run, under the run's embedder."""

    active_centroids: Mapping[int, NDArray[np.float32]]  # an incremental run assigns to these
    all_centroids: Mapping[int, NDArray[np.float32]]  # a full run keeps their numbers
    sizes: Mapping[int, int]
    names: Mapping[int, str]
    active_size: int  # items in active themes
    next_number: int  # the number the next new theme gets


@dataclass(frozen=True)
class Analysis:
    """One run's reading: for the targets (``themed``, kinds, sentiments) and for every item."""

    themed: Themed  # the targets' themes, in target order
    numbers: NDArray[np.int64]  # every item's theme after the run (-1: none)
    relabelled: bool
    labels: dict[int, tuple[str, tuple[str, ...]]]  # (label, keywords) when relabelled
    names: dict[int, str]  # every theme's label: the new one, else the stored one
    kinds: list[str]
    confidences: list[float]
    sentiments: list[float]
    trends: dict[int, ThemeTrend]
    dated_after_today: int  # left out of the trends
    themes: int  # themes with at least one item
    min_theme_size: int
    emerging: tuple[tuple[int, str, str], ...]  # (number, label, why) of emerging themes


def analyse(
    vectors: NDArray[np.float32],
    texts: Sequence[str],
    targets: Sequence[int],
    old_numbers: Sequence[int],
    old_sentiments: Sequence[float | None],
    dates: Sequence[dt.date],
    prior: Prior,
    *,
    full: bool,
    seed: int,
    threshold: float,
    semantic: bool,
    today: dt.date,
    sources: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    progress: StageProgress | None = None,
    lap: Callable[[str], None] | None = None,
    classifier: KindClassifier | None = None,
) -> Analysis:
    """Theme, label, read and trend every item; ``vectors`` are the targets' embeddings.

    ``targets`` are the items read afresh (all of them on a full run); the others keep their
    stored theme and sentiment. ``lap`` is called as each stage ends, for the run's timings.
    ``classifier`` reads kinds (default: the shipped one; see :func:`kind_classifier`).
    ``groups``: every item's facet value when themes are found within each (``--group-by``).
    """
    report = progress or _quiet
    done = lap or _no_lap
    previous = np.array(old_numbers, dtype=np.int64)
    report("cluster", 0, None)
    if full:
        themed = discover(
            vectors,
            previous,
            prior.all_centroids,
            next_number=prior.next_number,
            seed=seed,
            threshold=threshold,
            groups=None if groups is None else [groups[i] for i in targets],
        )
    else:
        from productpath.insights.facets import theme_facets

        facets = (
            None
            if groups is None
            else ([groups[i] for i in targets], theme_facets(previous.tolist(), groups))
        )
        themed = assign(
            vectors, prior.active_centroids, prior.sizes, threshold=threshold, facets=facets
        )
    done("cluster")

    numbers = previous.copy()
    numbers[list(targets)] = themed.numbers
    report("label", 0, None)
    gained = int((themed.numbers >= 0).sum())
    relabelled = full or gained >= RELABEL_SHARE * max(prior.active_size, 1)
    labels = label(texts, numbers) if relabelled else {}
    done("label")

    target_texts = [texts[i] for i in targets]
    total = len(target_texts)
    report("kind", 0, total)
    kinds, confidences = read_kinds(
        target_texts,
        vectors if semantic else None,
        lambda n: report("kind", n, total),
        classifier,
    )
    done("kind")
    report("sentiment", 0, total)
    sentiments = read_sentiments(target_texts, lambda n: report("sentiment", n, total))
    done("sentiment")

    report("trends", 0, None)
    all_sentiments = list(old_sentiments)
    for position, index in enumerate(targets):
        all_sentiments[index] = sentiments[position]
    as_of = trend_end(dates, today)
    trends = theme_trends(dates, numbers.tolist(), all_sentiments, as_of=as_of, sources=sources)
    done("trends")

    names = dict(prior.names) | {number: name for number, (name, _) in labels.items()}
    return Analysis(
        themed=themed,
        numbers=numbers,
        relabelled=relabelled,
        labels=labels,
        names=names,
        kinds=kinds,
        confidences=confidences,
        sentiments=sentiments,
        trends=trends,
        dated_after_today=sum(1 for day in dates if day > today),
        themes=len(np.unique(numbers[numbers >= 0])),
        min_theme_size=smallest_theme(len(texts)),
        emerging=tuple(
            (number, names.get(number, ""), trend.evidence.reason)
            for number, trend in sorted(trends.items())
            if trend.evidence.emerging
        ),
    )


def _quiet(_stage: str, _done: int, _total: int | None) -> None:
    return None


def _no_lap(_stage: str) -> None:
    return None
