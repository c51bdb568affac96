"""Roadmap as code: apply ``roadmap.yaml`` to the store, load it back, export it as YAML."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy.orm import Session

from productpath.domain.history import UndoRefused
from productpath.domain.roadmap import RoadmapDoc
from productpath.domain.roadmap_diff import RoadmapDiff, diff
from productpath.domain.roadmap_edits import Merge
from productpath.domain.roadmap_merge import three_way
from productpath.errors import NotFoundError, RoadmapConflictError, RoadmapError
from productpath.ingest.roadmap_yaml import dump, evidence_error, read_roadmap, validate_data
from productpath.notify.outbound import url_problem
from productpath.services.delivery import relink_session
from productpath.services.history import latest_revision, local_actor, record_diff, state_at
from productpath.services.stakeholders import webhook_policy
from productpath.services.workspace import OpenWorkspace
from productpath.store import evidence_repo, kpi_repo, product_repo
from productpath.store.roadmap_repo import load_doc, products_with_roadmap, save_doc

__all__ = ["apply_roadmap", "export_roadmap", "load_roadmap", "require_roadmap"]


def apply_roadmap(
    handle: OpenWorkspace,
    path: Path,
    *,
    dry_run: bool = False,
    force: bool = False,
    actor: str | None = None,
    via: str = "roadmap-apply",
) -> RoadmapDiff:
    """Validate the file at ``path`` and make the store match it, in one transaction.

    Returns what changed (or, with ``dry_run``, what would change), with warnings such as a
    key result's KPI that has no values yet. An invalid file raises RoadmapError before the
    database is touched; an empty diff writes nothing. What changed is recorded in the change
    history as done by ``actor`` (default: the CLI user's login) through ``via``.

    A file that names the ``revision`` it was exported from is merged three ways (see
    domain/roadmap_merge.py): changes made in the workspace since are kept, and fields both
    changed raise RoadmapConflictError (nothing written) unless ``force``, which lets the file
    win them. A dry run reports the conflicts instead of raising.
    """
    new = read_roadmap(path)
    _check_webhooks(handle, path, new)
    with handle.store.read() if dry_run else handle.store.write() as session:
        _check_evidence(session, path, new)
        # Read the current state inside the write transaction, so the diff reported is the
        # one applied even if another writer got there first.
        old = load_doc(session, new.product.id)
        merge = None
        target = new
        if new.revision is not None and old is not None:
            merge, target = _merged(session, path, old, new, force=force)
            if merge.conflicts and not force and not dry_run:
                raise RoadmapConflictError(path, [c.line() for c in merge.conflicts])
        changes = diff(old, target)
        warnings = _kpi_warnings(session, target, dry_run=dry_run)
        if not dry_run and not changes.is_empty:
            save_doc(session, target)
            relink_session(session, target.product.id)  # keys, epics, labels may have changed
            product_id = product_repo.find_id(session, target.product.id)
            assert product_id is not None  # save_doc has just stored it
            record_diff(
                session, product_id, changes, old, target, actor=actor or local_actor(), via=via
            )
    return dataclasses.replace(changes, warnings=warnings, merge=merge)


def _merged(
    session: Session, path: Path, old: RoadmapDoc, new: RoadmapDoc, *, force: bool
) -> tuple[Merge, RoadmapDoc]:
    """The three-way merge of the file with the workspace, and the roadmap it makes."""
    product_id = product_repo.find_id(session, old.product.id)
    assert product_id is not None and new.revision is not None  # old was loaded from it
    base = state_at(session, product_id, old, new.revision)
    try:
        merge = three_way(base, new, old, force=force)
    except UndoRefused as exc:
        raise RoadmapError(
            f"cannot merge with the workspace's changes since revision {new.revision}: {exc}",
            file=path,
            field="revision",
        ) from None
    try:
        return merge, validate_data(merge.data)
    except RoadmapError as exc:
        raise RoadmapError(
            f"merged with the workspace's changes since revision {new.revision}: {exc.reason}",
            file=path,
            field=exc.field,
        ) from None


def _kpi_warnings(session: Session, doc: RoadmapDoc, *, dry_run: bool) -> tuple[str, ...]:
    """Key results whose KPI has no values (yet): their progress cannot be computed."""
    product_id = product_repo.find_id(session, doc.product.id)
    counts = kpi_repo.point_counts(session, product_id) if product_id is not None else {}
    warnings = []
    for objective in doc.objectives:
        for kr in objective.key_results:
            if kr.kpi is None or counts.get(kr.kpi):
                continue
            where = f"key result '{objective.id}/{kr.id}'"
            if kr.kpi in counts:
                what = f"its KPI '{kr.kpi}' has no values yet"
            else:
                done = "would be" if dry_run else "is"
                what = f"no KPI '{kr.kpi}' is stored yet, so it {done} created empty"
            warnings.append(
                f"{where}: {what}; its progress shows once 'productpath kpi import' brings "
                f"values of a metric whose key is '{kr.kpi}'"
            )
    return tuple(warnings)


def _check_webhooks(handle: OpenWorkspace, path: Path, doc: RoadmapDoc) -> None:
    """Webhook URLs must not point inside this network unless an admin allowed it: the file
    arrives through pull requests, and a digest run would POST to whatever it names."""
    if not any(s.webhook_url for s in doc.stakeholders):
        return
    policy = webhook_policy(handle)
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for index, person in enumerate(doc.stakeholders):
        problem = url_problem(str(person.webhook_url), policy) if person.webhook_url else None
        if problem:
            problems.append((("stakeholders", index, "webhook_url"), problem))
    if problems:
        raise evidence_error(path, problems)


def _check_evidence(session: Session, path: Path, doc: RoadmapDoc) -> None:
    """Linked themes and feedback items must exist: the file alone cannot tell."""
    if not any(i.themes or i.feedback for i in doc.initiatives):
        return
    # A product that is not stored yet has no themes or feedback: every link is missing.
    product_id = product_repo.find_id(session, doc.product.id) or -1
    problems = evidence_repo.missing_evidence(session, product_id, doc)
    if problems:
        raise evidence_error(path, problems)


def load_roadmap(handle: OpenWorkspace, product: str | None = None) -> RoadmapDoc | None:
    """The stored roadmap of ``product`` (default: the workspace's), or None if it has none.

    A product with no objectives, teams, milestones or initiatives counts as having none.
    """
    key = product or handle.workspace.product
    with handle.store.read() as session:
        doc = load_doc(session, key)
    return None if doc is None or doc.is_empty else doc


def require_roadmap(handle: OpenWorkspace, product: str | None = None) -> RoadmapDoc:
    """Like :func:`load_roadmap`, but a missing roadmap is a NotFoundError that says what to do."""
    key = product or handle.workspace.product
    doc = load_roadmap(handle, key)
    if doc is None:
        raise NotFoundError(_no_roadmap(handle, key))
    return doc


def export_roadmap(handle: OpenWorkspace, product: str | None = None) -> str:
    """The stored roadmap as YAML that re-applies as a no-op; NotFoundError when there is none.

    The YAML names the workspace revision it was taken from, so that applying it after later
    changes merges instead of undoing them."""
    # The revision is read before the roadmap: a change committed in between is then in the
    # export and also after its revision, which a later merge sees as made on both sides alike
    # (no conflict); the other order would take it for a change the file undoes.
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, product or handle.workspace.product)
        revision = latest_revision(session, product_id) if product_id is not None else 0
    doc = require_roadmap(handle, product)
    return dump(doc.model_copy(update={"revision": revision}))


def _no_roadmap(handle: OpenWorkspace, key: str) -> str:
    with handle.store.read() as session:
        others = [k for k in products_with_roadmap(session) if k != key]
    message = (
        f"product '{key}' has no roadmap; apply one with 'productpath roadmap apply "
        "roadmap.yaml' (the format is in docs/roadmap.md)"
    )
    if others:
        message += f"; roadmaps exist for {', '.join(others)} (choose one with --product)"
    return message


def theme_labels(handle: OpenWorkspace, product: str) -> dict[int, str]:
    """The label of each of the product's active themes, by number."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, product)
        if product_id is None:
            return {}
        return {t.number: t.label for t in evidence_repo.themes(session, product_id)}
