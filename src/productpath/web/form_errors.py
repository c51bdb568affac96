"""A curation form's bad input as the error page: one line saying what was refused (422), or
404 for an unknown theme or item; nothing changed (the service checks before it writes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

from productpath.errors import InputError


@contextmanager
def refused() -> Iterator[None]:
    try:
        yield
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
