"""The browser's edit forms for roadmap objects: what each form shows, how its posted text
becomes the values ``services.roadmap_edit`` saves, and which form field an error belongs to.

The forms post plain text (they work without JavaScript); turning it into roadmap.yaml values
here keeps every rule in one place: the service validates the values exactly as ``roadmap
apply`` does, and its error (``team``, ``estimate.likely``, ``depends_on[1]``) is shown next to
the form field it names, in apply's words. A save that fails changes nothing, and the form comes
back with what the person typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from productpath.domain.roadmap import InitiativeStatus
from productpath.errors import ConflictError, InputError
from productpath.services.roadmap import require_roadmap
from productpath.services.roadmap_edit import (
    SECTIONS,
    Saved,
    create_object,
    edit_object,
    object_spec,
    remove_object,
)
from productpath.services.workspace import OpenWorkspace

STATUSES = tuple(s.value for s in InitiativeStatus)
# How many empty key-result rows an objective's form offers for new ones.
SPARE_KEY_RESULTS = 3
KR_FIELDS = ("id", "title", "target", "unit", "kpi")
# A team's members as rows (roadmap.yaml's ``members``: a name, an optional e-mail), and how
# many empty rows its form offers for new people.
MEMBER_FIELDS = ("name", "email")
SPARE_MEMBERS = 3
# Posted fields that come as one value per row, by their prefix.
ROW_PREFIXES = ("kr_", "member_")
# The text inputs of each form (after the key), in order; initiative has its own template.
FORM_FIELDS = {
    "objective": ("title", "description"),
    "milestone": ("name", "target_date", "description"),
    "team": ("name", "capacity_per_week"),
}
LABELS = {
    "title": "Title",
    "name": "Name",
    "description": "Description",
    "target_date": "Target date",
    "capacity_per_week": "Capacity (ideal weeks per week)",
}


@dataclass(frozen=True)
class Choice:
    key: str
    name: str


@dataclass
class EditForm:
    """One form as the page shows it: the values (text), errors by form field, the version
    it is based on, and (after a stale save) the fields that differ from the stored ones."""

    type: str
    key: str | None
    values: dict[str, Any]
    version: int = 1
    errors: dict[str, str] = field(default_factory=dict)
    conflict: str | None = None
    differences: list[tuple[str, str, str]] = field(default_factory=list)
    teams: tuple[Choice, ...] = ()
    objectives: tuple[Choice, ...] = ()
    milestones: tuple[Choice, ...] = ()
    initiatives: tuple[Choice, ...] = ()


def blank_form(handle: OpenWorkspace, object_type: str) -> EditForm:
    """An empty form for a new object."""
    values: dict[str, Any] = {"status": "proposed"} if object_type == "initiative" else {}
    if object_type == "objective":
        values["key_results"] = [dict.fromkeys(KR_FIELDS, "")] * SPARE_KEY_RESULTS
    if object_type == "team":
        values["members"] = [dict.fromkeys(MEMBER_FIELDS, "")] * SPARE_MEMBERS
    return _with_choices(handle, EditForm(object_type, None, values))


def stored_form(handle: OpenWorkspace, object_type: str, key: str) -> EditForm:
    """The form of a stored object (NotFoundError if there is none)."""
    spec, version = object_spec(handle, object_type, key)
    return _with_choices(handle, EditForm(object_type, key, _as_text(object_type, spec), version))


def save_form(
    handle: OpenWorkspace,
    object_type: str,
    key: str | None,
    posted: Mapping[str, Any],
    *,
    version: int | None,
    actor: str,
) -> Saved | EditForm:
    """Save a posted form (create when ``key`` is None). Returns what was saved, or the form
    to show again: with the error next to its field, or (stale version) with the differences
    between what was typed and what is stored now, based on the stored version so that
    saving again keeps the typed values (Keep mine)."""
    text = _typed(object_type, posted)
    try:
        values = _values(object_type, text)
        if key is None:
            return create_object(handle, object_type, values, actor=actor, via="web")
        return edit_object(
            handle,
            object_type,
            key,
            values,
            expected_version=version or 0,
            actor=actor,
            via="web",
        )
    except ConflictError as exc:
        assert key is not None  # a create has no version to be stale
        stored = stored_form(handle, object_type, key)
        mine = EditForm(object_type, key, text, stored.version, conflict=str(exc))
        mine.differences = [
            (name, _shown(text.get(name)), _shown(stored.values.get(name)))
            for name in _compared(object_type)
            if _shown(text.get(name)) != _shown(stored.values.get(name))
        ]
        return _with_choices(handle, mine)
    except InputError as exc:
        form = EditForm(object_type, key, text, version or 1)
        form.errors[_form_field(exc.field)] = exc.reason
        return _with_choices(handle, form)


def archive_or_delete(
    handle: OpenWorkspace, object_type: str, key: str, *, version: int | None, actor: str
) -> Saved:
    """Archive an initiative, delete another object (see ``services.roadmap_edit``)."""
    return remove_object(handle, object_type, key, expected_version=version, actor=actor, via="web")


# -- text <-> values ------------------------------------------------------------------------


def _typed(object_type: str, posted: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form's text as the form shows it again (key results as rows)."""
    text: dict[str, Any] = {}
    for name, value in posted.items():
        if not name.startswith(ROW_PREFIXES) and isinstance(value, str):
            text[name] = value
    if object_type == "initiative":
        text["public"] = "1" if posted.get("public") else ""
    if object_type == "objective":
        columns = {f: list(posted.get(f"kr_{f}") or []) for f in KR_FIELDS}
        rows = max((len(c) for c in columns.values()), default=0)
        text["key_results"] = [
            {f: (columns[f][n] if n < len(columns[f]) else "") for f in KR_FIELDS}
            for n in range(rows)
        ]
    if object_type == "team" and any(f"member_{f}" in posted for f in MEMBER_FIELDS):
        # Only a form that shows the members edits them (a post without them keeps them).
        people = {f: list(posted.get(f"member_{f}") or []) for f in MEMBER_FIELDS}
        count = max((len(c) for c in people.values()), default=0)
        text["members"] = [
            {f: (people[f][n] if n < len(people[f]) else "") for f in MEMBER_FIELDS}
            for n in range(count)
        ]
    return text


def _values(object_type: str, text: Mapping[str, Any]) -> dict[str, Any]:
    """Form text as roadmap.yaml values: empty is unset, lists split at commas."""

    def optional(name: str) -> str | None:
        value = str(text.get(name) or "").strip()
        return value or None

    values: dict[str, Any] = {}
    if text.get("key"):
        values["id"] = str(text["key"]).strip()
    if object_type == "initiative":
        values["title"] = str(text.get("title") or "").strip()
        values["description"] = str(text.get("description") or "").replace("\r\n", "\n").strip()
        values["status"] = optional("status") or "proposed"
        for name in ("team", "objective", "milestone", "start", "target"):
            values[name] = optional(name)
        points = [optional(f"estimate_{p}") for p in ("optimistic", "likely", "pessimistic")]
        values["estimate"] = (
            None
            if not any(points)
            else dict(zip(("optimistic", "likely", "pessimistic"), points, strict=True))
        )
        values["depends_on"] = _split(text.get("depends_on"))
        values["themes"] = _split(text.get("themes"))
        values["public"] = bool(text.get("public"))
        return values
    for name in FORM_FIELDS[object_type]:
        raw = str(text.get(name) or "").replace("\r\n", "\n").strip()
        values[name] = raw if raw or name == "description" else None
    if object_type == "objective":
        values["key_results"] = [
            {f: (str(row.get(f) or "").strip() or None) for f in KR_FIELDS}
            for row in text.get("key_results") or []
            if any(str(row.get(f) or "").strip() for f in KR_FIELDS)
        ]
    if object_type == "team" and "members" in text:
        # A cleared row is a person removed; a row with only an e-mail is refused by the
        # roadmap's rule (a member needs a name), next to the members.
        values["members"] = [
            {f: (str(row.get(f) or "").strip() or None) for f in MEMBER_FIELDS}
            for row in text.get("members") or []
            if any(str(row.get(f) or "").strip() for f in MEMBER_FIELDS)
        ]
    return values


def _split(value: object) -> list[str]:
    return [part for part in re.split(r"[,\s]+", str(value or "")) if part]


def _as_text(object_type: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A stored object's fields as the form's text."""
    text: dict[str, Any] = {
        k: ("" if v is None else v) for k, v in spec.items() if not isinstance(v, list | dict)
    }
    if object_type == "initiative":
        estimate = spec.get("estimate") or {}
        for point in ("optimistic", "likely", "pessimistic"):
            value = estimate.get(point)
            text[f"estimate_{point}"] = "" if value is None else _number(value)
        text["depends_on"] = ", ".join(spec.get("depends_on") or ())
        text["themes"] = ", ".join(f"#{n}" for n in spec.get("themes") or ())
        text["public"] = "1" if spec.get("public") else ""
    if object_type == "team":
        text["capacity_per_week"] = _number(spec["capacity_per_week"])
        people = [
            {f: str(m.get(f) or "") for f in MEMBER_FIELDS} for m in spec.get("members") or ()
        ]
        text["members"] = people + [dict.fromkeys(MEMBER_FIELDS, "")] * SPARE_MEMBERS
    if object_type == "objective":
        rows = [
            {f: ("" if kr.get(f) is None else _number(kr[f])) for f in KR_FIELDS}
            for kr in spec.get("key_results") or ()
        ]
        text["key_results"] = rows + [dict.fromkeys(KR_FIELDS, "")] * SPARE_KEY_RESULTS
    return text


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _compared(object_type: str) -> tuple[str, ...]:
    if object_type == "initiative":
        return (
            "title",
            "description",
            "status",
            "team",
            "objective",
            "milestone",
            "estimate_optimistic",
            "estimate_likely",
            "estimate_pessimistic",
            "depends_on",
            "themes",
            "public",
            "start",
            "target",
        )
    rows = {"objective": ("key_results",), "team": ("members",)}
    return FORM_FIELDS[object_type] + rows.get(object_type, ())


def _shown(value: object) -> str:
    if isinstance(value, list):
        rows = [r for r in value if any(str(v).strip() for v in r.values())]
        return "; ".join(" ".join(str(v) for v in r.values() if str(v).strip()) for r in rows)
    return str(value or "").strip()


def _form_field(name: str | None) -> str:
    """The form field an error's field belongs to: ``estimate.likely`` -> ``estimate_likely``,
    ``depends_on[1]`` -> ``depends_on``, ``key_results[0].title`` -> ``key_results``."""
    if not name:
        return "form"
    if name == "id":
        return "key"
    head = name.split("[", 1)[0]
    if head.startswith("estimate"):
        return head.replace(".", "_") if "." in head else "estimate_optimistic"
    return head.split(".", 1)[0]


def _with_choices(handle: OpenWorkspace, form: EditForm) -> EditForm:
    doc = require_roadmap(handle)
    form.teams = tuple(Choice(t.id, t.name) for t in doc.teams)
    form.objectives = tuple(Choice(o.id, o.title) for o in doc.objectives)
    form.milestones = tuple(Choice(m.id, m.name) for m in doc.milestones)
    form.initiatives = tuple(Choice(i.id, i.title) for i in doc.initiatives if i.id != form.key)
    return form


__all__ = [
    "FORM_FIELDS",
    "LABELS",
    "ROW_PREFIXES",
    "SECTIONS",
    "STATUSES",
    "EditForm",
    "archive_or_delete",
    "blank_form",
    "save_form",
    "stored_form",
]
