"""The stakeholder registry: add, update, remove and list stakeholders; who is R, A, C or I on
each initiative; the power/interest grid and the RACI matrix, for the CLI and the web.

Roadmap YAML (``stakeholders:`` and per-initiative ``raci:``) writes the same tables; a
stakeholder added here has no roadmap position until the roadmap names it.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from productpath.domain import stakeholders as rules
from productpath.domain.csv_safety import safe_cell
from productpath.domain.roadmap_edits import FieldEdit
from productpath.domain.views import View
from productpath.errors import InputError, NotFoundError
from productpath.notify import config as notify_config
from productpath.notify.outbound import OutboundPolicy, outbound_policy, url_problem
from productpath.services import listings
from productpath.services.listings import webhook_host as webhook_host
from productpath.services.workspace import OpenWorkspace
from productpath.store import history_repo, product_repo, stakeholder_repo
from productpath.store.models import Stakeholder
from productpath.workspace import MAX_KEY_LENGTH, slugify

MAX_TEXT = 200  # name, role and organisation columns


class StakeholderInfo(View):
    """A stakeholder as listed. ``webhook`` shows only the URL's host: the rest of a webhook
    URL is often its secret (Slack's are), so it is never printed or served."""

    key: str
    name: str
    role: str
    organisation: str
    email: str | None
    audience: str
    power: str
    interest: str
    quadrant: str
    channel: str
    webhook: str | None
    cadence: str
    report: str


class StakeholderRef(View):
    key: str
    name: str


class GridCell(View):
    power: str
    interest: str
    advice: str
    stakeholders: list[StakeholderRef]


class PowerInterestGrid(View):
    """Four quadrants as the grid is drawn: high power on top, low interest on the left
    (keep satisfied, manage closely, monitor, keep informed)."""

    cells: list[GridCell]


class RaciRow(View):
    initiative: str
    title: str
    status: str
    # One entry per column of the matrix (stakeholders in the same order): R, A, C, I or "".
    roles: list[str]
    warnings: list[str]


class RaciMatrix(View):
    stakeholders: list[StakeholderRef]
    rows: list[RaciRow]


@dataclass(frozen=True)
class StakeholderInput:
    """What a user gives to add or update a stakeholder; None means "not given"."""

    name: str | None = None
    key: str | None = None
    role: str | None = None
    organisation: str | None = None
    email: str | None = None
    audience: str | None = None
    power: str | None = None
    interest: str | None = None
    channel: str | None = None
    webhook_url: str | None = None
    cadence: str | None = None


@dataclass(frozen=True)
class MapResult:
    initiative: str
    stakeholder: str
    before: str | None
    after: str | None


# Defaults for a new stakeholder (the column defaults in store.models.communication).
DEFAULTS: dict[str, Any] = {
    "role": "",
    "organisation": "",
    "email": None,
    "audience": "engineering",
    "power": "low",
    "interest": "low",
    "channel": "email",
    "webhook_url": None,
    "cadence": "weekly",
}


def info(row: Stakeholder) -> StakeholderInfo:
    return StakeholderInfo(
        key=row.key,
        name=row.name,
        role=row.role,
        organisation=row.organisation,
        email=row.email,
        audience=row.audience,
        power=row.power,
        interest=row.interest,
        quadrant=rules.quadrant(row.power, row.interest),
        channel=row.channel,
        webhook=webhook_host(row.webhook_url),
        cadence=row.cadence,
        report=rules.AUDIENCE_REPORT.get(row.audience, ""),
    )


def list_stakeholders(handle: OpenWorkspace) -> list[StakeholderInfo]:
    """Every stakeholder of the product, roadmap order first: the CLI listing's Core read
    (``services.listings``), as the views the web and the API serve."""
    return [StakeholderInfo(**row.as_dict()) for row in listings.list_stakeholders(handle)]


def stakeholder(handle: OpenWorkspace, key: str) -> StakeholderInfo:
    """One stakeholder by key; NotFoundError when there is none."""
    found = next((s for s in list_stakeholders(handle) if s.key == key), None)
    if found is None:
        raise NotFoundError(f"no stakeholder with key '{key}'")
    return found


def save_stakeholder(
    handle: OpenWorkspace, given: StakeholderInput, *, actor: str = "cli", via: str = "cli"
) -> tuple[StakeholderInfo, str]:
    """Add the stakeholder, or update the one with the same key (only the values given).

    Adding never renames: a key already held under another name is refused with a pointer to
    :func:`update_stakeholder`. Returns the stakeholder as stored and ``added``, ``updated`` or
    ``unchanged``. The whole stakeholder is checked as it would be stored, so an update cannot
    leave, say, a webhook channel without a URL.
    """
    name = _text(given.name or "", "name", required=True)
    key = _key(given.key, name)
    updates = _given_values(given)
    if updates.get("webhook_url"):
        problem = url_problem(updates["webhook_url"], webhook_policy(handle))
        if problem:
            raise InputError(problem, field="webhook_url")
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        existing = stakeholder_repo.find(session, product.id, key)
        if existing is not None and existing.name != name:
            raise InputError(
                f"the key '{key}' belongs to {existing.name}; adding does not rename "
                f"(use 'productpath stakeholders update {key} --name ...')",
                field="name",
            )
        stored = (
            {name_: getattr(existing, name_) for name_ in DEFAULTS}
            if existing is not None
            else dict(DEFAULTS)
        )
        values = {**stored, **updates, "name": name}
        _check_whole(values)
        row, outcome = stakeholder_repo.upsert(session, product.id, key, values)
        if existing is not None and existing.roadmap_position is not None:
            _record(session, product.id, key, {**stored, "name": name}, values, actor, via)
        return info(row), outcome


def update_stakeholder(
    handle: OpenWorkspace,
    key: str,
    given: StakeholderInput,
    *,
    actor: str = "cli",
    via: str = "cli",
) -> tuple[StakeholderInfo, str]:
    """Change only the values given (the name too) of the stakeholder with ``key``.

    Returns the stakeholder as stored and ``updated`` or ``unchanged``; checked whole, as
    :func:`save_stakeholder` does (a webhook URL by the outbound guard too). A stakeholder
    listed in roadmap.yaml has its changed fields recorded in the history (``actor``, ``via``),
    as a roadmap edit's are, so ``roadmap apply`` of an older file keeps them.
    """
    updates = _given_values(given)
    if given.name is not None:
        updates["name"] = _text(given.name, "name", required=True)
    if updates.get("webhook_url"):
        problem = url_problem(updates["webhook_url"], webhook_policy(handle))
        if problem:
            raise InputError(problem, field="webhook_url")
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        existing = stakeholder_repo.find(session, product_id, key) if product_id else None
        if existing is None or product_id is None:
            raise NotFoundError(f"no stakeholder with key '{key}'")
        stored = {name_: getattr(existing, name_) for name_ in (*DEFAULTS, "name")}
        values = {**stored, **updates}
        _check_whole(values)
        listed = existing.roadmap_position is not None
        row, outcome = stakeholder_repo.upsert(session, product_id, key, values)
        if listed:
            _record(session, product_id, key, stored, values, actor, via)
        return info(row), outcome


def _record(
    session: Any,
    product_id: int,
    key: str,
    before: dict[str, Any],
    after: dict[str, Any],
    actor: str,
    via: str,
) -> None:
    """Record the changed fields of a stakeholder listed in roadmap.yaml in the history."""
    edits = [
        FieldEdit("stakeholder", key, field, before[field], after[field])
        for field in before
        if before[field] != after[field]
    ]
    history_repo.append(session, product_id, edits, actor=actor, via=via)


def remove_stakeholder(handle: OpenWorkspace, key: str) -> None:
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        row = stakeholder_repo.find(session, product_id, key) if product_id else None
        if row is None:
            raise NotFoundError(f"no stakeholder with key '{key}'")
        stakeholder_repo.remove(session, row)


def map_raci(
    handle: OpenWorkspace, initiative: str, stakeholder: str, role: str | None
) -> MapResult:
    """Give ``stakeholder`` the RACI ``role`` on ``initiative``, or take them off it (None)."""
    if role is not None:
        role = role.strip().upper()
        if role not in rules.RACI_ROLES:
            raise InputError(f"the RACI role must be R, A, C or I, got '{role}'", field="raci")
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        init_row = (
            stakeholder_repo.find_initiative(session, product_id, initiative)
            if product_id
            else None
        )
        if init_row is None:
            raise NotFoundError(f"no initiative with key '{initiative}'")
        person = stakeholder_repo.find(session, init_row.product_id, stakeholder)
        if person is None:
            raise NotFoundError(f"no stakeholder with key '{stakeholder}'")
        if role is None:
            before = stakeholder_repo.remove_role(session, init_row.id, person.id)
        else:
            before = stakeholder_repo.set_role(session, init_row.id, person.id, role)
    return MapResult(initiative=initiative, stakeholder=stakeholder, before=before, after=role)


def power_interest_grid(handle: OpenWorkspace) -> PowerInterestGrid:
    people = list_stakeholders(handle)
    cells = []
    for power in ("high", "low"):
        for interest in ("low", "high"):
            cells.append(
                GridCell(
                    power=power,
                    interest=interest,
                    advice=rules.quadrant(power, interest),
                    stakeholders=[
                        StakeholderRef(key=p.key, name=p.name)
                        for p in people
                        if p.power == power and p.interest == interest
                    ],
                )
            )
    return PowerInterestGrid(cells=cells)


def raci_matrix(handle: OpenWorkspace) -> RaciMatrix:
    """Initiatives (rows) by stakeholders (columns). Each row warns when it has no one
    accountable, or more than one, or no one responsible while someone is mapped at all."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return RaciMatrix(stakeholders=[], rows=[])
        people = stakeholder_repo.list_all(session, product_id)
        initiatives = stakeholder_repo.initiatives(session, product_id)
        roles = {
            (a.initiative_id, a.stakeholder_id): a.role
            for a in stakeholder_repo.assignments(session, product_id)
        }
    rows = []
    for initiative in initiatives:
        cells = [roles.get((initiative.id, person.id), "") for person in people]
        rows.append(
            RaciRow(
                initiative=initiative.key,
                title=initiative.title,
                status=initiative.status,
                roles=cells,
                warnings=_raci_warnings(cells),
            )
        )
    return RaciMatrix(
        stakeholders=[StakeholderRef(key=p.key, name=p.name) for p in people], rows=rows
    )


def raci_csv(matrix: RaciMatrix) -> str:
    """The matrix as CSV: ``initiative,title,<stakeholder keys>...``; cells made formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [safe_cell(c) for c in ["initiative", "title", *(s.key for s in matrix.stakeholders)]]
    )
    for row in matrix.rows:
        writer.writerow([safe_cell(c) for c in [row.initiative, row.title, *row.roles]])
    return out.getvalue()


def _raci_warnings(cells: list[str]) -> list[str]:
    if not any(cells):
        return []
    warnings = []
    accountable = cells.count("A")
    if accountable == 0:
        warnings.append("no one is accountable (A)")
    elif accountable > 1:
        warnings.append(f"{accountable} people are accountable (A); there should be one")
    if "R" not in cells:
        warnings.append("no one is responsible (R)")
    return warnings


def _given_values(given: StakeholderInput) -> dict[str, Any]:
    """The values the user gave, each checked on its own; unset ones are left out."""
    values: dict[str, Any] = {}
    if given.role is not None:
        values["role"] = _text(given.role, "role")
    if given.organisation is not None:
        values["organisation"] = _text(given.organisation, "organisation")
    if given.email is not None:
        email = given.email.strip()
        if email:
            problem = rules.email_problem(email)
            if problem:
                raise InputError(problem, field="email")
        values["email"] = email or None
    if given.webhook_url is not None:
        url = given.webhook_url.strip()
        if url:
            problem = rules.webhook_problem(url)
            if problem:
                raise InputError(problem, field="webhook_url")
        values["webhook_url"] = url or None
    choices = {
        "audience": rules.AUDIENCES,
        "power": rules.LEVELS,
        "interest": rules.LEVELS,
        "channel": rules.CHANNELS,
        "cadence": rules.CADENCES,
    }
    for field, allowed in choices.items():
        value = getattr(given, field)
        if value is None:
            continue
        value = value.strip().lower().replace("-", "_").replace("/", "_")
        if value not in allowed:
            raise InputError(
                f"must be one of {', '.join(allowed)}, got '{getattr(given, field)}'", field=field
            )
        values[field] = value
    return values


def _check_whole(values: dict[str, Any]) -> None:
    if values["channel"] == "email" and not values["email"]:
        raise InputError("the e-mail channel needs an e-mail address (--email)", field="email")
    if values["channel"] == "webhook" and not values["webhook_url"]:
        raise InputError(
            "the webhook channel needs a webhook URL (--webhook-url)", field="webhook_url"
        )


def _text(value: str, field: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise InputError(f"the {field} is empty", field=field)
    if len(value) > MAX_TEXT:
        raise InputError(f"the {field} is longer than {MAX_TEXT} characters", field=field)
    if any(ch in value for ch in "\r\n\t\x00"):
        raise InputError(f"the {field} contains a line break or control character", field=field)
    return value


def _key(key: str | None, name: str) -> str:
    if key is None or not key.strip():
        return slugify(name)
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH or slugify(key) != key:
        raise InputError(
            "a key is lowercase letters, digits and dashes, at most "
            f"{MAX_KEY_LENGTH} characters (for example '{slugify(key)}')",
            field="key",
        )
    return key


def webhook_policy(handle: OpenWorkspace, env: Mapping[str, str] | None = None) -> OutboundPolicy:
    """Which internal hosts and networks an admin allowed webhooks to reach (``[webhooks]``
    in productpath.toml, ``PRODUCTPATH_WEBHOOKS_ALLOW``); none by default."""
    path = handle.workspace.config_path
    config = notify_config.read_config(path)
    return outbound_policy(config, os.environ if env is None else env, str(path))
