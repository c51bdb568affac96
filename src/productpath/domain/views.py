"""The base every read model shares, and the product header every page shows.

A read model is frozen so that the HTML page and its ``.json`` twin serialise the very same
object, and nothing downstream can change what a service computed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    """A frozen pydantic model: what a service hands to the CLI, a page, a report or the API."""

    model_config = ConfigDict(frozen=True)


class ProductInfo(View):
    """The workspace's product as a page header names it."""

    key: str
    name: str
    description: str
