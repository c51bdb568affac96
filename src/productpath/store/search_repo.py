"""Full-text search over the index that migration 0011 keeps current with triggers.

SQLite reads the FTS5 table ``search_fts`` (ranked by ``bm25``, titles weighing ten times the
body); PostgreSQL reads ``search_document`` through its GIN index (ranked by ``ts_rank``, titles
weighted A). Either way the database finds and ranks; Python only shapes the rows.

Callers pass plain words (see ``services.search.terms``); this module quotes them into each
database's query syntax, so no user text is ever read as an operator: on SQLite each word is a
double-quoted string, on PostgreSQL a single-quoted lexeme. The last word also matches as a
prefix ("onboa" finds "onboarding") when it is long enough to keep the expansion small.

Feedback and the roadmap's objects are asked apart (each has its own FTS5 table on SQLite, its
own partial GIN index on PostgreSQL) and the two lists merged by score: both databases' scores
are comparable across the two (the same formula over the same kind of document). A common word
can match a third of 100,000 feedback items, and scoring every match costs more than a search
box may take, so feedback is ranked among its newest ``FEEDBACK_WINDOW`` matches: what
customers said lately, best first. Roadmap objects are few and always ranked in full.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

# Marks around matched words in snippets; control characters no text we index contains.
MARK_START = "\x02"
MARK_END = "\x03"
PREFIX_MIN = 3  # shorter last words match whole only ("a"* would match half the index)
TITLE_WEIGHT = 10.0
SNIPPET_WORDS = 16
FEEDBACK_TITLE = 80  # feedback has no title: its first characters stand in
FEEDBACK_WINDOW = 2_000
_WORD = re.compile(r"\w+")


def is_index_table(name: str) -> bool:
    """Whether ``name`` is one of the search index's tables (SQLite's FTS5 table and its
    shadow tables, PostgreSQL's ``search_document``): derived data, outside the models."""
    return name in {"search_document", "search_fts"} or name.startswith("search_fts_")


@dataclass(frozen=True)
class Hit:
    kind: str
    ref: str  # key, theme number or feedback id, as text
    title: str
    snippet: str  # with MARK_START/MARK_END around the matched words
    archived: bool = False  # an archived initiative (ranked after every live hit)


def _fts5_query(words: Sequence[str], product_id: int) -> str:
    quoted = [f'"{w}"' for w in words]
    if len(words[-1]) >= PREFIX_MIN:
        quoted[-1] += "*"
    return f"{{title body}} : ({' '.join(quoted)}) AND product : p{product_id}"


def _tsquery(words: Sequence[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    if len(words[-1]) >= PREFIX_MIN:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def search(
    session: Session,
    product_id: int,
    words: Sequence[str],
    *,
    kinds: Sequence[str],
    limit: int,
    public_initiatives_only: bool = False,
) -> list[Hit]:
    """The best ``limit`` matches of every word (``words`` must be plain: letters, digits and
    underscores only), of the given kinds, best first."""
    if not words or not kinds or limit <= 0:
        return []
    sqlite = session.get_bind().dialect.name == "sqlite"
    params: dict[str, Any] = {
        "product_id": product_id,
        "limit": limit,
        "window": FEEDBACK_WINDOW,
        "q": _fts5_query(words, product_id) if sqlite else _tsquery(words),
    }
    if not sqlite:
        # psycopg prepares a statement run often; a prepared plan made for any query would
        # not know how common the words are (see _TSQUERY), so plan for this one each time.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    scored: list[tuple[float, Hit]] = []
    roadmap_kinds = [k for k in kinds if k != "feedback"]
    if roadmap_kinds:
        sql = (_SQLITE_ROADMAP if sqlite else _POSTGRES_ROADMAP).format(
            public=_PUBLIC if public_initiatives_only else ""
        )
        stmt = text(sql).bindparams(bindparam("kinds", expanding=True))
        rows = session.execute(stmt, {**params, "kinds": roadmap_kinds})
        scored += [(float(score), _hit(*row)) for *row, score in rows]
    if "feedback" in kinds and not public_initiatives_only:
        found: Sequence[Any] = (
            _sqlite_feedback(session, params, words)
            if sqlite
            else session.execute(_POSTGRES_FEEDBACK, params).all()
        )
        scored += [(float(score), _hit(*row)) for *row, score in found]
    if "initiative" in roadmap_kinds and not public_initiatives_only:
        archived = set(session.scalars(_ARCHIVED, {"product_id": product_id}))
        scored = [
            (score, _archived(hit) if hit.kind == "initiative" and hit.ref in archived else hit)
            for score, hit in scored
        ]
    # Archived initiatives are still found, but after everything that is live.
    scored.sort(key=lambda pair: (pair[1].archived, -pair[0]))
    return [hit for _, hit in scored[:limit]]


def _archived(hit: Hit) -> Hit:
    return Hit(kind=hit.kind, ref=hit.ref, title=hit.title, snippet=hit.snippet, archived=True)


def _hit(kind: str, ref: str, title: str, snippet: str, body_start: str) -> Hit:
    if not title:
        title = " ".join(body_start.split())
        if len(body_start) >= FEEDBACK_TITLE:
            title += "…"
    return Hit(kind=kind, ref=ref, title=title, snippet=" ".join(snippet.split()))


# Only initiatives the portal shows (stakeholders): the key must name a public initiative
# that is not archived.
_PUBLIC = (
    " AND ref IN (SELECT key FROM initiative"
    " WHERE initiative.product_id = :product_id AND initiative.public"
    " AND initiative.status <> 'archived')"
)
_ARCHIVED = text(
    "SELECT key FROM initiative WHERE product_id = :product_id AND status = 'archived'"
)

# Scores are "higher is better" on both: bm25() is negated.
_SQLITE_ROADMAP = f"""
SELECT kind, ref, title,
       snippet(search_fts, 1, char(2), char(3), '…', {SNIPPET_WORDS}),
       substr(body, 1, {FEEDBACK_TITLE}),
       -bm25(search_fts, {TITLE_WEIGHT}, 1.0, 0.0) AS score
FROM search_fts
WHERE search_fts MATCH :q AND kind IN :kinds{{public}}
ORDER BY score DESC
LIMIT :limit
"""


def _sqlite_feedback(session: Session, params: dict[str, Any], words: Sequence[str]) -> list[Any]:
    """Feedback on SQLite, in three short statements rather than one: the window's floor (the
    id of the WINDOW-th newest match, read from the postings in id order), the best ids within
    it, then those rows by id. FTS5 would build a snippet for every match it reads before
    keeping the best (tens of milliseconds for a common word), so the snippet of these few rows
    is cut here instead (see ``snippet``)."""
    floor = session.scalar(_SQLITE_FLOOR, params) or 0
    best = session.execute(_SQLITE_BEST, {**params, "floor": floor}).all()
    if not best:
        return []
    stmt = _SQLITE_ROWS.bindparams(bindparam("ids", expanding=True))
    rows = {row[0]: row[1:] for row in session.execute(stmt, {"ids": [r for r, _ in best]})}
    found = []
    for rowid, score in best:
        if rowid in rows:
            ref, title, body = rows[rowid]
            found.append(
                ("feedback", ref, title, snippet(body, words), body[:FEEDBACK_TITLE], score)
            )
    return found


def snippet(body: str, words: Sequence[str]) -> str:
    """About SNIPPET_WORDS words of ``body`` from a little before the first matched word, with
    MARK_START/MARK_END around each word that one of ``words`` matches: the same word, or one
    sharing its start (as stemming and the prefix matched it)."""
    stems = [w.lower()[: max(PREFIX_MIN, len(w) - 2)] for w in words]
    tokens = body.split()

    def matches(token: str) -> bool:
        return any(part.startswith(stem) for part in _WORD.findall(token.lower()) for stem in stems)

    first = next((n for n, token in enumerate(tokens) if matches(token)), 0)
    start = max(0, first - 3)
    shown = tokens[start : start + SNIPPET_WORDS]
    text = " ".join(f"{MARK_START}{t}{MARK_END}" if matches(t) else t for t in shown)
    return ("…" if start else "") + text + ("…" if start + SNIPPET_WORDS < len(tokens) else "")


_SQLITE_FLOOR = text(
    "SELECT coalesce(min(rowid), 0) FROM (SELECT rowid FROM search_fts_feedback"
    " WHERE search_fts_feedback MATCH :q ORDER BY rowid DESC LIMIT :window)"
)
_SQLITE_BEST = text(
    f"SELECT rowid, -bm25(search_fts_feedback, {TITLE_WEIGHT}, 1.0, 0.0) AS score"
    " FROM search_fts_feedback WHERE search_fts_feedback MATCH :q AND rowid >= :floor"
    " ORDER BY score DESC LIMIT :limit"
)
_SQLITE_ROWS = text("SELECT rowid, ref, title, body FROM search_fts_feedback WHERE rowid IN :ids")

# The query is written out where it is used rather than shared through a CTE: with the value in
# sight the planner estimates how many rows match, and for a common word walks the primary key
# (kind, object_id) backwards to the window's newest matches (about 2 ms) instead of fetching
# every match through the GIN index (about 40 ms for a third of 100,000 items). ts_headline
# re-parses the text, so it runs on the page of best rows only. The literal ``kind``
# conditions let the planner use the partial GIN indexes.
_TSQUERY = "to_tsquery('english', :q)"
_HEADLINE = (
    f"ts_headline('english', body, {_TSQUERY}, 'StartSel=' || chr(2) || ', StopSel=' || chr(3)"
    f" || ', MaxWords={SNIPPET_WORDS}, MinWords=6')"
)

_POSTGRES_ROADMAP = f"""
WITH best AS (
  SELECT kind, ref, title, body, ts_rank(tsv, {_TSQUERY}) AS score
  FROM search_document
  WHERE kind <> 'feedback' AND tsv @@ {_TSQUERY} AND product_id = :product_id
    AND kind IN :kinds{{public}}
  ORDER BY score DESC, kind, object_id
  LIMIT :limit
)
SELECT kind, ref, title, {_HEADLINE}, left(body, {FEEDBACK_TITLE}), score
FROM best
"""

_POSTGRES_FEEDBACK = text(f"""
WITH recent AS (
  SELECT object_id, ref, title, body, tsv FROM search_document
  WHERE kind = 'feedback' AND tsv @@ {_TSQUERY} AND product_id = :product_id
  ORDER BY object_id DESC
  LIMIT :window
),
best AS (
  SELECT object_id, ref, title, body, ts_rank(tsv, {_TSQUERY}) AS score
  FROM recent
  ORDER BY score DESC, object_id DESC
  LIMIT :limit
)
SELECT 'feedback', ref, title, {_HEADLINE}, left(body, {FEEDBACK_TITLE}), score
FROM best
""")
