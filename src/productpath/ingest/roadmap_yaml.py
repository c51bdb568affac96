"""Read ``roadmap.yaml`` into a validated :class:`RoadmapDoc`, and write one back out.

Every error names the file, the line and the field, so the user can go straight to it. Lines
come from ruamel.yaml's round-trip loader, which remembers where each key and item was; pydantic
and the roadmap rules report paths, and :mod:`._yaml_errors` turns those paths into lines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from enum import Enum
from io import StringIO
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from productpath.domain.roadmap import (
    Estimate,
    InitiativeSpec,
    MilestoneSpec,
    ObjectiveSpec,
    RaciSpec,
    RoadmapDoc,
    ScoreSpec,
    SupportSpec,
    TeamSpec,
    WorkSpec,
)
from productpath.domain.roadmap_rules import (
    Known,
    RuleViolation,
    check,
    cycle_rule,
    initiative_rules,
)
from productpath.errors import DependencyCycleError, RoadmapError
from productpath.ingest._yaml_errors import (
    first_problem,
    line_of,
    load_yaml,
    reason,
    render_path,
)

__all__ = [
    "dump",
    "evidence_error",
    "parse",
    "read_roadmap",
    "validate_change",
    "validate_data",
    "validate_initiative_edit",
]


def read_roadmap(path: Path) -> RoadmapDoc:
    """The roadmap in the file at ``path``, validated; raises RoadmapError naming the problem."""
    if not path.exists():
        raise RoadmapError("file not found", file=path)
    if not path.is_file():
        raise RoadmapError("not a file", file=path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RoadmapError(f"cannot read the file: {exc.strerror}", file=path) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RoadmapError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            file=path,
            line=line,
        ) from exc
    return parse(text, file=path)


def parse(text: str, file: str | Path = "<string>") -> RoadmapDoc:
    """Validate roadmap YAML given as text; ``file`` only names it in errors."""
    root = _load_yaml(text, file)
    if not isinstance(root, dict):
        kind = "empty" if root is None else ("a list" if isinstance(root, list) else "one value")
        raise RoadmapError(
            f"the file is {kind}; the top level must be a mapping with 'product', "
            "'objectives', 'teams', 'milestones' and 'initiatives' keys",
            file=file,
            line=1,
        )
    try:
        doc = RoadmapDoc.model_validate(_plain(root))
    except ValidationError as exc:
        path, reason, more = first_problem(root, exc)
        raise RoadmapError(
            _with_more(reason, more), file=file, line=line_of(root, path), field=render_path(path)
        ) from None
    violations = sorted(check(doc), key=lambda v: line_of(root, v.path))
    if violations:
        first = violations[0]
        line = line_of(root, first.path)
        if first.cycle:
            raise DependencyCycleError(
                list(first.cycle), file=file, line=line, field=render_path(first.path)
            )
        raise RoadmapError(
            _with_more(first.message, len(violations) - 1),
            file=file,
            line=line,
            field=render_path(first.path),
        )
    return doc


def validate_data(data: dict[str, Any]) -> RoadmapDoc:
    """Validate a roadmap given as data (an edit made in the browser, the API or an undo):
    the rules and wording of a file's errors, naming the field (there is no line)."""
    try:
        doc = RoadmapDoc.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        raise RoadmapError(
            _with_more(reason(first), len(errors) - 1), field=render_path(tuple(first["loc"]))
        ) from None
    _raise_first(check(doc))
    return doc


def validate_change(
    doc: RoadmapDoc, section: str, index: int | None, item: dict[str, Any] | None
) -> RoadmapDoc:
    """``doc`` (a valid roadmap) with one item of ``section`` changed: replaced at ``index``,
    added (``index`` None) or removed (``item`` None), validated as :func:`validate_data` would
    validate the whole document, with its errors and their words. Only the changed item's own
    fields are parsed again (the others were valid when stored); the rules across the roadmap
    (references, duplicates, cycles) are checked over all of it."""
    items = list(getattr(doc, section))
    position = len(items) if index is None else index
    if item is None:
        del items[position]
    else:
        spec = _item(section, position, item)
        if index is None:
            items.append(spec)
        else:
            items[position] = spec
    changed = doc.model_copy(update={section: tuple(items)})
    _raise_first(check(changed))
    return changed


def validate_initiative_edit(
    position: int,
    item: dict[str, Any],
    known: Known,
    order: Sequence[str],
    edges: Mapping[str, Sequence[str]],
) -> InitiativeSpec:
    """An existing initiative (the ``position``-th of a valid roadmap) with new values, checked
    without the rest of the document: what :func:`validate_change` would say of the roadmap
    with this one initiative replaced, when the initiative keeps its key. ``known`` holds the
    roadmap's keys, ``order`` its initiatives' keys in order and ``edges`` what each depends on
    as stored (the edited initiative's own entry is replaced by its new ``depends_on``)."""
    spec = _item("initiatives", position, item)
    if not isinstance(spec, InitiativeSpec):  # pragma: no cover - the model of the section
        raise TypeError(spec)
    violations = initiative_rules(position, spec, known)
    if not violations:
        violations = cycle_rule(order, {**edges, spec.id: spec.depends_on})
    _raise_first(violations)
    return spec


def _item(section: str, position: int, item: dict[str, Any]) -> BaseModel:
    """One item of ``section`` parsed as a file's would be, with the file's first error."""
    try:
        return _ITEM_MODELS[section].model_validate(item)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        raise RoadmapError(
            _with_more(reason(first), len(errors) - 1),
            field=render_path((section, position, *first["loc"])),
        ) from None


def _raise_first(violations: list[RuleViolation]) -> None:
    if violations:
        problem = violations[0]
        if problem.cycle:
            raise DependencyCycleError(list(problem.cycle), field=render_path(problem.path))
        raise RoadmapError(
            _with_more(problem.message, len(violations) - 1), field=render_path(problem.path)
        )


# The model of one item of each roadmap section validate_change may change.
_ITEM_MODELS: dict[str, type[BaseModel]] = {
    "objectives": ObjectiveSpec,
    "teams": TeamSpec,
    "milestones": MilestoneSpec,
    "initiatives": InitiativeSpec,
}


def evidence_error(path: Path, problems: list[tuple[tuple[str | int, ...], str]]) -> RoadmapError:
    """One error for checks the file cannot make alone (a theme the store does not hold),
    pointing at the line of the first problem."""
    root = _load_yaml(path.read_text(encoding="utf-8-sig"), path)
    where, reason = min(problems, key=lambda p: line_of(root, p[0]))
    return RoadmapError(
        _with_more(reason, len(problems) - 1),
        file=path,
        line=line_of(root, where),
        field=render_path(where),
    )


def _with_more(reason: str, more: int) -> str:
    if more <= 0:
        return reason
    return f"{reason} (and {more} more problem{'s' if more > 1 else ''})"


def _load_yaml(text: str, file: str | Path) -> Any:
    return load_yaml(text, file, error=RoadmapError, constructor=_constructor())


@functools.cache
def _constructor() -> Any:
    """ruamel's round-trip constructor, except that dates stay text for pydantic to check.

    ruamel would build the date itself and fail on 2026-02-30 with no line to report; pydantic
    reports it as a field error, with the line. A subclass keeps the change out of ruamel's
    own class.
    """
    from ruamel.yaml.constructor import RoundTripConstructor

    class DatesAsText(RoundTripConstructor):
        pass

    DatesAsText.add_constructor(
        "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
    )
    return DatesAsText


def _plain(node: Any) -> Any:
    """ruamel's commented containers and scalar subclasses as plain Python values."""
    from ruamel.yaml.scalarbool import ScalarBoolean

    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool | ScalarBoolean):
        return bool(node)
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


# -- writing ----------------------------------------------------------------------------------

# Written even when they hold the default, because a reader should not have to know it.
_ALWAYS = {"version", "id", "status"}
# A whole float below this prints as an integer (3 rather than 3.0); larger ones keep float
# notation so they read back exactly.
_WHOLE_LIMIT = 1e15
_NOT_LITERAL = re.compile(r"[ \t]\n|[\x85\u2028\u2029\ufeff]")
_SECTION = re.compile(r"[a-z_]+:")
# What may stand unquoted inside a one-line [a, b] list. ruamel's flow emitter mis-writes some
# other text (": x" among them), so anything else is written in double quotes, which hold any
# text exactly.
_FLOW_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_ ./#-]*", re.ASCII)


def dump(doc: RoadmapDoc) -> str:
    """Deterministic YAML for ``doc``: fixed key order, lists as stored, empty fields left out.

    ``parse(dump(doc)) == doc`` holds for every valid document.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 10_000  # never fold long lines: a folded plain scalar is hard to diff
    yaml.allow_unicode = True
    out = StringIO()
    yaml.dump(_node(doc), out)
    header = (
        f"# Roadmap of product '{doc.product.id}', exported by productpath.\n"
        "# Edit it, then preview with: productpath roadmap apply FILE --dry-run\n"
    )
    return header + _spaced(out.getvalue())


def _node(model: BaseModel) -> Any:
    from ruamel.yaml.comments import CommentedMap

    out = CommentedMap()
    for name in type(model).model_fields:
        value = getattr(model, name)
        # false is the default of every flag (``public``), so it is left out like other defaults
        if name in _ALWAYS or (value not in (None, "", ()) and value is not False):
            out[name] = _value(value)
    return out


def _value(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, Estimate | WorkSpec | ScoreSpec | SupportSpec | RaciSpec):
        # {optimistic: 1, likely: 2, pessimistic: 4}, {epics: [POCKET-12], labels: [kyc]},
        # {reach: 500}, {competitor: acme, level: has} and {accountable: [cfo]} fit one line
        node = _node(value)
        for key, item in node.items():
            if isinstance(item, str):
                node[key] = _flow_scalar(str(item))  # free text, e.g. a source note
        node.fa.set_flow_style()
        return node
    if isinstance(value, BaseModel):
        return _node(value)
    if isinstance(value, tuple):
        if all(isinstance(v, str | int) for v in value):
            # Lists of ids, keys, labels and theme numbers read best on one line: [a, b]
            items = CommentedSeq(_flow_scalar(v) if isinstance(v, str) else v for v in value)
            items.fa.set_flow_style()
            return items
        return CommentedSeq(_value(v) for v in value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and value.is_integer() and abs(value) < _WHOLE_LIMIT:
        return int(value)
    if isinstance(value, str) and _literal_ok(value):
        return LiteralScalarString(value)
    return value


def _flow_scalar(text: str) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if _FLOW_PLAIN.fullmatch(text) and " #" not in text:
        return text  # ruamel still quotes the ones that would read back as another type
    return DoubleQuotedScalarString(text)


def _literal_ok(text: str) -> bool:
    # A "|" block reads best for multi-line text, but only plain printable lines survive it
    # unchanged; anything else stays a double-quoted string with escapes.
    if "\n" not in text or text[0] in " \t" or _NOT_LITERAL.search(text):
        return False
    return all(ch == "\n" or ch.isprintable() for ch in text)


def _spaced(text: str) -> str:
    """A blank line before each top-level key and each item of a top-level list.

    Safe because nothing else starts in column 0 or as "  - ": nested content is indented
    deeper, and long lines are never folded.
    """
    out: list[str] = []
    for line in text.splitlines():
        # An empty line is a blank line inside a "|" block, never the start of anything.
        starts_block = line[:1] not in ("", " ") or line.startswith("  - ")
        if out and starts_block and not _SECTION.fullmatch(out[-1]):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"
