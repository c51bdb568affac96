"""What every /api/v1 router shares: errors as JSON, the documented error responses, and the
page envelope of list endpoints.

Routes raise the productpath exception tree (or let services raise it); :class:`ApiRoute`
turns it into JSON: NotFoundError -> 404, ConflictError -> 409, InputError -> 422 naming the
field, in the very shape FastAPI gives its own validation errors, so a client parses one shape.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response

from productpath.errors import ConflictError, InputError, NotFoundError, ProductpathError

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_OFFSET = 10**9


class ApiError(BaseModel):
    """An error: one sentence saying what went wrong and, where it can, how to fix it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "no initiative 'dark-mode' in this workspace"}]}
    )
    detail: str


class FieldError(BaseModel):
    """One input that was refused: where it is (``["body", "status"]``) and why."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(BaseModel):
    """The request's input was refused; ``detail`` lists each field at fault."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": [
                        {
                            "loc": ["body", "status"],
                            "msg": "unknown status 'started'",
                            "type": "value_error",
                        }
                    ]
                }
            ]
        }
    )
    detail: list[FieldError]


def _error(description: str, model: type[BaseModel] = ApiError) -> dict[str, Any]:
    return {"model": model, "description": description}


Responses = dict[int | str, dict[str, Any]]
UNAUTHORISED: Responses = {
    401: _error("No session or API token: log in, or send `Authorization: Bearer`.")
}
FORBIDDEN: Responses = {403: _error("The caller's role on this product does not allow this.")}
NOT_FOUND: Responses = {404: _error("The key names nothing in this product.")}
CONFLICT: Responses = {409: _error("The object changed since the version the request names.")}
INVALID: Responses = {
    422: _error("The input was refused; each field at fault is listed.", ValidationErrors)
}
# Every route can answer 401 and 403 (see the deps in web/deps.py); the others where they apply.
COMMON_ERRORS: Responses = {**UNAUTHORISED, **FORBIDDEN, **INVALID}


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many match in all, and where the page starts."""

    items: list[T]
    total: int = Field(description="items matching the filters, on every page together")
    limit: int
    offset: int


def page_of(items: Sequence[T], limit: int, offset: int) -> Page[T]:
    """A page cut from a list that is small enough to hold whole (themes, decisions, ...)."""
    return Page[T](
        items=list(items[offset : offset + limit]), total=len(items), limit=limit, offset=offset
    )


def _no_nul(value: str) -> str:
    # PostgreSQL refuses text holding NUL, and no name or sentence needs one.
    if "\x00" in value:
        raise ValueError("text must not contain the NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string in a request body: any text but NUL (which PostgreSQL cannot store)."""

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"items per page (at most {MAX_LIMIT})")
]
OffsetQuery = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="items to skip: the page's start")
]

_Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class ApiRoute(APIRoute):
    """An API route whose productpath errors become JSON answers, never a 500."""

    def get_route_handler(self) -> _Handler:
        handler = super().get_route_handler()
        where = "query" if (self.methods or set()) <= {"GET", "HEAD"} else "body"

        async def answer(request: Request) -> Response:
            if _has_nul(request):
                return JSONResponse(
                    {
                        "detail": [
                            {
                                "loc": ["path"],
                                "msg": "the address must not contain the NUL character",
                                "type": "value_error",
                            }
                        ]
                    },
                    status_code=422,
                )
            try:
                return await handler(request)
            except ProductpathError as exc:
                return error_response(exc, where)

        return answer


def _has_nul(request: Request) -> bool:
    path: str = request.scope.get("path", "")
    return "\x00" in path or any("\x00" in v for _, v in request.query_params.multi_items())


def error_response(exc: ProductpathError, where: str = "body") -> JSONResponse:
    """The JSON answer for a productpath error (see the module's docstring)."""
    if isinstance(exc, NotFoundError):
        return JSONResponse({"detail": str(exc)}, status_code=404)
    if isinstance(exc, ConflictError):
        return JSONResponse({"detail": str(exc)}, status_code=409)
    if isinstance(exc, InputError):
        field = (exc.field or "").lstrip("-").replace("-", "_")
        loc = [where, field] if field else [where]
        return JSONResponse(
            {"detail": [{"loc": loc, "msg": exc.reason, "type": "value_error"}]},
            status_code=422,
        )
    # Any other error a user can cause (a workspace problem): still theirs to fix, never a 500.
    return JSONResponse(
        {"detail": [{"loc": [where], "msg": str(exc), "type": "value_error"}]}, status_code=422
    )
