"""Help desks as feedback: Zendesk tickets and Intercom conversations, page by page.

**Zendesk**: the cursor-based incremental ticket export (``GET /api/v2/incremental/tickets/
cursor.json``), first from ``start_time`` then from the ``after_cursor`` of each answer until
``end_of_stream``; organisations come sideloaded (``include=organizations``). The cursor kept
after each page is Zendesk's own ``after_cursor``, so a later sync asks only for what changed
since. Auth: Basic with ``EMAIL/token`` and the API token.

**Intercom**: ``POST /conversations/search`` for conversations updated after the cursor (an
epoch second), paged by ``pages.next.starting_after``; each conversation's first contact is
looked up once per sync (``GET /contacts/ID``) for its company (``GET /companies/ID``). The
cursor keeps the search's start, the page token and the newest ``updated_at`` read, so a sync
cut off midway resumes at its page and a finished one moves the start on. Auth: Bearer.

Both map to feedback the same way: the ticket's subject (or the conversation's), a blank line,
the first message as plain text; created date; customer = the organisation's or company's name;
kind from the ticket type or tags through :func:`productpath.ingest.kind_values.kind_of`;
external id ``zendesk:ID`` / ``intercom:ID``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from productpath.errors import InputError
from productpath.ingest.connectors.http import ApiReader, Batch, ConnectorError, basic_auth
from productpath.ingest.feedback_files import MAX_CUSTOMER_LENGTH, FeedbackRecord
from productpath.ingest.kind_values import kind_of

ZENDESK_PER_PAGE = 1000
INTERCOM_PER_PAGE = 150
INTERCOM_VERSION = "2.11"
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(?:br|/div|/li)\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<\s*/p\s*>", re.IGNORECASE)


def zendesk_headers(email: str, token: str) -> dict[str, str]:
    return {"Accept": "application/json", "Authorization": basic_auth(f"{email}/token", token)}


def intercom_headers(token: str) -> dict[str, str]:
    return {
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
        "Intercom-Version": INTERCOM_VERSION,
    }


def zendesk_batches(
    reader: ApiReader, site: str, cursor: dict[str, Any], *, start_time: int = 0
) -> Iterator[Batch]:
    """Pages of tickets changed since ``cursor`` (or since ``start_time`` on a first sync)."""
    base = f"{site.rstrip('/')}/api/v2/incremental/tickets/cursor.json"
    params: dict[str, str | int] = {"per_page": ZENDESK_PER_PAGE, "include": "organizations"}
    if cursor.get("after_cursor"):
        params["cursor"] = cursor["after_cursor"]
    else:
        params["start_time"] = start_time
    pages = 0
    while True:
        page = reader.get(f"{base}?{urlencode(params)}")
        body = page.body
        if not isinstance(body, dict) or not isinstance(body.get("tickets"), list):
            raise ConnectorError(f"{base} did not answer an object with 'tickets'")
        organisations = {
            org.get("id"): org.get("name")
            for org in body.get("organizations") or []
            if isinstance(org, dict)
        }
        records = [
            zendesk_ticket(ticket, organisations, n) for n, ticket in enumerate(body["tickets"], 1)
        ]
        pages += 1
        after = body.get("after_cursor") or cursor.get("after_cursor")
        cursor = {**cursor, "after_cursor": after}
        yield Batch(records, dict(cursor), pages)
        if body.get("end_of_stream") or not body.get("after_cursor"):
            return
        params = {
            "per_page": ZENDESK_PER_PAGE,
            "include": "organizations",
            "cursor": body["after_cursor"],
        }


def zendesk_ticket(ticket: Any, organisations: dict[Any, Any], line: int) -> Any:
    """One ticket of the export as a FeedbackRecord (None for a deleted one: nothing to say)."""
    if not isinstance(ticket, dict) or not isinstance(ticket.get("id"), int):
        return InputError("is not a ticket (no id)", line=line)
    if ticket.get("status") == "deleted":
        return None
    subject = str(ticket.get("subject") or ticket.get("raw_subject") or "").strip()
    description = str(ticket.get("description") or "").strip()
    text = "\n\n".join(part for part in (subject, description) if part)
    if not text:
        return InputError(f"ticket {ticket['id']} has no subject or description", line=line)
    words = [str(ticket.get("type") or ""), *[str(tag) for tag in ticket.get("tags") or []]]
    return FeedbackRecord(
        line=line,
        external_id=f"zendesk:{ticket['id']}",
        text=text,
        created_at=_iso(ticket.get("created_at")),
        customer=_customer(organisations.get(ticket.get("organization_id"))),
        kind=_first_kind(words),
    )


def intercom_batches(reader: ApiReader, api_url: str, cursor: dict[str, Any]) -> Iterator[Batch]:
    """Pages of conversations updated after the cursor, each with its company."""
    api = api_url.rstrip("/")
    since = int(cursor.get("since") or 0)
    newest = int(cursor.get("newest") or since)
    starting_after = cursor.get("starting_after")
    companies: dict[str, str | None] = {}
    pages = 0
    while True:
        pagination: dict[str, Any] = {"per_page": INTERCOM_PER_PAGE}
        if starting_after:
            pagination["starting_after"] = starting_after
        query = {
            "query": {"field": "updated_at", "operator": ">", "value": since},
            "pagination": pagination,
        }
        page = reader.post(f"{api}/conversations/search", query)
        body = page.body
        if not isinstance(body, dict) or not isinstance(body.get("conversations"), list):
            raise ConnectorError(f"{api}/conversations/search did not answer a conversation list")
        records = []
        for n, conversation in enumerate(body["conversations"], 1):
            company = _intercom_company(reader, api, conversation, companies)
            records.append(intercom_conversation(conversation, company, n))
            updated = conversation.get("updated_at") if isinstance(conversation, dict) else None
            if isinstance(updated, int):
                newest = max(newest, updated)
        pages += 1
        following = ((body.get("pages") or {}).get("next") or {}).get("starting_after")
        total = (body.get("pages") or {}).get("total_pages")
        if following:
            state = {"since": since, "newest": newest, "starting_after": following}
            yield Batch(records, state, pages, total if isinstance(total, int) else None)
            starting_after = following
            continue
        yield Batch(records, {"since": newest, "newest": newest}, pages, pages)
        return


def intercom_conversation(conversation: Any, company: str | None, line: int) -> Any:
    if not isinstance(conversation, dict) or not conversation.get("id"):
        return InputError("is not a conversation (no id)", line=line)
    source = conversation.get("source") or {}
    subject = plain_text(str(source.get("subject") or conversation.get("title") or ""))
    body = plain_text(str(source.get("body") or ""))
    text = "\n\n".join(part for part in (subject, body) if part)
    if not text:
        return InputError(f"conversation {conversation['id']} has no text", line=line)
    tags = (conversation.get("tags") or {}).get("tags") or []
    created = conversation.get("created_at")
    return FeedbackRecord(
        line=line,
        external_id=f"intercom:{conversation['id']}",
        text=text,
        created_at=dt.datetime.fromtimestamp(created, dt.UTC) if isinstance(created, int) else None,
        customer=_customer(company),
        kind=_first_kind([str(tag.get("name", "")) for tag in tags if isinstance(tag, dict)]),
    )


def plain_text(markup: str) -> str:
    """Intercom's HTML message as text: line breaks kept, tags dropped, entities decoded."""
    text = _TAG.sub("", _BREAK.sub("\n", _PARAGRAPH.sub("\n\n", markup)))
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _intercom_company(
    reader: ApiReader, api: str, conversation: Any, cache: dict[str, str | None]
) -> str | None:
    if not isinstance(conversation, dict):
        return None
    contacts = (conversation.get("contacts") or {}).get("contacts") or []
    if not contacts or not isinstance(contacts[0], dict) or not contacts[0].get("id"):
        return None
    contact_id = str(contacts[0]["id"])
    if contact_id not in cache:
        cache[contact_id] = None
        contact = reader.get(f"{api}/contacts/{contact_id}").body
        linked = ((contact or {}).get("companies") or {}).get("data") or []
        if linked and isinstance(linked[0], dict) and linked[0].get("id"):
            company = reader.get(f"{api}/companies/{linked[0]['id']}").body or {}
            name = company.get("name") if isinstance(company, dict) else None
            cache[contact_id] = name if isinstance(name, str) else None
    return cache[contact_id]


def _first_kind(words: list[str]) -> str | None:
    for word in words:
        kind = kind_of(word) if word else None
        if kind is not None and kind != "other":
            return kind
    return None


def _customer(name: Any) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    return name.strip()[:MAX_CUSTOMER_LENGTH]


def _iso(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
