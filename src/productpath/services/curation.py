"""Curate the engine's themes: rename, merge, split, move items, dismiss items; list and undo.

Each decision is logged (``curation_repo``: who, when, what, and what it replaced) and laid
over the readings at once; every ``insights run`` lays the decisions not undone over its own
clustering again, so they survive incremental runs and ``--full`` re-clustering alike. How a
curated theme keeps its identity: its number is the key, and the items a decision named are
pinned to it (a rename pins the members the theme had, a split the members of each part); new
items may still join it by nearness to its centre, which is recomputed from the members after
each decision. See docs/insights.md, "Curation".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from productpath.errors import InputError, NotFoundError
from productpath.insights import pipeline
from productpath.insights.embed import HASHING_NAME, HashingEmbedder
from productpath.insights.embed_text import EMBED_TEXT_VERSION, embedding_text
from productpath.insights.split import split_groups
from productpath.services.workspace import OpenWorkspace
from productpath.store import curation_repo, insight_repo, label_repo, product_repo

MAX_LABEL = 200
MAX_PARTS = 10


@dataclass(frozen=True)
class Decided:
    """A decision just taken (or undone): its number in the log and the themes it touched."""

    number: int
    action: str
    summary: str
    themes: tuple[int, ...]
    items: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DecisionRow:
    number: int
    action: str
    summary: str
    set_by: str | None
    set_at: dt.datetime
    undone_at: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["set_at"] = self.set_at.isoformat()
        row["undone_at"] = None if self.undone_at is None else self.undone_at.isoformat()
        return row


def theme_number(raw: str | int) -> int:
    """``3`` or ``#3``; anything else is a user error."""
    text = str(raw).strip().lstrip("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise InputError(f"'{raw}' is not a theme number (e.g. 3 or #3)", field="theme")
    return int(text)


def clean_label(label: str) -> str:
    text = " ".join(label.split())
    if not text:
        raise InputError("a theme's label cannot be empty", field="label")
    if len(text) > MAX_LABEL:
        raise InputError(
            f"a theme's label is at most {MAX_LABEL} characters (this one has {len(text)})",
            field="label",
        )
    return text


def rename_theme(
    handle: OpenWorkspace,
    theme: str | int,
    label: str,
    *,
    set_by: str | None = None,
    via: str | None = None,
) -> Decided:
    """Name a theme; the name and its present members are kept by every later run."""
    text = clean_label(label)
    number = theme_number(theme)
    with handle.store.write() as session:
        product_id = _product(session, handle)
        row = _active_theme(session, product_id, number)
        members = curation_repo.member_ids(session, row.id)
        details = {
            "theme": number,
            "label": text,
            "members": members,
            "before": {"label": row.label, "label_set_by": row.label_set_by},
        }
        summary = f"renamed #{number} '{row.label}' to '{text}'"
        decided = curation_repo.add(
            session, product_id, "rename", summary, _via(details, via), set_by
        )
        _settle(session, product_id, decided, [number])  # same members: the centre stays
    return Decided(decided.number, "rename", summary, (number,), len(members))


def merge_themes(
    handle: OpenWorkspace,
    themes: Sequence[str | int],
    *,
    set_by: str | None = None,
    via: str | None = None,
) -> Decided:
    """Merge two or more themes into the first named; later runs keep them merged."""
    numbers = [theme_number(t) for t in themes]
    if len(numbers) < 2:
        raise InputError("name two or more themes to merge", field="theme")
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        raise InputError(f"theme #{repeated[0]} is named twice: a theme cannot merge with itself")
    into = numbers[0]
    with handle.store.write() as session:
        product_id = _product(session, handle)
        rows = [_active_theme(session, product_id, n) for n in numbers]
        members = {str(row.number): curation_repo.member_ids(session, row.id) for row in rows}
        details = {"into": into, "members": members}
        others = ", ".join(f"#{n}" for n in numbers[1:])
        summary = f"merged {others} into #{into} '{rows[0].label}'"
        decided = curation_repo.add(
            session, product_id, "merge", summary, _via(details, via), set_by
        )
        centre = _weighted_centre(rows)
        _settle(session, product_id, decided, numbers)
        if centre is not None:
            rows[0].centroid = centre
    return Decided(
        decided.number, "merge", summary, tuple(numbers), sum(map(len, members.values()))
    )


def split_theme(
    handle: OpenWorkspace,
    theme: str | int,
    *,
    into: int = 2,
    items: Sequence[str] = (),
    seed: int = 0,
    set_by: str | None = None,
    numbers_only: bool = False,
    via: str | None = None,
) -> Decided:
    """Split a theme: the items picked become a new theme, or (none picked) its members are
    re-clustered into ``into`` sub-themes; the largest keeps the number, the others get new ones.
    """
    number = theme_number(theme)
    if not items and not 2 <= into <= MAX_PARTS:
        raise InputError(f"--into must be from 2 to {MAX_PARTS}", field="--into")
    with handle.store.write() as session:
        product_id = _product(session, handle)
        row = _active_theme(session, product_id, number)
        found = curation_repo.members(session, row.id)
        if len(found) < 3:
            raise InputError(
                f"theme #{number} has {len(found)} item{'' if len(found) == 1 else 's'}: "
                "a split needs at least 3"
            )
        ids = [item for item, _ in found]
        if items:
            picked = set(_items(session, product_id, items, numbers_only))
            outside = sorted(picked - set(ids))
            if outside:
                raise InputError(f"item {outside[0]} is not in theme #{number}", field="item")
            if len(picked) == len(ids):
                raise InputError("pick some of the theme's items, not all of them", field="item")
            groups = np.asarray([1 if i in picked else 0 for i in ids], dtype=np.int64)
            into = 2
            centres = _picked_centres(session, row, [t for i, t in found if i in picked])
        else:
            if into > len(ids):
                raise InputError(
                    f"theme #{number} has {len(ids)} items: it cannot be split into {into}",
                    field="--into",
                )
            vectors = _vectors(session, row.model, [text for _, text in found])
            if vectors is None:
                raise InputError(
                    f"theme #{number}'s items have no vectors under {row.model}: "
                    "run 'productpath insights run' first"
                )
            groups = split_groups(vectors, into, seed=seed)
            centres = {g: _unit_mean(vectors[groups == g]) for g in range(into)}
        first_new = curation_repo.next_theme_number(session, product_id)
        numbers = [number] + [first_new + k for k in range(into - 1)]
        parts = {
            str(numbers[g]): [i for i, k in zip(ids, groups, strict=True) if k == g]
            for g in range(into)
        }
        names = _part_labels([text for _, text in found], groups)
        for g, part in enumerate(numbers[1:], start=1):
            label, keywords = names.get(g, (f"Theme {part}", ()))
            insight_repo.save_themes(
                session,
                product_id,
                [
                    insight_repo.ThemeWrite(
                        number=part,
                        label=label or f"Theme {part}",
                        keywords=tuple(keywords),
                        centroid=centres.get(g) or row.centroid or b"",
                        model=row.model,
                    )
                ],
                deactivate_others=False,
            )
        if 0 in centres:
            row.centroid = centres[0]
        details = {"theme": number, "parts": parts}
        made = ", ".join(f"#{n}" for n in numbers[1:])
        summary = f"split #{number} '{row.label}' into #{number} and {made}"
        decided = curation_repo.add(
            session, product_id, "split", summary, _via(details, via), set_by
        )
        _settle(session, product_id, decided, numbers)
    return Decided(decided.number, "split", summary, tuple(numbers), len(ids))


def move_items(
    handle: OpenWorkspace,
    items: Sequence[str],
    theme: str | int,
    *,
    set_by: str | None = None,
    numbers_only: bool = False,
    via: str | None = None,
) -> Decided:
    """Put items in a theme; later runs leave them there."""
    number = theme_number(theme)
    with handle.store.write() as session:
        product_id = _product(session, handle)
        _active_theme(session, product_id, number)
        ids = _items(session, product_id, items, numbers_only)
        before = _analysed(session, product_id, ids)
        details = {"theme": number, "items": ids, "before": {str(k): v for k, v in before.items()}}
        summary = f"moved {_count(ids)} to #{number}"
        decided = curation_repo.add(
            session, product_id, "move", summary, _via(details, via), set_by
        )
        # A few items barely move a centre; the next full run recomputes it from the members.
        _settle(session, product_id, decided, [number, *_numbers(before.values())])
    return Decided(decided.number, "move", summary, (number,), len(ids))


def dismiss_items(
    handle: OpenWorkspace,
    items: Sequence[str],
    *,
    set_by: str | None = None,
    numbers_only: bool = False,
    via: str | None = None,
) -> Decided:
    """Mark items as not feedback: they leave their themes, and no run puts them in one."""
    with handle.store.write() as session:
        product_id = _product(session, handle)
        ids = _items(session, product_id, items, numbers_only)
        before = _analysed(session, product_id, ids)
        details = {"items": ids, "before": {str(k): v for k, v in before.items()}}
        summary = f"dismissed {_count(ids)} as not feedback"
        decided = curation_repo.add(
            session, product_id, "dismiss", summary, _via(details, via), set_by
        )
        touched = _numbers(before.values())
        _settle(session, product_id, decided, touched)
    return Decided(decided.number, "dismiss", summary, tuple(touched), len(ids))


def decisions(handle: OpenWorkspace) -> list[DecisionRow]:
    """The curation log, oldest first, undone decisions included (with when)."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        return [
            DecisionRow(d.number, d.action, d.summary, d.set_by, d.set_at, d.undone_at)
            for d in curation_repo.decisions(session, product_id, active_only=False)
        ]


def dismissed_items(session: Session, product_id: int) -> set[int]:
    return curation_repo.curated_state(session, product_id).dismissed()


def undo(
    handle: OpenWorkspace, number: int, *, by: str | None = None, via: str | None = None
) -> Decided:
    """Take back decision ``number``: what it changed goes back to what it replaced, then the
    decisions still standing are laid over again (a later decision keeps its effect)."""
    with handle.store.write() as session:
        product_id = _product(session, handle)
        found = curation_repo.get(session, product_id, number)
        if found is None:
            raise NotFoundError(f"no curation decision {number} (see 'productpath curation list')")
        if found.undone_at is not None:
            raise InputError(f"decision {number} is undone already")
        touched = _revert(session, product_id, found)
        curation_repo.mark_undone(session, product_id, number, by=by, via=via)
        curation_repo.apply(session, product_id)  # everything still standing, in order
        insight_repo.refresh_sizes(session, product_id)
        recentre(session, product_id, touched)
    return Decided(number, found.action, f"undid: {found.summary}", tuple(touched), 0)


def _revert(session: Session, product_id: int, found: curation_repo.StoredDecision) -> list[int]:
    d = found.details
    if found.action == "rename":
        row = curation_repo.theme_row(session, product_id, int(d["theme"]))
        if row is not None and row.label == d["label"]:
            row.label = d["before"]["label"]
            row.label_set_by = d["before"]["label_set_by"]
        return [int(d["theme"])]
    if found.action == "merge":
        into = int(d["into"])
        for number, members in d["members"].items():
            if int(number) != into:
                _put_back(session, product_id, {int(i): int(number) for i in members}, into)
        return [int(n) for n in d["members"]]
    if found.action == "split":
        origin = int(d["theme"])
        for number, members in d["parts"].items():
            if int(number) != origin:
                _put_back(session, product_id, {int(i): origin for i in members}, int(number))
        return [int(n) for n in d["parts"]]
    now_at = int(d["theme"]) if found.action == "move" else None
    before = {int(k): v for k, v in d["before"].items()}
    _put_back(session, product_id, before, now_at)
    return sorted({n for n in [now_at, *before.values()] if n is not None})


def _put_back(
    session: Session, product_id: int, where: dict[int, int | None], now_at: int | None
) -> None:
    """Return each item to ``where[item]`` if it is still where the decision put it."""
    current = curation_repo.item_themes(session, product_id, where)
    by_theme: dict[int | None, list[int]] = {}
    for item, number in where.items():
        if item in current and current[item] == now_at:
            by_theme.setdefault(number, []).append(item)
    for number, items in by_theme.items():
        row = None if number is None else curation_repo.theme_row(session, product_id, number)
        if number is not None and row is None:
            continue
        if row is not None:
            row.active = True
        curation_repo.set_themes(session, items, {"theme_id": None if row is None else row.id})


def _settle(
    session: Session,
    product_id: int,
    decided: curation_repo.StoredDecision,
    touched: Sequence[int],
) -> None:
    """Lay the new decision over the readings, then refresh the touched themes' sizes."""
    curation_repo.apply(session, product_id, decided)
    curation_repo.refresh_sizes(session, product_id, touched)


def _via(details: dict[str, Any], via: str | None) -> dict[str, Any]:
    """The decision's details with the door it came through (web, api, cli), when known."""
    return details if via is None else {**details, "via": via}


def _numbers(values: Any) -> list[int]:
    return sorted({n for n in values if n is not None})


def recentre(session: Session, product_id: int, numbers: Sequence[int]) -> None:
    """Each theme's centroid from its members' cached vectors, so new items join by nearness."""
    for number in sorted(set(numbers)):
        row = curation_repo.theme_row(session, product_id, number)
        if row is None or not row.active or not row.model:
            continue
        texts = [text for _, text in curation_repo.members(session, row.id)]
        vectors = _vectors(session, row.model, texts) if texts else None
        if vectors is None:
            continue
        centre = vectors.mean(axis=0)
        norm = float(np.linalg.norm(centre))
        if norm > 0:
            row.centroid = np.asarray(centre / norm, dtype="<f4").tobytes()
    session.flush()


# Members per part the labeller reads for a new part's label (the first, by id): enough for
# its phrases and keywords, and what keeps a split of a large theme fast.
LABEL_SAMPLE = 120


def _part_labels(
    texts: Sequence[str], groups: NDArray[np.int64]
) -> dict[int, tuple[str, tuple[str, ...]]]:
    """Labels for the new parts (group 1 and up) from a sample of each one's members."""
    chosen: list[int] = []
    for g in sorted(set(int(k) for k in groups) - {0}):
        chosen.extend(np.flatnonzero(groups == g)[:LABEL_SAMPLE].tolist())
    return pipeline.label([texts[i] for i in chosen], groups[chosen])


def _picked_centres(session: Session, row: Any, picked: Sequence[str]) -> dict[int, bytes]:
    """The centres of a split by picking, from the picked items' vectors alone: theirs, and
    the theme's own with them taken out (its centre is the mean of its members)."""
    vectors = _vectors(session, row.model, picked)
    if vectors is None:
        return {}
    centres = {1: _unit_mean(vectors)}
    if row.centroid and row.size > len(picked):
        whole = np.frombuffer(row.centroid, dtype=np.float32)
        if len(whole) == vectors.shape[1]:
            rest = whole * row.size - vectors.sum(axis=0)
            centres[0] = _unit_mean(np.asarray([rest], dtype=np.float32))
    return centres


def _unit_mean(vectors: NDArray[np.float32]) -> bytes:
    centre = vectors.mean(axis=0)
    norm = float(np.linalg.norm(centre))
    return np.asarray(centre / (norm or 1.0), dtype="<f4").tobytes()


def _weighted_centre(rows: Sequence[Any]) -> bytes | None:
    """The merged theme's centre: its parts' centres weighted by their sizes (no vector reads,
    so a merge of large themes stays fast)."""
    parts = [
        (row.size, np.frombuffer(row.centroid, dtype=np.float32))
        for row in rows
        if row.centroid and row.model == rows[0].model
    ]
    if not parts or len({len(c) for _, c in parts}) > 1:
        return None
    total = sum(max(size, 1) * centre for size, centre in parts)
    return _unit_mean(np.asarray([total], dtype=np.float32))


def _vectors(session: Session, model: str, texts: Sequence[str]) -> NDArray[np.float32] | None:
    """The cached vectors of ``texts`` under ``model`` (rows aligned); None if any is missing
    and cannot be made here (the hashing embedder is cheap enough to run on the spot)."""
    cleaned = [embedding_text(text) for text in texts]
    keys = [
        hashlib.sha256(f"{EMBED_TEXT_VERSION}\n{text}".encode()).hexdigest() for text in cleaned
    ]
    cached = {
        key: np.frombuffer(blob, dtype=np.float32)
        for key, blob in insight_repo.cached_vectors(session, model, keys)
    }
    if all(key in cached for key in keys):
        return np.stack([cached[key] for key in keys]).astype(np.float32)
    if model == HASHING_NAME:
        return np.asarray(HashingEmbedder().embed(cleaned), dtype=np.float32)
    return None


def _product(session: Session, handle: OpenWorkspace) -> int:
    product_id = product_repo.find_id(session, handle.workspace.product)
    if product_id is None:
        raise NotFoundError("there are no themes yet: run 'productpath insights run' first")
    return product_id


def _active_theme(session: Session, product_id: int, number: int) -> Any:
    row = curation_repo.theme_row(session, product_id, number)
    if row is None or not row.active:
        raise NotFoundError(f"no theme #{number} (see 'productpath themes list')")
    return row


def _items(
    session: Session, product_id: int, refs: Sequence[str], numbers_only: bool = False
) -> list[int]:
    refs = [str(ref).strip() for ref in refs]
    if not refs:
        raise InputError("name at least one item", field="item")
    found = label_repo.resolve(session, product_id, refs, numbers_only=numbers_only)
    missing = [ref for ref in refs if found.get(ref) is None]
    if missing:
        raise NotFoundError(f"no feedback item '{missing[0]}'")
    return list(dict.fromkeys(i for i in found.values() if i is not None))


def _analysed(session: Session, product_id: int, ids: Sequence[int]) -> dict[int, int | None]:
    before = curation_repo.item_themes(session, product_id, ids)
    missing = [i for i in ids if i not in before]
    if missing:
        raise InputError(
            f"item {missing[0]} has not been analysed yet: run 'productpath insights run' first",
            field="item",
        )
    return before


def _count(ids: Sequence[int]) -> str:
    return f"{len(ids)} item{'' if len(ids) == 1 else 's'}"
